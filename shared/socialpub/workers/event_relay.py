"""Hands recorded lifecycle events to the webhook queue: the outbox relay. Events are written with
the change they record and marked "to relay" in the ``to_sweep`` index; each run queues the marked
ones and clears the mark. A run that dies between the two queues them again next time, and the
dispatcher makes one delivery per (webhook, event) however often an event arrives."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.events import DynamoEventOutbox
from socialpub.adapters.queues import SqsWebhookQueue
from socialpub.observability import logger, metrics

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


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    relayed = relay()
    metrics.add_metric(name="EventsRelayed", unit=MetricUnit.Count, value=relayed)
    return {"relayed": relayed}
