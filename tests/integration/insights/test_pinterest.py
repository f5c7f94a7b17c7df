"""Pinterest's insights reader against the emulated API v5 (Pin analytics, user_account)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from socialpub.adapters.insights.pinterest import Insights
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.platforms import catalog
from tests.publishing import PublishHarness, Signed, any_media, signed_in

NET = "pinterest"


def recorded(harness: PublishHarness) -> tuple[Insights, list[httpx.Request]]:
    """The reader, with every request it sends to the emulator kept."""
    sent: list[httpx.Request] = []
    client = httpx.Client(event_hooks={"request": [sent.append]}, timeout=30)
    return Insights(NetworkHttp(http=client, emulator=harness.emulator.url)), sent


def pinned(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    platform = catalog()[NET]
    signed, settings = signed_in(harness, platform)
    ids = []
    for index in range(count):
        job = harness.job(NET, signed, f"Pin {index}", media=any_media(harness, platform), settings=settings)
        ids.append(harness.publish(job).post_id)
    return signed, ids


def test_pinterest_insights__two_pins__one_analytics_call_each_over_the_last_90_days(
    harness: PublishHarness,
) -> None:
    # Given two Pins
    signed, pins = pinned(harness, 2)
    reader, sent = recorded(harness)

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, pins)

    # Then each Pin's analytics were asked once, for the counts, over the 90 days ending today
    assert [r.url.path.rsplit("/v5/", 1)[1] for r in sent] == [f"pins/{pin}/analytics" for pin in pins]
    today = datetime.now(UTC).date()
    for request in sent:
        params = request.url.params
        assert date.fromisoformat(params["end_date"]) == today
        assert date.fromisoformat(params["start_date"]) == today - timedelta(days=89)
        assert params["metric_types"].split(",") == [
            "IMPRESSION",
            "SAVE",
            "PIN_CLICK",
            "OUTBOUND_CLICK",
            "VIDEO_MRC_VIEW",
            "TOTAL_COMMENTS",
            "TOTAL_REACTIONS",
        ]
    assert all(insights[pin].available for pin in pins)


def test_pinterest_insights__figures__clicks_summed_reactions_as_likes(harness: PublishHarness) -> None:
    # Given a Pin whose analytics on Pinterest are set
    signed, (pin,) = pinned(harness, 1)
    figures = {
        "IMPRESSION": 1000,
        "SAVE": 30,
        "PIN_CLICK": 50,
        "OUTBOUND_CLICK": 20,
        "VIDEO_MRC_VIEW": 0,
        "TOTAL_COMMENTS": 4,
        "TOTAL_REACTIONS": 9,
    }
    harness.set_figures(NET, pin, figures)

    # When its insights are read
    insight = harness.insights(NET).post_insights(signed.account, signed.token, [pin])[pin]

    # Then every figure is kept under a readable name, and mapped: both kinds of click are clicks,
    # reactions are likes, engagement is likes + comments + saves; reach and shares are not reported
    assert insight.native == {
        "impressions": 1000,
        "saves": 30,
        "pin_clicks": 50,
        "outbound_clicks": 20,
        "video_views": 0,
        "comments": 4,
        "reactions": 9,
    }
    m = insight.metrics
    assert (m.impressions, m.saves, m.clicks, m.video_views, m.likes, m.comments) == (1000, 30, 70, 0, 9, 4)
    assert m.engagement == 9 + 4 + 30
    assert m.reach is None
    assert m.shares is None


def test_pinterest_insights__the_account__followers_following_pins_and_monthly_views(
    harness: PublishHarness,
) -> None:
    # Given an account whose counts on Pinterest are set
    signed, _ = signed_in(harness, catalog()[NET])
    counts = {"follower_count": 250, "following_count": 31, "pin_count": 77, "monthly_views": 12000}
    harness.set_figures(NET, signed.account.external_id, counts)

    # When the account's insights are read
    insight = harness.insights(NET).account_insights(signed.account, signed.token)

    # Then the counts are kept, followers/following/posts among them (the board count is not audience)
    assert insight.native == {"followers": 250, "following": 31, "pins": 77, "monthly_views": 12000}
    assert (insight.followers, insight.following, insight.posts) == (250, 31, 77)


def test_pinterest_emulator__analytics_window_beyond_90_days__400_as_pinterest(harness: PublishHarness) -> None:
    # Given a Pin
    signed, (pin,) = pinned(harness, 1)

    # When its analytics are asked from 120 days back
    today = datetime.now(UTC).date()
    answer = httpx.get(
        f"{harness.emulator.url}/api.pinterest.com/v5/pins/{pin}/analytics",
        params={
            "start_date": (today - timedelta(days=120)).isoformat(),
            "end_date": today.isoformat(),
            "metric_types": "IMPRESSION",
        },
        headers={"Authorization": f"Bearer {signed.token}"},
    )

    # Then Pinterest's parameter error (which the reader's 89-day window never meets)
    assert answer.status_code == 400
    assert answer.json()["code"] == 1
