"""Fires the one-time schedules stored in moto when they are due, as EventBridge Scheduler would:
moto stores schedules but never fires them (reference: aws-local-tooling.md). A due schedule's
``Target.Input`` is sent to its target queue, then the schedule is deleted (its
ActionAfterCompletion, which moto does not apply either). The local stack runs this in a loop;
tests call ``fire_due`` with their own clock.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from socialpub.adapters.scheduler import due_time
from socialpub.observability import logger


class LocalScheduler:
    def __init__(self, scheduler: Any, sqs: Any) -> None:
        self._scheduler = scheduler
        self._sqs = sqs
        self._details: dict[tuple[str, str, str], dict[str, Any]] = {}  # by (group, name, last change)
        self._queue_urls: dict[str, str] = {}

    def fire_due(self, now: datetime) -> int:
        """Deliver every enabled schedule due at ``now``; how many were delivered."""
        fired = 0
        for summary in self._summaries():
            if summary.get("State") != "ENABLED":
                continue
            detail = self._detail(summary)
            try:
                due = due_time(detail["ScheduleExpression"], detail.get("ScheduleExpressionTimezone") or "UTC")
            except ValueError:
                logger.warning("Schedule has no one-time expression; skipped", extra={"name": summary["Name"]})
                continue
            if due > now:
                continue
            target = detail["Target"]
            self._sqs.send_message(QueueUrl=self._queue_url(target["Arn"]), MessageBody=target.get("Input", "{}"))
            if detail.get("ActionAfterCompletion") == "DELETE":
                self._scheduler.delete_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
            else:
                self._scheduler.update_schedule(**_updatable(detail), State="DISABLED")
            fired += 1
        return fired

    def run(self, stop: threading.Event, interval: float = 0.25) -> threading.Thread:
        """Check every ``interval`` seconds until ``stop`` is set (so a schedule fires within a second)."""

        def loop() -> None:
            while not stop.is_set():
                try:
                    self.fire_due(datetime.now(UTC))
                except Exception:
                    logger.exception("Local scheduler error")
                stop.wait(interval)

        thread = threading.Thread(target=loop, daemon=True, name="LocalScheduler")
        thread.start()
        return thread

    def _summaries(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in self._scheduler.get_paginator("list_schedules").paginate():
            found.extend(page.get("Schedules", []))
        return found

    def _detail(self, summary: dict[str, Any]) -> dict[str, Any]:
        key = (summary["GroupName"], summary["Name"], str(summary.get("LastModificationDate")))
        if key not in self._details:
            detail = self._scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
            self._details = {k: v for k, v in self._details.items() if k[:2] != key[:2]}  # older versions
            self._details[key] = detail
        return self._details[key]

    def _queue_url(self, arn: str) -> str:
        if arn not in self._queue_urls:
            name = arn.rsplit(":", 1)[-1]
            self._queue_urls[arn] = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._queue_urls[arn]


def _updatable(detail: dict[str, Any]) -> dict[str, Any]:
    keys = ("Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "FlexibleTimeWindow", "Target")
    return {k: detail[k] for k in keys if k in detail}
