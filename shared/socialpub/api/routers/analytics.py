"""/api/analytics: the workspace's figures over a period (X-Workspace-ID). One post's figures are
served by the posts router (/api/posts/{id}/analytics), one account's by the accounts router."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from socialpub.api.auth import workspace_scope
from socialpub.api.container import ContainerDep
from socialpub.api.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.schemas.analytics import WorkspaceAnalyticsData
from socialpub.config import AnalyticsSettings
from socialpub.domain.permissions import Permission
from socialpub.domain.services import analytics as service

SETTINGS = AnalyticsSettings
router = APIRouter(prefix="/api/analytics", tags=["analytics"], responses=ERROR_RESPONSES)

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


@router.get("")
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
