"""A Postiz post's per-provider ``settings``, onto the product's per-network overrides.

Postiz validates ``settings`` with one DTO per provider (chosen by ``__type``, which its server
sets); socialpub keeps a network's settings in ``platform_content.<network>`` (a title, typed
settings from catalog/*.json) and the post's ``link``. Each Postiz key the product has an
equivalent for is mapped; a key that is already one of the network's own catalog settings passes
through unchanged; ``__type`` is ignored. A Postiz-only key is ignored where it asks for nothing
socialpub would leave undone (listed in HARMLESS: an empty or off value, or a purely informative
one); any other key is refused with a 400 naming it. The mapped values are then checked by the
network's rules like any post's (domain/validation.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from socialpub.domain.platforms import catalog

# What a rule returns: ``title``, ``link``, or ``settings.<key>`` -> value.
Changes = dict[str, object]
Rule = Callable[[Any], Changes]


@dataclass
class Mapped:
    """What a post's Postiz settings become on the product's post to one network."""

    title: str | None = None
    link: str | None = None
    settings: dict[str, object] = field(default_factory=dict)

    def apply(self, changes: Changes) -> None:
        for key, value in changes.items():
            if key == "title":
                self.title = str(value)
            elif key == "link":
                self.link = str(value)
            else:
                self.settings[key.removeprefix("settings.")] = value


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _one_of(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of the following values: {', '.join(allowed)}")
    return str(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be a boolean value")
    return value


def _to(key: str) -> Rule:
    """A string setting under another name (``title``, ``link`` or ``settings.<name>``); an empty
    one sets nothing, as Postiz's optional fields do."""
    return lambda value: {key: _string(value)} if value not in (None, "") else {}


def _allowed_to(key: str, allowed: tuple[str, ...], *, unset: str | None = None) -> Rule:
    """One of ``allowed``, under another name; ``unset`` is the network's default (nothing to set)."""

    def rule(value: Any) -> Changes:
        chosen = _one_of(value, allowed)
        return {} if chosen == unset else {key: chosen}

    return rule


def _disable(key: str) -> Rule:
    """Postiz's "allow X" switch as the product's "disable X" one."""
    return lambda value: {key: not _boolean(value)}


def _youtube_tags(value: Any) -> Changes:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ValueError("must be an array of {value, label}")
    labels = [str(t.get("label") or t.get("value") or "").strip() for t in value]
    return {"settings.tags": ",".join(label for label in labels if label)} if any(labels) else {}


def _reddit(value: Any) -> Changes:
    """Postiz's list of subreddits, each ``{"value": {subreddit, title, type, url, flair}}``: a
    socialpub post goes to one subreddit (send one posts[] item per subreddit)."""
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        raise ValueError("must hold exactly one subreddit: socialpub posts to one subreddit per post")
    inner = value[0].get("value", value[0])
    if not isinstance(inner, dict):
        raise ValueError("must hold exactly one subreddit: socialpub posts to one subreddit per post")
    changes: Changes = {"settings.subreddit": _string(inner.get("subreddit")).strip().removeprefix("r/")}
    if inner.get("title"):
        changes["title"] = _string(inner["title"])
    if inner.get("type") == "link" and inner.get("url"):
        changes["link"] = _string(inner["url"])
    flair = inner.get("flair")
    if isinstance(flair, dict) and flair.get("id"):
        changes["settings.flair_id"] = _string(flair["id"])
    return changes


def _no_offers(value: Any) -> Changes:
    if value not in (None, "", "STANDARD"):
        raise ValueError("STANDARD is the only topic type socialpub publishes (no events or offers)")
    return {}


RULES: dict[str, dict[str, Rule]] = {
    "twitter": {
        "who_can_reply_post": _allowed_to(
            "settings.reply_settings",
            ("everyone", "following", "mentionedUsers", "subscribers", "verified"),
            unset="everyone",
        ),
    },
    "facebook": {"url": _to("link")},
    "instagram": {"post_type": _allowed_to("settings.type", ("post", "story"), unset="post")},
    "youtube": {
        "title": _to("title"),
        "type": _allowed_to("settings.privacy", ("public", "private", "unlisted")),
        "tags": _youtube_tags,
    },
    "tiktok": {
        "title": _to("title"),
        "privacy_level": _to("settings.privacy_level"),
        "comment": _disable("settings.disable_comment"),
        "duet": _disable("settings.disable_duet"),
        "stitch": _disable("settings.disable_stitch"),
        "brand_content_toggle": lambda value: {"settings.brand_content_toggle": _boolean(value)},
    },
    "pinterest": {"board": _to("settings.board_id"), "link": _to("settings.link"), "title": _to("title")},
    "reddit": {"subreddit": _reddit},
    "discord": {"channel": _to("settings.channel_id")},
    "google_business": {
        "callToActionType": _allowed_to(
            "settings.call_to_action", ("BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL")
        ),
        "callToActionUrl": _to("link"),
        "topicType": _no_offers,
    },
}

# Postiz-only keys, ignored where harmless: with None, "", false, [] or {} (they then ask for
# nothing), or with one of the values listed; a key listed with ANY is informative only.
ANY: tuple[object, ...] = ("*",)
HARMLESS: dict[str, dict[str, tuple[object, ...]]] = {
    "twitter": {"community": (), "active_thread_finisher": (), "thread_finisher": ()},
    "linkedin": {"post_as_images_carousel": (), "carousel_name": ANY, "organic_targeting": ()},
    "instagram": {"is_trial_reel": (), "graduation_strategy": ANY, "collaborators": (), "user_tags": (), "audio": ()},
    "youtube": {"thumbnail": ()},
    "tiktok": {
        "videoDurationSec": ANY,
        "disclose": ANY,
        "brand_organic_toggle": (),
        "video_made_with_ai": (),
        "autoAddMusic": ("no",),
        "content_posting_method": ("DIRECT_POST",),
        "music": (),
        "location": (),
    },
    "pinterest": {"dominant_color": ANY},
    "reddit": {},
    "google_business": dict.fromkeys(
        (
            "eventTitle",
            "eventStartDate",
            "eventEndDate",
            "eventStartTime",
            "eventEndTime",
            "offerCouponCode",
            "offerRedeemUrl",
            "offerTerms",
        ),
        (),
    ),
}


def _harmless(network: str, key: str, value: Any) -> bool:
    accepted = HARMLESS.get(network, {}).get(key)
    if accepted is None:
        return False
    return accepted is ANY or value in (None, "", False, [], {}) or value in accepted


def map_settings(network: str, provider: str, settings: dict[str, Any], path: str) -> tuple[Mapped, list[str]]:
    """``settings`` of a post to ``network`` (``provider``: Postiz's id, for messages) -> what the
    product's post carries, and the problems ("<path>.<key> <why>"), all of them."""
    mapped = Mapped()
    problems: list[str] = []
    own = catalog()[network].settings
    for key, value in settings.items():
        where = f"{path}.{key}"
        rule = RULES.get(network, {}).get(key)
        if key == "__type":
            continue  # the server sets it from the channel (as Postiz's does)
        if rule is not None:
            try:
                mapped.apply(rule(value))
            except ValueError as exc:
                problems.append(f"{where} {exc}")
        elif key in own:
            mapped.settings[key] = value  # the product's own name for it
        elif not _harmless(network, key, value):
            known = sorted({*RULES.get(network, {}), *own})
            problems.append(
                f"{where} is not a setting socialpub supports for {provider} (it takes: {', '.join(known) or 'none'})"
            )
    return mapped, problems
