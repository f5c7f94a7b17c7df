"""LinkedIn's publisher against the emulated LinkedIn REST API (Posts, Images, Videos, Documents, Comments)."""

import dataclasses
import hashlib

import pytest

from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import OutcomeUnknown, Rejected, Retryable
from socialpub.local.emulator.networks.linkedin import PART_SIZE
from tests.media_files import image, video
from tests.publishing import PublishHarness, Signed

NET = "linkedin"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def grant(harness: PublishHarness, signed: Signed, scope: str) -> None:
    """Give the account's token a permission LinkedIn grants on request (e.g. r_member_social to read posts)."""
    state = harness.emulator.state
    with state.lock:
        family = next(f for f in state.families if signed.token in f.access_tokens)
        family.scope = scope


def test_linkedin__text_with_reserved_characters_and_an_image__member_sees_both_with_alt_text(
    harness: PublishHarness,
) -> None:
    # Given a member, a text with little-text reserved characters and an image with alt text
    signed = harness.sign_in(NET)
    picture = image()
    text = "Launch (beta) day: *all* of [it] @ 10_000 <users> ~ {team}"
    job = harness.job(
        NET,
        signed,
        text,
        media=[harness.media(picture, "image/png", filename="launch.png", alt_text="A red square")],
        settings={"visibility": "CONNECTIONS"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the member's feed holds the whole text (escaped, not cut) with the image and its alt text
    (post,) = harness.posts(NET, signed.account.external_id)
    assert post.text == text
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["alt_text"] == "A red square"
    assert post.extra["author"] == f"urn:li:person:{signed.account.external_id}"
    assert post.extra["visibility"] == "CONNECTIONS"
    # And the result is the post's URN and its feed permalink
    assert published.post_id == post.id
    assert published.post_id.startswith("urn:li:ugcPost:")
    assert published.url == f"https://www.linkedin.com/feed/update/{post.id}/"


def test_linkedin__several_images_and_a_first_comment__multi_image_post_then_the_comment(
    harness: PublishHarness,
) -> None:
    # Given two images and a first comment
    signed = harness.sign_in(NET)
    first, second = image(), image("JPEG", (640, 480))
    job = harness.job(
        NET,
        signed,
        "Two views",
        media=[
            harness.media(first, "image/png", alt_text="Front"),
            harness.media(second, "image/jpeg", alt_text="Back"),
        ],
        first_comment="Details in the comments",
    )

    # When it is published
    published = harness.publish(job)

    # Then one multi-image post carries both images in order, and the comment sits under it
    post, comment = harness.posts(NET)
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]
    assert [m["alt_text"] for m in post.media] == ["Front", "Back"]
    assert "multiImage" in post.extra["content"]
    assert comment.text == "Details in the comments"
    assert comment.reply_to == post.id == published.post_id


def test_linkedin__video_in_two_parts__uploaded_finalized_and_polled_until_available(harness: PublishHarness) -> None:
    # Given a video larger than one upload part, with a title
    signed = harness.sign_in(NET)
    clip = video(padding=PART_SIZE)
    job = harness.job(NET, signed, "Watch", title="Our launch", media=[harness.media(clip, "video/mp4")])
    steps = harness.steps(job)

    # When it is published
    harness.publish(job, steps)

    # Then the post carries the whole video, posted only once LinkedIn had processed it
    (post,) = harness.posts(NET)
    assert post.media[0]["type"] == "video"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert post.title == "Our launch"
    assert steps.target.steps["media.0.ready"] is True
    videos = [o for o in harness.emulator.state.objects.values() if o["kind"] == "linkedin_videos"]
    assert videos[0]["polls"] > harness.emulator.state.polls_to_finish


def test_linkedin__pdf_document__posted_with_the_title(harness: PublishHarness) -> None:
    # Given a PDF and a title
    signed = harness.sign_in(NET)
    job = harness.job(
        NET,
        signed,
        "Our report",
        title="Annual report",
        media=[harness.media(PDF, "application/pdf", kind=MediaKind.DOCUMENT, filename="report.pdf")],
    )

    # When it is published
    harness.publish(job)

    # Then the post is a document post with that title
    (post,) = harness.posts(NET)
    assert post.media[0]["type"] == "document"
    assert post.media[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert post.title == "Annual report"


def test_linkedin__link_without_media__article_post(harness: PublishHarness) -> None:
    # Given a text with a link and no media
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Read this", link="https://example.com/post", title="Our post")

    # When it is published
    published = harness.publish(job)

    # Then it is an article share pointing at the link
    (post,) = harness.posts(NET)
    assert post.extra["article"] == "https://example.com/post"
    assert post.title == "Our post"
    assert published.post_id.startswith("urn:li:share:")


def test_linkedin__organization_author__posted_as_the_page(harness: PublishHarness) -> None:
    # Given a page the member administers (w_organization_social granted)
    signed = harness.sign_in(NET)
    grant(harness, signed, "w_organization_social")
    page = dataclasses.replace(signed.account, external_id="2414183", type="organization")
    job = harness.job(NET, Signed(account=page, token=signed.token), "From the page")

    # When it is published
    harness.publish(job)

    # Then the page is the author
    (post,) = harness.posts(NET, "2414183")
    assert post.extra["author"] == "urn:li:organization:2414183"


def test_linkedin__answer_lost_and_posts_readable__found_without_sending_again(harness: PublishHarness) -> None:
    # Given an app allowed to read the member's posts, and a post whose answer was lost
    signed = harness.sign_in(NET)
    grant(harness, signed, "w_member_social r_member_social")
    job = harness.job(NET, signed, "Found again")
    steps = harness.steps(job)
    harness.fault(NET, "posts", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again while any new post would fail
    harness.fault(NET, "posts", 503)
    published = harness.publish(job, steps)

    # Then the post was found in the member's posts, not sent again
    (post,) = harness.posts(NET)
    assert published.post_id == post.id


def test_linkedin__crash_after_the_first_comment__found_when_readable_unknown_otherwise(
    harness: PublishHarness,
) -> None:
    # Given a run that dies right after LinkedIn made the first comment, the app allowed to read comments
    signed = harness.sign_in(NET)
    grant(harness, signed, "w_member_social r_member_social")
    job = harness.job(NET, signed, "With a comment", first_comment="Comment once")
    steps = harness.steps(job)
    steps.crash_on = "comment"
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then the comment was found: one post, one comment
    assert [p.text for p in harness.posts(NET)] == ["With a comment", "Comment once"]

    # And without the permission to read comments, the same crash ends with an unknown outcome, not a resend
    other = harness.sign_in(NET, user="other-member")
    job = harness.job(NET, other, "Another", first_comment="Maybe twice")
    steps = harness.steps(job)
    steps.crash_on = "comment"
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)
    with pytest.raises(OutcomeUnknown):
        harness.publish(job, steps)
    assert [p.text for p in harness.posts(NET, other.account.external_id)] == ["Another", "Maybe twice"]


def test_linkedin__same_text_posted_before__duplicate_content(harness: PublishHarness) -> None:
    # Given the member already posted this text
    signed = harness.sign_in(NET)
    harness.publish(harness.job(NET, signed, "Same words"))

    # When a new post with the same text is published
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Same words"))

    # Then LinkedIn refuses it as a duplicate, and only the first post exists
    assert failure.value.code == "DUPLICATE_CONTENT"
    assert "Content is a duplicate of" in (failure.value.network_message or "")
    assert len(harness.posts(NET)) == 1


def test_linkedin__daily_throttle__retried_after_midnight_utc(harness: PublishHarness) -> None:
    # Given the member's daily limit on posts is reached (no Retry-After)
    signed = harness.sign_in(NET)
    message = "Resource level throttle MEMBER DAY limit for calls to this resource is reached."
    harness.fault(NET, "posts", 429, body={"status": 429, "code": "TOO_MANY_REQUESTS", "message": message})

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(harness.job(NET, signed, "Tomorrow"))

    # Then it is retried once the day is over (at most a day away)
    assert failure.value.code == "RATE_LIMITED"
    assert failure.value.network_message == message
    assert 0 < (failure.value.retry_after or 0) <= 86400


def test_linkedin__video_processing_failed__media_rejected_with_linkedins_reason(harness: PublishHarness) -> None:
    # Given a "video" LinkedIn cannot process (its bytes are no MP4)
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Broken", media=[harness.media(b"not a video at all", "video/mp4")])

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the failure is permanent, with LinkedIn's reason, and nothing was posted
    assert failure.value.code == "MEDIA_REJECTED"
    assert failure.value.network_message == "The file could not be processed as a video"
    assert harness.posts(NET) == []
