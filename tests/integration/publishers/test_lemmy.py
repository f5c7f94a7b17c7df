"""Lemmy's publisher against the emulated Lemmy API: what only Lemmy does (the community lookup, the
pict-rs image as the post's url beside a link, the settings, titles counted in code points). Lost
answers, crashes, 429s, an ended session and refusals are in the contract suite (test_contract.py)."""

import hashlib

import pytest

from socialpub.domain.publishing import Rejected
from tests.media_files import image
from tests.publishing import PublishHarness

INSTANCE = "lemmy.example"


def test_lemmy__title_text_image_and_first_comment__one_post_in_the_community_with_its_image(
    harness: PublishHarness,
) -> None:
    # Given an account on an instance, a post with a title, a text, an image with alt text and a link
    signed = harness.sign_in("lemmy", instance=INSTANCE)
    picture = image()
    job = harness.job(
        "lemmy",
        signed,
        "What we shipped this week",
        title="Release notes",
        link="https://example.com/notes",
        media=[harness.media(picture, "image/png", filename="notes.png", alt_text="A red square")],
        first_comment="Questions welcome",
        settings={"community": "socialpub", "nsfw": False, "language_id": 37},
    )

    # When it is published
    published = harness.publish(job)

    # Then the community holds one post: the title, the image as its url, the link ending the body
    posts = harness.posts("lemmy", signed.account.external_id)
    post, comment = posts
    assert (post.title, post.extra["community"]) == ("Release notes", "socialpub")
    assert post.text == "What we shipped this week\n\nhttps://example.com/notes"
    assert post.extra["url"].startswith(f"https://{INSTANCE}/pictrs/image/")
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["alt_text"] == "A red square"
    assert (post.extra["nsfw"], post.extra["language_id"]) == (False, 37)
    # And the first comment is a comment on it
    assert (comment.text, comment.reply_to) == ("Questions welcome", post.id)
    # And the result is the post, with its address on the instance
    assert (published.post_id, published.url) == (post.id, f"https://{INSTANCE}/post/{post.id}")


def test_lemmy__link_without_image__is_the_posts_url(harness: PublishHarness) -> None:
    signed = harness.sign_in("lemmy", instance=INSTANCE)
    job = harness.job(
        "lemmy", signed, "Worth a read", title="A link", link="https://example.com/a", settings={"community": "news"}
    )
    harness.publish(job)
    (post,) = harness.posts("lemmy")
    assert (post.extra["url"], post.text, post.media) == ("https://example.com/a", "Worth a read", [])


def test_lemmy__unknown_community__permanent_failure_with_lemmys_code(harness: PublishHarness) -> None:
    signed = harness.sign_in("lemmy", instance=INSTANCE)

    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job("lemmy", signed, "Hello", title="Hi", settings={"community": "missing_one"}))

    assert (failure.value.code, failure.value.network_message) == ("VALIDATION_FAILED", "couldnt_find_community")
    assert harness.posts("lemmy") == []


def test_lemmy__title_over_200_code_points__refused_with_lemmys_code(harness: PublishHarness) -> None:
    # Given a title of 201 code points (an emoji is one code point for Lemmy)
    signed = harness.sign_in("lemmy", instance=INSTANCE)
    job = harness.job("lemmy", signed, "Body", title="😀" * 201, settings={"community": "socialpub"})

    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    assert failure.value.network_message == "invalid_post_title"
    # And 200 of them are accepted
    harness.publish(harness.job("lemmy", signed, "Body", title="😀" * 200, settings={"community": "socialpub"}))
    assert len(harness.posts("lemmy")) == 1
