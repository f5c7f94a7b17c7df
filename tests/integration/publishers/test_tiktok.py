"""TikTok's publisher (Content Posting API, direct post) against the emulated TikTok API."""

import hashlib
from typing import Any

import pytest

from socialpub.domain.publishing import OutcomeUnknown, Rejected, Retryable
from tests.media_files import image, video
from tests.publishing import PublishHarness


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "log_id": "20260101000000ABCDEF"}}


def test_tiktok__public_video__uploaded_polled_and_published_with_its_settings(harness: PublishHarness) -> None:
    # Given a creator, a video and the post's TikTok settings, public
    signed = harness.sign_in("tiktok")
    clip = video()
    job = harness.job(
        "tiktok",
        signed,
        "Behind the scenes #launch",
        media=[harness.media(clip, "video/mp4", filename="bts.mp4", duration=12.5)],
        settings={"privacy_level": "PUBLIC_TO_EVERYONE", "disable_duet": True, "brand_content_toggle": True},
    )
    steps = harness.steps(job)

    # When it is published
    published = harness.publish(job, steps)

    # Then TikTok holds the uploaded video with the caption and the settings
    (post,) = harness.posts("tiktok", signed.account.external_id)
    assert post.text == "Behind the scenes #launch"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert post.extra["source"] == "FILE_UPLOAD"
    assert post.extra["privacy_level"] == "PUBLIC_TO_EVERYONE"
    assert (post.extra["disable_duet"], post.extra["disable_comment"], post.extra["brand_content_toggle"]) == (
        True,
        False,
        True,
    )
    # And the result is the public video and its permalink, once processing was polled to the end
    assert published.post_id == post.id
    assert published.url == f"https://www.tiktok.com/@emulated-user/video/{post.id}"
    assert "status" in steps.target.steps


def test_tiktok__video_over_the_chunk_size__uploaded_in_order_in_chunks(harness: PublishHarness) -> None:
    # Given a video of 21 MB: two chunks, the last one taking the remainder
    signed = harness.sign_in("tiktok")
    clip = video(padding=21 * 1024 * 1024)
    job = harness.job("tiktok", signed, "Long take", media=[harness.media(clip, "video/mp4", filename="long.mp4")])

    # When it is published
    harness.publish(job)

    # Then TikTok reassembled exactly the file
    (post,) = harness.posts("tiktok")
    assert post.media[0]["size"] == len(clip)
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()


def test_tiktok__no_privacy_setting__posts_privately_and_returns_the_publish_id(harness: PublishHarness) -> None:
    # Given a video without a privacy_level
    signed = harness.sign_in("tiktok")
    job = harness.job("tiktok", signed, "Draft cut", media=[harness.media(video(), "video/mp4", filename="a.mp4")])

    # When it is published
    published = harness.publish(job)

    # Then it is private (SELF_ONLY): TikTok gives no public id, so the result is the publish id, no URL
    (post,) = harness.posts("tiktok")
    assert post.extra["privacy_level"] == "SELF_ONLY"
    assert published.post_id == post.extra["publish_id"]
    assert published.url is None


def test_tiktok__photos__a_photo_post_with_title_description_and_every_photo(harness: PublishHarness) -> None:
    # Given two JPEG photos, a title and a text
    signed = harness.sign_in("tiktok")
    first, second = image("JPEG"), image("JPEG", size=(1080, 1350))
    job = harness.job(
        "tiktok",
        signed,
        "Our new studio, room by room",
        title="Studio tour",
        media=[
            harness.media(first, "image/jpeg", filename="1.jpg"),
            harness.media(second, "image/jpeg", filename="2.jpg"),
        ],
        settings={"privacy_level": "FOLLOWER_OF_CREATOR", "disable_comment": True},
    )

    # When it is published
    published = harness.publish(job)

    # Then TikTok pulled both photos into one post, titled, with the text as description
    (post,) = harness.posts("tiktok")
    assert (post.title, post.text) == ("Studio tour", "Our new studio, room by room")
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
    assert (post.extra["privacy_level"], post.extra["disable_comment"]) == ("FOLLOWER_OF_CREATOR", True)
    assert published.url == f"https://www.tiktok.com/@emulated-user/photo/{post.id}"


def test_tiktok__png_photo__tiktok_fails_the_post_as_media_rejected(harness: PublishHarness) -> None:
    # Given a PNG photo, which TikTok's photo posts do not take
    signed = harness.sign_in("tiktok")
    job = harness.job("tiktok", signed, "Pixel art", media=[harness.media(image("PNG"), "image/png")])

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the post failed on TikTok's format check and nothing was posted
    assert failure.value.code == "MEDIA_REJECTED"
    assert "file_format_check_failed" in (failure.value.network_message or "")
    assert harness.posts("tiktok") == []


def test_tiktok__pull_from_url__tiktok_pulls_the_video(harness: PublishHarness) -> None:
    # Given a deployment whose media domain TikTok verified
    signed = harness.sign_in("tiktok")
    clip = video()
    job = harness.job(
        "tiktok",
        signed,
        "Pulled",
        media=[harness.media(clip, "video/mp4", filename="p.mp4")],
        settings={"pull_from_url": True, "privacy_level": "PUBLIC_TO_EVERYONE"},
    )

    # When it is published
    published = harness.publish(job)

    # Then TikTok pulled the very bytes from the signed URL
    (post,) = harness.posts("tiktok")
    assert post.extra["source"] == "PULL_FROM_URL"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert published.post_id == post.id


def test_tiktok__privacy_level_the_creator_cannot_use__refused_before_anything_is_sent(
    harness: PublishHarness,
) -> None:
    # Given a private account, which cannot post publicly
    signed = harness.sign_in("tiktok", user="private-creator")
    job = harness.job(
        "tiktok",
        signed,
        "Hello world",
        media=[harness.media(video(), "video/mp4")],
        settings={"privacy_level": "PUBLIC_TO_EVERYONE"},
    )

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it is refused, naming what the account allows
    assert failure.value.code == "VALIDATION_FAILED"
    assert "FOLLOWER_OF_CREATOR, SELF_ONLY" in str(failure.value)
    assert harness.posts("tiktok") == []


def test_tiktok__video_longer_than_the_creator_may_post__refused(harness: PublishHarness) -> None:
    # Given a video longer than the creator's max_video_post_duration_sec (600)
    signed = harness.sign_in("tiktok")
    job = harness.job("tiktok", signed, "Long", media=[harness.media(video(), "video/mp4", duration=700.0)])

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it is refused without posting
    assert failure.value.code == "VALIDATION_FAILED"
    assert "600" in str(failure.value)
    assert harness.posts("tiktok") == []


def test_tiktok__answer_to_the_init_lost__rerun_starts_again_and_posts_once(harness: PublishHarness) -> None:
    # Given TikTok registers the upload but the answer (with its upload_url) is lost
    signed = harness.sign_in("tiktok")
    job = harness.job("tiktok", signed, "Once", media=[harness.media(video(), "video/mp4")])
    steps = harness.steps(job)
    harness.fault("tiktok", "video_init", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then the orphan upload never got bytes: one post
    assert len(harness.posts("tiktok")) == 1


def test_tiktok__crash_after_a_photo_post__outcome_unknown_and_still_one_post(harness: PublishHarness) -> None:
    # Given a run that dies right after TikTok accepted a photo post (TikTok offers no lookup for it)
    signed = harness.sign_in("tiktok")
    job = harness.job("tiktok", signed, "Photos", media=[harness.media(image("JPEG"), "image/jpeg")])
    steps = harness.steps(job)
    steps.crash_on = "post"
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)

    # When the target runs again
    with pytest.raises(OutcomeUnknown):
        harness.publish(job, steps)

    # Then nothing was sent twice
    assert len(harness.posts("tiktok")) == 1


def test_tiktok__photo_post_answer_times_out__outcome_unknown_and_still_one_post(harness: PublishHarness) -> None:
    # Given TikTok makes the photo post but answers too late
    signed = harness.sign_in("tiktok")
    job = harness.job("tiktok", signed, "Slow", media=[harness.media(image("JPEG"), "image/jpeg")])
    steps = harness.steps(job)
    harness.fault("tiktok", "content_init", 200, after=True, delay=4, body=_error("ok", ""))
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)
    assert (failure.value.code, failure.value.sent) == ("NETWORK_TIMEOUT", None)

    # When the target runs again
    with pytest.raises(OutcomeUnknown):
        harness.publish(job, steps)

    # Then the post was not sent a second time
    assert len(harness.posts("tiktok")) == 1


def test_tiktok__rate_limited__retryable_with_retry_after_then_posts_once(harness: PublishHarness) -> None:
    # Given TikTok rate-limits the next photo post
    signed = harness.sign_in("tiktok")
    harness.fault(
        "tiktok",
        "content_init",
        429,
        headers={"Retry-After": "7"},
        body=_error("rate_limit_exceeded", "The API rate limit was exceeded. Please try again later."),
    )
    job = harness.job("tiktok", signed, "Later", media=[harness.media(image("JPEG"), "image/jpeg")])
    steps = harness.steps(job)

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)

    # Then it is a rate limit with TikTok's delay, nothing is armed, and the retry posts once
    assert (failure.value.code, failure.value.retry_after, failure.value.sent) == ("RATE_LIMITED", 7.0, False)
    assert steps.target.armed == {}
    harness.publish(job, steps)
    assert len(harness.posts("tiktok")) == 1


def test_tiktok__daily_post_cap__quota_exceeded(harness: PublishHarness) -> None:
    # Given the creator reached TikTok's daily cap of API posts
    signed = harness.sign_in("tiktok")
    harness.fault(
        "tiktok",
        "video_init",
        403,
        body=_error("spam_risk_too_many_posts", "The daily post cap from the API is reached for the current user."),
    )

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job("tiktok", signed, "More", media=[harness.media(video(), "video/mp4")]))

    # Then it is a quota failure with TikTok's message
    assert failure.value.code == "QUOTA_EXCEEDED"
    assert failure.value.network_message == "The daily post cap from the API is reached for the current user."


def test_tiktok__error_inside_a_200_answer__still_a_refusal(harness: PublishHarness) -> None:
    # Given TikTok answers 200 but its body's error code says the user may not post
    signed = harness.sign_in("tiktok")
    harness.fault(
        "tiktok",
        "content_init",
        200,
        body=_error("spam_risk_user_banned_from_posting", "The user is banned from making new posts."),
    )

    # When publishing photos
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job("tiktok", signed, "Hi", media=[harness.media(image("JPEG"), "image/jpeg")]))

    # Then the body decides: a permission failure, nothing posted
    assert failure.value.code == "PERMISSION_DENIED"
    assert harness.posts("tiktok") == []
