"""EventBridge Scheduler: one one-time schedule per scheduled post, in the stage's schedule group,
named after the post. When due it sends the post's ScheduledPublish to the publish queue; the
service retries a failed delivery for up to a day, then puts the message in the publish DLQ, and
deletes the schedule once it has fired.

Scheduler fires within the minute of its time; the publisher and the sweeper do the rest (see
domain/services/scheduling.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.adapters.dynamodb.errors import error_code
from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.publishing import ScheduledPublish

AT_FORMAT = "%Y-%m-%dT%H:%M:%S"
AT_PATTERN = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


def at_expression(moment: datetime, zone_name: str) -> tuple[str, str]:
    """(``at(...)`` expression, its timezone) for an instant: the wall-clock time in the post's
    zone, so the schedule reads as the user wrote it. In the hour a fall-back change repeats, the
    wall-clock time names two instants; that one is written in UTC instead."""
    zone = ZoneInfo(zone_name)
    local = moment.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return f"at({moment.astimezone(UTC).strftime(AT_FORMAT)})", "UTC"
    return f"at({local.strftime(AT_FORMAT)})", zone_name


def due_time(expression: str, zone_name: str) -> datetime:
    """The instant an ``at(...)`` expression stands for (the local scheduler and tests read them)."""
    match = AT_PATTERN.fullmatch(expression)
    if match is None:
        raise ValueError(f"Not a one-time schedule expression: {expression}")
    return datetime.strptime(match.group(1), AT_FORMAT).replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


class EventBridgePostScheduler:
    def __init__(self, client: Any, *, group: str, target_arn: str, role_arn: str, dead_letter_arn: str) -> None:
        self._scheduler = client
        self._group = group
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._dead_letter_arn = dead_letter_arn

    def put(self, message: ScheduledPublish) -> None:
        expression, zone = at_expression(message.scheduled_at, message.timezone)
        params = {
            "Name": message.post_id,
            "GroupName": self._group,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": zone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "State": "ENABLED",
            "Description": f"Publishes post {message.post_id} of workspace {message.workspace_id}",
            "Target": {
                "Arn": self._target_arn,
                "RoleArn": self._role_arn,
                "Input": message.model_dump_json(),
                "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86_400},
                "DeadLetterConfig": {"Arn": self._dead_letter_arn},
            },
        }
        try:
            try:
                self._scheduler.create_schedule(**params)
            except ClientError as exc:
                if error_code(exc) != "ConflictException":
                    raise
                self._scheduler.update_schedule(**params)  # rescheduled: the same schedule moves
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "scheduler"}) from exc

    def delete(self, post_id: str) -> None:
        try:
            self._scheduler.delete_schedule(Name=post_id, GroupName=self._group)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise DependencyUnavailable(details={"service": "scheduler"}) from exc
        except BotoCoreError as exc:
            raise DependencyUnavailable(details={"service": "scheduler"}) from exc
