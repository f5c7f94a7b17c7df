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
from socialpub.domain.publishing import MediaFile, PublishJob
from socialpub.local.emulator import EmulatedPost
from tests.conftest import Emulator
from tests.publishing import PublishHarness, any_media, image_of, signed_in, video_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Capability check"
LINK = "https://example.com/capability"
TITLE = "A capability title"
COMMENT = "The first comment"
ALT = "A red rectangle"
THREAD = ["The second part", "The third part"]


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
        picture = image_of(harness, p)
        return Case(base, [picture], {}, lambda posts: _assert_holds(posts, [picture]))
    if capability == "supports_videos":
        clip = video_of(harness, p)
        return Case(base, [clip], {}, lambda posts: _assert_holds(posts, [clip]))
    if capability == "supports_carousel":
        count = max(2, p.limits.min_carousel_items or 2)
        pictures = [image_of(harness, p, shade=i) for i in range(count)]
        return Case(base, pictures, {}, lambda posts: _assert_holds(posts, pictures, together=True))
    if capability == "supports_stories":
        picture = image_of(harness, p)
        return Case(base, [picture], _kind_setting(p, "story"), lambda posts: _assert_holds(posts, [picture]))
    if capability == "supports_reels":
        clip = video_of(harness, p, vertical=True)
        return Case(base, [clip], _kind_setting(p, "reel"), lambda posts: _assert_holds(posts, [clip]))
    if capability == "supports_threads":
        content = base.model_copy(update={"thread": THREAD})

        def thread(posts: list[EmulatedPost]) -> None:
            parts = {p.text: p for p in posts}
            for part in THREAD:
                assert part in parts, f"{part!r} not among {list(parts)}"
                assert parts[part].reply_to, f"{part!r} was not posted as a reply"

        return Case(content, any_media(harness, p), {}, thread)
    if capability == "supports_first_comment":
        content = base.model_copy(update={"first_comment": COMMENT})

        def comment(posts: list[EmulatedPost]) -> None:
            assert any(p.text == COMMENT and p.reply_to for p in posts), posts

        return Case(content, any_media(harness, p), {}, comment)
    if capability == "supports_alt_text":
        picture = image_of(harness, p, alt_text=ALT)

        def alt_text(posts: list[EmulatedPost]) -> None:
            assert any(m.get("alt_text") == ALT for post in posts for m in post.media), posts

        return Case(base, [picture], {}, alt_text)
    if capability == "supports_title":
        content = base.model_copy(update={"title": TITLE})
        caps = p.capabilities
        variants = [
            *([[]] if caps.supports_text_only else []),
            *([[image_of(harness, p)]] if caps.supports_images else []),
            *([[video_of(harness, p)]] if caps.supports_videos else []),
        ]
        check = lambda posts: _assert_any(posts, lambda x: TITLE in repr(x))  # noqa: E731
        return Case(content, [], {}, check, variants=variants)
    if capability == "supports_links":
        content = base.model_copy(update={"link": LINK})
        return Case(content, any_media(harness, p), {}, lambda posts: _assert_any(posts, lambda x: LINK in repr(x)))
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
    signed, required = signed_in(harness, platform)
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
