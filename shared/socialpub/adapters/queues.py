"""SQS producers."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.events import Event
from socialpub.domain.publishing import PublishMessage


class SqsWorkspacePurgeQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def request_purge(self, workspace_id: str) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps({"workspace_id": workspace_id}))
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "sqs"}) from exc


class _Queue:
    """Sending in batches of ten (SendMessageBatch's limit) and putting a message back for later."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def retry_later(self, receipt_handle: str, seconds: float) -> None:
        """Deliver a received message again after ``seconds`` (at most SQS's 12 hours)."""
        try:
            self._sqs.change_message_visibility(
                QueueUrl=self._url, ReceiptHandle=receipt_handle, VisibilityTimeout=min(int(seconds), 43_200)
            )
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "sqs"}) from exc

    def _send(self, bodies: list[str]) -> None:
        for start in range(0, len(bodies), 10):
            entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
            try:
                result = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            except (ClientError, BotoCoreError) as exc:
                raise DependencyUnavailable(details={"service": "sqs"}) from exc
            if result.get("Failed"):
                raise DependencyUnavailable(details={"service": "sqs", "failed": len(result["Failed"])})


class SqsPublishQueue(_Queue):
    """One message per target."""

    def send(self, messages: list[PublishMessage]) -> None:
        self._send([m.model_dump_json() for m in messages])


class SqsWebhookQueue(_Queue):
    """The webhook queue carries events to fan out, and deliveries to make (one message each)."""

    def fan_out(self, events: list[Event]) -> None:
        self._send([json.dumps({"kind": "event", "event": e.model_dump(mode="json")}) for e in events])

    def deliver(self, webhook_id: str, delivery_ids: list[str]) -> None:
        self._send([json.dumps({"kind": "delivery", "webhook_id": webhook_id, "delivery_id": d}) for d in delivery_ids])


class SqsDeadLetters:
    """Puts a message that has run out of retries on a dead-letter queue, where an alarm sees it."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def put(self, body: str) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._url, MessageBody=body)
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "sqs"}) from exc
