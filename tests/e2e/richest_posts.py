"""The richest post each catalog network supports, built from what GET /api/platforms says of it: as many
images as it takes (at most 4, to keep the end-to-end run short) or a video where video is its only or
chief form, both where it mixes them, with its title, thread, first comment, link, alt texts and its
special settings (tags, canonical URL...), and what the emulated network must then hold. Networks
whose richest posts carry the same files share one post, each with its own platform_content, so each
file is uploaded once per group rather than once per network."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from socialpub.domain.platforms import catalog
from tests.media_files import image, video

TEXT = "Launch day at socialpub"
TITLE = "Launch day"
LINK = "https://example.com/launch-day"
THREAD = ["Doors open at nine", "Coffee is on us"]
FIRST_COMMENT = "Questions welcome below"
MOST_IMAGES = 4  # enough to be a carousel or an album everywhere, few enough for a quick run
# TikTok is a video network whose photo posts are a side mode; nothing in the catalog says which of
# two forms a network leads with, so this one fact is stated here.
VIDEO_FIRST = {"tiktok"}
# Farcaster counts the link among a cast's 2 embeds (its catalog notes; no limit field says so, and
# validation lets 2 images and a link through to a refusal at publish time): its richest cast is
# its 2 images, without the link.
LINK_IS_AN_EMBED = {"farcaster"}
# A Reddit image post has a title and no body (the publisher's module says so): no text is held, the
# title is (and is checked).
TITLE_IS_THE_TEXT_WITH_MEDIA = {"reddit"}
# Sample values of the per-post settings a post may carry on the networks whose catalog lists them
# (an array setting gets the list, a string setting the comma-separated tags).
SAMPLE_SETTINGS: dict[str, Any] = {
    "tags": ["socialpub", "launch"],
    "canonical_url": "https://example.com/original/launch-day",
    "subtitle": "What ships today",
    "description": "What ships today",
    "excerpt": "What ships today",
}


@dataclass(frozen=True)
class Medium:
    filename: str
    data: bytes
    alt_text: str | None = None


def images(count: int) -> list[Medium]:
    """``count`` JPEGs, each its own size so each has its own sha256 and a mix-up shows; alt text on
    each (a network without alt text leaves it)."""
    return [Medium(f"launch-{i}.jpg", image("JPEG", (800 + 16 * i, 600)), f"Launch photo {i}") for i in range(count)]


@dataclass
class Plan:
    """The richest post of one network: its media, its part of the post, and what it must then hold."""

    network: str
    images: int
    video: bool
    link: bool
    override: dict[str, Any]  # platform_content.<network>: title, thread, first comment, settings
    replies: list[str] = field(default_factory=list)  # thread parts and first comment, held as replies
    title: str | None = None  # the title the network must hold, where it has one
    text: str | None = TEXT  # what the network's text must contain (None: it holds no text)
    settings: dict[str, Any] = field(default_factory=dict)  # the special settings sent
    alt_text: bool = False
    media: list[Medium] = field(default_factory=list)  # the files sent (set by drafts())


def plan_for(listed: dict[str, Any], required: dict[str, Any]) -> Plan:
    """The richest post the network ``listed`` (one entry of GET /api/platforms) supports, with the
    settings it ``required`` to publish on the emulator (boards, channels)."""
    network, limits = listed["id"], listed["limits"]
    # GET /api/platforms does not show these two capabilities; the catalog it is served from does
    claims = catalog()[network].capabilities
    most_images = min(MOST_IMAGES, limits["max_images"])
    video = listed["supports_videos"] and (most_images == 0 or network in VIDEO_FIRST or limits["allow_mixed_media"])
    if network in VIDEO_FIRST:
        most_images = 0
    if video and most_images and limits["max_carousel_items"]:
        most_images = min(most_images, limits["max_carousel_items"] - 1)  # the video takes one slot

    settings = {**required}
    for name, spec in listed["settings"].items():
        if name in SAMPLE_SETTINGS and name not in settings:
            sample = SAMPLE_SETTINGS[name]
            value = sample if spec["type"] == "array" or not isinstance(sample, list) else ",".join(sample)
            for item in value if isinstance(value, list) else [value]:
                pattern = spec.get("pattern")
                assert pattern is None or re.fullmatch(pattern, item), (network, name, item, pattern)
            settings[name] = value
    override: dict[str, Any] = {"settings": settings}
    if claims.supports_title or limits["requires_title"]:
        override["title"] = TITLE
    replies: list[str] = []
    if listed["supports_threads"]:
        override["thread"] = THREAD
        replies += THREAD
    if listed["supports_first_comment"]:
        override["first_comment"] = FIRST_COMMENT
        replies.append(FIRST_COMMENT)
    return Plan(
        network,
        most_images,
        video,
        claims.supports_links and network not in LINK_IS_AN_EMBED,
        override,
        replies,
        title=TITLE if limits["requires_title"] else None,
        text=None if network in TITLE_IS_THE_TEXT_WITH_MEDIA and most_images else TEXT,
        settings={k: v for k, v in settings.items() if k not in required},
        alt_text=listed["supports_alt_text"],
    )


@dataclass
class Draft:
    """One post to make: the networks whose richest posts carry the same media (and link) share it,
    each with its own platform_content, so the stack stores and uploads each file once per group."""

    body: dict[str, Any]
    media: list[Medium]
    networks: list[str]


def drafts(plans: list[Plan], account_of: dict[str, str]) -> list[Draft]:
    groups: dict[tuple[int, bool, bool], list[Plan]] = {}
    for plan in plans:
        groups.setdefault((plan.images, plan.video, plan.link), []).append(plan)
    made = []
    for (count, with_video, link), group in groups.items():
        body: dict[str, Any] = {
            "content": TEXT,
            "platforms": [account_of[p.network] for p in group],
            "platform_content": {p.network: p.override for p in group},
        }
        if link:
            body["link"] = LINK
        media = images(count) + ([Medium("launch.mp4", video())] if with_video else [])
        for plan in group:
            plan.media = media
        made.append(Draft(body, media, [p.network for p in group]))
    return made
