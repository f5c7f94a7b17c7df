"""API keys: random, prefixed, shown once, stored only as SHA-256 hashes.

A key reads ``pk_live_<12-char id><32-char secret>``. The id part lets the authorizer fetch the one
record with a single GetItem and compare hashes in constant time; the 190 random bits of the secret
make an unsalted SHA-256 safe (there is nothing to brute-force).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from socialpub.domain.ids import is_base62, random_base62
from socialpub.domain.permissions import Permission
from socialpub.domain.tiers import Tier

KEY_PREFIX = "pk_live_"
_ID_LEN = 12
_SECRET_LEN = 32
DISPLAY_PREFIX_LEN = len(KEY_PREFIX) + 3  # "pk_live_abc", as the seed shows keys in listings


class KeyHash(BaseModel):
    """One accepted hash; a rotated-out hash keeps working until ``expires_at``."""

    model_config = ConfigDict(frozen=True)

    hash: str
    expires_at: datetime | None = None


class ApiKey(BaseModel):
    id: str
    name: str
    tier: Tier
    permissions: frozenset[Permission]
    workspaces: frozenset[str] = Field(default_factory=frozenset)
    hashes: tuple[KeyHash, ...]
    prefix: str
    is_active: bool = True
    created_at: datetime
    last_used_at: datetime | None = None
    # The value of the API Gateway key that meters this key against its tier's usage plan
    # (deployed stacks only). Not a credential: clients never send it.
    metering_key: str | None = None

    def accepts(self, plaintext: str, now: datetime) -> bool:
        candidate = hash_key(plaintext)
        matched = False
        for accepted in self.hashes:
            # Compare against every hash so timing does not tell which one matched.
            same = hmac.compare_digest(candidate, accepted.hash)
            if same and (accepted.expires_at is None or accepted.expires_at > now):
                matched = True
        return self.is_active and matched


class IssuedKey(BaseModel):
    """A freshly generated key: the plaintext exists only here, once."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    plaintext: str
    hash: str
    prefix: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_key(key_id: str | None = None) -> IssuedKey:
    """A new key; pass ``key_id`` to rotate an existing key (same id, new secret)."""
    short = key_id.removeprefix("key_") if key_id else random_base62(_ID_LEN)
    plaintext = f"{KEY_PREFIX}{short}{random_base62(_SECRET_LEN)}"
    return IssuedKey(
        key_id=f"key_{short}",
        plaintext=plaintext,
        hash=hash_key(plaintext),
        prefix=plaintext[:DISPLAY_PREFIX_LEN],
    )


def key_id_of(plaintext: str) -> str | None:
    """The key id embedded in a presented key, or None when the value cannot be one of ours."""
    if not plaintext.startswith(KEY_PREFIX):
        return None
    body = plaintext[len(KEY_PREFIX) :]
    if len(body) != _ID_LEN + _SECRET_LEN or not is_base62(body):
        return None
    return f"key_{body[:_ID_LEN]}"


def presented_key(x_api_key: str | None, authorization: str | None) -> str | None:
    """The key from ``X-API-Key``, or from HTTP Basic with the key as user name (as Pizzly clients
    send it: ``-u "<key>:"``)."""
    if x_api_key:
        return x_api_key
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        user = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return None
    return user or None
