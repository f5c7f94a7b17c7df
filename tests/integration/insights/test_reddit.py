"""Reddit's insights reader against the emulated Reddit API: the calls it makes, how the counts map,
Reddit's own answers."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import Retryable
from tests.publishing import PublishHarness, Signed, signed_in

NETWORK = "reddit"


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed, settings = signed_in(harness, catalog()[NETWORK])
    ids = [
        harness.publish(harness.job(NETWORK, signed, f"Body {n}", title=f"Post {n}", settings=settings)).post_id
        for n in range(count)
    ]
    return signed, ids


def _query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_reddit_insights__three_posts__one_info_call_by_fullname_with_the_catalogs_user_agent(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given three posts the account submitted (their ids are t3_ fullnames)
    signed, names = _posts(harness, 3)
    assert all(name.startswith("t3_") for name in names)
    sent.clear()

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, names)

    # Then /api/info is asked once for the three, as the app (Reddit throttles generic agents)
    (request,) = sent
    assert request.url.path.endswith("/oauth.reddit.com/api/info")
    assert _query(request)["id"].split(",") == names
    assert request.headers["user-agent"] == catalog()[NETWORK].auth.request.headers["User-Agent"]
    assert reader.batch_size == 100
    assert all(insights[name].available and insights[name].metrics.likes is not None for name in names)


def test_reddit_insights__counts__kept_under_reddit_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a submission whose counts on Reddit are known
    signed, (name,) = _posts(harness, 1)
    harness.set_figures(NETWORK, name, {"score": 57, "num_comments": 12, "num_crossposts": 2})

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [name])[name]

    # Then the score is the likes, comments the comments, crossposts the shares; no views (not 0 views)
    assert insight.native == {"score": 57, "comments": 12, "crossposts": 2}
    assert insight.metrics.figures() == {"likes": 57, "comments": 12, "shares": 2, "engagement": 57 + 12 + 2}
    assert insight.metrics.impressions is None


def test_reddit_insights__one_post_gone__the_others_still_read_in_the_same_call(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two submissions, one since removed from Reddit
    signed, (kept, gone) = _posts(harness, 2)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != gone]
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, [kept, gone])

    # Then one call answers both: counts for the one, the reason for the other
    assert len(sent) == 1
    assert insights[kept].available
    assert not insights[gone].available
    assert insights[gone].reason


def test_reddit_insights__rate_limited_with_reddits_reset_header__waits_that_long(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a submission, and Reddit answering 429 with the seconds left in its window (X-Ratelimit-Reset)
    signed, (name,) = _posts(harness, 1)
    harness.fault(
        NETWORK,
        "insights",
        429,
        headers={"X-Ratelimit-Reset": "240", "X-Ratelimit-Remaining": "0"},
        body={"message": "Too Many Requests", "error": 429},
    )

    # When its insights are read, then the reading is retried after the window
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [name])
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after == 240


def test_reddit_insights__account__the_profiles_subscribers_are_its_followers(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given an account whose profile has 310 followers and known karma
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.set_figures(
        NETWORK, signed.account.external_id, {"link_karma": 1200, "comment_karma": 450, "subscribers": 310}
    )
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then the user's about page is read, its followers are the profile's subscribers, karma is kept
    (request,) = sent
    assert request.url.path.endswith(f"/oauth.reddit.com/user/{signed.account.username}/about")
    assert insight.followers == 310
    assert insight.following is None  # Reddit does not say whom the account follows
    assert insight.posts is None
    assert insight.native == {"followers": 310, "link_karma": 1200, "comment_karma": 450}


def test_reddit_insights__account_reddit_no_longer_has__not_available_with_the_reason(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given an account whose user Reddit no longer knows (404)
    signed, _ = signed_in(harness, catalog()[NETWORK])
    gone = replace(signed.account, username="someone-deleted")

    # When its insights are read, then there are no figures, and the reason says why
    insight = reader.account_insights(gone, signed.token)
    assert not insight.available
    assert insight.reason
    assert insight.followers is None
