"""Mastodon's publisher against the emulated Mastodon API."""

import hashlib

from tests.media_files import image, video
from tests.publishing import PublishHarness

INSTANCE = "mastodon.example"


def test_mastodon__text_image_thread_and_first_comment__one_status_each_replying_in_order(
    harness: PublishHarness,
) -> None:
    # Given an account on an instance, an image with alt text, a thread of two parts and a first comment
    signed = harness.sign_in("mastodon", instance=INSTANCE)
    picture = image()
    job = harness.job(
        "mastodon",
        signed,
        "Launch day",
        "More details inside",
        media=[harness.media(picture, "image/png", filename="launch.png", alt_text="A red square")],
        first_comment="Questions welcome",
        settings={"visibility": "unlisted", "spoiler_text": "launch"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the instance holds three statuses, each replying to the one before, the first with the image
    posts = harness.posts("mastodon", signed.account.external_id)
    assert [p.text for p in posts] == ["Launch day", "More details inside", "Questions welcome"]
    assert posts[1].reply_to == posts[0].id
    assert posts[2].reply_to == posts[1].id
    assert posts[0].media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert posts[0].media[0]["alt_text"] == "A red square"
    assert posts[0].extra["visibility"] == "unlisted"
    assert posts[0].extra["spoiler_text"] == "launch"
    # And the result is the first status, with its permalink
    assert published.post_id == posts[0].id
    assert published.url == f"https://{INSTANCE}/@emulated-user/{posts[0].id}"


def test_mastodon__video__is_polled_until_processed_then_attached(harness: PublishHarness) -> None:
    # Given a video, which the instance processes for a few polls
    signed = harness.sign_in("mastodon", instance=INSTANCE)
    clip = video()
    job = harness.job("mastodon", signed, "Watch", media=[harness.media(clip, "video/mp4", filename="a.mp4")])

    # When it is published
    harness.publish(job)

    # Then the status carries the processed video
    (post,) = harness.posts("mastodon")
    assert post.media[0]["type"] == "video"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
