"""Mastodon's publisher against the emulated Mastodon API."""

import hashlib

import pytest

from socialpub.domain.publishing import NeedsReconnect, Rejected, Retryable
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


def test_mastodon__answer_lost_after_the_status_was_made__rerun_makes_no_second_status(
    harness: PublishHarness,
) -> None:
    # Given the instance makes the status but the answer is lost (a 502 after the fact)
    signed = harness.sign_in("mastodon", instance=INSTANCE)
    job = harness.job("mastodon", signed, "Only once")
    steps = harness.steps(job)
    harness.fault("mastodon", "statuses", 502, after=True)

    # When the first run fails with an unknown outcome and a second run follows
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)
    assert failure.value.sent is None
    published = harness.publish(job, steps)

    # Then the Idempotency-Key made the resend return the same status: one on the instance
    (post,) = harness.posts("mastodon")
    assert published.post_id == post.id


def test_mastodon__crash_after_the_status_before_its_checkpoint__rerun_makes_no_second_status(
    harness: PublishHarness,
) -> None:
    # Given a run that dies right after the instance accepted the status
    signed = harness.sign_in("mastodon", instance=INSTANCE)
    job = harness.job("mastodon", signed, "Crash-proof")
    steps = harness.steps(job)
    steps.crash_on = "status.0"
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)

    # When the target runs again
    published = harness.publish(job, steps)

    # Then there is still exactly one status, and it is the result
    (post,) = harness.posts("mastodon")
    assert published.post_id == post.id


def test_mastodon__revoked_token__needs_reconnect(harness: PublishHarness) -> None:
    # Given the user revoked the app on the instance
    signed = harness.sign_in("mastodon", instance=INSTANCE)
    harness.emulator.state.revoke_all("mastodon")

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job("mastodon", signed, "Hello"))

    # Then the failure asks for a reconnect, and nothing was posted
    assert failure.value.code == "TOKEN_REJECTED"
    assert harness.posts("mastodon") == []


def test_mastodon__instance_refuses_the_text__permanent_failure_with_its_message(harness: PublishHarness) -> None:
    # Given a text longer than the instance allows
    signed = harness.sign_in("mastodon", instance=INSTANCE)

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job("mastodon", signed, "x" * 501))

    # Then the failure is permanent and carries the instance's own message
    assert failure.value.code == "VALIDATION_FAILED"
    assert failure.value.network_message == "Validation failed: Text character limit of 500 exceeded"


def test_mastodon__rate_limited__retryable_with_retry_after(harness: PublishHarness) -> None:
    # Given the instance rate-limits the next status
    signed = harness.sign_in("mastodon", instance=INSTANCE)
    harness.fault("mastodon", "statuses", 429, headers={"Retry-After": "7"}, body={"error": "Too many requests"})
    job = harness.job("mastodon", signed, "Later")
    steps = harness.steps(job)

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)

    # Then it is a rate limit with the instance's delay, nothing was sent, and the retry posts once
    assert (failure.value.code, failure.value.retry_after, failure.value.sent) == ("RATE_LIMITED", 7.0, False)
    assert steps.target.armed == {}
    harness.publish(job, steps)
    assert len(harness.posts("mastodon")) == 1
