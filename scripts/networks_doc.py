"""Writes docs/networks.md, the user's list of every network, from the platform catalog
(shared/socialpub/catalog/*.json, what GET /api/platforms serves) and from what the code asks of a
user to connect (the sign-in fields and the app credentials of each auth type). Nothing in the page is
typed by hand, so it cannot say what the catalog does not: tests/unit/test_networks_doc.py fails when
the page is not what this script writes.

    .venv/bin/python scripts/networks_doc.py          # rewrite docs/networks.md
    .venv/bin/python scripts/networks_doc.py --check  # exit 1 if docs/networks.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from socialpub.domain.integrations import BOT_TOKEN_FIELD, CREDENTIAL_FIELDS, optional_credential_fields
from socialpub.domain.platforms import AuthType, CharacterCounting, Platform, SettingSpec, catalog
from socialpub.domain.services.accounts import SIGN_IN_FIELDS, USED_ONCE

DOC = Path(__file__).resolve().parent.parent / "docs" / "networks.md"

COUNTING = {
    CharacterCounting.TWITTER_WEIGHTED: "weighted as twitter-text weighs them (CJK characters and emoji count 2)",
    CharacterCounting.GRAPHEMES: "in graphemes (user-perceived characters)",
    CharacterCounting.EMOJI_AS_BYTES: "in characters, each emoji counting its UTF-8 bytes",
    CharacterCounting.UTF16: "in UTF-16 code units (most emoji count 2)",
    CharacterCounting.CODEPOINTS: "in Unicode code points",
    CharacterCounting.MASTODON: "in graphemes, the content warning included",
}
AUTH = {
    AuthType.OAUTH2: "OAuth 2",
    AuthType.OAUTH1: "OAuth 1.0a",
    AuthType.APP_PASSWORD: "app password",
    AuthType.BOT_TOKEN: "bot token",
    AuthType.WEBHOOK_URL: "webhook URL",
    AuthType.SIGNER: "signer",
    AuthType.API_KEY: "API key",
    AuthType.PASSWORD: "username and password",
}
CAPABILITIES = {  # Capabilities field -> how the page names it, in the page's order
    "supports_text_only": "text only",
    "supports_images": "images",
    "supports_videos": "videos",
    "supports_carousel": "carousels",
    "supports_stories": "stories",
    "supports_reels": "reels",
    "supports_threads": "threads",
    "supports_first_comment": "first comment",
    "supports_alt_text": "alt text",
    "supports_title": "title",
    "supports_links": "links",
    "supports_documents": "documents",
}
TABLE = ["text only", "carousels", "threads", "first comment", "alt text", "title"]  # the summary's yes/no columns
FORMATS = {"quicktime": "MOV", "x-msvideo": "AVI", "x-matroska": "MKV", "webm": "WebM", "webp": "WebP"}


def _auth(kind: AuthType) -> str:
    """An auth type's name in the page; a type added since this script was written by its own name."""
    return AUTH.get(kind, kind.value.replace("_", " ").lower())


def _yes(value: bool) -> str:
    return "yes" if value else "—"


def _formats(types: list[str]) -> str:
    subtypes = [t.split("/", 1)[-1] for t in types]
    return ", ".join(FORMATS.get(s, s.upper()) for s in subtypes)


def _size(mb: float) -> str:
    return f"{mb / 1024:g} GB" if mb >= 1024 else f"{mb:g} MB"


def _duration(seconds: int) -> str:
    for unit, length in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= length and seconds % length == 0:
            return f"{seconds // length} {unit}"
    return f"{seconds} s"


def _fields(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def capabilities(p: Platform) -> list[str]:
    claimed = p.capabilities.model_dump()
    return [label for name, label in CAPABILITIES.items() if claimed.get(name)] + [
        name.removeprefix("supports_").replace("_", " ")
        for name, v in claimed.items()
        if v and name not in CAPABILITIES
    ]


def sign_in(p: Platform) -> list[str]:
    """How an account connects, and what the user (or the deployment) must bring."""
    auth = p.auth
    kind = auth.auth_type
    lines: list[str] = []
    if kind in (AuthType.OAUTH1, AuthType.OAUTH2):
        flow = AUTH[kind] + (" with PKCE" if auth.pkce else "")
        lines.append(f"**Sign-in**: {flow}; the user signs in on the network and allows {_fields(auth.scopes)}.")
        if auth.app_registration_url:
            lines.append(
                "**You bring**: the user's server (`instance`); no app keys: socialpub registers its app on"
                " each server it is asked to connect to."
            )
        else:
            app = [*CREDENTIAL_FIELDS[kind], *([BOT_TOKEN_FIELD] if auth.app_bot_token else [])]
            lines.append(
                f"**You bring**: your own app's keys ({_fields(app)}) as a workspace configuration, or the"
                " deployment's default app for this network"
                + ("; and the user's server (`instance`)." if auth.per_instance else ".")
            )
    else:
        fields, secrets = SIGN_IN_FIELDS.get(kind, ((), ()))
        lines.append(f"**Sign-in**: {_auth(kind)}, sent as the account's `credentials`.")
        bring = [f"the user's {_fields(fields)}" if fields else "the user's credentials"]
        if auth.per_instance:
            bring.append("their server (`instance`)")
        elif auth.default_instance:
            bring.append(f"their server (`instance`, default `{auth.default_instance}`)")
        if kind in CREDENTIAL_FIELDS:
            bring.append(
                f"your app's {_fields(CREDENTIAL_FIELDS[kind])} (a workspace configuration or the deployment's default)"
            )
        if kind is AuthType.SIGNER:  # Farcaster: socialpub makes the signer where the app can sign its request
            bring.append(
                f"or, instead of the user's {_fields(fields)}, your app's {_fields(optional_credential_fields(p))}"
                " too: socialpub then makes the signer and the user approves it in Warpcast"
            )
        once = [f for f in secrets if f in USED_ONCE]
        kept = f" ({_fields(once)} is used once to open a session and is not kept)" if once else ""
        lines.append(f"**You bring**: {'; '.join(bring)}{kept}.")
    if auth.access_token_ttl_seconds:
        renewed = "renewed with its refresh token" if auth.refresh.supported else "not renewable: the user reconnects"
        lines.append(f"**Tokens**: the access token lasts {_duration(auth.access_token_ttl_seconds)}, {renewed}.")
    return lines


def limits(p: Platform) -> list[str]:
    lim = p.limits
    counting = COUNTING.get(lim.character_counting, lim.character_counting.value)
    text = f"**Text**: at most {lim.max_characters:,} characters, counted {counting}"
    if lim.max_bytes:
        text += f", and at most {lim.max_bytes:,} bytes"
    if lim.url_length:
        text += f"; a link counts {lim.url_length}"
    lines = [text + "."]
    if lim.max_images:
        image = f"**Images**: up to {lim.max_images} a post ({_formats(lim.image_types)})"
        if lim.max_image_size_mb:
            image += f", at most {_size(lim.max_image_size_mb)} each"
        lines.append(image + ".")
    if lim.max_videos:
        video = f"**Videos**: up to {lim.max_videos} a post ({_formats(lim.video_types)})"
        if lim.max_video_size_mb:
            video += f", at most {_size(lim.max_video_size_mb)} each"
        if lim.min_video_duration or lim.max_video_duration:
            low, high = lim.min_video_duration, lim.max_video_duration
            video += ", " + (
                f"{low} to {high} s long"
                if low and high
                else f"at least {low} s long"
                if low
                else f"at most {high} s long"
            )
        lines.append(video + ".")
    if lim.max_documents:
        lines.append(f"**Documents**: up to {lim.max_documents} a post.")
    media = []
    if lim.max_images and lim.max_videos:
        media.append("images and videos in one post" if lim.allow_mixed_media else "images or a video, not both")
    if lim.requires_media:
        media.append("a post needs media")
    if lim.min_carousel_items or lim.max_carousel_items:
        media.append(
            f"a carousel holds {lim.min_carousel_items or 2} to {lim.max_carousel_items or lim.max_images} items"
        )
    if media:
        lines.append("**Media**: " + "; ".join(media) + ".")
    other = []
    if lim.requires_title or lim.max_title_length:
        title = "required" if lim.requires_title else "optional"
        other.append(
            f"title {title}" + (f", at most {lim.max_title_length} characters" if lim.max_title_length else "")
        )
    if lim.max_alt_text_length:
        other.append(f"alt text at most {lim.max_alt_text_length} characters")
    if not lim.alt_text_per_image:
        other.append("one alt text for a carousel (the first image's)")
    if lim.max_hashtags:
        other.append(f"at most {lim.max_hashtags} hashtags")
    if lim.max_thread_parts:
        other.append(f"a thread has at most {lim.max_thread_parts} parts")
    if lim.daily_post_limit:
        other.append(f"at most {lim.daily_post_limit} posts a day")
    if other:
        lines.append("**Also**: " + "; ".join(other) + ".")
    return lines


def setting(name: str, spec: SettingSpec) -> str:
    facts = [spec.type.value + (" of strings" if spec.type.value == "array" else "")]
    if spec.required:
        facts.append("required")
    if spec.enum:
        facts.append("one of " + ", ".join(f"`{v}`" for v in spec.enum))
    if spec.max_items:
        facts.append(f"at most {spec.max_items} items")
    if spec.pattern:
        facts.append(f"matching `{spec.pattern}`")
    return f"- `{name}` ({'; '.join(facts)})" + (f": {spec.description}" if spec.description else "")


def section(p: Platform) -> list[str]:
    out = [f"## {p.name} (`{p.id}`)", "", f"API: <{p.docs_url}>", ""]
    out += [f"- {line}" for line in sign_in(p)]
    out.append(f"- **Publishes**: {', '.join(capabilities(p))}.")
    out += [f"- {line}" for line in limits(p)]
    out.append("")
    if p.settings:
        out += [f"Per-post settings (`platform_content.{p.id}.settings`):", ""]
        out += [setting(name, spec) for name, spec in p.settings.items()]
        out.append("")
    if p.notes:
        out += ["Caveats:", ""]
        out += [f"- {note}" for note in p.notes]
        out.append("")
    return out


def render() -> str:
    networks = list(catalog().values())
    out = [
        "<!-- Written by scripts/networks_doc.py from the platform catalog; edit the catalog files, then run",
        "     .venv/bin/python scripts/networks_doc.py (tests/unit/test_networks_doc.py fails when they differ). -->",
        "",
        "# Networks",
        "",
        f"socialpub publishes to these {len(networks)} networks. Each one's facts below come from its catalog file",
        "(`shared/socialpub/catalog/<id>.json`), which `GET /api/platforms` serves and validation enforces:",
        "what it publishes, its limits and how it counts characters, how an account connects and what you",
        "must bring, its per-post settings, and its caveats. Connecting accounts: [accounts.md](accounts.md);",
        "your own app's keys: [integrations.md](integrations.md); publishing: [publishing.md](publishing.md).",
        "",
        "| network | id | sign-in | characters | images | videos | " + " | ".join(TABLE) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(TABLE),
    ]
    for p in networks:
        claimed = set(capabilities(p))
        lim = p.limits
        cells = [
            f"[{p.name}](#{_anchor(p)})",
            f"`{p.id}`",
            _auth(p.auth.auth_type),
            f"{lim.max_characters:,}",
            str(lim.max_images) if lim.max_images else "—",
            str(lim.max_videos) if lim.max_videos else "—",
            *(_yes(label in claimed) for label in TABLE),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "Images and videos: the most one post may carry. Each network's section says more.", ""]
    for p in networks:
        out += section(p)
    return "\n".join(out).rstrip() + "\n"


def _anchor(p: Platform) -> str:
    """The anchor GitHub makes of the section's heading ``<name> (`<id>`)``."""
    heading = f"{p.name} ({p.id})".lower()
    kept = "".join(c for c in heading if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/networks.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC.read_text() if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run .venv/bin/python scripts/networks_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
