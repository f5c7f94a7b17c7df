"""API keys and their per-minute request counters, in the API keys table.

Items: ``pk=KEY#<key id>, sk=KEY`` (the key record) and ``pk=RATE#<key id>#<window>, sk=RATE``
(a counter that expires through TTL two minutes after its window).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, set_fields, to_item, value
from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import query_all
from socialpub.domain.api_keys import ApiKey, KeyHash
from socialpub.domain.errors import ApiKeyNotFound, Conflict, InvalidInput
from socialpub.domain.records import checked

KEY_SK = "KEY"


def _pk(key_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"KEY#{key_id}"}, "sk": {"S": KEY_SK}}


class DynamoApiKeyRepository:
    def __init__(self, client: Any, table_name: str, workspaces_table: str | None = None) -> None:
        self._ddb = client
        self._table = table_name
        self._workspaces_table = workspaces_table

    def get(self, key_id: str) -> ApiKey | None:
        with translated():
            item = self._ddb.get_item(TableName=self._table, Key=_pk(key_id), ConsistentRead=True).get("Item")
        return load(_to_key, from_item(item), "api_key") if item else None

    def create(self, key: ApiKey) -> None:
        """Store the key and, in the same transaction, record it as a member of each of its workspaces
        (so deleting a workspace can revoke every key's access). Unknown workspaces are refused."""
        record = {"pk": f"KEY#{key.id}", "sk": KEY_SK, "kind": "api_key", **checked(key).model_dump(mode="json")}
        record["permissions"] = set(record["permissions"])
        record["workspaces"] = set(record["workspaces"])
        workspaces = sorted(key.workspaces)
        if workspaces and not self._workspaces_table:
            raise ValueError("Granting workspaces needs the workspaces table")
        if len(workspaces) > 99:
            raise InvalidInput("A key can be created with at most 99 workspaces", details={"field": "workspaces"})
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(record),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        items += [
            {
                "Update": {
                    "TableName": self._workspaces_table,
                    "Key": {"pk": {"S": f"WS#{ws}"}, "sk": {"S": "META"}},
                    "UpdateExpression": "ADD member_keys :k",
                    "ConditionExpression": "#st = :active",
                    "ExpressionAttributeNames": {"#st": "status"},
                    "ExpressionAttributeValues": {":k": {"SS": [key.id]}, ":active": {"S": "active"}},
                }
            }
            for ws in workspaces
        ]
        try:
            with translated():
                self._ddb.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons = cancellation_codes(exc)
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise Conflict(f"API key {key.id} already exists") from exc
            unknown = [ws for ws, r in zip(workspaces, reasons[1:], strict=False) if r == "ConditionalCheckFailed"]
            if unknown:
                raise InvalidInput(
                    "Unknown workspaces: " + ", ".join(unknown), details={"field": "workspaces", "unknown": unknown}
                ) from exc
            raise

    def list(self) -> list[ApiKey]:
        """Every key, through the ``kind`` index (never a table scan)."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            IndexName="by_kind",
            KeyConditionExpression="kind = :k",
            ExpressionAttributeValues={":k": {"S": "api_key"}},
        )
        return load_all(_to_key, records, "api_key")  # the index sorts by created_at

    def revoke(self, key_id: str) -> None:
        try:
            with translated():
                self._ddb.update_item(
                    TableName=self._table,
                    Key=_pk(key_id),
                    UpdateExpression="SET is_active = :f",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":f": {"BOOL": False}},
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ApiKeyNotFound(details={"key_id": key_id}) from exc
            raise

    def save(self, key: ApiKey, previous: ApiKey) -> None:
        """Change a key's name, tier, permissions, hashes or state (not its workspaces, which are
        recorded on the workspaces too). Conflict if it changed meanwhile."""
        checked(key)
        fields = {
            "name": key.name,
            "tier": key.tier.value,
            "permissions": {p.value for p in key.permissions} or None,
            "hashes": [h.model_dump(mode="json") for h in key.hashes],
            "prefix": key.prefix,
            "is_active": key.is_active,
            "metering_key": key.metering_key,
        }
        update = set_fields(fields)
        update["ExpressionAttributeValues"].update(
            {
                ":expected": to_item({"h": [h.model_dump(mode="json") for h in previous.hashes]})["h"],
                ":old_tier": {"S": previous.tier.value},
            }
        )
        try:
            with translated():
                self._ddb.update_item(
                    TableName=self._table,
                    Key=_pk(key.id),
                    ConditionExpression="attribute_exists(pk) AND #hashes = :expected AND #tier = :old_tier",
                    **update,
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise Conflict("The key was changed meanwhile; read it again", details={"key_id": key.id}) from exc
            raise

    def touch(self, key_id: str, moment: datetime) -> None:
        with translated():
            self._ddb.update_item(
                TableName=self._table,
                Key=_pk(key_id),
                UpdateExpression="SET last_used_at = :t",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":t": value(moment)},
            )


def _to_key(record: dict[str, Any]) -> ApiKey:
    return ApiKey(
        id=record["id"],
        name=record["name"],
        tier=record["tier"],
        permissions=frozenset(record.get("permissions", ())),
        workspaces=frozenset(record.get("workspaces", ())),
        hashes=tuple(KeyHash.model_validate(h) for h in record["hashes"]),
        prefix=record["prefix"],
        is_active=record.get("is_active", True),
        created_at=record["created_at"],
        last_used_at=record.get("last_used_at"),
        metering_key=record.get("metering_key"),
    )


class DynamoRequestCounter:
    """One atomic conditional ADD per request: exact under any concurrency."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def consume(self, key_id: str, window_start: int, limit: int) -> int | None:
        try:
            with translated():
                result = self._ddb.update_item(
                    TableName=self._table,
                    Key={"pk": {"S": f"RATE#{key_id}#{window_start}"}, "sk": {"S": "RATE"}},
                    UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :exp)",
                    ConditionExpression="attribute_not_exists(n) OR n < :limit",
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":limit": {"N": str(limit)},
                        ":exp": {"N": str(window_start + 180)},
                    },
                    ReturnValues="UPDATED_NEW",
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        self._count_day(key_id, window_start)
        return int(result["Attributes"]["n"]["N"])

    def _count_day(self, key_id: str, window_start: int) -> None:
        """The key's requests per UTC day (``usage``), kept 400 days."""
        day = datetime.fromtimestamp(window_start, UTC).date().isoformat()
        with translated():
            self._ddb.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"USAGE#{key_id}"}, "sk": {"S": f"DAY#{day}"}},
                UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :exp)",
                ExpressionAttributeValues={":one": {"N": "1"}, ":exp": {"N": str(window_start + 400 * 86_400)}},
            )

    def usage(self, key_id: str, today: date) -> tuple[int, int]:
        """(requests today, requests this month), UTC: one Query of at most 31 day counters."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :month)",
            ExpressionAttributeValues={":pk": {"S": f"USAGE#{key_id}"}, ":month": {"S": f"DAY#{today:%Y-%m}"}},
        )
        by_day = {str(r["sk"]).removeprefix("DAY#"): int(r.get("n", 0)) for r in records}
        return by_day.get(today.isoformat(), 0), sum(by_day.values())
