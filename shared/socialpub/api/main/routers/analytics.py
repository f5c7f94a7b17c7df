"""Analytics (X-Workspace-ID): the workspace's figures over a period (/api/analytics), one post's
(/api/posts/{id}/analytics, and a refresh that reads them now), one account's
(/api/accounts/{id}/analytics). All of it is what the analytics collector stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from socialpub.api.container import ContainerDep
from socialpub.api.main.auth import workspace_scope
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.schemas.analytics import AccountAnalyticsData, PostAnalyticsData, WorkspaceAnalyticsData
from socialpub.config import AnalyticsSettings
from socialpub.domain.permissions import Permission
from socialpub.domain.services import analytics as service
from socialpub.domain.services import collector

SETTINGS = AnalyticsSettings
PREFIXES = ("/api/analytics", "/api/posts/{post_id}/analytics", "/api/accounts/{account_id}/analytics")
router = APIRouter(tags=["analytics"], responses=ERROR_RESPONSES)

Reader = Annotated[str, workspace_scope(Permission.ANALYTICS_READ)]

# The query of every analytics route over a period (from/to as the post listing reads them).
From = Annotated[
    str | None,
    Query(
        alias="from",
        max_length=64,
        description="ISO 8601 date or date-time (a date: its first instant); default: 30 days before `to`",
    ),
]
To = Annotated[
    str | None,
    Query(max_length=64, description="ISO 8601 date or date-time (a date: its whole day, inclusive); default: now"),
]


@router.get("/api/analytics")
def workspace_analytics(
    workspace_id: Reader,
    c: ContainerDep,
    from_: From = None,
    to: To = None,
    platform: Annotated[str | None, Query(max_length=40, description="A network of the catalog")] = None,
    granularity: Annotated[
        service.Granularity | None, Query(description="Timeline buckets; default: day (hour: up to 31 days)")
    ] = None,
) -> Envelope[WorkspaceAnalyticsData]:
    """Figures of the posts published in the period (at most 366 days), per network and over time,
    the top posts, and the audience of the workspace's accounts. Engagement rate: engagement /
    impressions x 100, two decimals; a figure no network reports is null."""
    query = service.PeriodQuery(start=from_, end=to, platform=platform, granularity=granularity)
    return ok(WorkspaceAnalyticsData.of(service.workspace_analytics(c.analytics_deps, workspace_id, query)))


@router.get("/api/posts/{post_id}/analytics")
def post_analytics(post_id: str, workspace_id: Reader, c: ContainerDep) -> Envelope[PostAnalyticsData]:
    """What each network reports about the published post (its own figures under its own names),
    their sums, and their course over time. Engagement rate: engagement / impressions x 100, two
    decimals; a figure no network reports is null; a network that gives no figures for this kind of
    post says ``available: false`` with the reason."""
    return ok(PostAnalyticsData.of(service.post_analytics(c.analytics_deps, workspace_id, post_id)))


@router.post("/api/posts/{post_id}/analytics/refresh")
def refresh_post_analytics(post_id: str, workspace_id: Reader, c: ContainerDep) -> Envelope[PostAnalyticsData]:
    """Read the post's figures from its networks now (at most once a minute per post: 429 with
    Retry-After otherwise), then answer as GET /api/posts/{id}/analytics. A network that fails
    keeps its earlier figures; its error shows in its ``by_platform`` entry."""
    collector.refresh_post(c.collector_deps, workspace_id, post_id)
    return ok(PostAnalyticsData.of(service.post_analytics(c.analytics_deps, workspace_id, post_id)))


@router.get("/api/accounts/{account_id}/analytics")
def account_analytics(
    account_id: str, workspace_id: Reader, c: ContainerDep, from_: From = None, to: To = None
) -> Envelope[AccountAnalyticsData]:
    """One account's followers (latest, and one point per day read in the period), its audience
    where the network gives it, and the figures of its posts published in the period, by day."""
    query = service.PeriodQuery(start=from_, end=to)
    return ok(AccountAnalyticsData.of(service.account_analytics(c.analytics_deps, workspace_id, account_id, query)))
