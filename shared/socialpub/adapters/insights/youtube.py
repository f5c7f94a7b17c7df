"""YouTube Data API v3 (developers.google.com/youtube/v3/docs/videos/list, /docs/channels/list): a video's
public statistics and the channel's.

- posts: ``GET /youtube/v3/videos?part=statistics&id=a,b,...`` (at most 50 ids a call; videos YouTube no
  longer has are left out of ``items``) -> ``statistics``: ``viewCount`` -> video_views, ``likeCount`` ->
  likes, ``commentCount`` -> comments (counts come as strings; ``likeCount`` is absent where the owner hides
  it, ``commentCount`` where comments are off). ``favoriteCount`` is deprecated (always 0) and not kept.
  The Data API reports no impressions, reach or clicks (those are YouTube Analytics figures).
- account: ``GET /youtube/v3/channels?part=statistics&mine=true`` -> ``subscriberCount`` (absent when
  ``hiddenSubscriberCount``), ``viewCount``, ``videoCount``.

Each read costs 1 quota unit. A ``quotaExceeded`` 403 (the project's daily quota is spent) is retried
after the quota resets, at midnight Pacific time; the other errors are the publisher's (``classify``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.publishers.youtube import API
from socialpub.adapters.publishers.youtube import classify as publisher_classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, PublishFailure, Retryable

BATCH = 50
GONE = "YouTube no longer has this video (deleted by its owner, or removed by YouTube)"
POST_FIGURES = (("views", "viewCount"), ("likes", "likeCount"), ("comments", "commentCount"))
ACCOUNT_FIGURES = (("subscribers", "subscriberCount"), ("views", "viewCount"), ("videos", "videoCount"))
# YouTube's daily quota resets at midnight Pacific time: 08:00 UTC in winter, 07:00 UTC in summer.
# Waiting for 08:00 UTC is at most an hour late and never early.
QUOTA_RESET_UTC_HOUR = 8


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """A spent daily quota is a rate limit for reads (the collector comes back once it resets), not the
    permanent refusal it is for an upload."""
    error = body.get("error") if isinstance(body, dict) else None
    errors = error.get("errors") if isinstance(error, dict) else None
    reasons = {str(e.get("reason")) for e in errors or [] if isinstance(e, dict)}
    if reasons & {"quotaExceeded", "dailyLimitExceeded"}:
        status = response.status_code
        return Retryable(
            f"YouTube answered {status}: {message}" if message else f"YouTube answered {status}",
            code="RATE_LIMITED",
            network_message=message,
            status=status,
            retry_after=until_quota_reset(datetime.now(UTC)),
        )
    return publisher_classify(response, body, message)


def until_quota_reset(now: datetime) -> float:
    reset = now.replace(hour=QUOTA_RESET_UTC_HOUR, minute=0, second=0, microsecond=0)
    if reset <= now:
        reset += timedelta(days=1)
    return (reset - now).total_seconds()


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        answer = self._http.json(
            "GET",
            f"{API}/youtube/v3/videos",
            params={"part": "statistics", "id": ",".join(post_ids)},  # maxResults does not go with id
            headers={"Authorization": f"Bearer {token}"},
            classify=classify,
        )
        found = {str(v["id"]): v for v in answer.get("items") or [] if isinstance(v, dict) and "id" in v}
        return {
            post_id: _insight(found[post_id]) if post_id in found else PostInsight.unavailable(GONE)
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer = self._http.json(
            "GET",
            f"{API}/youtube/v3/channels",
            params={"part": "statistics", "mine": "true"},
            headers={"Authorization": f"Bearer {token}"},
            classify=classify,
        )
        channel = next((c for c in answer.get("items") or [] if isinstance(c, dict)), None)
        if channel is None:
            return AccountInsight.unavailable("YouTube has no channel for this account")
        native = _counts(channel.get("statistics"), ACCOUNT_FIGURES)
        return AccountInsight(followers=native.get("subscribers"), posts=native.get("videos"), native=native)


def _counts(statistics: Any, names: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """YouTube's counts (unsigned longs sent as strings), under our names; absent ones left out."""
    if not isinstance(statistics, dict):
        return {}
    counts = {}
    for name, key in names:
        try:
            counts[name] = int(statistics[key])
        except (KeyError, TypeError, ValueError):
            continue
    return counts


def _insight(video: dict[str, Any]) -> PostInsight:
    native = _counts(video.get("statistics"), POST_FIGURES)
    metrics = PostMetrics(video_views=native.get("views"), likes=native.get("likes"), comments=native.get("comments"))
    return PostInsight(metrics=metrics.completed(), native=native)
