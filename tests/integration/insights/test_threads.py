"""Threads' insights reader against the emulated Threads API: the calls it makes, how Threads' figures
map, Graph's own refusals."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import Retryable
from tests.publishing import PublishHarness, Signed, signed_in

NETWORK = "threads"
FIGURES = {"views": 900, "likes": 40, "replies": 7, "reposts": 5, "quotes": 2, "shares": 3}


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed, _ = signed_in(harness, catalog()[NETWORK])
    ids = [harness.publish(harness.job(NETWORK, signed, f"Post {n} of {count}")).post_id for n in range(count)]
    return signed, ids


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_threads_insights__two_posts__one_media_insights_call_each_asking_every_metric(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two posts the account published on Threads
    signed, ids = _posts(harness, 2)
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then Threads (which has no multi-id read) is asked once per post, for the six documented metrics
    assert reader.batch_size == 1
    assert [r.url.path.removeprefix("/graph.threads.net/v1.0/") for r in sent] == [f"{i}/insights" for i in ids]
    assert all(r.method == "GET" for r in sent)
    assert all(_query(r)["metric"].split(",") == list(FIGURES) for r in sent)
    assert all(insights[i].available and insights[i].metrics.impressions is not None for i in ids)


def test_threads_insights__figures__kept_under_threads_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post whose figures on Threads are known
    signed, (post_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, post_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then Threads' names are kept, and views, likes, replies and every kind of share are mapped
    assert insight.native == FIGURES
    figures = insight.metrics.figures()
    assert figures == {
        "impressions": 900,
        "likes": 40,
        "comments": 7,
        "shares": 5 + 2 + 3,
        "engagement": 40 + 7 + 10,
    }


def test_threads_insights__one_post_deleted__only_that_one_not_available(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given two posts, the first deleted on Threads since
    signed, (gone, kept) = _posts(harness, 2)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != gone]

    # When both are read
    insights = reader.post_insights(signed.account, signed.token, [gone, kept])

    # Then the deleted one says why it has no figures, the other has its figures
    assert not insights[gone].available
    assert "no longer" in (insights[gone].reason or "")
    assert insights[kept].available
    assert insights[kept].native


def test_threads_insights__graph_throttle_code_in_a_400__rate_limited(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post, and Threads answering its insights with Graph's "too many calls" (#4) in an HTTP 400
    signed, (post_id,) = _posts(harness, 1)
    body = {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}}
    harness.fault(NETWORK, "insights", 400, body=body)

    # When its insights are read, then the read is retried later, not failed for good
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [post_id])
    assert raised.value.code == "RATE_LIMITED"


def test_threads_insights__account__followers_from_the_user_insights(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a Threads account with 321 followers
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(NETWORK, signed.account.external_id, {"followers_count": 321})
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then the user insights endpoint was asked for followers_count, and the count is the followers
    (request,) = sent
    assert request.url.path.endswith(f"/{signed.account.external_id}/threads_insights")
    assert _query(request)["metric"] == "followers_count"
    assert insight.followers == 321
    assert insight.native == {"followers": 321}
