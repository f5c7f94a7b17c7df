"""Instagram's publisher against the emulated Instagram content publishing API (Graph, page token)."""

import dataclasses
import hashlib
import json
import time

import pytest

from socialpub.domain.publishing import Rejected, Retryable
from socialpub.local.emulator import EmulatedPost
from socialpub.local.emulator.networks.facebook import shortcode
from tests.media_files import image, video
from tests.publishing import PublishHarness

NET = "instagram"


def _media_posts(harness: PublishHarness) -> list[EmulatedPost]:
    return [p for p in harness.posts(NET) if p.extra.get("kind") == "media"]


def _comments(harness: PublishHarness) -> list[EmulatedPost]:
    return [p for p in harness.posts(NET) if p.extra.get("kind") == "comment"]


def test_instagram__image_with_alt_text_and_first_comment__one_post_and_its_comment(harness: PublishHarness) -> None:
    # Given the Instagram account of Page 1, a JPEG with alt text and a first comment
    signed = harness.sign_in(NET, pick=0)
    picture = image("JPEG")
    job = harness.job(
        NET,
        signed,
        "Launch day #new",
        media=[harness.media(picture, "image/jpeg", filename="launch.jpg", alt_text="A red square")],
        first_comment="Questions welcome",
    )

    # When it is published
    published = harness.publish(job)

    # Then the account holds one feed image with the caption, the pulled bytes and the alt text
    (post,) = _media_posts(harness)
    assert post.account == signed.account.external_id
    assert post.text == "Launch day #new"
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["alt_text"] == "A red square"
    assert (post.extra["media_type"], post.extra["media_product_type"]) == ("IMAGE", "FEED")
    # And the first comment sits under it
    (comment,) = _comments(harness)
    assert (comment.text, comment.reply_to) == ("Questions welcome", post.id)
    # And the result is the media with its permalink
    assert published.post_id == post.id
    assert published.url == f"https://www.instagram.com/p/{shortcode(post.id)}/"


def test_instagram__video__published_as_a_reel_once_processed_with_share_to_feed(harness: PublishHarness) -> None:
    # Given a video, which Instagram processes for a few polls, not to be shown in the feed
    signed = harness.sign_in(NET, pick=0)
    clip = video()
    job = harness.job(
        NET,
        signed,
        "Watch",
        media=[harness.media(clip, "video/mp4", filename="a.mp4")],
        settings={"share_to_feed": False},
    )
    steps = harness.steps(job)

    # When it is published
    published = harness.publish(job, steps)

    # Then the container was polled until finished, and a reel holds the video
    container = harness.emulator.state.objects[steps.target.steps["container"]]
    assert container["polls"] > harness.emulator.state.polls_to_finish
    (post,) = _media_posts(harness)
    assert post.extra["media_product_type"] == "REELS"
    assert post.extra["share_to_feed"] is False
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert published.url == f"https://www.instagram.com/reel/{shortcode(post.id)}/"


def test_instagram__two_images_and_a_video__one_carousel_in_order(harness: PublishHarness) -> None:
    # Given two images and a video
    signed = harness.sign_in(NET, pick=0)
    first, second, clip = image("JPEG", (1080, 1080)), image("JPEG", (1080, 1350)), video()
    media = [
        harness.media(first, "image/jpeg", filename="1.jpg", alt_text="First"),
        harness.media(second, "image/jpeg", filename="2.jpg"),
        harness.media(clip, "video/mp4", filename="3.mp4"),
    ]

    # When they are published together
    harness.publish(harness.job(NET, signed, "Swipe", media=media))

    # Then one carousel album holds the three files in order, with its caption
    (post,) = _media_posts(harness)
    assert post.extra["media_type"] == "CAROUSEL_ALBUM"
    assert post.text == "Swipe"
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(d).hexdigest() for d in (first, second, clip)]
    assert post.media[0]["alt_text"] == "First"


def test_instagram__story_setting__a_story_without_caption(harness: PublishHarness) -> None:
    # Given an image to publish as a story
    signed = harness.sign_in(NET, pick=0)
    picture = image("JPEG", (1080, 1920))
    job = harness.job(
        NET, signed, "Not shown", media=[harness.media(picture, "image/jpeg")], settings={"type": "story"}
    )

    # When it is published
    published = harness.publish(job)

    # Then the account has a story (stories take no caption)
    (post,) = _media_posts(harness)
    assert post.extra["media_product_type"] == "STORY"
    assert post.text == ""
    assert published.url == f"https://www.instagram.com/stories/emulated-user-page-1/{post.id}/"


def test_instagram__first_comment_answer_lost__rerun_makes_no_second_comment(harness: PublishHarness) -> None:
    # Given the comment is made but its answer is lost
    signed = harness.sign_in(NET, pick=0)
    job = harness.job(
        NET, signed, "With a comment", media=[harness.media(image("JPEG"), "image/jpeg")], first_comment="First!"
    )
    steps = harness.steps(job)
    harness.fault(NET, "comments", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then there is one media and one comment
    assert len(_media_posts(harness)) == 1
    assert [c.text for c in _comments(harness)] == ["First!"]


def test_instagram__image_it_cannot_fetch__media_rejected(harness: PublishHarness) -> None:
    # Given an image whose URL leads nowhere (the object is gone)
    signed = harness.sign_in(NET, pick=0)
    media = harness.media(image("JPEG"), "image/jpeg")
    broken = dataclasses.replace(media, url=media.url.replace("/tests/", "/gone/", 1))

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Hello", media=[broken]))

    # Then Instagram's fetch failure (9004) is a media refusal
    assert failure.value.code == "MEDIA_REJECTED"
    assert "Media download has failed" in (failure.value.network_message or "")


def test_instagram__daily_publishing_limit_reached__quota_exceeded(harness: PublishHarness) -> None:
    # Given the account already published 50 media through the API in the last 24 hours
    signed = harness.sign_in(NET, pick=0)
    account = signed.account.external_id
    for number in range(50):
        harness.emulator.state.add_post(
            EmulatedPost(
                network=NET,
                account=account,
                id=str(900 + number),
                text=f"Earlier {number}",
                url="https://www.instagram.com/p/x/",
                created_at=time.time() - 3600,
                extra={"kind": "media", "media_product_type": "FEED"},
            )
        )

    # When publishing another
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "One more", media=[harness.media(image("JPEG"), "image/jpeg")]))

    # Then the content publishing limit (9/2207042) is a quota failure
    assert failure.value.code == "QUOTA_EXCEEDED"
    assert len(_media_posts(harness)) == 50


def test_instagram__graph_throttling_as_http_400__rate_limited_with_the_usage_headers_wait(
    harness: PublishHarness,
) -> None:
    # Given Graph throttles the page as it does: HTTP 400, code 32, the wait in its usage header (minutes)
    signed = harness.sign_in(NET, pick=0)
    usage = {"123": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 3}]}
    harness.fault(
        NET,
        "media",
        400,
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        body={"error": {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32}},
    )

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(harness.job(NET, signed, "Hi", media=[harness.media(image("JPEG"), "image/jpeg")]))

    # Then it is retried after the time Graph gives
    assert (failure.value.code, failure.value.retry_after) == ("RATE_LIMITED", 180.0)
    assert failure.value.network_message == "(#32) Page request limit reached"
