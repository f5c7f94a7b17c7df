"""GET /public/v1/analytics/:integration and /analytics/post/:postId: what the analytics collector
stored (domain/services/analytics.py), as Postiz's AnalyticsData list (wire contract 2.7).

Postiz clients parse ``total`` as a string (postiz-agent rejects a number), so every total is one.
``percentageChange``: from the series' first point to its last, in percent, two decimals (0 when
there is nothing to compare: one point, or a first point of 0).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from socialpub.api.container import ContainerDep
from socialpub.api.postsider.auth import Organisation, requires
from socialpub.domain.accounts import AccountNotFound
from socialpub.domain.permissions import Permission
from socialpub.domain.services import analytics as service

router = APIRouter(tags=["postsider"])

LABELS = {
    "followers": "Followers",
    "impressions": "Impressions",
    "reach": "Reach",
    "engagement": "Engagement",
    "clicks": "Clicks",
    "likes": "Likes",
    "comments": "Comments",
    "shares": "Shares",
    "saves": "Saves",
    "video_views": "Video views",
}

Days = Annotated[
    int, Query(alias="date", ge=1, le=service.MAX_DAYS, description="How many days back, today included (Postiz's)")
]


class Point(BaseModel):
    total: str
    date: str


class AnalyticsData(BaseModel):
    label: str
    data: list[Point]
    percentageChange: float  # Postiz's field name

    @classmethod
    def of(cls, series: service.Series) -> AnalyticsData:
        first, last = series.points[0].value, series.points[-1].value
        change = round((last - first) * 100 / first, 2) if len(series.points) > 1 and first else 0.0
        return cls(
            label=LABELS.get(series.figure, series.figure),
            data=[Point(total=str(p.value), date=p.date) for p in series.points],
            percentageChange=change,
        )


@router.get("/analytics/post/{post_id}")
def post_analytics(
    post_id: str, c: ContainerDep, org: Organisation = requires(Permission.ANALYTICS_READ), days: Days = 7
) -> list[AnalyticsData]:
    """One series per figure the post's networks report, one point per day it was read. ``[]`` for
    a post that is unknown, not published or not read yet (as Postiz answers)."""
    return [
        AnalyticsData.of(s) for s in service.post_series(c.postsider_analytics_deps, org.workspace_id, post_id, days)
    ]


@router.get("/analytics/{integration}")
def channel_analytics(
    integration: str, c: ContainerDep, org: Organisation = requires(Permission.ANALYTICS_READ), days: Days = 7
) -> list[AnalyticsData]:
    """Followers on each day read, and the figures of the channel's posts by the day they were
    published. ``[]`` for a network that gives none; an unknown channel is 404 (Postiz: a 500)."""
    try:
        series = service.account_series(c.postsider_analytics_deps, org.workspace_id, integration, days)
    except AccountNotFound:
        raise AccountNotFound("Integration not found", details={"integration": integration}) from None
    return [AnalyticsData.of(s) for s in series]
