"""YouTube's publisher against the emulated YouTube Data API (resumable upload, search, comment threads)."""

import hashlib

import pytest

from socialpub.adapters.publishers import youtube
from socialpub.domain.publishing import Rejected, Retryable
from tests.media_files import image, video
from tests.publishing import PublishHarness

NET = "youtube"


def google_error(code: int, reason: str, message: str, domain: str = "youtube.quota") -> dict[str, object]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


def test_youtube__video_with_settings_and_first_comment__on_the_channel_with_the_comment(
    harness: PublishHarness,
) -> None:
    # Given a channel, a video, a title, the channel's settings and a first comment
    signed = harness.sign_in(NET)
    clip = video()
    job = harness.job(
        NET,
        signed,
        "All about the launch.\nMore below.",
        title="Launch video",
        media=[harness.media(clip, "video/mp4", filename="launch.mp4")],
        first_comment="Thanks for watching",
        settings={"privacy": "unlisted", "category_id": "28", "tags": "launch, product ,news", "made_for_kids": False},
    )

    # When it is published
    published = harness.publish(job)

    # Then the channel holds the video with its title, description and settings, and the comment under it
    video_post, comment = harness.posts(NET, signed.account.external_id)
    assert video_post.title == "Launch video"
    assert video_post.text == "All about the launch.\nMore below."
    assert video_post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert video_post.media[0]["mime_type"] == "video/mp4"
    assert video_post.extra["privacyStatus"] == "unlisted"
    assert video_post.extra["categoryId"] == "28"
    assert video_post.extra["tags"] == ["launch", "product", "news"]
    assert video_post.extra["selfDeclaredMadeForKids"] is False
    assert (comment.text, comment.reply_to) == ("Thanks for watching", video_post.id)
    # And the result is the video's id and watch URL
    assert published.post_id == video_post.id
    assert published.url == f"https://www.youtube.com/watch?v={video_post.id}"


def test_youtube__no_title__the_texts_first_line_is_the_title(harness: PublishHarness) -> None:
    # Given a post without a title
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "\nBehind the scenes\nA longer story.", media=[harness.media(video(), "video/mp4")])

    # When it is published
    harness.publish(job)

    # Then the video is titled with the text's first line
    (post,) = harness.posts(NET)
    assert post.title == "Behind the scenes"


def test_youtube__chunked_upload_interrupted__resumes_from_what_youtube_holds(
    harness: PublishHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given chunks of 256 KiB, a video of three chunks, and the answer to the first chunk lost
    monkeypatch.setattr(youtube, "CHUNK_SIZE", 256 * 1024)
    signed = harness.sign_in(NET)
    clip = video(padding=600_000)
    job = harness.job(NET, signed, "Long one", title="Long one", media=[harness.media(clip, "video/mp4")])
    steps = harness.steps(job)
    harness.fault(NET, "upload", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then the upload went on from what YouTube held: one video, byte for byte
    (post,) = harness.posts(NET)
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert post.media[0]["size"] == len(clip)


def test_youtube__answer_lost_and_session_gone__found_in_the_channels_uploads(harness: PublishHarness) -> None:
    # Given a video made with its answer lost, and the upload session since expired
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Expired", title="Expired session", media=[harness.media(video(), "video/mp4")])
    steps = harness.steps(job)
    harness.fault(NET, "upload", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    state = harness.emulator.state
    with state.lock:
        for key in [k for k, o in state.objects.items() if o["kind"] == "youtube_session"]:
            del state.objects[key]

    # When the target runs again
    published = harness.publish(job, steps)

    # Then the video was found by title among the channel's latest uploads: still one
    (post,) = harness.posts(NET)
    assert published.post_id == post.id


def test_youtube__crash_after_the_video_and_after_the_comment__one_of_each(harness: PublishHarness) -> None:
    # Given a run that dies right after YouTube made the video, and the next right after the comment
    signed = harness.sign_in(NET)
    job = harness.job(
        NET, signed, "Crash-proof", title="Crash-proof", media=[harness.media(video(), "video/mp4")], first_comment="Hi"
    )
    steps = harness.steps(job)
    steps.crash_on = "video"
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)
    steps.crash_on = "comment"
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)

    # When the target runs again
    published = harness.publish(job, steps)

    # Then there is one video and one comment under it
    video_post, comment = harness.posts(NET)
    assert published.post_id == video_post.id
    assert comment.reply_to == video_post.id


def test_youtube__403_reasons__quota_is_permanent_and_rate_limit_is_retried(harness: PublishHarness) -> None:
    # Given the project's quota is spent
    signed = harness.sign_in(NET)
    quota = "The request cannot be completed because you have exceeded your quota."
    harness.fault(NET, "videos.insert", 403, body=google_error(403, "quotaExceeded", quota))

    # When publishing
    with pytest.raises(Rejected) as spent:
        harness.publish(harness.job(NET, signed, "Quota", media=[harness.media(video(), "video/mp4")]))

    # Then it is QUOTA_EXCEEDED with YouTube's message
    assert (spent.value.code, spent.value.network_message) == ("QUOTA_EXCEEDED", quota)

    # And a 403 rateLimitExceeded is a rate limit to retry, not a permission problem
    harness.fault(NET, "videos.insert", 403, body=google_error(403, "rateLimitExceeded", "Slow down", "usageLimits"))
    with pytest.raises(Retryable) as throttled:
        harness.publish(harness.job(NET, signed, "Throttled", media=[harness.media(video(), "video/mp4")]))
    assert throttled.value.code == "RATE_LIMITED"

    # And the per-channel upload limit (a 400) is QUOTA_EXCEEDED too
    limit = "The user has exceeded the number of videos they may upload."
    harness.fault(NET, "videos.insert", 400, body=google_error(400, "uploadLimitExceeded", limit, "youtube.video"))
    with pytest.raises(Rejected) as uploads:
        harness.publish(harness.job(NET, signed, "Limit", media=[harness.media(video(), "video/mp4")]))
    assert uploads.value.code == "QUOTA_EXCEEDED"


def test_youtube__made_for_kids_with_a_first_comment__video_up_comment_refused(harness: PublishHarness) -> None:
    # Given a video declared made for kids (YouTube disables its comments) and a first comment
    signed = harness.sign_in(NET)
    job = harness.job(
        NET,
        signed,
        "For kids",
        title="For kids",
        media=[harness.media(video(), "video/mp4")],
        first_comment="Hello",
        settings={"made_for_kids": True},
    )

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the video is up but the comment is refused with YouTube's message
    (post,) = harness.posts(NET)
    assert post.extra["selfDeclaredMadeForKids"] is True
    assert failure.value.code == "PERMISSION_DENIED"
    assert failure.value.network_message == "The video identified by the videoId parameter has disabled comments."


def test_youtube__no_video__refused_before_calling_youtube(harness: PublishHarness) -> None:
    # Given a post with only an image
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Picture", media=[harness.media(image(), "image/png")])

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it is refused as invalid, and nothing reached the channel
    assert failure.value.code == "VALIDATION_FAILED"
    assert harness.posts(NET) == []
