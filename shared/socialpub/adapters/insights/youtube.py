"""YouTube Data API v3 (developers.google.com/youtube/v3/docs/videos/list, /docs/channels/list): a video's
public statistics and the channel's.

- posts: ``GET /youtube/v3/videos?part=statistics&id=a,b,...`` (at most 50 ids a call; videos YouTube no
  longer has are left out of ``items``) -> ``statistics``: ``viewCount`` -> video_views, ``likeCount`` ->
  likes, ``commentCount`` -> comments (counts come as strings; ``likeCount`` is absent where the owner hides
  it, ``commentCount`` where comments are off). ``favoriteCount`` is deprecated (always 0) and not kept.
  The Data API reports no impressions, reach or clicks (those are YouTube Analytics figures).
- account: ``GET /youtube/v3/channels?part=statistics&mine=true`` -> ``subscriberCount`` (absent when
  ``hiddenSubscriberCount``), ``viewCount``, ``videoCount``.

- demographics, with the account (daily), from the YouTube Analytics API
  (developers.google.com/youtube/analytics/reference/reports/query, scope ``yt-analytics.readonly``) over
  the last 28 days: ``GET https://youtubeanalytics.googleapis.com/v2/reports?ids=channel==MINE
  &metrics=viewerPercentage&dimensions=ageGroup,gender&startDate&endDate`` -> rows ``[ageGroup, gender,
  percent]``, summed per age group (``age18-24`` -> ``18-24``, ``age65-`` -> ``65+``) and per gender
  (``female``, ``male``, ``user_specified``); ``metrics=views&dimensions=country&sort=-views`` -> rows
  ``[country, views]``: every country is asked (not ``maxResults=5``) so that the five largest are
  percentages of all the views, not of the top five's. A 403 (an account connected before the scope was
  asked for) or any failure of these calls: no demographics (None); the channel's counts are kept.
  Demographics stay out of ``native``.

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
from socialpub.domain.analytics import AccountInsight, Demographics, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, PublishFailure, Retryable

BATCH = 50
ANALYTICS = "https://youtubeanalytics.googleapis.com/v2/reports"
DEMOGRAPHICS_DAYS = 28  # YouTube Studio's default period
TOP_COUNTRIES = 5
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
        return AccountInsight(
            followers=native.get("subscribers"),
            posts=native.get("videos"),
            native=native,
            demographics=self._demographics(token),
        )

    def _demographics(self, token: str) -> Demographics | None:
        """Viewers' ages, genders and top countries; None when YouTube Analytics gives none (the token
        lacks its scope) or a call fails, so that the channel's counts read before are not lost."""
        end = datetime.now(UTC).date()
        period = {
            "ids": "channel==MINE",
            "startDate": str(end - timedelta(days=DEMOGRAPHICS_DAYS)),
            "endDate": str(end),
        }
        auth = {"Authorization": f"Bearer {token}"}
        try:
            viewers = self._http.json(
                "GET",
                ANALYTICS,
                params={**period, "metrics": "viewerPercentage", "dimensions": "ageGroup,gender"},
                headers=auth,
                classify=classify,
            )
            countries = self._http.json(
                "GET",
                ANALYTICS,
                params={**period, "metrics": "views", "dimensions": "country", "sort": "-views"},
                headers=auth,
                classify=classify,
            )
        except PublishFailure:
            return None
        ages: dict[str, float] = {}
        genders: dict[str, float] = {}
        for row in _rows(viewers, 3):
            age = str(row[0]).removeprefix("age")
            age = f"{age[:-1]}+" if age.endswith("-") else age
            ages[age] = ages.get(age, 0.0) + float(row[2])
            genders[str(row[1])] = genders.get(str(row[1]), 0.0) + float(row[2])
        views = {str(row[0]): int(row[1]) for row in _rows(countries, 2)}
        total = sum(views.values())
        top = sorted(views.items(), key=lambda item: -item[1])[:TOP_COUNTRIES] if total else []
        if not (ages or genders or top):
            return None
        return Demographics(
            age_groups={k: round(v, 1) for k, v in ages.items()},
            genders={k: round(v, 1) for k, v in genders.items()},
            top_locations=[{"country": c, "percentage": round(100 * n / total, 1)} for c, n in top],
        )


def _rows(answer: Any, width: int) -> list[list[Any]]:
    """A result table's rows of ``width`` cells whose last cell is a number."""
    rows = answer.get("rows") if isinstance(answer, dict) else None
    return [
        row
        for row in rows or []
        if isinstance(row, list)
        and len(row) == width
        and isinstance(row[-1], int | float)
        and not isinstance(row[-1], bool)
    ]


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
