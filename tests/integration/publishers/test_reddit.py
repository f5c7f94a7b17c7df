"""Reddit's publisher against the emulated Reddit API."""

import hashlib
from typing import Any

import pytest

from socialpub.domain.publishing import Rejected, Retryable
from tests.media_files import image, video
from tests.publishing import PublishHarness

FLAIR = "6f1c2a3e-1d2b-11ee-9c3e-0e5b1c7d2f4a"


def _errors(code: str, message: str, field: str) -> dict[str, Any]:
    return {"json": {"errors": [[code, message, field]]}}


def test_reddit__text_post_with_settings_and_first_comment(harness: PublishHarness) -> None:
    # Given a titled text post for a subreddit, with flair, spoiler and a first comment
    signed = harness.sign_in("reddit")
    job = harness.job(
        "reddit",
        signed,
        "We shipped **scheduling** today.",
        title="Socialpub 1.0 is out",
        first_comment="AMA in the comments",
        settings={"subreddit": "socialpub", "flair_id": FLAIR, "spoiler": True, "nsfw": False},
    )

    # When it is published
    published = harness.publish(job)

    # Then the subreddit holds the self post with its settings, and the comment under it
    post, comment = harness.posts("reddit", signed.account.external_id)
    assert (post.title, post.text) == ("Socialpub 1.0 is out", "We shipped **scheduling** today.")
    assert post.extra["subreddit"] == "socialpub"
    assert post.extra["kind"] == "self"
    assert (post.extra["flair_id"], post.extra["spoiler"], post.extra["nsfw"]) == (FLAIR, True, False)
    assert (comment.text, comment.reply_to) == ("AMA in the comments", post.id)
    # And the result is the submission's fullname and permalink
    assert published.post_id == post.id
    assert published.url == post.url
    assert published.url.startswith(f"https://www.reddit.com/r/socialpub/comments/{post.id.removeprefix('t3_')}/")


def test_reddit__image__uploaded_to_reddit_and_the_post_read_back_from_the_account(harness: PublishHarness) -> None:
    # Given an image post
    signed = harness.sign_in("reddit")
    picture = image("PNG")
    job = harness.job(
        "reddit",
        signed,
        "ignored for image posts",
        title="Our new office",
        media=[harness.media(picture, "image/png", filename="office.png")],
        settings={"subreddit": "pics_of_offices"},
    )

    # When it is published
    published = harness.publish(job)

    # Then Reddit holds an image post with the uploaded bytes, found although its answer names no post
    (post,) = harness.posts("reddit")
    assert post.extra["kind"] == "image"
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert published.post_id == post.id
    assert published.url == post.url


def test_reddit__link__a_link_post(harness: PublishHarness) -> None:
    # Given a post with a link and no media
    signed = harness.sign_in("reddit")
    job = harness.job(
        "reddit", signed, "", title="Read this", link="https://example.com/a", settings={"subreddit": "socialpub"}
    )

    # When it is published
    harness.publish(job)

    # Then it is a link post to that URL
    (post,) = harness.posts("reddit")
    assert (post.extra["kind"], post.extra["url"]) == ("link", "https://example.com/a")


def test_reddit__video__refused_as_not_supported(harness: PublishHarness) -> None:
    # Given a video post
    signed = harness.sign_in("reddit")
    job = harness.job(
        "reddit",
        signed,
        "Clip",
        title="Clip",
        media=[harness.media(video(), "video/mp4")],
        settings={"subreddit": "a_b"},
    )

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it is refused, saying why, and nothing was posted
    assert failure.value.code == "VALIDATION_FAILED"
    assert "video" in str(failure.value).lower()
    assert harness.posts("reddit") == []


@pytest.mark.parametrize(
    ("subreddit", "code", "message"),
    [
        ("no such sub", "VALIDATION_FAILED", "that subreddit doesn't exist"),
        ("announcements", "PERMISSION_DENIED", "you aren't allowed to post there."),
    ],
)
def test_reddit__subreddit_refused__mapped_with_reddits_message(
    harness: PublishHarness, subreddit: str, code: str, message: str
) -> None:
    # Given a subreddit that does not exist, or one closed to users
    signed = harness.sign_in("reddit")
    job = harness.job("reddit", signed, "Hi", title="Hi", settings={"subreddit": subreddit})

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the failure says so
    assert (failure.value.code, failure.value.network_message) == (code, message)


def test_reddit__ratelimit_inside_a_200__retryable_with_the_delay_reddit_names(harness: PublishHarness) -> None:
    # Given Reddit answers the submit with its RATELIMIT error (inside a 200)
    signed = harness.sign_in("reddit")
    harness.fault(
        "reddit",
        "submit",
        200,
        body=_errors(
            "RATELIMIT",
            "Looks like you've been doing that a lot. Take a break for 5 minutes before trying again.",
            "ratelimit",
        ),
    )
    job = harness.job("reddit", signed, "Later", title="Later", settings={"subreddit": "socialpub"})
    steps = harness.steps(job)

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)

    # Then it is a rate limit of five minutes, nothing is armed, and the retry posts once
    assert (failure.value.code, failure.value.retry_after, failure.value.sent) == ("RATE_LIMITED", 300.0, False)
    assert steps.target.armed == {}
    harness.publish(job, steps)
    assert len(harness.posts("reddit")) == 1


def test_reddit__already_submitted__duplicate_content(harness: PublishHarness) -> None:
    # Given Reddit says the link was already submitted there
    signed = harness.sign_in("reddit")
    harness.fault("reddit", "submit", 200, body=_errors("ALREADY_SUB", "that link has already been submitted", "url"))
    job = harness.job("reddit", signed, "", title="Again", link="https://example.com/x", settings={"subreddit": "abc"})

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it is a duplicate
    assert failure.value.code == "DUPLICATE_CONTENT"


def test_reddit__answer_to_the_first_comment_lost__rerun_makes_no_second_comment(harness: PublishHarness) -> None:
    # Given Reddit makes the first comment but its answer is lost
    signed = harness.sign_in("reddit")
    job = harness.job(
        "reddit", signed, "Body", title="Post", first_comment="Details", settings={"subreddit": "socialpub"}
    )
    steps = harness.steps(job)
    harness.fault("reddit", "comment", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then there is one post and one comment under it
    post, comment = harness.posts("reddit")
    assert comment.reply_to == post.id
