"""API key management use-cases (the CLI now, the admin plane's /admin/keys later)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from socialpub.domain.api_keys import ApiKey, KeyHash, issue_key
from socialpub.domain.errors import InvalidInput
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from socialpub.domain.ports import ApiKeyRepository, Clock
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
