"""Idempotency records in the API keys table: ``pk=IDEM#<record id>``, expiring after 24 hours.

A record is reserved (IN_PROGRESS) before the route runs and completed with the response after;
a failed (5xx) attempt releases it so the client can retry.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.errors import error_code, translated
from socialpub.domain.idempotency import (
    LEASE_SECONDS,
    TTL_SECONDS,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    StoredResponse,
)


def _key(record_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"IDEM#{record_id}"}, "sk": {"S": "IDEM"}}


class DynamoIdempotencyStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def reserve(self, record_id: str, fingerprint: str, now: int) -> StoredResponse | None:
        """Reserve the key; returns the stored response when this is a replay of a finished request."""
        try:
            with translated():
                self._ddb.put_item(
                    TableName=self._table,
                    Item={
                        **_key(record_id),
                        "fingerprint": {"S": fingerprint},
                        "state": {"S": "IN_PROGRESS"},
                        "expires_at": {"N": str(now + LEASE_SECONDS)},
                    },
                    # DynamoDB deletes expired items lazily, so an expired record counts as absent.
                    ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                    ExpressionAttributeValues={":now": {"N": str(now)}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            existing = exc.response.get("Item") or {}
            if existing.get("fingerprint", {}).get("S") != fingerprint:
                raise IdempotencyKeyReused from exc
            if existing.get("state", {}).get("S") != "COMPLETED":
                raise IdempotencyInProgress from exc
            return StoredResponse(
                status=int(existing["status"]["N"]),
                body=existing["body"]["S"],
                content_type=existing.get("content_type", {}).get("S", "application/json"),
            )
        return None

    def complete(self, record_id: str, response: StoredResponse, now: int) -> None:
        with translated():
            self._ddb.update_item(
                TableName=self._table,
                Key=_key(record_id),
                UpdateExpression="SET #s = :done, #st = :status, body = :body, content_type = :ct, expires_at = :exp",
                ExpressionAttributeNames={"#s": "state", "#st": "status"},
                ExpressionAttributeValues={
                    ":done": {"S": "COMPLETED"},
                    ":status": {"N": str(response.status)},
                    ":body": {"S": response.body},
                    ":ct": {"S": response.content_type},
                    ":exp": {"N": str(now + TTL_SECONDS)},
                },
            )

    def release(self, record_id: str) -> None:
        with translated():
            self._ddb.delete_item(TableName=self._table, Key=_key(record_id))
