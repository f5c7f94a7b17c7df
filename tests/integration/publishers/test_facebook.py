"""Facebook's publisher against the emulated Facebook Pages API (Graph, page token)."""

import hashlib

import pytest

from socialpub.domain.publishing import Rejected, Retryable
from socialpub.local.emulator import EmulatedPost
from tests.media_files import image, video
from tests.publishing import PublishHarness

NET = "facebook"


def _posts(harness: PublishHarness) -> list[EmulatedPost]:
    return [p for p in harness.posts(NET) if p.extra.get("kind") != "comment"]


def _comments(harness: PublishHarness) -> list[EmulatedPost]:
    return [p for p in harness.posts(NET) if p.extra.get("kind") == "comment"]


def test_facebook__text_with_link_and_first_comment__one_page_post_and_its_comment(harness: PublishHarness) -> None:
    # Given Page 1, a text with a link and a first comment
    signed = harness.sign_in(NET, pick=0)
    page = signed.account.external_id
    job = harness.job(NET, signed, "Read the launch notes", link="https://example.com/notes", first_comment="Ask away")

    # When it is published
    published = harness.publish(job)

    # Then the page holds the post with its link, and the page's comment under it
    (post,) = _posts(harness)
    assert (post.account, post.text, post.extra["link"]) == (page, "Read the launch notes", "https://example.com/notes")
    (comment,) = _comments(harness)
    assert (comment.text, comment.reply_to, comment.account) == ("Ask away", post.id, page)
    # And the result is the post ({page}_{post}) with its permalink
    assert published.post_id == post.id
    assert published.post_id.startswith(f"{page}_")
    assert published.url == f"https://www.facebook.com/{page}/posts/{post.id.split('_')[1]}"


def test_facebook__two_images_with_alt_text__one_post_with_both_photos(harness: PublishHarness) -> None:
    # Given two images, one with alt text
    signed = harness.sign_in(NET, pick=0)
    first, second = image(), image("JPEG", (800, 800))
    media = [
        harness.media(first, "image/png", filename="1.png", alt_text="A red square"),
        harness.media(second, "image/jpeg", filename="2.jpg"),
    ]

    # When they are published
    harness.publish(harness.job(NET, signed, "Two views", media=media))

    # Then one post carries both photos in order (the photos themselves were uploaded unpublished)
    (post,) = _posts(harness)
    assert post.text == "Two views"
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
    assert post.media[0]["alt_text"] == "A red square"


def test_facebook__video_with_title__posted_then_polled_until_processed(harness: PublishHarness) -> None:
    # Given a video with a title and a first comment
    signed = harness.sign_in(NET, pick=0)
    page = signed.account.external_id
    clip = video()
    job = harness.job(
        NET,
        signed,
        "Behind the scenes",
        title="Making of",
        media=[harness.media(clip, "video/mp4", filename="a.mp4")],
        first_comment="Full cut soon",
    )

    # When it is published
    published = harness.publish(job)

    # Then the page holds the video with its title and description, processed before its permalink was read
    (post,) = _posts(harness)
    assert (post.title, post.text) == ("Making of", "Behind the scenes")
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert harness.emulator.state.objects[post.id]["polls"] > harness.emulator.state.polls_to_finish
    assert published.post_id == post.id
    assert published.url == f"https://www.facebook.com/{page}/videos/{post.id}/"
    # And the first comment is on the video
    (comment,) = _comments(harness)
    assert comment.reply_to == post.id


def test_facebook__video_answer_lost__rerun_finds_it_among_the_pages_videos(harness: PublishHarness) -> None:
    # Given Facebook takes the video but the answer is lost
    signed = harness.sign_in(NET, pick=0)
    job = harness.job(NET, signed, "A clip", media=[harness.media(video(), "video/mp4")])
    steps = harness.steps(job)
    harness.fault(NET, "videos", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    published = harness.publish(job, steps)

    # Then there is one video, and it is the result
    (post,) = _posts(harness)
    assert published.post_id == post.id


def test_facebook__same_status_twice__duplicate_content(harness: PublishHarness) -> None:
    # Given the page just posted a text
    signed = harness.sign_in(NET, pick=0)
    harness.publish(harness.job(NET, signed, "Same words"))

    # When the very same text is published again
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Same words"))

    # Then Facebook's duplicate refusal (#506) is a duplicate-content failure
    assert failure.value.code == "DUPLICATE_CONTENT"
    assert failure.value.network_message == "(#506) Duplicate status message"
    assert len(_posts(harness)) == 1


def test_facebook__graph_error_codes__posting_too_fast_retried_and_missing_permission_refused(
    harness: PublishHarness,
) -> None:
    # Given Facebook answers "posting too fast" (368/1390008), then a missing permission (#200)
    signed = harness.sign_in(NET, pick=0)
    too_fast = {
        "error": {
            "message": "It looks like you were misusing this feature by going too fast.",
            "type": "OAuthException",
            "code": 368,
            "error_subcode": 1390008,
        }
    }
    harness.fault(NET, "feed", 400, body=too_fast)
    with pytest.raises(Retryable) as fast:
        harness.publish(harness.job(NET, signed, "Quick"))
    denied = {
        "error": {
            "message": "(#200) The user hasn't authorized the application to perform this action",
            "type": "OAuthException",
            "code": 200,
        }
    }
    harness.fault(NET, "feed", 400, body=denied)

    # When publishing again
    with pytest.raises(Rejected) as refused:
        harness.publish(harness.job(NET, signed, "Quick"))

    # Then the first is a rate limit to retry, the second a permission refusal; nothing was posted
    assert fast.value.code == "RATE_LIMITED"
    assert (refused.value.code, refused.value.network_message) == ("PERMISSION_DENIED", denied["error"]["message"])
    assert _posts(harness) == []


def test_facebook__video_it_cannot_download__media_rejected(harness: PublishHarness) -> None:
    # Given a "video" that is not one
    signed = harness.sign_in(NET, pick=0)
    job = harness.job(NET, signed, "Broken", media=[harness.media(b"not a video", "video/mp4")])

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then Facebook's upload problem (#6000) is a media refusal
    assert failure.value.code == "MEDIA_REJECTED"
    assert _posts(harness) == []


def test_facebook__photo_story__the_unpublished_photo_becomes_a_page_story(harness: PublishHarness) -> None:
    # Given a photo to publish as a story, with text and a first comment that stories cannot show
    signed = harness.sign_in(NET, pick=0)
    page = signed.account.external_id
    picture = image("JPEG", (1080, 1920))
    job = harness.job(
        NET,
        signed,
        "Not shown",
        media=[harness.media(picture, "image/jpeg")],
        first_comment="Not posted",
        settings={"type": "story"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the page has one story of that photo, no feed post and no comment
    (story,) = _posts(harness)
    assert (story.extra["kind"], story.extra["media_type"], story.text) == ("story", "photo", "")
    assert story.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert _comments(harness) == []
    assert published.post_id == story.id
    assert published.url == f"https://www.facebook.com/stories/{page}/{story.id}/"


def test_facebook__video_story__upload_session_by_url_then_finished(harness: PublishHarness) -> None:
    # Given a vertical video to publish as a story
    signed = harness.sign_in(NET, pick=0)
    clip = video(15, (1080, 1920))
    job = harness.job(NET, signed, "", media=[harness.media(clip, "video/mp4")], settings={"type": "story"})
    steps = harness.steps(job)

    # When it is published
    published = harness.publish(job, steps)

    # Then the page has one video story with those bytes, pulled from the signed URL
    (story,) = _posts(harness)
    assert (story.extra["kind"], story.extra["media_type"]) == ("story", "video")
    assert story.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert story.extra["media_id"] == steps.target.steps["story.video"]
    assert published.post_id == story.id


def test_facebook__story_answer_lost__rerun_finds_it_among_the_pages_stories(harness: PublishHarness) -> None:
    # Given Facebook publishes the story but the answer is lost
    signed = harness.sign_in(NET, pick=0)
    job = harness.job(NET, signed, "", media=[harness.media(image("JPEG"), "image/jpeg")], settings={"type": "story"})
    steps = harness.steps(job)
    harness.fault(NET, "photo_stories", 500, after=True)

    # When the first run fails with an unknown outcome and a second run follows
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    published = harness.publish(job, steps)

    # Then the story was found by its photo, not published twice
    (story,) = _posts(harness)
    assert published.post_id == story.id


def test_facebook__story_of_two_files__refused_before_anything_is_sent(harness: PublishHarness) -> None:
    # Given a story with two photos
    signed = harness.sign_in(NET, pick=0)
    media = [harness.media(image("JPEG"), "image/jpeg"), harness.media(image("PNG"), "image/png")]
    job = harness.job(NET, signed, "", media=media, settings={"type": "story"})

    # When it is published, Then it is refused and nothing is on the page
    with pytest.raises(Rejected) as failure:
        harness.publish(job)
    assert failure.value.code == "VALIDATION_FAILED"
    assert harness.posts(NET) == []
