"""Domain errors. Each carries a stable machine-readable code; api/main/errors.py maps them to HTTP once."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "ERROR"
    default_message = "The request could not be completed"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "VALIDATION_ERROR"
    default_message = "The request is invalid"


class Unauthenticated(DomainError):
    code = "UNAUTHORIZED"
    default_message = "A valid API key is required"


class PermissionDenied(DomainError):
    code = "FORBIDDEN"
    default_message = "This API key lacks the permission this operation needs"


class NotFound(DomainError):
    code = "NOT_FOUND"
    default_message = "The resource was not found"


class WorkspaceNotFound(NotFound):
    code = "WORKSPACE_NOT_FOUND"
    default_message = "Workspace not found"


class ApiKeyNotFound(NotFound):
    code = "API_KEY_NOT_FOUND"
    default_message = "API key not found"


class Conflict(DomainError):
    code = "CONFLICT"
    default_message = "The resource is not in a state that allows this operation"


class ApprovalPending(Conflict):
    """A connect waiting for the user (a Farcaster signer not approved in Warpcast yet): ask again later."""

    code = "APPROVAL_PENDING"
    default_message = "The user has not approved this connect yet"


class DamagedItem(Conflict):
    """A stored item that no longer matches its model (written by an older version, or by hand):
    reading it alone says so; lists leave it out, so one bad item does not take the others down."""

    code = "DAMAGED_ITEM"
    default_message = "This item is stored in a form that can no longer be read; an operator must repair or remove it"

    def __init__(self, kind: str, item_id: str | None, fields: list[str]) -> None:
        super().__init__(
            f"This {kind} is stored in a form that can no longer be read (fields: {', '.join(fields) or 'unknown'}); "
            "an operator must repair or remove it",
            details={"kind": kind, "id": item_id, "fields": fields},
        )


class RateLimited(DomainError):
    code = "RATE_LIMIT_EXCEEDED"
    default_message = "Rate limit exceeded"

    def __init__(self, *, limit: int, reset_at: int, retry_after: int) -> None:
        super().__init__(
            f"Rate limit of {limit} requests per minute exceeded; retry in {retry_after} s",
            details={"limit": limit, "retry_after": retry_after, "reset": reset_at},
        )
        self.retry_after = retry_after


class DependencyUnavailable(DomainError):
    """A backing service (database, queue) failed; the client may retry."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "A backing service is temporarily unavailable; retry shortly"


class QuotaExceeded(DomainError):
    """A limit of the workspace's plan (domain/quotas.py) is reached: the request would go past it."""

    code = "PLAN_LIMIT_REACHED"
    default_message = "A limit of this workspace's plan is reached"
