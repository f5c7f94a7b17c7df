"""Threads' publisher against the emulated Threads API."""

import dataclasses
import hashlib

import pytest

from socialpub.domain.publishing import Rejected, Retryable
from socialpub.local.emulator.networks.facebook import shortcode
from tests.media_files import image, video
from tests.publishing import PublishHarness

NET = "threads"


def test_threads__image_thread_and_first_comment__each_post_replies_to_the_one_before(
    harness: PublishHarness,
) -> None:
    # Given an image with alt text, a thread of two parts, a first comment and who may reply
    signed = harness.sign_in(NET)
    picture = image()
    job = harness.job(
        NET,
        signed,
        "Launch day",
        "More details inside",
        media=[harness.media(picture, "image/png", filename="launch.png", alt_text="A red square")],
        first_comment="Questions welcome",
        settings={"reply_control": "accounts_you_follow"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the account holds three posts, each replying to the one before, the first with the image
    posts = harness.posts(NET, signed.account.external_id)
    assert [p.text for p in posts] == ["Launch day", "More details inside", "Questions welcome"]
    assert posts[0].reply_to is None
    assert posts[1].reply_to == posts[0].id
    assert posts[2].reply_to == posts[1].id
    assert posts[0].media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert posts[0].media[0]["alt_text"] == "A red square"
    assert posts[0].extra["reply_control"] == "accounts_you_follow"
    # And the result is the first post, with its permalink
    assert published.post_id == posts[0].id
    assert published.url == f"https://www.threads.net/@emulated-user/post/{shortcode(posts[0].id)}"


def test_threads__text_with_link__a_text_post_with_the_link_attached(harness: PublishHarness) -> None:
    # Given a text post with a link
    signed = harness.sign_in(NET)

    # When it is published
    harness.publish(harness.job(NET, signed, "Notes are out", link="https://example.com/notes"))

    # Then the post is text with the link attachment
    (post,) = harness.posts(NET)
    assert (post.extra["media_type"], post.extra["link_attachment"]) == ("TEXT_POST", "https://example.com/notes")


def test_threads__video__polled_until_processed_then_published(harness: PublishHarness) -> None:
    # Given a video, which Threads processes for a few polls
    signed = harness.sign_in(NET)
    clip = video()
    job = harness.job(NET, signed, "Watch", media=[harness.media(clip, "video/mp4", filename="a.mp4")])
    steps = harness.steps(job)

    # When it is published
    harness.publish(job, steps)

    # Then the container was polled until finished, and the post carries the video
    container = harness.emulator.state.objects[steps.target.steps["container.0"]]
    assert container["polls"] > harness.emulator.state.polls_to_finish
    (post,) = harness.posts(NET)
    assert post.extra["media_type"] == "VIDEO"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()


def test_threads__two_images__one_carousel_in_order(harness: PublishHarness) -> None:
    # Given two images
    signed = harness.sign_in(NET)
    first, second = image(), image("JPEG", (900, 900))
    media = [harness.media(first, "image/png"), harness.media(second, "image/jpeg", alt_text="Second")]

    # When they are published together
    harness.publish(harness.job(NET, signed, "Swipe", media=media))

    # Then one carousel holds both, in order
    (post,) = harness.posts(NET)
    assert post.extra["media_type"] == "CAROUSEL_ALBUM"
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
    assert post.media[1]["alt_text"] == "Second"


def test_threads__answers_of_the_post_and_its_reply_lost__reruns_find_both(harness: PublishHarness) -> None:
    # Given a thread of two parts, and Threads losing the answers of the next two publishes
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Part one", "Part two")
    steps = harness.steps(job)
    harness.fault(NET, "threads_publish", 502, after=True, count=2)

    # When the first run loses the first post's answer, the second the reply's, and a third follows
    for _ in range(2):
        with pytest.raises(Retryable):
            harness.publish(job, steps)
    published = harness.publish(job, steps)

    # Then the first post was found among the account's threads, the reply among its replies: two posts
    posts = harness.posts(NET)
    assert [p.text for p in posts] == ["Part one", "Part two"]
    assert posts[1].reply_to == posts[0].id
    assert published.post_id == posts[0].id


def test_threads__emoji_count_as_their_bytes__too_long_text_refused_with_threads_message(
    harness: PublishHarness,
) -> None:
    # Given 125 emoji (500 counted characters) and 126 emoji (504)
    signed = harness.sign_in(NET)
    harness.publish(harness.job(NET, signed, "🚀" * 125))

    # When the longer one is published
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "🚀" * 126))

    # Then it is refused with Threads' own message; the first one was posted
    assert failure.value.code == "VALIDATION_FAILED"
    assert failure.value.network_message == "(#100) Param text must be at most 500 characters long."
    assert len(harness.posts(NET)) == 1


def test_threads__video_it_cannot_download__media_rejected_with_the_containers_error(harness: PublishHarness) -> None:
    # Given a video whose URL leads nowhere
    signed = harness.sign_in(NET)
    media = harness.media(video(), "video/mp4")
    broken = dataclasses.replace(media, url=media.url.replace("/tests/", "/gone/", 1))

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Watch", media=[broken]))

    # Then the container's ERROR is a media refusal carrying Threads' error message
    assert (failure.value.code, failure.value.network_message) == ("MEDIA_REJECTED", "FAILED_DOWNLOADING_VIDEO")
    assert harness.posts(NET) == []
