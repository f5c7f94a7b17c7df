"""SQS producers."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable


class SqsWorkspacePurgeQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def request_purge(self, workspace_id: str) -> None:
        try:
            self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps({"workspace_id": workspace_id}))
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "sqs"}) from exc
