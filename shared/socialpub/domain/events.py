"""Lifecycle events, recorded where the state changes (in the same write) for webhooks to deliver."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from socialpub.domain.ids import new_id

# How long a workspace's events are kept (and listed, e.g. as PostSider's notifications).
RETENTION = timedelta(days=30)


class EventType(StrEnum):
    POST_CREATED = "post.created"
    POST_SCHEDULED = "post.scheduled"
    POST_PUBLISHED = "post.published"
    POST_PARTIALLY_PUBLISHED = "post.partially_published"
    POST_FAILED = "post.failed"
    POST_DELETED = "post.deleted"
    ACCOUNT_CONNECTED = "account.connected"
    ACCOUNT_DISCONNECTED = "account.disconnected"
    ACCOUNT_EXPIRED = "account.expired"


class Event(BaseModel):
    id: str
    type: EventType
    workspace_id: str
    occurred_at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, type_: EventType, workspace_id: str, occurred_at: datetime, data: dict[str, Any]) -> Event:
        return cls(id=new_id("evt"), type=type_, workspace_id=workspace_id, occurred_at=occurred_at, data=data)
