"""Dev.to's insights reader against the emulated Forem API: the calls it makes and how Forem's figures map."""

from __future__ import annotations

import httpx

from socialpub.domain.analytics import InsightsReader
from tests.publishing import PublishHarness, Signed

NETWORK = "devto"
FIGURES = {"page_views_count": 640, "public_reactions_count": 31, "comments_count": 4}


def _articles(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed = harness.sign_in(NETWORK)
    ids = [
        harness.publish(harness.job(NETWORK, signed, f"Article {n}", title=f"Article {n}")).post_id
        for n in range(count)
    ]
    return signed, ids


def test_devto_insights__two_articles__one_read_of_my_articles_with_the_api_key(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two articles the account published
    signed, ids = _articles(harness, 2)
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then Forem is asked once, for the account's articles, with the key in its api-key header
    (request,) = sent
    assert (request.method, request.url.path) == ("GET", "/dev.to/api/articles/me/all")
    assert request.headers["api-key"] == signed.token
    assert "authorization" not in request.headers
    assert all(insights[i].available for i in ids)


def test_devto_insights__figures__kept_under_forems_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given an article whose figures on Dev.to are known
    signed, (post_id,) = _articles(harness, 1)
    harness.set_figures(NETWORK, post_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then the views are the impressions, the reactions the likes, the comments the comments
    assert insight.native == {"page_views": 640, "reactions": 31, "comments": 4}
    assert insight.metrics.figures() == {"impressions": 640, "likes": 31, "comments": 4, "engagement": 35}


def test_devto_insights__the_account__not_available_with_the_reason(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a Dev.to account (Forem's API reports no follower count)
    signed = harness.sign_in(NETWORK)
    sent.clear()

    # When its insights are read, then it says why there are none, without a call
    insight = reader.account_insights(signed.account, signed.token)
    assert not insight.available
    assert insight.reason
    assert sent == []
