"""Delivers webhooks from the webhook queue. An ``event`` message fans out into one ``delivery``
message per webhook that wants it; a ``delivery`` message POSTs once. A failed POST is put back
with a visibility timeout of its backoff (30 s doubling to an hour) and reported as a failed item;
after 24 hours the delivery fails, its message goes to the webhook DLQ (alarmed), and it can be
redelivered from the admin API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.webhooks import DynamoWebhookRepository
from socialpub.adapters.queues import SqsDeadLetters, SqsWebhookQueue
from socialpub.adapters.secrets import KmsSecretBox
from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.domain.events import Event
from socialpub.domain.services.webhooks import WebhookDeps, deliver, fan_out
from socialpub.observability import logger, logs_lambda_context, metrics


class RetryLater(Exception):
    """The receiver failed; SQS delivers the message again after its backoff."""


@cache
def adapters() -> tuple[WebhookDeps, SqsWebhookQueue, SqsDeadLetters]:
    s = config.load(config.WebhookDispatcherSettings)
    queue = SqsWebhookQueue(client("sqs"), s.webhook_queue_url)
    deps = WebhookDeps(
        webhooks=DynamoWebhookRepository(client("dynamodb"), s.users_table),
        box=KmsSecretBox(client("kms"), s.secrets_key_id),
        sender=HttpWebhookSender(allow_loopback=s.allow_loopback_targets),
        queue=queue,
        clock=lambda: datetime.now(UTC),
    )
    return deps, queue, SqsDeadLetters(client("sqs"), s.webhook_dlq_url)


def dispatch_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    deps, queue, dead_letters = adapters()
    if body.get("kind") == "event":
        made = fan_out(deps, Event.model_validate(body["event"]))
        metrics.add_metric(name="WebhookDeliveriesMade", unit=MetricUnit.Count, value=made)
        return
    outcome = deliver(deps, str(body["webhook_id"]), str(body["delivery_id"]))
    if outcome.dead:
        dead_letters.put(record.body)
        metrics.add_metric(name="WebhookDeliveriesFailed", unit=MetricUnit.Count, value=1)
        logger.warning("Webhook delivery gave up after 24 hours", extra=body)
    elif outcome.retry_in is not None:
        queue.retry_later(record.receipt_handle, outcome.retry_in)
        raise RetryLater(f"{body['delivery_id']} again in {outcome.retry_in} s")


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event, record_handler=dispatch_record, processor=processor, context=context
    )
    return response
