"""Runs publishing targets from the publish queue, one message per (post, account); and starts
scheduled posts, whose one-time schedules put a ScheduledPublish on the same queue when due.

A record whose target must be retried later is put back with a visibility timeout of the wanted
delay and reported as failed (partial batch response), so SQS delivers it again then. A message
that cannot be read, or whose run keeps crashing, ends in the DLQ after maxReceiveCount deliveries,
where an alarm catches it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository
from socialpub.adapters.image_convert import JpegConverter
from socialpub.adapters.media_store import S3MediaStore
from socialpub.adapters.publishers import publisher_for
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.queues import SqsPublishQueue
from socialpub.domain.publishing import PublishMessage, ScheduledPublish, TargetStatus
from socialpub.domain.services.publishing import PublishDeps, run_target
from socialpub.domain.services.scheduling import Fired, FiringDeps, fire
from socialpub.observability import logger, logs_lambda_context, metrics
from socialpub.wiring import account_deps


class RetryLater(Exception):
    """The target waits (a network asked us to, or another run holds it): SQS delivers it again."""


@cache
def adapters() -> tuple[PublishDeps, SqsPublishQueue]:
    s = config.load(config.PublisherSettings)
    ddb = client("dynamodb")
    http = NetworkHttp()
    accounts = account_deps(
        s.workspaces_table, secrets_key_id=s.secrets_key_id, defaults_secret=s.integration_defaults_secret
    )
    deps = PublishDeps(
        posts=DynamoPostRepository(ddb, s.workspaces_table),
        targets=DynamoTargetRepository(ddb, s.workspaces_table),
        accounts=accounts,
        media=S3MediaStore(client("s3"), s.media_bucket),
        images=JpegConverter(),
        publishers=lambda platform: publisher_for(platform, http),
        clock=lambda: datetime.now(UTC),
        lease=timedelta(seconds=s.lease_seconds),
        media_url_ttl_seconds=s.media_url_ttl_seconds,
    )
    return deps, SqsPublishQueue(client("sqs"), s.publish_queue_url)


def publish_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    if isinstance(body, dict) and body.get("kind") == "scheduled":
        fire_scheduled(ScheduledPublish.model_validate(body))
        return
    message = PublishMessage.model_validate(body)
    deps, queue = adapters()
    outcome = run_target(deps, message)
    done = outcome.finished
    if done is not None:
        # One target per invocation (BatchSize 1), so the platform can be the invocation's dimension.
        metrics.add_dimension(name="platform", value=done.platform)
        published = done.status is TargetStatus.PUBLISHED
        metrics.add_metric(name="TargetsPublished" if published else "TargetsFailed", unit=MetricUnit.Count, value=1)
        logger.info(
            "Target finished",
            extra={"post_id": done.post_id, "platform": done.platform, "status": done.status.value}
            | ({"error_code": done.error.code} if done.error else {}),
        )
    if outcome.retry_in is not None:
        queue.retry_later(record.receipt_handle, outcome.retry_in)
        raise RetryLater(f"{message.post_id}/{message.account_id} again in {outcome.retry_in:.0f} s")


def fire_scheduled(message: ScheduledPublish) -> None:
    deps, queue = adapters()
    firing = FiringDeps(
        posts=deps.posts, targets=deps.targets, accounts=deps.accounts.accounts, queue=queue, clock=deps.clock
    )
    fired = fire(firing, message)
    lateness = (deps.clock() - message.scheduled_at).total_seconds()
    if fired is not Fired.STALE:
        metrics.add_metric(name="ScheduledPostLateness", unit=MetricUnit.Seconds, value=max(0.0, lateness))
    logger.info(
        "Scheduled post fired",
        extra={"post_id": message.post_id, "outcome": fired.value, "lateness_seconds": round(lateness, 3)},
    )


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # A target put back for later is a normal outcome, not an error of the invocation: report it as
    # a failed item without failing the whole batch (which would count as a function error).
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event, record_handler=publish_record, processor=processor, context=context
    )
    return response
