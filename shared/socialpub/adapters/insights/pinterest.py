"""Pinterest API v5 (developers.pinterest.com/docs/api/v5/pins-analytics, /user_account-get): a Pin's
analytics and the account's counts.

- posts: ``GET /v5/pins/{pin_id}/analytics?start_date&end_date&metric_types=...`` -- one Pin a call (the
  multi-Pin read is a beta most apps do not get). The window is the last 90 days (the furthest back
  Pinterest goes), which covers a Pin's whole life while it is collected (30 days). Under ``all``:
  ``summary_metrics`` (the period's sums) and ``lifetime_metrics``:
  ``IMPRESSION`` -> impressions, ``SAVE`` -> saves, ``PIN_CLICK`` + ``OUTBOUND_CLICK`` -> clicks,
  ``VIDEO_MRC_VIEW`` -> video_views, ``TOTAL_REACTIONS`` -> likes, ``TOTAL_COMMENTS`` -> comments. Pinterest
  reports no reach or shares. A Pin Pinterest no longer has: 404 (code 50 "Pin not found.").
- account: ``GET /v5/user_account`` -> ``follower_count``, ``following_count``, ``pin_count``,
  ``monthly_views`` (``board_count`` counts boards, not audience, and is left out).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from socialpub.adapters.insights import OnePostPerCall
from socialpub.adapters.publishers.pinterest import classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

API = "https://api.pinterest.com/v5"
WINDOW_DAYS = 89  # start_date may be at most 90 days back: the 90 days ending today
GONE = "Pinterest no longer has this Pin (deleted, or removed by Pinterest)"
POST_FIGURES = (
    ("impressions", "IMPRESSION"),
    ("saves", "SAVE"),
    ("pin_clicks", "PIN_CLICK"),
    ("outbound_clicks", "OUTBOUND_CLICK"),
    ("video_views", "VIDEO_MRC_VIEW"),
    ("comments", "TOTAL_COMMENTS"),
    ("reactions", "TOTAL_REACTIONS"),
)
ACCOUNT_FIGURES = (
    ("followers", "follower_count"),
    ("following", "following_count"),
    ("pins", "pin_count"),
    ("monthly_views", "monthly_views"),
)


class Insights(OnePostPerCall):
    GONE = GONE

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight:
        today = datetime.now(UTC).date()
        answer = self._http.json(
            "GET",
            f"{API}/pins/{post_id}/analytics",
            params={
                "start_date": (today - timedelta(days=WINDOW_DAYS)).isoformat(),
                "end_date": today.isoformat(),
                "metric_types": ",".join(key for _, key in POST_FIGURES),
                "app_types": "ALL",
                "split_field": "NO_SPLIT",
            },
            headers={"Authorization": f"Bearer {token}"},
            classify=classify,
        )
        every = answer.get("all") if isinstance(answer, dict) else None
        if not isinstance(every, dict):
            return PostInsight.unavailable("Pinterest reported no analytics for this Pin")
        reported = {**_dict(every.get("summary_metrics")), **_dict(every.get("lifetime_metrics"))}
        native = {name: int(reported[key]) for name, key in POST_FIGURES if _count(reported.get(key))}
        clicks = [native[name] for name in ("pin_clicks", "outbound_clicks") if name in native]
        metrics = PostMetrics(
            impressions=native.get("impressions"),
            saves=native.get("saves"),
            clicks=sum(clicks) if clicks else None,
            video_views=native.get("video_views"),
            likes=native.get("reactions"),
            comments=native.get("comments"),
        )
        return PostInsight(metrics=metrics.completed(), native=native)

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer = self._http.json(
            "GET", f"{API}/user_account", headers={"Authorization": f"Bearer {token}"}, classify=classify
        )
        found = _dict(answer)
        native = {name: int(found[key]) for name, key in ACCOUNT_FIGURES if _count(found.get(key))}
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("following"),
            posts=native.get("pins"),
            native=native,
        )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> bool:
    """A figure Pinterest reported (metrics come as numbers, sometimes floats of whole counts)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
