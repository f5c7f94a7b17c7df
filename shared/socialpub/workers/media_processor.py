"""The media processor: checks each file a client PUTs to an upload URL without confirming it after
(Publora's get-upload-url), when it lands.

MediaBucket notifies MediaUploadsQueue of every object created under an upload key
(``workspaces/<ws>/media/<id>/upload``); each record here is one S3 notification. The file is
inspected and attached to its post if it is what was declared and the post can take it; otherwise
the object and its pending upload are deleted, and the post stays without it
(domain/services/media.py ``process_arrival``). S3 delivers events at least once, and a repeated
event finds the upload attached (or gone) and changes nothing. A record whose processing failed
(a backing service, a post changed again and again meanwhile) is reported failed and delivered
again; after maxReceiveCount it lands in the DLQ, where an alarm catches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, Field

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.media_probe import MediaProbe
from socialpub.adapters.media_store import S3MediaStore
from socialpub.domain.services.media import Arrival, process_arrival
from socialpub.observability import logger, logs_lambda_context, metrics


class _Bucket(BaseModel):
    name: str


class _Object(BaseModel):
    key: str  # URL-encoded, spaces as "+" (S3's notification format)
    size: int | None = None


class _Entity(BaseModel):
    bucket: _Bucket
    object: _Object


class S3Record(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    event_name: str = Field(alias="eventName")
    s3: _Entity


class S3Notification(BaseModel):
    """The body of one message: S3's notification. The test event S3 sends when the notification is
    configured (``{"Event": "s3:TestEvent", ...}``) has no records."""

    records: list[S3Record] = Field(default_factory=list, alias="Records")


@dataclass(frozen=True)
class Adapters:
    bucket: str
    posts: DynamoPostRepository
    objects: S3MediaStore
    inspector: MediaProbe


@cache
def adapters() -> Adapters:
    s = config.load(config.MediaProcessorSettings)
    return Adapters(
        bucket=s.media_bucket,
        posts=DynamoPostRepository(client("dynamodb"), s.workspaces_table),
        objects=S3MediaStore(client("s3"), s.media_bucket),
        inspector=MediaProbe(),
    )


def _now() -> datetime:
    return datetime.now(UTC)


def process_record(record: SQSRecord) -> None:
    a = adapters()
    notification = S3Notification.model_validate(json.loads(record.body))
    for s3_record in notification.records:
        if not s3_record.event_name.startswith("ObjectCreated:"):
            continue
        if s3_record.s3.bucket.name != a.bucket:  # the queue's policy lets any bucket of the account send
            logger.warning("S3 event of another bucket ignored", extra={"bucket": s3_record.s3.bucket.name})
            continue
        key = unquote_plus(s3_record.s3.object.key)
        result = process_arrival(key, posts=a.posts, objects=a.objects, inspector=a.inspector, clock=_now)
        extra = {"key": key, **result.model_dump(exclude_none=True)}
        if result.outcome is Arrival.ATTACHED:
            logger.info("Upload attached", extra=extra)
            metrics.add_metric(name="UploadsAttached", unit="Count", value=1)
        elif result.outcome is Arrival.DROPPED:
            logger.warning("Upload refused and deleted", extra=extra)
            metrics.add_metric(name="UploadsDropped", unit="Count", value=1)
        else:
            logger.info("Object ignored", extra=extra)


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = process_partial_response(  # type: ignore[assignment]
        event=event, record_handler=process_record, processor=BatchProcessor(event_type=EventType.SQS), context=context
    )
    return response
