"""/admin/keys (part of the admin router, admin.py): API keys with tiers, rotation and
revocation. Needs the api_keys.manage permission (admin and editor roles)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from socialpub.api.admin.auth import ActorDep, admin_with
from socialpub.api.admin.errors import ERROR_RESPONSES
from socialpub.api.admin.schemas import (
    CreatedKey,
    CreatedKeyData,
    CreateKeyRequest,
    KeyData,
    KeyListData,
    KeyView,
    MessageData,
    RotatedKey,
    RotatedKeyData,
    UpdateKeyRequest,
)
from socialpub.api.container import ContainerDep
from socialpub.api.main.auth import forget_cached_authorizations
from socialpub.api.main.envelope import Envelope, ok
from socialpub.domain.admin_auth import AdminPermission
from socialpub.domain.permissions import ALL_PERMISSIONS
from socialpub.domain.services import keys as service

# Mounted at /admin/keys.
router = APIRouter(
    tags=["admin"], responses=ERROR_RESPONSES, dependencies=[admin_with(AdminPermission.API_KEYS_MANAGE)]
)


@router.get("")
def list_keys(c: ContainerDep) -> Envelope[KeyListData]:
    """Every key, with its requests today and this month (UTC)."""
    today = c.clock().date()
    keys = c.key_admin().keys.list()
    return ok(KeyListData(keys=[KeyView.of(k, c.request_counter.usage(k.id, today)) for k in keys]))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_key(body: CreateKeyRequest, actor: ActorDep, c: ContainerDep) -> Envelope[CreatedKeyData]:
    """A key for some workspaces (none: it creates its own), on a tier's usage plan; the key is shown
    this once."""
    key, plaintext = service.create_key(
        c.key_admin(),
        actor,
        name=body.name,
        tier=body.tier,
        permissions=body.permissions if body.permissions is not None else ALL_PERMISSIONS,
        workspaces=body.workspaces,
    )
    shown = CreatedKey(id=key.id, name=key.name, api_key=plaintext, tier=key.tier, created_at=key.created_at)
    return ok(CreatedKeyData(key=shown))


@router.get("/{key_id}")
def get_key(key_id: str, c: ContainerDep) -> Envelope[KeyData]:
    key = service.get_key(c.key_admin(), key_id)
    return ok(KeyData(key=KeyView.of(key, c.request_counter.usage(key.id, c.clock().date()))))


@router.put("/{key_id}")
def update_key(
    key_id: str, body: UpdateKeyRequest, actor: ActorDep, c: ContainerDep, request: Request
) -> Envelope[KeyData]:
    """Rename, change permissions, or move to another tier (and its usage plan)."""
    changes = service.KeyChanges.model_validate(body.model_dump(exclude_unset=True))
    key = service.update_key(c.key_admin(), actor, key_id, changes)
    forget_cached_authorizations(request, c)  # the cached principal holds the old tier and permissions
    return ok(KeyData(key=KeyView.of(key)))


@router.post("/{key_id}/rotate")
def rotate_key(key_id: str, actor: ActorDep, c: ContainerDep) -> Envelope[RotatedKeyData]:
    """A new key under the same id; the old one keeps working for 24 hours, then stops."""
    key, plaintext, old_expires = service.rotate_key(c.key_admin(), actor, key_id)
    return ok(RotatedKeyData(key=RotatedKey(id=key.id, new_api_key=plaintext, old_key_expires_at=old_expires)))


@router.delete("/{key_id}")
def revoke_key(key_id: str, actor: ActorDep, c: ContainerDep, request: Request) -> Envelope[MessageData]:
    """The key (and any rotated-out secret of it) stops working at once."""
    service.revoke_key(c.key_admin(), actor, key_id)
    forget_cached_authorizations(request, c)
    return ok(MessageData(message="API key revoked successfully"))
