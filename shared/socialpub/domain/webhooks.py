"""Webhooks: admin-registered HTTPS receivers of lifecycle events, signed as Standard Webhooks
(https://www.standardwebhooks.com): headers ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, keyed with the
webhook's secret (``whsec_<base64>``).

One *delivery* per (webhook, event): its id is the ``webhook-id`` every attempt carries, so a
receiver can drop a repeat. Failed attempts are retried with exponential backoff for 24 hours; then
the delivery fails and its message goes to the dead-letter queue. Every attempt is logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from socialpub.domain.errors import NotFound
from socialpub.domain.events import Event, EventType

SECRET_PREFIX = "whsec_"
RETRY_WINDOW = timedelta(hours=24)
FIRST_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
MAX_LOGGED_ATTEMPTS = 50
SEND_TIMEOUT_SECONDS = 5.0
MAX_WEBHOOKS = 100


class WebhookNotFound(NotFound):
    code = "WEBHOOK_NOT_FOUND"
    default_message = "Webhook not found"


class DeliveryNotFound(NotFound):
    code = "DELIVERY_NOT_FOUND"
    default_message = "Delivery not found"


class WebhookStats(BaseModel):
    total_deliveries: int = 0  # deliveries made (one per event the webhook wants)
    successful_deliveries: int = 0
    failed_deliveries: int = 0  # given up after 24 hours of retries
    total_attempts: int = 0  # every POST, retries, redeliveries and tests included
    failed_attempts: int = 0


class Webhook(BaseModel):
    id: str
    url: str
    events: list[EventType]
    workspace_ids: list[str] = Field(default_factory=list)  # empty: every workspace
    sealed_secret: str  # KMS, context = the webhook
    masked_secret: str
    description: str | None = None
    is_active: bool = True
    created_at: datetime
    updated_at: datetime
    last_triggered_at: datetime | None = None
    stats: WebhookStats = Field(default_factory=WebhookStats)
    version: int = 1

    def wants(self, event: Event) -> bool:
        return (
            self.is_active
            and event.type in self.events
            and (not self.workspace_ids or event.workspace_id in self.workspace_ids)
        )

    def context(self) -> dict[str, str]:
        return {"purpose": "webhook-secret", "webhook": self.id}


@dataclass(frozen=True)
class SendResult:
    """One POST to a receiver: its status code, or why there was none (refused, timeout, refused address)."""

    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not delivered yet; retried until the window closes
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up after 24 hours (its message is in the DLQ); can be redelivered


class Attempt(BaseModel):
    at: datetime
    status_code: int | None = None
    latency_ms: int
    error: str | None = None
    manual: bool = False  # a redelivery or a test


class Delivery(BaseModel):
    id: str  # also the webhook-id header of every attempt
    webhook_id: str
    event_id: str
    event_type: str  # an EventType, or webhook.test
    workspace_id: str | None
    payload: str  # the exact JSON body sent
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[Attempt] = Field(default_factory=list)
    attempt_count: int = 0
    created_at: datetime
    delivered_at: datetime | None = None


def delivery_id(event_id: str) -> str:
    """One id per (webhook, event) whoever computes it, so a repeated fan-out finds the same
    delivery; event ids are time-ordered, so a webhook's deliveries list newest first."""
    return "msg_" + event_id.removeprefix("evt_")


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret: a ``whsec_`` secret is base64 after its prefix; any other string a
    client chose is used as its bytes."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
        except ValueError:
            pass
    return secret.encode()


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def backoff_seconds(attempt: int) -> int:
    """Delay after the ``attempt``-th failure: 30 s doubling to an hour."""
    return int(min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** max(0, attempt - 1)))


def event_payload(event: Event) -> dict[str, object]:
    """The JSON body of an event, documented in docs/webhooks.md."""
    return {
        "id": event.id,
        "type": event.type.value,
        "created_at": event.occurred_at.isoformat(),
        "workspace_id": event.workspace_id,
        "data": event.data,
    }
