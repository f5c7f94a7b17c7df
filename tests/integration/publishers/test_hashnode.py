"""Hashnode's publisher against the emulated GraphQL API: what only Hashnode does (the contract suite,
test_contract.py, runs the scenarios every network shares)."""

from typing import Any

import pytest

from socialpub.domain.publishing import Rejected, Retryable
from tests.publishing import PublishHarness

NET = "hashnode"
OTHER_PUBLICATION = "0123456789abcdef01234567"


def test_hashnode__article_with_typed_settings__one_post_in_the_connected_publication(
    harness: PublishHarness,
) -> None:
    # Given an account signed in with its token, whose publication was read at connect, and every setting
    signed = harness.sign_in(NET)
    publication = signed.account.metadata["publication_id"]
    job = harness.job(
        NET,
        signed,
        "# Notes\n\nWhat changed.",
        title="Release notes",
        link="https://example.com/notes",
        settings={
            "tags": ["python", "aws-lambda"],
            "subtitle": "Week 49",
            "canonical_url": "https://blog.example.com/notes",
            "cover_image": "https://cdn.example.com/cover.png",
        },
    )

    # When it is published
    published = harness.publish(job)

    # Then the publication holds one post: the Markdown with the link, and each setting as Hashnode names it
    (post,) = harness.posts(NET)
    assert post.extra["publication"] == publication
    assert (post.title, post.text) == ("Release notes", "# Notes\n\nWhat changed.\n\nhttps://example.com/notes")
    assert post.extra["tags"] == ["python", "aws-lambda"]
    assert post.extra["subtitle"] == "Week 49"
    assert post.extra["canonical_url"] == "https://blog.example.com/notes"
    assert post.extra["cover_image"] == "https://cdn.example.com/cover.png"
    assert (published.post_id, published.url) == (post.id, post.url)


def test_hashnode__another_publication_of_someone_else__refused_as_forbidden(harness: PublishHarness) -> None:
    # Given a post naming a publication the user may not post in
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Body", title="Title", settings={"publication_id": OTHER_PUBLICATION})

    # When it is published, then Hashnode's refusal is a permission error, and nothing was made
    with pytest.raises(Rejected) as refused:
        harness.publish(job)
    assert refused.value.code == "PERMISSION_DENIED"
    assert refused.value.network_message == "You are not allowed to publish in this publication"
    assert harness.posts(NET) == []


def test_hashnode__same_article_published_before__not_taken_for_the_lost_one(harness: PublishHarness) -> None:
    # Given a post published a week ago with the same title and body, and a new call whose answer is lost
    signed = harness.sign_in(NET)
    harness.publish(harness.job(NET, signed, "Weekly notes", title="Weekly"))
    with harness.emulator.state.lock:
        harness.emulator.state.posts[0].created_at -= 7 * 24 * 3600
    job = harness.job(NET, signed, "Weekly notes", title="Weekly")
    steps = harness.steps(job)
    harness.fault(NET, "publishPost", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the rerun looks the post up in the publication
    published = harness.publish(job, steps)

    # Then it finds this week's post, not last week's
    old, new = harness.posts(NET)
    assert published.post_id == new.id != old.id


def test_hashnode__same_title_and_markdown_without_a_date__not_taken_for_the_lost_one(harness: PublishHarness) -> None:
    # Given a call whose answer is lost, and a publication whose latest posts hold one with the same title
    # and Markdown but no publishedAt (a draft: nothing this call could have made)
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Weekly notes", title="Weekly")
    steps = harness.steps(job)
    harness.fault(NET, "publishPost", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    draft: dict[str, Any] = {"id": "0123456789abcdef0123abcd", "url": None, "title": "Weekly", "publishedAt": None}
    draft["content"] = {"markdown": "Weekly notes"}
    listed = {"data": {"publication": {"posts": {"edges": [{"node": draft}]}}}}
    harness.fault(NET, "posts", 200, body=listed)

    # When the rerun looks the post up
    result = harness.publish(job, steps)

    # Then the undated post is not taken for it
    assert result.post_id != draft["id"]
