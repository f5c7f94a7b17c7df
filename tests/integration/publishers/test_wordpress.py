"""WordPress's publisher (WordPress.com and self-hosted) against the emulated REST API: what only
WordPress does (the featured image, tags by name, categories, status, the site's base URL and its
authentication). Lost answers, crashes, 429s, a revoked credential and refusals are in the contract
suite (test_contract.py)."""

import hashlib

import pytest

from socialpub.domain.publishing import Retryable
from tests.media_files import image
from tests.publishing import PublishHarness


def test_wordpress_com__title_text_link_featured_image_tags_categories__one_post_with_all_of_them(
    harness: PublishHarness,
) -> None:
    # Given a WordPress.com site, and a post with a title, a text, a link, an image and its settings
    signed = harness.sign_in("wordpress")
    picture = image()
    settings = {
        "status": "draft",
        "categories": ["2", "3"],
        "tags": ["release", "#socialpub"],
        "excerpt": "Short",
        "slug": "release-notes",
    }
    job = harness.job(
        "wordpress",
        signed,
        "What we shipped",
        title="Release notes",
        link="https://example.com/notes",
        media=[harness.media(picture, "image/png", filename="notes.png", alt_text="A red square")],
        settings=settings,
    )

    # When it is published
    published = harness.publish(job)

    # Then the site holds one post with its title, the link ending the content, the featured image
    (post,) = harness.posts("wordpress", signed.account.external_id)
    assert (post.title, post.text) == ("Release notes", "What we shipped\n\nhttps://example.com/notes")
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["alt_text"] == "A red square"
    # And the settings: status, category ids, tags created by name (no #), excerpt and slug
    assert (post.extra["status"], post.extra["categories"]) == ("draft", [2, 3])
    assert post.extra["tag_names"] == ["release", "socialpub"]
    assert (post.extra["excerpt"], post.extra["slug"]) == ("Short", "release-notes")
    assert published.post_id == post.id
    assert published.url == post.url


def test_wordpress_com__a_tag_the_site_has__reused_not_created_again(harness: PublishHarness) -> None:
    signed = harness.sign_in("wordpress")
    for title in ("First", "Second"):
        harness.publish(harness.job("wordpress", signed, "Body", title=title, settings={"tags": ["news"]}))

    first, second = harness.posts("wordpress")
    assert first.extra["tags"] == second.extra["tags"]


def test_wordpress_selfhosted__posts_to_the_sites_own_api_with_basic_auth(harness: PublishHarness) -> None:
    # Given an account on a self-hosted site
    signed = harness.sign_in("wordpress_selfhosted", instance="blog.example")

    published = harness.publish(harness.job("wordpress_selfhosted", signed, "Hello", title="On my own site"))

    (post,) = harness.posts("wordpress_selfhosted")
    assert (post.extra["site"], post.extra["status"]) == ("blog.example", "publish")
    assert published.url == f"https://blog.example/?p={post.id}"


def test_wordpress__draft_whose_answer_was_lost__found_among_the_drafts_and_not_made_twice(
    harness: PublishHarness,
) -> None:
    signed = harness.sign_in("wordpress")
    job = harness.job("wordpress", signed, "Not yet", title="A draft", settings={"status": "draft"})
    steps = harness.steps(job)
    harness.fault("wordpress", "posts", 502, after=True)
    with pytest.raises(Retryable) as lost:
        harness.publish(job, steps)
    assert lost.value.sent is None

    published = harness.publish(job, steps)

    (post,) = harness.posts("wordpress")
    assert (post.extra["status"], published.post_id) == ("draft", post.id)
