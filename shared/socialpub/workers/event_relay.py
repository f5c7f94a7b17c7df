"""Hands recorded lifecycle events to the webhook queue: the outbox relay. Events are written with
the change they record and marked "to relay" in the ``to_sweep`` index. Two triggers run it:

- the table's stream, filtered to new event items: within a second or so of the change;
- every minute, a sweep of the index for marked events (anything the stream path missed; and
  locally, where moto has no streams, the only path, run every second).

Both queue the events and clear their marks. Whatever runs twice is harmless: the dispatcher makes
one delivery per (webhook, event) however often an event arrives."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.codec import from_item
from socialpub.adapters.dynamodb.events import DynamoEventOutbox
from socialpub.adapters.queues import SqsWebhookQueue
from socialpub.domain.events import Event
from socialpub.observability import logs_lambda_context, metrics

BATCH = 100


@cache
def adapters() -> tuple[DynamoEventOutbox, SqsWebhookQueue]:
    s = config.load(config.EventRelaySettings)
    return DynamoEventOutbox(client("dynamodb"), s.workspaces_table), SqsWebhookQueue(
        client("sqs"), s.webhook_queue_url
    )


def relay(until: datetime | None = None, rounds: int = 20) -> int:
    outbox, queue = adapters()
    relayed = 0
    for _ in range(rounds):
        events = outbox.unrelayed(until or datetime.now(UTC), BATCH)
        if not events:
            break
        queue.fan_out(events)
        for event in events:
            outbox.relayed(event)
        relayed += len(events)
    return relayed


def relay_stream(records: list[dict[str, Any]]) -> int:
    """The event items a stream batch inserted (the template's filter passes only those)."""
    outbox, queue = adapters()
    events = [
        Event.model_validate(from_item(r["dynamodb"]["NewImage"]))
        for r in records
        if r.get("eventName") == "INSERT" and r.get("dynamodb", {}).get("NewImage", {}).get("entity") == {"S": "event"}
    ]
    if events:
        queue.fan_out(events)
        for event in events:
            outbox.relayed(event)
    return len(events)


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    records = event.get("Records")
    relayed = relay_stream(records) if records else relay()
    metrics.add_metric(name="EventsRelayed", unit=MetricUnit.Count, value=relayed)
    return {"relayed": relayed}
