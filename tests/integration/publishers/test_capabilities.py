"""What the catalog claims, each network's publisher does: for every network and every capability it
claims (GET /api/platforms serves these), a post that uses it is published through that network's
publisher against the emulator, and the network holds what was asked. A claim no publisher honours
fails here, before a user's post fails on the network."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import boto3
import httpx
import pytest
from moto import mock_aws

from socialpub.domain.platforms import Platform, catalog
from socialpub.domain.post_content import MediaKind, PostContent
from socialpub.domain.publishing import MediaFile, PublishAccount, PublishJob
from socialpub.local.emulator import EmulatedPost
from socialpub.local.emulator.state import number_of
from tests.conftest import Emulator
from tests.media_files import image, video
from tests.publishing import PublishHarness, Signed

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Capability check"
LINK = "https://example.com/capability"
TITLE = "A capability title"
COMMENT = "The first comment"
ALT = "A red rectangle"
THREAD = ["The second part", "The third part"]
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
VIDEO_BRANDS = {"video/mp4": b"isom", "video/quicktime": b"qt  "}


@pytest.fixture(scope="module")
def harness(emulator_server: Emulator) -> Iterator[PublishHarness]:
    """One media bucket (moto) for the whole module: a publisher needs only that bucket and the
    emulator, and building the whole stack for each of the ~90 claims would take minutes."""
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="capability-media")
        yield PublishHarness(emulator_server, "capability-media")
    httpx.delete(f"{emulator_server.url}/_emulator/posts")


@pytest.fixture(autouse=True)
def _no_faults(emulator_server: Emulator) -> Iterator[None]:
    yield
    httpx.delete(f"{emulator_server.url}/_emulator/faults")


# ---------------------------------------------------------------------- each network's world


def _signed_in(harness: PublishHarness, platform: Platform) -> tuple[Signed, dict[str, object]]:
    """An account of the network, and the settings a post there cannot do without (a subreddit, a
    board, a channel), as a user would pick them."""
    network = platform.id
    if network == "mastodon":
        return harness.sign_in(network, instance="mastodon.example"), {}
    if network == "bluesky":
        return harness.sign_in(network, user="alice.bsky.social"), {}
    if network in ("facebook", "instagram"):
        return harness.sign_in(network, pick=0), {}
    if network == "telegram":
        bot_token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        signed = harness.sign_in(network, params={"bot_token": bot_token, "chat_id": "@launches"})
        return Signed(account=signed.account, token=bot_token), {}
    if network == "discord":
        signed = harness.sign_in(network)
        channel = number_of(network, "emulated-user", " #general")
        guild = number_of(network, "emulated-user", " Guild")
        account = PublishAccount(
            id=f"acc_{channel}",
            external_id=channel,
            type="channel",
            username="general",
            instance=None,
            metadata={"channel_id": channel, "guild_id": guild},
        )
        return Signed(account=account, token=signed.token), {"channel_id": channel}
    if network == "pinterest":
        signed = harness.sign_in(network)
        boards = httpx.get(
            f"{harness.emulator.url}/api.pinterest.com/v5/boards", headers={"Authorization": f"Bearer {signed.token}"}
        ).json()["items"]
        return signed, {"board_id": str(boards[0]["id"])}
    if network == "reddit":
        return harness.sign_in(network), {"subreddit": "socialpub"}
    if network == "tiktok":
        return harness.sign_in(network), {"privacy_level": "PUBLIC_TO_EVERYONE"}
    return harness.sign_in(network), {}


# ---------------------------------------------------------------------- media of the allowed kinds


def _image(harness: PublishHarness, platform: Platform, alt_text: str | None = None, shade: int = 0) -> MediaFile:
    mime = next(t for t in platform.limits.image_types or ["image/jpeg"] if t in IMAGE_FORMATS)
    data = image(IMAGE_FORMATS[mime], (1080 + shade, 1350))
    return harness.media(data, mime, filename=f"picture{shade}.{mime.split('/')[1]}", alt_text=alt_text)


def _video(harness: PublishHarness, platform: Platform, *, vertical: bool = False) -> MediaFile:
    mime = next(t for t in platform.limits.video_types or ["video/mp4"] if t in VIDEO_BRANDS)
    seconds = max(float(platform.limits.min_video_duration or 0), 12.5)
    size = (720, 1280) if vertical else (1280, 720)
    data = video(seconds, size, brand=VIDEO_BRANDS[mime])
    return harness.media(data, mime, filename="clip.mp4", duration=seconds, width=size[0], height=size[1])


def _any_media(harness: PublishHarness, platform: Platform) -> list[MediaFile]:
    """What a network that needs media gets when the capability under test brings none."""
    if not platform.limits.requires_media:
        return []
    return [_image(harness, platform) if platform.capabilities.supports_images else _video(harness, platform)]


# ---------------------------------------------------------------------- one post per capability


@dataclass
class Case:
    """A post using one capability, and what the network must then hold. With ``variants``, the post
    goes out once with each list of media, and the claim holds if the network shows it on one of
    them (Facebook titles videos only, TikTok photo posts only)."""

    content: PostContent
    media: list[MediaFile]
    settings: dict[str, object]
    check: Callable[[list[EmulatedPost]], None]
    variants: list[list[MediaFile]] | None = None


def _sha(media: MediaFile) -> str:
    return hashlib.sha256(media.content()).hexdigest()


def _held(posts: list[EmulatedPost]) -> list[str]:
    return [m.get("sha256", "") for p in posts for m in p.media]


def _kind_setting(platform: Platform, kind: str) -> dict[str, object]:
    """How a post asks this network for a story or a reel: its ``type`` setting."""
    spec = platform.settings.get("type")
    if spec is None or kind not in (spec.enum or []):
        pytest.fail(f"{platform.name} claims {kind}s, but no setting lets a post ask for one")
    return {"type": kind}


def _case(capability: str, harness: PublishHarness, p: Platform) -> Case:
    # Each text its own: networks refuse a text they already hold (X, LinkedIn, Facebook).
    text = f"{TEXT}: {p.id} {capability.removeprefix('supports_')}"
    base = PostContent(content=text, title=TITLE if p.limits.requires_title else None)
    if capability == "supports_text_only":

        def text_only(posts: list[EmulatedPost]) -> None:
            assert any(text in p.text for p in posts), posts
            assert not _held(posts)

        return Case(base, [], {}, text_only)
    if capability == "supports_images":
        picture = _image(harness, p)
        return Case(base, [picture], {}, lambda posts: _assert_holds(posts, [picture]))
    if capability == "supports_videos":
        clip = _video(harness, p)
        return Case(base, [clip], {}, lambda posts: _assert_holds(posts, [clip]))
    if capability == "supports_carousel":
        count = max(2, p.limits.min_carousel_items or 2)
        pictures = [_image(harness, p, shade=i) for i in range(count)]
        return Case(base, pictures, {}, lambda posts: _assert_holds(posts, pictures, together=True))
    if capability == "supports_stories":
        picture = _image(harness, p)
        return Case(base, [picture], _kind_setting(p, "story"), lambda posts: _assert_holds(posts, [picture]))
    if capability == "supports_reels":
        clip = _video(harness, p, vertical=True)
        return Case(base, [clip], _kind_setting(p, "reel"), lambda posts: _assert_holds(posts, [clip]))
    if capability == "supports_threads":
        content = base.model_copy(update={"thread": THREAD})

        def thread(posts: list[EmulatedPost]) -> None:
            parts = {p.text: p for p in posts}
            for part in THREAD:
                assert part in parts, f"{part!r} not among {list(parts)}"
                assert parts[part].reply_to, f"{part!r} was not posted as a reply"

        return Case(content, _any_media(harness, p), {}, thread)
    if capability == "supports_first_comment":
        content = base.model_copy(update={"first_comment": COMMENT})

        def comment(posts: list[EmulatedPost]) -> None:
            assert any(p.text == COMMENT and p.reply_to for p in posts), posts

        return Case(content, _any_media(harness, p), {}, comment)
    if capability == "supports_alt_text":
        picture = _image(harness, p, alt_text=ALT)

        def alt_text(posts: list[EmulatedPost]) -> None:
            assert any(m.get("alt_text") == ALT for post in posts for m in post.media), posts

        return Case(base, [picture], {}, alt_text)
    if capability == "supports_title":
        content = base.model_copy(update={"title": TITLE})
        caps = p.capabilities
        variants = [
            *([[]] if caps.supports_text_only else []),
            *([[_image(harness, p)]] if caps.supports_images else []),
            *([[_video(harness, p)]] if caps.supports_videos else []),
        ]
        check = lambda posts: _assert_any(posts, lambda x: TITLE in repr(x))  # noqa: E731
        return Case(content, [], {}, check, variants=variants)
    if capability == "supports_links":
        content = base.model_copy(update={"link": LINK})
        return Case(content, _any_media(harness, p), {}, lambda posts: _assert_any(posts, lambda x: LINK in repr(x)))
    if capability == "supports_documents":
        pdf = harness.media(PDF, "application/pdf", kind=MediaKind.DOCUMENT, filename="report.pdf")
        content = base.model_copy(update={"title": TITLE})
        return Case(content, [pdf], {}, lambda posts: _assert_holds(posts, [pdf]))
    raise AssertionError(f"no check for {capability}: add one here when the catalog gains a capability")


def _assert_holds(posts: list[EmulatedPost], media: list[MediaFile], *, together: bool = False) -> None:
    wanted = [_sha(m) for m in media]
    if together:
        assert any([m.get("sha256") for m in p.media] == wanted for p in posts), (wanted, posts)
    else:
        assert set(wanted) <= set(_held(posts)), (wanted, posts)


def _assert_any(posts: list[EmulatedPost], test: Callable[[EmulatedPost], bool]) -> None:
    assert any(test(p) for p in posts), posts


CLAIMS = [
    pytest.param(platform.id, capability, id=f"{platform.id}-{capability.removeprefix('supports_')}")
    for platform in catalog().values()
    for capability, claimed in platform.capabilities.model_dump().items()
    if claimed
]


@pytest.mark.parametrize(("network", "capability"), CLAIMS)
def test_every_claimed_capability_publishes(harness: PublishHarness, network: str, capability: str) -> None:
    # Given an account of a network whose catalog entry claims this capability, and a post using it
    platform = catalog()[network]
    signed, required = _signed_in(harness, platform)
    case = _case(capability, harness, platform)
    before = {p.id for p in harness.posts(network)}
    variants = case.variants or [case.media]
    jobs = [
        PublishJob(
            platform=platform,
            account=signed.account,
            token=signed.token,
            key=f"capability-{network}-{capability}-{index}",
            parts=content.parts_for(network),
            title=content.title_for(network),
            link=content.link,
            first_comment=content.first_comment_for(network),
            settings={**required, **case.settings},
            media=media,
        )
        for index, media in enumerate(variants)
        # one text per variant, as networks refuse a text they already hold
        for content in [case.content.model_copy(update={"content": f"{case.content.content} ({index})"})]
    ]

    # When its publisher publishes it
    published = [harness.publish(job) for job in jobs]

    # Then the network holds a post that does what was claimed
    assert all(p.post_id for p in published)
    made = [p for p in harness.posts(network) if p.id not in before]
    assert made, f"{platform.name} holds no new post"
    case.check(made)
