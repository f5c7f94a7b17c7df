"""Who is calling: API key authentication and the checks every main-API route applies.

The Lambda authorizer and the local stack both call ``authenticate``; routes then call
``require_permission`` and ``require_workspace`` on the resulting principal.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from socialpub.domain.api_keys import key_id_of
from socialpub.domain.errors import DamagedItem, InvalidInput, PermissionDenied, Unauthenticated, WorkspaceNotFound
from socialpub.domain.permissions import Permission
from socialpub.domain.ports import ApiKeyRepository
from socialpub.domain.tiers import Tier


class Principal(BaseModel):
    """An authenticated API key, as the authorizer passes it on to the functions."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    tier: Tier
    permissions: frozenset[Permission]
    workspaces: frozenset[str]
    metering_key: str | None = None


def authenticate(presented: str | None, keys: ApiKeyRepository, now: datetime) -> Principal:
    if not presented:
        raise Unauthenticated("Missing API key: send it in the X-API-Key header")
    key_id = key_id_of(presented.strip())
    try:
        key = keys.get(key_id) if key_id else None
    except DamagedItem:  # logged where it was read; a key that cannot be read authenticates nobody
        key = None
    if key is None or not key.accepts(presented.strip(), now):
        raise Unauthenticated("Invalid, revoked or expired API key")
    return Principal(
        key_id=key.id,
        tier=key.tier,
        permissions=key.permissions,
        workspaces=key.workspaces,
        metering_key=key.metering_key,
    )


def require_permission(principal: Principal, permission: Permission) -> None:
    if permission not in principal.permissions:
        raise PermissionDenied(
            f"This API key lacks the '{permission}' permission",
            details={"required_permission": str(permission)},
        )


def require_workspace(principal: Principal, workspace_id: str) -> None:
    """A workspace outside the key's scope is reported exactly like one that does not exist."""
    if workspace_id not in principal.workspaces:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})


def chosen_workspace(principal: Principal, chosen: str | None) -> str:
    """The workspace a compatible surface's request acts on (PostSider's organisation, Publora's
    account): the one named in X-Workspace-ID (another tenant's is a 404, as on /api), else the key's
    only workspace; a key with several must name one."""
    if chosen:
        require_workspace(principal, chosen)
        return chosen
    if len(principal.workspaces) == 1:
        (only,) = principal.workspaces
        return only
    if not principal.workspaces:
        raise PermissionDenied("This API key is not scoped to any workspace")
    raise InvalidInput("This API key has several workspaces: send the X-Workspace-ID header to choose one")
