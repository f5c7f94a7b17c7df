"""The audit log: every admin-plane change and security event, who did it, from where. Entries are
only ever added; no route edits or deletes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from socialpub.domain.ids import new_id


class Actor(BaseModel):
    """Who acts, as the request shows it (no user for a failed login)."""

    user_id: str | None = None
    user_email: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None


class AuditEntry(BaseModel):
    id: str
    action: str  # e.g. auth.login, auth.login_failed, api_key.created, webhook.updated
    resource_type: str
    created_at: datetime
    user_id: str | None = None
    user_email: str | None = None
    resource_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    ip_address: str | None = None
    user_agent: str | None = None

    @classmethod
    def of(
        cls,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_id: str | None,
        at: datetime,
        **details: Any,
    ) -> AuditEntry:
        return cls(
            id=new_id("log"),
            user_id=actor.user_id,
            user_email=actor.user_email,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            details=details,
            ip_address=actor.ip_address,
            user_agent=(actor.user_agent or "")[:500] or None,
            created_at=at,
        )


class AuditFilter(BaseModel):
    user_id: str | None = None
    action: str | None = None
    start: datetime | None = None
    end: datetime | None = None
