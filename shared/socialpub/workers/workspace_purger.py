"""Deletes everything of a deleted workspace, a bounded chunk per message.

A message whose workspace still has data is reported as failed after its chunk, so SQS delivers it
again after the visibility timeout and the purge continues; the DLQ alarm catches a purge that
keeps failing. Deleting is idempotent, so redelivery is harmless.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository
from socialpub.adapters.media_store import S3MediaStore
from socialpub.domain.services.workspaces import purge_workspace
from socialpub.observability import logger, logs_lambda_context, metrics


class PurgeRequest(BaseModel):
    workspace_id: str


class PurgeIncomplete(Exception):
    """More remains; fail the record so SQS redelivers it."""


@cache
def adapters() -> tuple[DynamoWorkspaceRepository, S3MediaStore]:
    s = config.load(config.WorkspacePurgerSettings)
    return DynamoWorkspaceRepository(client("dynamodb"), s.workspaces_table), S3MediaStore(client("s3"), s.media_bucket)


def purge_record(record: SQSRecord) -> None:
    request = PurgeRequest.model_validate(json.loads(record.body))
    repo, store = adapters()
    if not purge_workspace(request.workspace_id, repo, store):
        raise PurgeIncomplete(request.workspace_id)
    logger.info("Workspace purged", extra={"workspace_id": request.workspace_id})
    metrics.add_metric(name="WorkspacesPurged", unit="Count", value=1)


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event, record_handler=purge_record, processor=BatchProcessor(event_type=EventType.SQS), context=context
    )
    return response
