"""Dev.to's publisher against the emulated Forem articles API: what only Dev.to does (the contract suite,
test_contract.py, runs the scenarios every network shares)."""

import pytest

from socialpub.domain.publishing import Retryable
from tests.publishing import PublishHarness

NET = "devto"


def test_devto__article_with_typed_settings__one_article_as_forem_names_them(harness: PublishHarness) -> None:
    # Given an account signed in with its API key, and a post with a title, a link and every setting
    signed = harness.sign_in(NET)
    job = harness.job(
        NET,
        signed,
        "# Shipping\n\nWhat we learnt.",
        title="How we ship on Fridays",
        link="https://example.com/ship",
        settings={
            "tags": ["python", "AWS"],
            "canonical_url": "https://blog.example.com/ship",
            "series": "Shipping notes",
            "main_image": "https://cdn.example.com/cover.png",
            "description": "Our release notes",
        },
    )

    # When it is published
    published = harness.publish(job)

    # Then the account holds one published article: the Markdown with the link, and each setting
    (article,) = harness.posts(NET, signed.account.external_id)
    assert article.title == "How we ship on Fridays"
    assert article.text == "# Shipping\n\nWhat we learnt.\n\nhttps://example.com/ship"
    assert article.extra["published"] is True
    assert article.extra["tags"] == ["python", "aws"]
    assert article.extra["canonical_url"] == "https://blog.example.com/ship"
    assert article.extra["series"] == "Shipping notes"
    assert article.extra["main_image"] == "https://cdn.example.com/cover.png"
    assert article.extra["description"] == "Our release notes"
    # And the result is the article's id and its address
    assert (published.post_id, published.url) == (article.id, article.url)
    assert (published.url or "").startswith("https://dev.to/")


def test_devto__published_false__kept_as_a_draft(harness: PublishHarness) -> None:
    # Given a post whose Dev.to setting asks for a draft
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Work in progress", title="Draft", settings={"published": False})

    # When it is published, then Dev.to holds it as a draft
    harness.publish(job)
    (article,) = harness.posts(NET)
    assert article.extra["published"] is False


@pytest.mark.parametrize(
    ("older_published", "published"),
    [(True, True), (False, True), (False, False)],
    ids=["published-a-week-ago", "older-draft", "older-draft-then-draft"],
)
def test_devto__same_title_and_body_made_before__not_taken_for_the_lost_one(
    harness: PublishHarness, older_published: bool, published: bool
) -> None:
    # Given an older article with the same title and body, published a week ago or a draft (a draft has
    # no published_at), and a new call, published or a draft, whose answer is lost
    signed = harness.sign_in(NET)
    harness.publish(harness.job(NET, signed, "Weekly notes", title="Weekly", settings={"published": older_published}))
    with harness.emulator.state.lock:
        harness.emulator.state.posts[0].created_at -= 7 * 24 * 3600  # a week ago
    job = harness.job(NET, signed, "Weekly notes", title="Weekly", settings={"published": published})
    steps = harness.steps(job)
    harness.fault(NET, "articles", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the rerun looks the article up
    result = harness.publish(job, steps)

    # Then it finds the article this call made, not the older one, and nothing was made twice
    old, new = harness.posts(NET)
    assert result.post_id == new.id != old.id
    assert new.extra["published"] is published
