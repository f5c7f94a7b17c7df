"""X's insights reader against the emulated X API: the lookup it makes, how X's figures map, X's own refusals."""

from __future__ import annotations

import time
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import Retryable
from tests.publishing import PublishHarness, Signed, signed_in

NETWORK = "twitter"
FIGURES = {
    "like_count": 40,
    "reply_count": 7,
    "retweet_count": 5,
    "quote_count": 2,
    "bookmark_count": 3,
    "impression_count": 900,
    "url_link_clicks": 11,
    "user_profile_clicks": 4,
}


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed, _ = signed_in(harness, catalog()[NETWORK])
    ids = [harness.publish(harness.job(NETWORK, signed, f"Post {n} of {count}")).post_id for n in range(count)]
    return signed, ids


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_twitter_insights__three_posts__one_lookup_asking_public_and_owner_metrics(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given three posts the account published on X
    signed, ids = _posts(harness, 3)
    sent.clear()

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then X is asked once, for the three ids and both sets of metrics, and each post has figures
    (request,) = sent
    assert request.method == "GET"
    assert request.url.path.endswith("/api.x.com/2/tweets")
    query = _query(request)
    assert query["ids"].split(",") == ids
    assert set(query["tweet.fields"].split(",")) == {"public_metrics", "non_public_metrics"}
    assert reader.batch_size == 100
    assert all(insights[i].available and insights[i].metrics.impressions is not None for i in ids)


def test_twitter_insights__figures__kept_under_xs_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post whose figures on X are known
    signed, (post_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, post_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then X's figures are kept under its own names, and mapped to the normalised set
    assert insight.native == {
        "likes": 40,
        "replies": 7,
        "retweets": 5,
        "quotes": 2,
        "bookmarks": 3,
        "impressions": 900,
        "link_clicks": 11,
        "profile_clicks": 4,
    }
    assert insight.metrics.figures() == {
        "impressions": 900,
        "likes": 40,
        "comments": 7,
        "shares": 5 + 2,
        "saves": 3,
        "clicks": 11 + 4,
        "engagement": 40 + 7 + 7 + 3,
    }


def test_twitter_insights__post_older_than_30_days__public_figures_without_clicks(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two posts, one of them older than the 30 days X gives owner-only metrics for
    signed, (old, recent) = _posts(harness, 2)
    with harness.emulator.state.lock:
        next(p for p in harness.emulator.state.posts if p.id == old).created_at = time.time() - 31 * 86400
    harness.set_figures(NETWORK, old, FIGURES)
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, [old, recent])

    # Then the old post is asked again for its public metrics only, and reports no clicks (not zero clicks)
    assert [_query(r)["ids"] for r in sent] == [f"{old},{recent}", old]
    assert _query(sent[1])["tweet.fields"] == "public_metrics"
    assert insights[old].available
    assert insights[old].metrics.clicks is None
    assert "link_clicks" not in insights[old].native
    assert insights[old].metrics.impressions == 900
    assert insights[recent].metrics.clicks is not None


def test_twitter_insights__one_post_deleted__the_others_still_read_in_the_same_call(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two posts, one since deleted on X
    signed, (kept, deleted) = _posts(harness, 2)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != deleted]
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, [kept, deleted])

    # Then one call answers both: figures for the one, the reason for the other
    assert len(sent) == 1
    assert insights[kept].available
    assert not insights[deleted].available
    assert insights[deleted].reason
    assert insights[deleted].metrics.figures() == {}


def test_twitter_insights__usage_cap_reached__retryable_when_x_reopens(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post, and X answering that the app's monthly usage cap is reached, reopening in 10 minutes
    signed, (post_id,) = _posts(harness, 1)
    reset = int(time.time()) + 600
    harness.fault(
        NETWORK,
        "insights",
        429,
        headers={"x-rate-limit-reset": str(reset)},
        body={
            "title": "UsageCapExceeded",
            "detail": "Usage cap exceeded: Monthly product cap",
            "type": "https://api.twitter.com/2/problems/usage-capped",
            "period": "Monthly",
            "scope": "Product",
        },
    )

    # When its insights are read
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [post_id])

    # Then the reading waits for the cap to reopen (a reading can wait, unlike a post), as X says
    assert raised.value.code == "QUOTA_EXCEEDED"
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 600


def test_twitter_insights__rate_limited_without_retry_after__waits_for_xs_reset(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post, and X's 15-minute window spent: a 429 naming only x-rate-limit-reset
    signed, (post_id,) = _posts(harness, 1)
    reset = int(time.time()) + 300
    harness.fault(
        NETWORK,
        "insights",
        429,
        headers={"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
        body={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
    )

    # When its insights are read, then it is retried once the window reopens
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [post_id])
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 300


def test_twitter_insights__account__reads_the_users_public_metrics(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given an account whose counts on X are known
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(
        NETWORK,
        signed.account.external_id,
        {"followers_count": 1500, "following_count": 90, "tweet_count": 321, "listed_count": 6, "like_count": 75},
    )
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then X's user lookup is asked for its public metrics, and the counts are mapped
    (request,) = sent
    assert request.url.path.endswith(f"/api.x.com/2/users/{signed.account.external_id}")
    assert _query(request)["user.fields"] == "public_metrics"
    assert (insight.followers, insight.following, insight.posts) == (1500, 90, 321)
    assert insight.native == {"followers": 1500, "following": 90, "tweets": 321, "listed": 6, "likes": 75}


def test_twitter_insights__account_gone__not_available_with_the_reason(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given an account X no longer has (another id than any it knows)
    signed, _ = signed_in(harness, catalog()[NETWORK])
    gone = replace(signed.account, external_id="1")

    # When its insights are read, then there are no figures, and the reason says why
    insight = reader.account_insights(gone, signed.token)
    assert not insight.available
    assert insight.reason
    assert insight.followers is None
