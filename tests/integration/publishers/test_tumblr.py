"""Tumblr's publisher against the emulated Tumblr API: what only Tumblr does (NPF blocks, media as parts
of the same multipart request, tags and state, a lost draft found among the drafts). Lost answers,
crashes, 429s, a revoked token and refusals are in the contract suite (test_contract.py)."""

import hashlib

import pytest

from socialpub.domain.publishing import Retryable
from tests.media_files import image
from tests.publishing import PublishHarness


def test_tumblr__title_text_images_link_and_tags__one_npf_post_with_its_blocks_in_order(
    harness: PublishHarness,
) -> None:
    # Given a blog, and a post with a title, a text, two images (one with alt text), a link and tags
    signed = harness.sign_in("tumblr")
    first, second = image(size=(40, 30)), image(size=(30, 40))
    job = harness.job(
        "tumblr",
        signed,
        "What we shipped",
        title="Release notes",
        link="https://example.com/notes",
        media=[
            harness.media(first, "image/png", filename="a.png", alt_text="A red square"),
            harness.media(second, "image/png", filename="b.png"),
        ],
        settings={"tags": "release, #socialpub", "state": "published", "source_url": "https://example.com"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the blog holds one post: the title as a heading, the text, both images in order, the link
    (post,) = harness.posts("tumblr", signed.account.external_id)
    assert [b["type"] for b in post.extra["content"]] == ["text", "text", "image", "image", "link"]
    assert (post.title, post.text, post.extra["link"]) == (
        "Release notes",
        "What we shipped",
        "https://example.com/notes",
    )
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(d).hexdigest() for d in (first, second)]
    assert post.media[0]["alt_text"] == "A red square"
    # And the tags went as NPF takes them (no #), with the state and source
    assert (post.extra["tags"], post.extra["state"]) == (["release", "socialpub"], "published")
    assert post.extra["source_url"] == "https://example.com"
    assert (published.post_id, published.url) == (
        post.id,
        f"https://{signed.account.username}.tumblr.com/post/{post.id}",
    )


def test_tumblr__draft_whose_answer_was_lost__found_among_the_drafts_and_not_posted_twice(
    harness: PublishHarness,
) -> None:
    # Given a draft that Tumblr saves but whose answer is lost
    signed = harness.sign_in("tumblr")
    job = harness.job("tumblr", signed, "Not yet", settings={"state": "draft"})
    steps = harness.steps(job)
    harness.fault("tumblr", "posts", 502, after=True)
    with pytest.raises(Retryable) as lost:
        harness.publish(job, steps)
    assert lost.value.sent is None

    # When the target runs again
    published = harness.publish(job, steps)

    # Then the drafts held it: one draft, and it is the result
    (post,) = harness.posts("tumblr")
    assert (post.extra["state"], published.post_id) == ("draft", post.id)


def test_tumblr__a_blog_of_the_login_chosen__posts_go_to_that_blog(harness: PublishHarness) -> None:
    # Given the second blog of the login (user/info lists two)
    signed = harness.sign_in("tumblr", pick=1)

    harness.publish(harness.job("tumblr", signed, "On the art blog"))

    (post,) = harness.posts("tumblr")
    assert (post.account, post.extra["blog"]) == (signed.account.external_id, "emulated-user-art")
