"""Webhook use-cases: manage webhooks (admin), fan events out to deliveries, deliver and retry.

Events are recorded where the state changes (in the same write); the event relay hands each to the
webhook queue; ``fan_out`` makes one delivery per webhook that wants it; ``deliver`` POSTs it,
signed, and says when to try again. A delivery that has not succeeded within 24 hours fails and
its message goes to the dead-letter queue; it can still be redelivered by hand.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from socialpub.domain.audit import Actor, AuditEntry
from socialpub.domain.errors import InvalidInput
from socialpub.domain.events import Event, EventType
from socialpub.domain.ids import new_id
from socialpub.domain.ports import AuditLog, Clock, WebhookQueue, WebhookRepository, WebhookSender
from socialpub.domain.records import changed
from socialpub.domain.secrets import SecretBox, mask
from socialpub.domain.webhooks import (
    MAX_LOGGED_ATTEMPTS,
    MAX_WEBHOOKS,
    RETRY_WINDOW,
    Attempt,
    Delivery,
    DeliveryNotFound,
    DeliveryStatus,
    SendResult,
    Webhook,
    WebhookNotFound,
    backoff_seconds,
    delivery_id,
    event_payload,
    new_secret,
    signature,
)

TEST_EVENT = "webhook.test"
MIN_SECRET_LENGTH = 16


@dataclass
class WebhookDeps:
    webhooks: WebhookRepository
    box: SecretBox
    sender: WebhookSender
    queue: WebhookQueue
    clock: Clock
    audit: AuditLog | None = None  # the admin API records changes; the dispatcher changes nothing


class NewWebhook(BaseModel):
    url: str
    events: list[EventType]
    secret: str | None = None  # None: one is generated (and shown once)
    workspace_ids: list[str] = []
    description: str | None = None
    is_active: bool = True


class WebhookChanges(BaseModel):
    url: str | None = None
    events: list[EventType] | None = None
    secret: str | None = None
    workspace_ids: list[str] | None = None
    description: str | None = None
    is_active: bool | None = None


@dataclass(frozen=True)
class Outcome:
    """What a delivery run did: ``retry_in`` seconds until the next try (None: done); ``dead``: it
    gave up, and the message belongs in the dead-letter queue."""

    retry_in: int | None = None
    dead: bool = False


# ---------------------------------------------------------------------- managing (admin)


def _audit(deps: WebhookDeps, actor: Actor | None, action: str, webhook: Webhook, **details: object) -> None:
    if deps.audit is not None and actor is not None:
        deps.audit.record(AuditEntry.of(actor, action, "webhook", webhook.id, deps.clock(), **details))


def create_webhook(deps: WebhookDeps, new: NewWebhook, actor: Actor | None = None) -> tuple[Webhook, str]:
    """The webhook, and its secret in plain text (shown this once)."""
    if len(deps.webhooks.all()) >= MAX_WEBHOOKS:
        raise InvalidInput(f"At most {MAX_WEBHOOKS} webhooks", details={"max_webhooks": MAX_WEBHOOKS})
    _check(deps, new.url, new.events, new.secret)
    secret = new.secret or new_secret()
    now = deps.clock()
    webhook_id = new_id("wh")
    draft = Webhook(
        id=webhook_id,
        url=new.url,
        events=list(dict.fromkeys(new.events)),
        workspace_ids=list(dict.fromkeys(new.workspace_ids)),
        sealed_secret="",
        masked_secret=mask(secret),
        description=new.description,
        is_active=new.is_active,
        created_at=now,
        updated_at=now,
    )
    webhook = draft.model_copy(update={"sealed_secret": deps.box.seal(secret, draft.context())})
    deps.webhooks.create(webhook)
    _audit(deps, actor, "webhook.created", webhook, url=webhook.url, events=[e.value for e in webhook.events])
    return webhook, secret


def get_webhook(deps: WebhookDeps, webhook_id: str) -> Webhook:
    webhook = deps.webhooks.get(webhook_id)
    if webhook is None:
        raise WebhookNotFound(details={"webhook_id": webhook_id})
    return webhook


def list_webhooks(deps: WebhookDeps, workspace_id: str | None) -> list[Webhook]:
    """All webhooks, or those that deliver events of one workspace."""
    found = deps.webhooks.all()
    if workspace_id:
        found = [w for w in found if not w.workspace_ids or workspace_id in w.workspace_ids]
    return found


def update_webhook(deps: WebhookDeps, webhook_id: str, changes: WebhookChanges, actor: Actor | None = None) -> Webhook:
    previous = get_webhook(deps, webhook_id)
    update = changes.model_dump(exclude_unset=True, exclude={"secret"})
    _check(deps, changes.url, changes.events, changes.secret)
    if "secret" in changes.model_fields_set:
        if changes.secret is None:  # stored sealed, so the whole-item check below would not name it
            raise InvalidInput("secret must not be null; leave it out to keep the secret", details={"field": "secret"})
        update["sealed_secret"] = deps.box.seal(changes.secret, previous.context())
        update["masked_secret"] = mask(changes.secret)
    webhook = changed(previous, {**update, "updated_at": deps.clock(), "version": previous.version + 1})
    deps.webhooks.save(webhook, previous)
    _audit(deps, actor, "webhook.updated", webhook, changed=sorted(changes.model_dump(exclude_unset=True)))
    return webhook


def delete_webhook(deps: WebhookDeps, webhook_id: str, actor: Actor | None = None) -> None:
    webhook = get_webhook(deps, webhook_id)
    deps.webhooks.delete(webhook)
    _audit(deps, actor, "webhook.deleted", webhook, url=webhook.url)


def _check(deps: WebhookDeps, url: str | None, events: list[EventType] | None, secret: str | None) -> None:
    if url is not None:
        deps.sender.check(url)
    if events is not None and not events:
        raise InvalidInput("A webhook needs at least one event", details={"field": "events"})
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise InvalidInput(
            f"A webhook secret needs at least {MIN_SECRET_LENGTH} characters (leave it out to get one generated)",
            details={"field": "secret"},
        )


# ---------------------------------------------------------------------- events to deliveries


def fan_out(deps: WebhookDeps, event: Event) -> int:
    """One delivery per webhook that wants the event (none twice, however often this runs)."""
    made: dict[str, list[str]] = {}
    body = json.dumps(event_payload(event), separators=(",", ":"), default=str)
    for webhook in deps.webhooks.all():
        if not webhook.wants(event):
            continue
        delivery = Delivery(
            id=delivery_id(event.id),
            webhook_id=webhook.id,
            event_id=event.id,
            event_type=event.type.value,
            workspace_id=event.workspace_id,
            payload=body,
            created_at=deps.clock(),
        )
        deps.webhooks.add_delivery(delivery)  # already there: its message is on its way, or it ran
        made.setdefault(webhook.id, []).append(delivery.id)
    for webhook_id, ids in made.items():
        deps.queue.deliver(webhook_id, ids)
    return sum(len(ids) for ids in made.values())


def deliver(deps: WebhookDeps, webhook_id: str, delivery_ref: str) -> Outcome:
    """Try a pending delivery once; when it fails, when to try again, until 24 hours have passed."""
    webhook = deps.webhooks.get(webhook_id)
    delivery = deps.webhooks.get_delivery(webhook_id, delivery_ref)
    if webhook is None or delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return Outcome()  # deleted, or done (a duplicate message)
    if not webhook.is_active:
        return Outcome()  # paused: its pending deliveries are dropped (redeliver them by hand)
    result = _post(deps, webhook, delivery)
    now = deps.clock()
    out_of_time = now - delivery.created_at >= RETRY_WINDOW
    outcome = DeliveryStatus.SUCCEEDED if result.ok else (DeliveryStatus.FAILED if out_of_time else None)
    updated = deps.webhooks.record(delivery, _attempt(now, result), outcome=outcome)
    if result.ok:
        return Outcome()
    if out_of_time:
        return Outcome(dead=True)
    return Outcome(retry_in=backoff_seconds(updated.attempt_count))


def redeliver(deps: WebhookDeps, webhook_id: str, delivery_ref: str) -> tuple[Delivery, Attempt]:
    """Send a logged delivery again now, with the same webhook-id, whatever its status."""
    webhook = get_webhook(deps, webhook_id)
    delivery = deps.webhooks.get_delivery(webhook_id, delivery_ref)
    if delivery is None:
        raise DeliveryNotFound(details={"delivery_id": delivery_ref})
    result = _post(deps, webhook, delivery)
    attempt = _attempt(deps.clock(), result, manual=True)
    ended = delivery.status is not DeliveryStatus.SUCCEEDED and result.ok
    updated = deps.webhooks.record(delivery, attempt, outcome=DeliveryStatus.SUCCEEDED if ended else None)
    return updated, attempt


def send_test(deps: WebhookDeps, webhook_id: str) -> tuple[Delivery, Attempt]:
    """POST a ``webhook.test`` event now, logged as a delivery, whatever events the webhook takes."""
    webhook = get_webhook(deps, webhook_id)
    now = deps.clock()
    event_id = new_id("evt")
    body = json.dumps(
        {"id": event_id, "type": TEST_EVENT, "created_at": now.isoformat(), "workspace_id": None, "data": {}},
        separators=(",", ":"),
    )
    delivery = Delivery(
        id=delivery_id(event_id),
        webhook_id=webhook.id,
        event_id=event_id,
        event_type=TEST_EVENT,
        workspace_id=None,
        payload=body,
        created_at=now,
    )
    deps.webhooks.add_delivery(delivery)
    result = _post(deps, webhook, delivery)
    attempt = _attempt(deps.clock(), result, manual=True)
    updated = deps.webhooks.record(
        delivery, attempt, outcome=DeliveryStatus.SUCCEEDED if result.ok else DeliveryStatus.FAILED
    )
    return updated, attempt


def _post(deps: WebhookDeps, webhook: Webhook, delivery: Delivery) -> SendResult:
    secret = deps.box.open(webhook.sealed_secret, webhook.context())
    # Wall-clock time, not the injected clock: receivers refuse timestamps more than minutes off.
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "socialpub-webhooks/1",
        "webhook-id": delivery.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, delivery.id, timestamp, delivery.payload),
    }
    return deps.sender.send(webhook.url, headers, delivery.payload)


def _attempt(now: datetime, result: SendResult, manual: bool = False) -> Attempt:
    return Attempt(
        at=now, status_code=result.status_code, latency_ms=result.latency_ms, error=result.error, manual=manual
    )


def trimmed(attempts: list[Attempt]) -> list[Attempt]:
    """The attempt log kept on a delivery: the first few and the latest."""
    if len(attempts) <= MAX_LOGGED_ATTEMPTS:
        return attempts
    return attempts[:5] + attempts[-(MAX_LOGGED_ATTEMPTS - 5) :]
