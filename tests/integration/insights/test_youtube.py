"""YouTube's insights reader against the emulated Data API (videos.list and channels.list statistics)."""

from __future__ import annotations

from datetime import UTC, datetime

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

    # Then one channels.list call of the statistics part, and the figures as followers and posts
    (request,) = sent
    assert request.url.path.endswith("/youtube/v3/channels")
    assert dict(request.url.params) == {"part": "statistics", "mine": "true"}
    assert insight.native == {"subscribers": 310, "views": 9000, "videos": 12}
    assert (insight.followers, insight.posts, insight.following) == (310, 12, None)
