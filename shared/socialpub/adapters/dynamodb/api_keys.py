"""API keys and their request counters, in the API keys table.

Items: ``pk=KEY#<key id>, sk=KEY`` (the key record) and ``pk=USAGE#<key id>, sk=DAY#<date>T<hour>``
(the hour's requests and one counter per minute, kept 400 days through TTL).
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


USAGE_DAYS = 400  # how long a key's counts stay readable by the admin plane


class DynamoRequestCounter:
    """One atomic conditional UpdateItem per request, exact under any concurrency: it counts the
    request in its minute (refusing it over the limit) and in the key's usage, both on one item.

    The item is ``USAGE#<key id>`` / ``DAY#<yyyy-mm-dd>T<hh>``, one per key and UTC hour: ``n`` the
    hour's requests, and one top-level number per minute (``m<mm>``) that the limit is checked on.
    At most 62 small attributes, so every write stays one write unit. The sort key extends the
    per-day items counted before (``DAY#<yyyy-mm-dd>``, a second write per request), so a month's
    ``usage`` is still one Query that reads both.
    """

    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def consume(self, key_id: str, window_start: int, limit: int) -> int | None:
        moment = datetime.fromtimestamp(window_start, UTC)
        try:
            with translated():
                result = self._ddb.update_item(
                    TableName=self._table,
                    Key={"pk": {"S": f"USAGE#{key_id}"}, "sk": {"S": f"DAY#{moment:%Y-%m-%dT%H}"}},
                    UpdateExpression="ADD #minute :one, n :one SET expires_at = if_not_exists(expires_at, :exp)",
                    ConditionExpression="attribute_not_exists(#minute) OR #minute < :limit",
                    ExpressionAttributeNames={"#minute": f"m{moment:%M}"},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":limit": {"N": str(limit)},
                        ":exp": {"N": str(window_start + USAGE_DAYS * 86_400)},
                    },
                    ReturnValues="UPDATED_NEW",
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return int(result["Attributes"][f"m{moment:%M}"]["N"])

    def usage(self, key_id: str, today: date) -> tuple[int, int]:
        """(requests today, requests this month), UTC: one paged Query of the month's hour items
        (and of the day items written before them)."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :month)",
            ProjectionExpression="sk, n",
            ExpressionAttributeValues={":pk": {"S": f"USAGE#{key_id}"}, ":month": {"S": f"DAY#{today:%Y-%m}"}},
        )
        by_day: dict[str, int] = {}
        for r in records:
            day = str(r["sk"]).removeprefix("DAY#")[:10]
            by_day[day] = by_day.get(day, 0) + int(r.get("n", 0))
        return by_day.get(today.isoformat(), 0), sum(by_day.values())
