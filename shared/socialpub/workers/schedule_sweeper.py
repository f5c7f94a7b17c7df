"""Every minute: publishes the scheduled posts whose schedule did not fire (due more than a grace
period ago and still scheduled), and re-queues the targets nothing will run any more (their run died
and its lease ran out, or their message was lost or dead-lettered). Each late post is counted in
``LateScheduledPosts`` (alarmed) and its lateness in ``ScheduledPostLateness``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository
from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository
from socialpub.adapters.queues import SqsPublishQueue
from socialpub.domain.services.scheduling import FiringDeps, sweep
from socialpub.observability import logger, logs_lambda_context, metrics


@cache
def adapters() -> tuple[FiringDeps, config.ScheduleSweeperSettings]:
    s = config.load(config.ScheduleSweeperSettings)
    ddb = client("dynamodb")
    deps = FiringDeps(
        posts=DynamoPostRepository(ddb, s.workspaces_table),
        targets=DynamoTargetRepository(ddb, s.workspaces_table),
        accounts=DynamoAccountRepository(ddb, s.workspaces_table),
        queue=SqsPublishQueue(client("sqs"), s.publish_queue_url),
        clock=lambda: datetime.now(UTC),
    )
    return deps, s


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    deps, settings = adapters()
    report = sweep(
        deps,
        grace=timedelta(seconds=settings.sweep_grace_seconds),
        stalled_after=timedelta(seconds=settings.stalled_after_seconds),
    )
    # Emitted every run, zero included, so the alarm on it sees data and not "missing".
    metrics.add_metric(name="LateScheduledPosts", unit=MetricUnit.Count, value=len(report.late))
    for late in report.late:
        metrics.add_metric(name="ScheduledPostLateness", unit=MetricUnit.Seconds, value=late.lateness.total_seconds())
        logger.warning(
            "Scheduled post was late; the sweeper started it",
            extra={
                "workspace_id": late.workspace_id,
                "post_id": late.post_id,
                "lateness_seconds": round(late.lateness.total_seconds(), 3),
                "outcome": late.fired.value,
            },
        )
    if report.requeued_targets:
        logger.warning("Stalled publishing targets re-queued", extra={"targets": report.requeued_targets})
    return {"late_posts": len(report.late), "requeued_targets": report.requeued_targets}
