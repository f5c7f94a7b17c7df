"""Facebook's insights reader against the emulated Graph API: the multi-id read it makes, how a page
post's figures map, Graph's own refusals."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import Retryable
from tests.publishing import PublishHarness, Signed, signed_in

NETWORK = "facebook"
FIGURES = {
    "post_impressions": 900,
    "post_impressions_unique": 600,
    "post_clicks": 31,
    "reactions": 40,
    "comments": 7,
    "shares": 5,
}


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed, _ = signed_in(harness, catalog()[NETWORK])
    ids = [harness.publish(harness.job(NETWORK, signed, f"Post {n} of {count}")).post_id for n in range(count)]
    return signed, ids


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_facebook_insights__three_posts__one_multi_id_read_with_insights_reactions_comments_shares(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given three posts the page published
    signed, ids = _posts(harness, 3)
    sent.clear()

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then Graph is asked once, for the three ids, the post insights metrics and the three summaries
    (request,) = sent
    assert request.method == "GET"
    assert request.url.path.endswith("/graph.facebook.com/v21.0/")
    query = _query(request)
    assert query["ids"].split(",") == ids
    assert query["fields"] == (
        "insights.metric(post_impressions,post_impressions_unique,post_clicks),"
        "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
    )
    assert reader.batch_size == 50
    assert all(insights[i].available and insights[i].metrics.impressions is not None for i in ids)


def test_facebook_insights__figures__kept_under_short_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post whose figures on Facebook are known
    signed, (post_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, post_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then Facebook's figures keep their names (reactions as the seed shows) and map to the normalised set
    assert insight.native == {
        "impressions": 900,
        "impressions_unique": 600,
        "clicks": 31,
        "reactions": 40,
        "comments": 7,
        "shares": 5,
    }
    assert insight.metrics.figures() == {
        "impressions": 900,
        "reach": 600,
        "clicks": 31,
        "likes": 40,
        "comments": 7,
        "shares": 5,
        "engagement": 40 + 7 + 5,
    }


def test_facebook_insights__nobody_shared_it__graph_leaves_shares_out_and_it_reads_zero(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post nobody shared (Graph then leaves the ``shares`` field out of the post)
    signed, (post_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, post_id, {**FIGURES, "shares": 0})

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then its shares are Facebook's zero, not an unknown figure
    assert insight.native["shares"] == 0
    assert insight.metrics.shares == 0


def test_facebook_insights__one_post_of_three_deleted__only_that_one_not_available(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given three posts, the second deleted from the page since
    signed, ids = _posts(harness, 3)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != ids[1]]
    sent.clear()

    # When the three are read together (Graph fails the whole read for the unknown id)
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then each post is read alone after that, and only the deleted one has no figures, with the reason
    assert [_query(r)["ids"] for r in sent] == [",".join(ids), *ids]
    assert not insights[ids[1]].available
    assert "no longer" in (insights[ids[1]].reason or "")
    assert insights[ids[0]].available
    assert insights[ids[2]].available


def test_facebook_insights__page_throttled__rate_limited_until_graph_says(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post, and Graph answering its read with the page's call limit (#32, HTTP 400) and the
    # minutes until the page regains access in X-Business-Use-Case-Usage
    signed, (post_id,) = _posts(harness, 1)
    body = {"error": {"message": "(#32) Page request limit reached", "type": "OAuthException", "code": 32}}
    usage = (
        f'{{"{signed.account.external_id}": [{{"type": "pages", "call_count": 100, "total_time": 20, '
        '"total_cputime": 20, "estimated_time_to_regain_access": 4}]}'
    )
    harness.fault(NETWORK, "insights", 400, body=body, headers={"X-Business-Use-Case-Usage": usage})

    # When its insights are read, then the read is retried no sooner than Graph said
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [post_id])
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after == 240


def test_facebook_insights__page__followers_and_fans(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a page with 321 followers and 300 fans
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(NETWORK, signed.account.external_id, {"followers_count": 321, "fan_count": 300})
    sent.clear()

    # When the page's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then the page was read for both counts, followers are the followers, and fans are kept
    (request,) = sent
    assert request.url.path.endswith(f"/{signed.account.external_id}")
    assert _query(request)["fields"] == "followers_count,fan_count"
    assert insight.followers == 321
    assert insight.native == {"followers": 321, "fans": 300}
