"""Bluesky's insights reader against the emulated PDS/AppView: the calls it makes, how the counts map,
atproto's own errors."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import NeedsReconnect, Retryable
from tests.publishing import PublishHarness, Signed, signed_in

NETWORK = "bluesky"


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed, _ = signed_in(harness, catalog()[NETWORK])
    ids = [harness.publish(harness.job(NETWORK, signed, f"Post {n} of {count}")).post_id for n in range(count)]
    return signed, ids


def _query(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query)


def test_bluesky_insights__27_posts__getposts_25_uris_a_call(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given 27 posts the account published on Bluesky (their ids are at:// URIs)
    signed, uris = _posts(harness, 27)
    assert all(uri.startswith(f"at://{signed.account.external_id}/app.bsky.feed.post/") for uri in uris)
    sent.clear()

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, uris)

    # Then getPosts is asked twice, 25 URIs then 2, and every post has its counts
    assert [r.url.path.rsplit("/", 1)[-1] for r in sent] == ["app.bsky.feed.getPosts"] * 2
    assert [_query(r)["uris"] for r in sent] == [uris[:25], uris[25:]]
    assert reader.batch_size == 25
    assert all(insights[uri].available and insights[uri].metrics.likes is not None for uri in uris)


def test_bluesky_insights__counts__kept_under_bluesky_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post whose counts on Bluesky are known
    signed, (uri,) = _posts(harness, 1)
    harness.set_figures(NETWORK, uri, {"likeCount": 30, "repostCount": 6, "replyCount": 4, "quoteCount": 2})

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [uri])[uri]

    # Then the counts keep Bluesky's names, and map to likes, shares (reposts and quotes) and comments
    assert insight.native == {"likes": 30, "reposts": 6, "replies": 4, "quotes": 2}
    assert insight.metrics.figures() == {"likes": 30, "shares": 6 + 2, "comments": 4, "engagement": 30 + 8 + 4}
    assert insight.metrics.impressions is None  # Bluesky counts no views: not reported, never 0


def test_bluesky_insights__one_post_deleted__the_other_still_read_in_the_same_call(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two posts, one since deleted on Bluesky
    signed, (kept, deleted) = _posts(harness, 2)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != deleted]
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, [kept, deleted])

    # Then one call answers both: counts for the one, the reason for the other
    assert len(sent) == 1
    assert insights[kept].available
    assert not insights[deleted].available
    assert insights[deleted].reason
    assert insights[deleted].metrics.figures() == {}


def test_bluesky_insights__rate_limited_with_ratelimit_reset__waits_for_the_reset(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post, and the PDS answering 429 with only atproto's ratelimit-reset (an epoch second)
    signed, (uri,) = _posts(harness, 1)
    harness.fault(
        NETWORK,
        "insights",
        429,
        headers={"ratelimit-reset": str(int(time.time()) + 300), "ratelimit-remaining": "0"},
        body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
    )

    # When its insights are read, then the reading is retried once the window reopens
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [uri])
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 300


def test_bluesky_insights__session_expired__needs_reconnect(harness: PublishHarness, reader: InsightsReader) -> None:
    # Given a post, and the PDS answering that the session's token expired (a 400, as atproto does)
    signed, (uri,) = _posts(harness, 1)
    harness.fault(NETWORK, "insights", 400, body={"error": "ExpiredToken", "message": "Token has expired"})

    # When its insights are read, then the account must sign in again
    with pytest.raises(NeedsReconnect):
        reader.post_insights(signed.account, signed.token, [uri])


def test_bluesky_insights__account__reads_the_profiles_counts_by_did(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given an account whose counts on Bluesky are known
    signed, _ = signed_in(harness, catalog()[NETWORK])
    did = signed.account.external_id
    harness.set_figures(NETWORK, did, {"followersCount": 820, "followsCount": 140, "postsCount": 96})
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then getProfiles is asked for the account's DID, and the counts are mapped
    (request,) = sent
    assert request.url.path.endswith("/xrpc/app.bsky.actor.getProfiles")
    assert _query(request)["actors"] == [did]
    assert (insight.followers, insight.following, insight.posts) == (820, 140, 96)
    assert insight.native == {"followers": 820, "follows": 140, "posts": 96}
