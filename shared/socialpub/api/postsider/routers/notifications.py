"""GET /public/v1/notifications: the workspace's lifecycle events of the last 30 days, newest first,
100 to a page, in Postiz's shape (wire contract 2.8; domain/services/notifications.py words them).

postiz-agent requires every top-level field (``notifications, total, page, limit, hasMore``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from socialpub.api.container import ContainerDep
from socialpub.api.postsider.auth import Organisation, requires
from socialpub.domain.permissions import Permission
from socialpub.domain.services import notifications as service

router = APIRouter(tags=["postsider"])


def instant(moment: datetime) -> str:
    """Postiz's timestamps: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Notification(BaseModel):
    id: str
    content: str
    link: str | None
    createdAt: str  # Postiz's field name

    @classmethod
    def of(cls, n: service.Notification) -> Notification:
        return cls(id=n.id, content=n.content, link=n.link, createdAt=instant(n.created_at))


class Notifications(BaseModel):
    notifications: list[Notification]
    total: int
    page: int
    limit: int
    hasMore: bool  # Postiz's field name


@router.get("/notifications")
def list_notifications(
    c: ContainerDep,
    org: Organisation = requires(Permission.WORKSPACES_READ),
    page: Annotated[int, Query(ge=0, description="From 0")] = 0,
) -> Notifications:
    """The workspace's activity (its posts and its channels), hence ``workspaces.read``."""
    found = service.notifications(c.postsider_notification_deps, org.workspace_id, page)
    return Notifications(
        notifications=[Notification.of(n) for n in found.notifications],
        total=found.total,
        page=found.page,
        limit=found.limit,
        hasMore=found.has_more,
    )
