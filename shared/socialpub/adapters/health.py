"""Probes the backing services for GET /admin/health, each with the time it took."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


class AwsHealthProbe:
    def __init__(self, *, ddb: Any, table: str, s3: Any, bucket: str, sqs: Any, queues: dict[str, str]) -> None:
        self._ddb = ddb
        self._table = table
        self._s3 = s3
        self._bucket = bucket
        self._sqs = sqs
        self._queues = queues  # name -> URL

    def database(self) -> dict[str, Any]:
        return self._timed(
            lambda: self._ddb.get_item(TableName=self._table, Key={"pk": {"S": "HEALTH"}, "sk": {"S": "PROBE"}})
        )

    def storage(self) -> dict[str, Any]:
        return self._timed(lambda: self._s3.head_bucket(Bucket=self._bucket))

    def queues(self) -> dict[str, Any]:
        """Messages waiting (and in flight) per queue; any message in a dead-letter queue degrades."""
        started = time.monotonic()
        depths: dict[str, int] = {}
        try:
            for name, url in self._queues.items():
                attributes = self._sqs.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                depths[name] = int(attributes["ApproximateNumberOfMessages"]) + int(
                    attributes["ApproximateNumberOfMessagesNotVisible"]
                )
        except (ClientError, BotoCoreError) as exc:
            return {"status": "unhealthy", "error": type(exc).__name__}
        dead = sum(n for name, n in depths.items() if name.endswith("_dlq"))
        return {
            "status": "degraded" if dead else "healthy",
            "latency_ms": int((time.monotonic() - started) * 1000),
            "pending_jobs": sum(n for name, n in depths.items() if not name.endswith("_dlq")),
            "dead_letters": dead,
            "queues": depths,
        }

    @staticmethod
    def _timed(call: Any) -> dict[str, Any]:
        started = time.monotonic()
        try:
            call()
        except (ClientError, BotoCoreError) as exc:
            return {"status": "unhealthy", "error": type(exc).__name__}
        return {"status": "healthy", "latency_ms": int((time.monotonic() - started) * 1000)}
