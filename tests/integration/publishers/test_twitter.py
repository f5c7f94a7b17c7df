"""X's publisher against the emulated X API v2."""

import hashlib
import time
from typing import Any

import httpx
import pytest

from socialpub.domain.publishing import Rejected, Retryable
from tests.media_files import image, video
from tests.publishing import PublishHarness

NET = "twitter"


def test_twitter__images_thread_first_comment__one_post_each_replying_in_order(harness: PublishHarness) -> None:
    # Given two images (one with alt text), a thread of two parts, a first comment and a reply setting
    signed = harness.sign_in(NET)
    first, second = image(), image("JPEG", (640, 640))
    job = harness.job(
        NET,
        signed,
        "Launch day",
        "More details inside",
        media=[
            harness.media(first, "image/png", filename="launch.png", alt_text="A red square"),
            harness.media(second, "image/jpeg", filename="more.jpg"),
        ],
        first_comment="Questions welcome",
        settings={"reply_settings": "following"},
    )

    # When it is published
    published = harness.publish(job)

    # Then X holds three posts, each replying to the one before, the first with both images in order
    posts = harness.posts(NET, signed.account.external_id)
    assert [p.text for p in posts] == ["Launch day", "More details inside", "Questions welcome"]
    assert posts[0].reply_to is None
    assert posts[1].reply_to == posts[0].id
    assert posts[2].reply_to == posts[1].id
    assert [m["sha256"] for m in posts[0].media] == [
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    ]
    assert posts[0].media[0]["alt_text"] == "A red square"
    assert "alt_text" not in posts[0].media[1]
    assert posts[1].media == []
    # And who may reply is what the user chose
    assert {p.extra["reply_settings"] for p in posts} == {"following"}
    # And the result is the first post, with its permalink
    assert published.post_id == posts[0].id
    assert published.url == f"https://x.com/emulated-user/status/{posts[0].id}"


def test_twitter__video_in_several_chunks__polled_until_processed_then_attached(harness: PublishHarness) -> None:
    # Given a video larger than one upload chunk, which X processes for a few polls
    signed = harness.sign_in(NET)
    clip = video(padding=9 * 1024 * 1024)
    job = harness.job(NET, signed, "Watch", media=[harness.media(clip, "video/mp4", filename="a.mp4")])

    # When it is published
    harness.publish(job)

    # Then the post carries the whole video, reassembled from its chunks
    (post,) = harness.posts(NET)
    assert post.media[0]["type"] == "tweet_video"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert post.media[0]["size"] == len(clip)


def test_twitter__answer_lost_after_the_post_was_made__found_in_the_timeline_not_posted_again(
    harness: PublishHarness,
) -> None:
    # Given X makes the post (a text X gives back escaped and with its link wrapped) but the answer is lost
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Fish & chips <today> https://example.com/menu, also at example.org.")
    steps = harness.steps(job)
    harness.fault(NET, "tweets", 502, after=True)

    # When the first run fails with an unknown outcome and a second run follows
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)
    assert failure.value.sent is None
    published = harness.publish(job, steps)

    # Then the post was found on the account's timeline: one post, and it is the result
    (post,) = harness.posts(NET)
    assert published.post_id == post.id


def test_twitter__answer_lost_for_a_thread_reply__rerun_finds_the_reply_and_goes_on(
    harness: PublishHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a thread whose second part X makes but whose answer is lost
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Part one", "Part two", "Part three")
    steps = harness.steps(job)
    visible = steps.visible

    def lose_second(name: str, send: Any, find: Any) -> dict[str, Any]:
        if name == "tweet.1" and name not in steps.target.armed:
            harness.fault(NET, "tweets", 500, after=True)
        return visible(name, send, find)

    monkeypatch.setattr(steps, "visible", lose_second)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then each part exists once, each replying to the one before
    posts = harness.posts(NET)
    assert [p.text for p in posts] == ["Part one", "Part two", "Part three"]
    assert posts[1].reply_to == posts[0].id
    assert posts[2].reply_to == posts[1].id


def test_twitter__duplicate_content__rejected_as_duplicate(harness: PublishHarness) -> None:
    # Given the account already posted this text
    signed = harness.sign_in(NET)
    harness.publish(harness.job(NET, signed, "Same words"))

    # When another post with the same text is published
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Same words"))

    # Then X's duplicate refusal is reported as such
    assert failure.value.code == "DUPLICATE_CONTENT"
    assert failure.value.network_message == "You are not allowed to create a Tweet with duplicate content."
    assert len(harness.posts(NET)) == 1


def test_twitter__rate_limited_with_only_the_reset_header__waits_until_the_window_reopens(
    harness: PublishHarness,
) -> None:
    # Given X answers 429 with x-rate-limit-reset (an epoch second) and no Retry-After
    signed = harness.sign_in(NET)
    reset = int(time.time()) + 120
    harness.fault(NET, "tweets", 429, headers={"x-rate-limit-reset": str(reset)}, body={"title": "Too Many Requests"})

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(harness.job(NET, signed, "Later"))

    # Then the retry waits for the window X announced
    assert failure.value.code == "RATE_LIMITED"
    assert failure.value.retry_after is not None
    assert 100 <= failure.value.retry_after <= 121


def test_twitter__monthly_usage_cap__quota_exceeded_not_retried(harness: PublishHarness) -> None:
    # Given the app's API tier has used up its monthly post cap
    signed = harness.sign_in(NET)
    harness.fault(
        NET,
        "tweets",
        429,
        body={
            "title": "UsageCapExceeded",
            "detail": "Usage cap exceeded: Monthly product cap",
            "type": "https://api.twitter.com/2/problems/usage-capped",
            "period": "Monthly",
            "scope": "Product",
        },
    )

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Over the cap"))

    # Then it is a quota failure, not a rate limit to wait out
    assert failure.value.code == "QUOTA_EXCEEDED"
    assert failure.value.network_message == "Usage cap exceeded: Monthly product cap"


def test_twitter__image_over_x_size_limit__media_rejected(harness: PublishHarness) -> None:
    # Given an "image" of 6 MB, over X's 5 MB for images
    signed = harness.sign_in(NET)
    big = harness.media(b"\x89PNG" + b"\0" * (6 * 1024 * 1024), "image/png", filename="big.png")

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Big picture", media=[big]))

    # Then the file is refused with X's message, and nothing was posted
    assert failure.value.code == "MEDIA_REJECTED"
    assert failure.value.network_message == f"File size exceeds {5 * 1024 * 1024} bytes."
    assert harness.posts(NET) == []


def test_twitter__upload_fails_midway__rerun_uploads_again_and_posts_once(harness: PublishHarness) -> None:
    # Given X fails while a chunk of the video is appended
    signed = harness.sign_in(NET)
    clip = video()
    job = harness.job(NET, signed, "Second try", media=[harness.media(clip, "video/mp4", filename="a.mp4")])
    steps = harness.steps(job)
    harness.fault(NET, "media_append", 503)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then the upload was redone and the post carries the video
    (post,) = harness.posts(NET)
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()


def _expire_x_media(harness: PublishHarness) -> None:
    httpx.post(f"{harness.emulator.url}/_emulator/twitter/media/expire", json={}).raise_for_status()


def test_twitter__retry_a_day_later__expired_media_uploaded_again_and_one_post_with_the_new_id(
    harness: PublishHarness,
) -> None:
    # Given an image post whose first run uploaded the image, then X failed the post with a 503
    signed = harness.sign_in(NET)
    picture = image()
    job = harness.job(NET, signed, "Late", media=[harness.media(picture, "image/png", alt_text="A red square")])
    steps = harness.steps(job)
    harness.fault(NET, "tweets", 503)
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    old = steps.target.steps["media.0"]
    assert old["expires_at"] > time.time()  # X's expires_after_secs, kept with the checkpoint
    # And a day passes: X forgets the upload, and the stored expiry is behind us
    _expire_x_media(harness)
    steps.target.steps["media.0"] = {**old, "expires_at": int(time.time()) - 60}

    # When the target runs again
    published = harness.publish(job, steps)

    # Then the image was uploaded again (and described again) and X holds exactly one post, with the new id
    (post,) = harness.posts(NET)
    new = steps.target.steps["media.0"]
    assert new["id"] != old["id"]
    assert [m["id"] for m in post.media] == [new["id"]]
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["alt_text"] == "A red square"
    assert published.post_id == post.id


def test_twitter__media_id_refused_as_expired_without_a_stored_expiry__uploaded_again_once_one_post(
    harness: PublishHarness,
) -> None:
    # Given an image post that failed once after its upload, whose checkpoint has no expiry (stored
    # before expiries were kept), and X has since forgotten the upload
    signed = harness.sign_in(NET)
    picture = image()
    job = harness.job(NET, signed, "Later still", media=[harness.media(picture, "image/png")])
    steps = harness.steps(job)
    harness.fault(NET, "tweets", 503)
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    old = steps.target.steps["media.0"]
    steps.target.steps["media.0"] = {k: v for k, v in old.items() if k != "expires_at"}
    _expire_x_media(harness)

    # When the target runs again: X refuses the post for its media id
    published = harness.publish(job, steps)

    # Then the image was uploaded again and the post sent once with the new id
    (post,) = harness.posts(NET)
    new_id = steps.target.steps["media.0"]["id"]
    assert new_id != old["id"]
    assert [m["id"] for m in post.media] == [new_id]
    assert published.post_id == post.id


def test_twitter__media_ids_refused_again_after_a_new_upload__rejected_without_a_loop(
    harness: PublishHarness,
) -> None:
    # Given X refuses every media id of the post (a 400 "Your media IDs are invalid.")
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Never", media=[harness.media(image(), "image/png")])
    refusal = {
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "errors": [{"message": "Your media IDs are invalid."}],
        "status": 400,
    }
    harness.fault(NET, "tweets", 400, count=2, body=refusal)

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it uploaded again once, then gave up with X's message; nothing was posted
    assert "media IDs are invalid" in (failure.value.network_message or "")
    assert harness.posts(NET) == []
