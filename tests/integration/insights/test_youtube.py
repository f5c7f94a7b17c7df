"""YouTube's insights reader against the emulated Data API (videos.list and channels.list statistics)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from socialpub.adapters.insights.youtube import Insights, until_quota_reset
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import PublishAccount, Retryable
from tests.publishing import PublishHarness, Signed, signed_in, video_of

NET = "youtube"


def recorded(harness: PublishHarness) -> tuple[Insights, list[httpx.Request]]:
    """The reader, with every request it sends to the emulator kept."""
    sent: list[httpx.Request] = []
    client = httpx.Client(event_hooks={"request": [sent.append]}, timeout=30)
    return Insights(NetworkHttp(http=client, emulator=harness.emulator.url)), sent


def published(harness: PublishHarness, signed: Signed, count: int) -> list[str]:
    platform = catalog()[NET]
    ids = []
    for index in range(count):
        job = harness.job(NET, signed, f"Clip {index}", title=f"Clip {index}", media=[video_of(harness, platform)])
        ids.append(harness.publish(job).post_id)
    return ids


def test_youtube_insights__two_videos_and_a_deleted_one__one_videos_list_call_for_all(
    harness: PublishHarness,
) -> None:
    # Given two videos published on the channel, and the id of one YouTube no longer has
    signed, _ = signed_in(harness, catalog()[NET])
    first, second = published(harness, signed, 2)
    reader, sent = recorded(harness)

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, [first, second, "gone1234567"])

    # Then one videos.list call asked the statistics part of all three ids
    (request,) = sent
    assert request.url.path.endswith("/www.googleapis.com/youtube/v3/videos")
    assert request.url.params["part"] == "statistics"
    assert request.url.params["id"].split(",") == [first, second, "gone1234567"]
    # And the two videos have figures, the deleted one says it is gone
    assert insights[first].available
    assert insights[second].available
    assert not insights["gone1234567"].available
    assert "no longer has" in (insights["gone1234567"].reason or "")


def test_youtube_insights__statistics__mapped_to_views_likes_comments(harness: PublishHarness) -> None:
    # Given a video whose statistics on YouTube are set
    signed, _ = signed_in(harness, catalog()[NET])
    (video,) = published(harness, signed, 1)
    harness.set_figures(NET, video, {"viewCount": 900, "likeCount": 40, "commentCount": 7})

    # When its insights are read
    insight = harness.insights(NET).post_insights(signed.account, signed.token, [video])[video]

    # Then YouTube's figures are kept under its names and mapped; what YouTube does not report stays None
    assert insight.native == {"views": 900, "likes": 40, "comments": 7}
    assert insight.metrics.video_views == 900
    assert insight.metrics.likes == 40
    assert insight.metrics.comments == 7
    assert insight.metrics.engagement == 47
    assert insight.metrics.impressions is None
    assert insight.metrics.shares is None


def test_youtube_insights__likes_hidden__likes_not_reported_rather_than_zero() -> None:
    # Given YouTube answering a video's statistics without likeCount (the owner hides likes)
    def answer(request: httpx.Request) -> httpx.Response:
        statistics = {"viewCount": "12", "favoriteCount": "0", "commentCount": "3"}
        return httpx.Response(200, json={"items": [{"kind": "youtube#video", "id": "abc", "statistics": statistics}]})

    reader = Insights(NetworkHttp(http=httpx.Client(transport=httpx.MockTransport(answer)), emulator=""))
    account = PublishAccount(id="acc_1", external_id="UC1", type="channel", username="c", instance=None, metadata={})

    # When its insights are read
    insight = reader.post_insights(account, "token", ["abc"])["abc"]

    # Then likes are unknown (None), not 0, and the deprecated favoriteCount is not kept
    assert insight.metrics.likes is None
    assert insight.native == {"views": 12, "comments": 3}
    assert insight.metrics.engagement == 3


def test_youtube_insights__daily_quota_spent__retried_after_the_quota_resets(harness: PublishHarness) -> None:
    # Given a video, and YouTube answering 403 quotaExceeded (the project's daily quota is spent)
    signed, _ = signed_in(harness, catalog()[NET])
    (video,) = published(harness, signed, 1)
    message = "The request cannot be completed because you have exceeded your quota."
    error = {"message": message, "domain": "youtube.quota", "reason": "quotaExceeded"}
    harness.fault(NET, "insights", 403, body={"error": {"code": 403, "message": message, "errors": [error]}})

    # When its insights are read
    with pytest.raises(Retryable) as raised:
        harness.insights(NET).post_insights(signed.account, signed.token, [video])

    # Then it is a rate limit to retry once the quota is back (within a day), not a permanent refusal
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 24 * 3600


@pytest.mark.parametrize(
    ("now", "wait"),
    [
        (datetime(2026, 1, 10, 7, 59, tzinfo=UTC), 60.0),
        (datetime(2026, 1, 10, 8, 0, tzinfo=UTC), 24 * 3600.0),
        (datetime(2026, 1, 10, 20, 0, tzinfo=UTC), 12 * 3600.0),
    ],
)
def test_youtube_insights__quota_reset__next_midnight_pacific_never_earlier(now: datetime, wait: float) -> None:
    # Given the time a quota error came, when the wait is computed, then it ends at 08:00 UTC (midnight PST)
    assert until_quota_reset(now) == wait


def test_youtube_insights__the_channel__subscribers_views_and_videos(harness: PublishHarness) -> None:
    # Given a channel whose statistics are set
    signed, _ = signed_in(harness, catalog()[NET])
    harness.set_figures(NET, signed.account.external_id, {"subscriberCount": 310, "viewCount": 9000, "videoCount": 12})
    reader, sent = recorded(harness)

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then a channels.list call of the statistics part, and the figures as followers and posts
    request = sent[0]
    assert request.url.path.endswith("/youtube/v3/channels")
    assert dict(request.url.params) == {"part": "statistics", "mine": "true"}
    assert insight.native == {"subscribers": 310, "views": 9000, "videos": 12}
    assert (insight.followers, insight.posts, insight.following) == (310, 12, None)


def with_analytics_scope(harness: PublishHarness, signed: Signed) -> None:
    """Give the signed-in token the scopes the catalog asks for, as the connect flow does."""
    with harness.emulator.state.lock:
        family = next(f for f in harness.emulator.state.families if signed.token in f.access_tokens)
        family.scope = " ".join(catalog()[NET].auth.scopes)


def test_youtube_insights__the_channel__viewer_demographics_from_youtube_analytics(harness: PublishHarness) -> None:
    # Given a channel connected with the catalog's scopes (yt-analytics.readonly among them)
    assert "https://www.googleapis.com/auth/yt-analytics.readonly" in catalog()[NET].auth.scopes
    signed, _ = signed_in(harness, catalog()[NET])
    with_analytics_scope(harness, signed)
    harness.set_figures(NET, signed.account.external_id, {"subscriberCount": 310, "viewCount": 9000, "videoCount": 12})
    reader, sent = recorded(harness)

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then YouTube Analytics was asked for the viewer percentages by age and gender, and views by country
    viewers, countries = sent[1:]
    for request in (viewers, countries):
        assert request.url.path.endswith("/youtubeanalytics.googleapis.com/v2/reports")
        assert request.url.params["ids"] == "channel==MINE"
        assert request.url.params["startDate"] < request.url.params["endDate"]
    assert (viewers.url.params["metrics"], viewers.url.params["dimensions"]) == ("viewerPercentage", "ageGroup,gender")
    assert (countries.url.params["metrics"], countries.url.params["dimensions"]) == ("views", "country")
    assert countries.url.params["sort"] == "-views"
    # And each age group and gender is the sum of its combinations' percentages
    rows = _report(harness, signed, viewers)["rows"]
    demographics = insight.demographics
    assert demographics is not None
    assert demographics.age_groups["18-24"] == round(sum(r[2] for r in rows if r[0] == "age18-24"), 1)
    assert demographics.age_groups["65+"] == round(sum(r[2] for r in rows if r[0] == "age65-"), 1)
    assert demographics.genders["female"] == round(sum(r[2] for r in rows if r[1] == "female"), 1)
    assert set(demographics.genders) == {"female", "male", "user_specified"}
    # And the five countries with most views, in percent of all the views
    views = _report(harness, signed, countries)["rows"]
    total = sum(r[1] for r in views)
    assert [loc["country"] for loc in demographics.top_locations] == [r[0] for r in views[:5]]
    assert demographics.top_locations[0]["percentage"] == round(100 * views[0][1] / total, 1)
    # And the channel's counts are as before, demographics not among the native figures
    assert insight.native == {"subscribers": 310, "views": 9000, "videos": 12}


def _report(harness: PublishHarness, signed: Signed, request: httpx.Request) -> dict[str, Any]:
    """The emulated YouTube Analytics answer to the reader's request, asked again."""
    answer: dict[str, Any] = httpx.get(request.url, headers={"Authorization": f"Bearer {signed.token}"}).json()
    return answer


def test_youtube_insights__token_without_analytics_scope__no_demographics_channel_read(
    harness: PublishHarness,
) -> None:
    # Given a channel connected before yt-analytics.readonly was asked for (YouTube Analytics answers 403)
    scopes = [s for s in catalog()[NET].auth.scopes if not s.endswith("/yt-analytics.readonly")]
    signed = harness.sign_in(NET, scope=" ".join(scopes))
    harness.set_figures(NET, signed.account.external_id, {"subscriberCount": 310, "viewCount": 9000, "videoCount": 12})

    # When the account's insights are read
    insight = harness.insights(NET).account_insights(signed.account, signed.token)

    # Then the channel is read with its subscribers, and no demographics rather than a failure
    assert insight.available
    assert insight.followers == 310
    assert insight.demographics is None
