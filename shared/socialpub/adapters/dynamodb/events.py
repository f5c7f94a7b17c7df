"""Lifecycle events as items ``WS#<ws> / EVENT#<time>#<id>``, put in the same transaction as the change
they record, kept 30 days (TTL; events.RETENTION), and read back a page at a time (DynamoEventLog).

Each new event also carries ``sweep_pk=event`` / ``sweep_sk=<time>#<id>`` in the ``to_sweep`` index
until the event relay has handed it to the webhook queue: an outbox, so that an event is relayed at
least once even if a function dies right after its write.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, iso, to_item
from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.adapters.dynamodb.loading import load_all
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.domain.events import RETENTION, Event

ACTIVITY_RETENTION = timedelta(days=400)
TO_SWEEP = "to_sweep"
RELAY = "event"


def event_put(table: str, event: Event) -> dict[str, Any]:
    expires = int((event.occurred_at + RETENTION).timestamp())
    item = to_item({**event.model_dump(mode="json"), "entity": "event", "expires_at": expires})
    item.update(
        {
            "pk": {"S": f"WS#{event.workspace_id}"},
            "sk": {"S": f"EVENT#{iso(event.occurred_at)}#{event.id}"},
            "sweep_pk": {"S": RELAY},
            "sweep_sk": {"S": f"{iso(event.occurred_at)}#{event.id}"},
        }
    )
    return {"Put": {"TableName": table, "Item": item}}


class DynamoEventOutbox:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def unrelayed(self, until: datetime, limit: int) -> list[Event]:
        """Events recorded up to ``until`` and not relayed yet, oldest first."""
        with translated():
            keys = self._ddb.query(
                TableName=self._table,
                IndexName=TO_SWEEP,
                KeyConditionExpression="sweep_pk = :r AND sweep_sk <= :until",
                ExpressionAttributeValues={":r": {"S": RELAY}, ":until": {"S": f"{iso(until)}#~"}},
                Limit=limit,
            ).get("Items", [])
        found = batch_get_all(self._ddb, self._table, [{"pk": k["pk"], "sk": k["sk"]} for k in keys])
        events = [Event.model_validate(r) for r in found if r.get("sweep_pk") == RELAY]
        return sorted(events, key=lambda e: (e.occurred_at, e.id))

    def relayed(self, event: Event) -> None:
        """Clear the event's mark and count it in the day's activity (``STATS`` / ``DAY#<date>``) at
        once, only if the mark was still there: however often an event is relayed, it counts once."""
        mark = {
            "Update": {
                "TableName": self._table,
                "Key": {
                    "pk": {"S": f"WS#{event.workspace_id}"},
                    "sk": {"S": f"EVENT#{iso(event.occurred_at)}#{event.id}"},
                },
                "UpdateExpression": "REMOVE sweep_pk, sweep_sk",
                "ConditionExpression": "attribute_exists(sweep_pk)",
            }
        }
        day = event.occurred_at.astimezone(UTC).date()
        count = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": "STATS"}, "sk": {"S": f"DAY#{day.isoformat()}"}},
                "UpdateExpression": "ADD #type :one SET expires_at = if_not_exists(expires_at, :exp)",
                "ExpressionAttributeNames": {"#type": event.type.value.replace(".", "_")},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":exp": {"N": str(int((event.occurred_at + ACTIVITY_RETENTION).timestamp()))},
                },
            }
        }
        try:
            with translated():
                self._ddb.transact_write_items(TransactItems=[mark, count])
        except ClientError as exc:
            codes = cancellation_codes(exc) if error_code(exc) == "TransactionCanceledException" else []
            if codes[:1] != ["ConditionalCheckFailed"]:
                raise  # a conflict: the next sweep relays it again


class DynamoEventLog:
    """A workspace's events, newest first (one Query of its partition's EVENT# range)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def page(self, workspace_id: str, since: datetime, *, page: int, per_page: int) -> tuple[list[Event], int]:
        # From ``since`` on: the TTL deletes expired items only some time after they expire.
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"WS#{workspace_id}"},
                ":from": {"S": f"EVENT#{iso(since)}"},
                ":to": {"S": "EVENT#~"},
            },
            "ScanIndexForward": False,
        }
        # DynamoDB has no offset and no count but by reading: one pass counts every event and keeps
        # the page's (at most 30 days of one workspace's events).
        wanted_from, total = page * per_page, 0
        found: list[Event] = []
        with translated():
            while True:
                result = self._ddb.query(**query)
                for item in result.get("Items", []):
                    if wanted_from <= total < wanted_from + per_page:
                        # A damaged event is left out (logged); the page is one short.
                        found += load_all(Event, [from_item(item)], "event")
                    total += 1
                if "LastEvaluatedKey" not in result:
                    return found, total
                query["ExclusiveStartKey"] = result["LastEvaluatedKey"]


class DynamoActivity:
    """The day counters of lifecycle events (``post_created``, ``post_published``...), across workspaces."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def days(self, first: date, last: date) -> dict[date, dict[str, int]]:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :s AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":s": {"S": "STATS"},
                ":first": {"S": f"DAY#{first.isoformat()}"},
                ":last": {"S": f"DAY#{last.isoformat()}"},
            },
        )
        return {
            date.fromisoformat(str(r["sk"]).removeprefix("DAY#")): {
                k: int(v) for k, v in r.items() if k not in ("pk", "sk", "expires_at")
            }
            for r in records
        }
