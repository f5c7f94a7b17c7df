"""API key management use-cases (the CLI and the admin plane's /admin/keys).

Rotation gives a key a new secret under the same id; the old secret keeps working for 24 hours
from that moment and then stops, whatever happens meanwhile (another rotation does not extend it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from socialpub.domain.api_keys import ApiKey, KeyHash, issue_key
from socialpub.domain.audit import Actor, AuditEntry
from socialpub.domain.errors import ApiKeyNotFound, Conflict, InvalidInput
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from socialpub.domain.ports import ApiKeyRepository, AuditLog, Clock, UsagePlans
from socialpub.domain.records import changed
from socialpub.domain.tiers import Tier

# Binds a new key to its tier's usage plan and returns the metering key (deployed stacks only).
Meter = Callable[[str, Tier], str]


def create_api_key(
    *,
    name: str,
    tier: Tier,
    repo: ApiKeyRepository,
    clock: Clock,
    permissions: Iterable[Permission] = ALL_PERMISSIONS,
    workspaces: Iterable[str] = (),
    meter: Meter | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns the stored record and the plaintext, which is never available again."""
    if not name.strip() or len(name) > 100:
        raise InvalidInput("A key name of 1 to 100 characters is required", details={"field": "name"})
    issued = issue_key()
    key = ApiKey(
        id=issued.key_id,
        name=name.strip(),
        tier=tier,
        permissions=frozenset(permissions),
        workspaces=frozenset(workspaces),
        hashes=(KeyHash(hash=issued.hash),),
        prefix=issued.prefix,
        created_at=clock(),
        metering_key=meter(issued.key_id, tier) if meter else None,
    )
    repo.create(key)
    return key, issued.plaintext


ROTATION_GRACE = timedelta(hours=24)


@dataclass
class KeyAdmin:
    keys: ApiKeyRepository
    plans: UsagePlans | None  # None where there is no API Gateway (the local stack without plans)
    audit: AuditLog
    clock: Clock


class KeyChanges(BaseModel):
    name: str | None = None
    tier: Tier | None = None
    permissions: list[Permission] | None = None


def get_key(admin: KeyAdmin, key_id: str) -> ApiKey:
    key = admin.keys.get(key_id)
    if key is None:
        raise ApiKeyNotFound(details={"key_id": key_id})
    return key


def create_key(
    admin: KeyAdmin,
    actor: Actor,
    *,
    name: str,
    tier: Tier,
    permissions: Iterable[Permission],
    workspaces: Iterable[str],
) -> tuple[ApiKey, str]:
    key, plaintext = create_api_key(
        name=name,
        tier=tier,
        repo=admin.keys,
        clock=admin.clock,
        permissions=permissions,
        workspaces=workspaces,
        meter=admin.plans.bind if admin.plans else None,
    )
    details = {"key_name": key.name, "tier": tier.value, "workspaces": sorted(key.workspaces)}
    admin.audit.record(AuditEntry.of(actor, "api_key.created", "api_key", key.id, admin.clock(), **details))
    return key, plaintext


def rotate_key(admin: KeyAdmin, actor: Actor, key_id: str) -> tuple[ApiKey, str, datetime]:
    """A new secret; the current one keeps working for 24 hours. (new key, plaintext, old expiry)"""
    previous = get_key(admin, key_id)
    if not previous.is_active:
        raise Conflict("A revoked key cannot be rotated", details={"key_id": key_id})
    now = admin.clock()
    old_expires = now + ROTATION_GRACE
    issued = issue_key(key_id)
    kept = [
        h if h.expires_at is not None else KeyHash(hash=h.hash, expires_at=old_expires)
        for h in previous.hashes
        if h.expires_at is None or h.expires_at > now
    ]
    key = previous.model_copy(update={"hashes": (KeyHash(hash=issued.hash), *kept), "prefix": issued.prefix})
    admin.keys.save(key, previous)
    entry = AuditEntry.of(actor, "api_key.rotated", "api_key", key.id, now, old_key_expires_at=old_expires.isoformat())
    admin.audit.record(entry)
    return key, issued.plaintext, old_expires


def update_key(admin: KeyAdmin, actor: Actor, key_id: str, changes: KeyChanges) -> ApiKey:
    """A new tier moves the key to that tier's usage plan (throttle and quota) and rate limit."""
    previous = get_key(admin, key_id)
    update = changes.model_dump(exclude_unset=True)
    if "name" in update:
        if not (changes.name or "").strip() or len(changes.name or "") > 100:
            raise InvalidInput("A key name of 1 to 100 characters is required", details={"field": "name"})
        update["name"] = (changes.name or "").strip()
    key = changed(previous, update)
    if changes.tier is not None and changes.tier is not previous.tier and admin.plans is not None:
        admin.plans.move(key.id, previous.tier, changes.tier)
    admin.keys.save(key, previous)
    details: dict[str, object] = {"changed": sorted(changes.model_dump(exclude_unset=True))}
    if "tier" in update:
        details.update(old_tier=previous.tier.value, new_tier=key.tier.value)
    admin.audit.record(AuditEntry.of(actor, "api_key.updated", "api_key", key.id, admin.clock(), **details))
    return key


def revoke_key(admin: KeyAdmin, actor: Actor, key_id: str) -> None:
    """The key and its rotated-out secrets stop working at once."""
    key = get_key(admin, key_id)
    admin.keys.revoke(key_id)
    if admin.plans is not None:
        admin.plans.disable(key_id)
    admin.audit.record(AuditEntry.of(actor, "api_key.revoked", "api_key", key.id, admin.clock(), key_name=key.name))
