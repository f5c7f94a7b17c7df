"""Idempotency-Key: a creating request repeated with the same key within 24 hours returns the first
result and creates nothing; the same key with a different request is refused (422).

Keys are scoped to the API key and the route, so two clients can never collide.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from socialpub.domain.errors import Conflict, DomainError

TTL_SECONDS = 24 * 3600
# How long a reservation blocks the same key while its request runs; a crashed attempt frees it then.
LEASE_SECONDS = 60
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was already used with a different request"


class IdempotencyInProgress(Conflict):
    code = "IDEMPOTENCY_IN_PROGRESS"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly"


class StoredResponse(BaseModel):
    status: int
    body: str
    content_type: str = "application/json"


def record_id(principal_key_id: str, method: str, path: str, idempotency_key: str) -> str:
    raw = "\n".join((principal_key_id, method.upper(), path, idempotency_key))
    return hashlib.sha256(raw.encode()).hexdigest()


def fingerprint(body: bytes, *, workspace_id: str = "") -> str:
    """What makes two requests the same: the same body, for the same workspace."""
    return hashlib.sha256(workspace_id.encode() + b"\n" + body).hexdigest()
