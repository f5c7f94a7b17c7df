"""Pure rules: key format, id ordering, rate-limit windows, password hashing, settings validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from socialpub.domain.api_keys import ApiKey, KeyHash, issue_key, key_id_of
from socialpub.domain.ids import new_id, uuid7
from socialpub.domain.permissions import ALL_PERMISSIONS
from socialpub.domain.ratelimit import retry_after, window_start
from socialpub.domain.tiers import Tier
from socialpub.domain.users import hash_password, verify_password
from socialpub.domain.workspaces import WorkspaceSettings

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _key(*hashes: KeyHash, active: bool = True) -> ApiKey:
    return ApiKey(
        id="key_x",
        name="k",
        tier=Tier.STARTER,
        permissions=ALL_PERMISSIONS,
        hashes=hashes,
        prefix="pk_live_abc",
        created_at=NOW,
        is_active=active,
    )


def test_issued_key__prefixed_embeds_its_id_and_is_stored_as_hash_only() -> None:
    issued = issue_key()
    assert issued.plaintext.startswith("pk_live_")
    assert key_id_of(issued.plaintext) == issued.key_id
    assert issued.prefix == issued.plaintext[:11]
    assert issued.plaintext not in issued.hash
    assert len(issued.hash) == 64


@pytest.mark.parametrize("value", ["", "pk_live_", "pk_test_" + "a" * 44, "pk_live_" + "a" * 43, "pk_live_" + "é" * 44])
def test_key_id_of__rejects_values_that_cannot_be_keys(value: str) -> None:
    assert key_id_of(value) is None


def test_key_accepts__current_hash_and_unexpired_rotated_hash_only() -> None:
    current, old = issue_key(), issue_key()
    key = _key(KeyHash(hash=current.hash), KeyHash(hash=old.hash, expires_at=NOW + timedelta(hours=24)))
    assert key.accepts(current.plaintext, NOW)
    assert key.accepts(old.plaintext, NOW + timedelta(hours=23))
    assert not key.accepts(old.plaintext, NOW + timedelta(hours=25))
    assert not key.accepts(issue_key().plaintext, NOW)
    assert not _key(KeyHash(hash=current.hash), active=False).accepts(current.plaintext, NOW)


def test_uuid7_ids_sort_by_creation_time() -> None:
    ids = [new_id("ws") for _ in range(5000)]
    assert ids == sorted(ids)
    assert uuid7().version == 7


def test_rate_limit_windows() -> None:
    assert window_start(125.9) == 120
    assert retry_after(125.0) == 55
    assert retry_after(179.99) == 1


def test_password_hash__verifies_and_is_salted() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt$")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("wrong", stored)
    assert stored != hash_password("correct horse battery")
    assert not verify_password("x", "garbage")


def test_workspace_settings__iana_zones_and_hashtags() -> None:
    assert WorkspaceSettings(timezone="America/New_York", default_hashtags=["launch"]).default_hashtags == ["#launch"]
    with pytest.raises(ValidationError, match="IANA"):
        WorkspaceSettings(timezone="CEST")
    with pytest.raises(ValidationError, match="hashtag"):
        WorkspaceSettings(default_hashtags=["two words"])
