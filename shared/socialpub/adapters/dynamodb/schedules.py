"""Schedules (recurring slot sets) in the workspaces table, inside their workspace's partition:

- ``SCHED#<schedule>``: the schedule, its slots inline.
- ``QSLOT#<schedule>#<UTC time>#<network>``: a slot occurrence claimed by a queued post for one of
  its networks. Written with the post, only if absent, so two posts never take the same slot; the
  post's writes remove it when the post is unscheduled, rescheduled, published or deleted.
- ``SCHEDSTAT#<schedule>``: how many posts were published through it, in all and per ISO week;
  added in the transaction that settles such a post.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialpub.adapters.dynamodb.codec import from_item, iso, to_item
from socialpub.adapters.dynamodb.errors import translated
from socialpub.adapters.dynamodb.guards import guarded_transaction, workspace_guard
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.domain.posts import ConcurrentModification
from socialpub.domain.records import checked
from socialpub.domain.schedules import Claim, Schedule


def schedule_sk(schedule_id: str) -> str:
    return f"SCHED#{schedule_id}"


def claim_sk(schedule_id: str, at: datetime, network: str) -> str:
    return f"QSLOT#{schedule_id}#{iso(at)}#{network}"


def stats_sk(schedule_id: str) -> str:
    return f"SCHEDSTAT#{schedule_id}"


class DynamoScheduleRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def create(self, schedule: Schedule) -> None:
        put = self._put(schedule, ConditionExpression="attribute_not_exists(pk)")
        self._transact([put, workspace_guard(self._table, schedule.workspace_id)], schedule)

    def get(self, workspace_id: str, schedule_id: str) -> Schedule | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=self._key(workspace_id, schedule_sk(schedule_id)), ConsistentRead=True
            ).get("Item")
        return load(Schedule, from_item(item), "schedule") if item else None

    def of_workspace(self, workspace_id: str) -> list[Schedule]:
        """A workspace has a few dozen schedules at most (domain/schedules.py MAX_SCHEDULES)."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :s)",
            ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":s": {"S": "SCHED#"}},
            ConsistentRead=True,
        )
        return sorted(load_all(Schedule, records, "schedule"), key=lambda s: s.created_at)

    def save(self, schedule: Schedule, previous: Schedule) -> None:
        put = self._put(
            schedule,
            ConditionExpression="version = :v",
            ExpressionAttributeValues={":v": {"N": str(previous.version)}},
        )
        self._transact([put, workspace_guard(self._table, schedule.workspace_id)], schedule)

    def delete(self, schedule: Schedule) -> None:
        """The schedule and its counts. Claims of posts queued in it stay with those posts, which
        keep their times; they go when the posts are published, moved or deleted."""
        items = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": self._key(schedule.workspace_id, schedule_sk(schedule.id)),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(schedule.version)}},
                }
            },
            {"Delete": {"TableName": self._table, "Key": self._key(schedule.workspace_id, stats_sk(schedule.id))}},
            workspace_guard(self._table, schedule.workspace_id),
        ]
        self._transact(items, schedule)

    def claims(self, workspace_id: str, schedule_id: str, after: datetime, limit: int = 1000) -> list[Claim]:
        prefix = f"QSLOT#{schedule_id}#"
        with translated():
            items = self._ddb.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
                ExpressionAttributeValues={
                    ":pk": {"S": f"WS#{workspace_id}"},
                    ":from": {"S": prefix + iso(after)},
                    ":to": {"S": prefix + "~"},
                },
                ConsistentRead=True,
                Limit=limit,
            ).get("Items", [])
        return load_all(Claim, (from_item(i) for i in items), "slot claim")

    def get_with_counts(self, workspace_id: str, schedule_id: str) -> tuple[Schedule | None, dict[str, int]]:
        """The schedule and its publishing counts in one BatchGetItem (GET /api/schedules/{id})."""
        keys = [self._key(workspace_id, schedule_sk(schedule_id)), self._key(workspace_id, stats_sk(schedule_id))]
        found = {str(r["sk"]): r for r in batch_get_all(self._ddb, self._table, keys)}
        item = found.get(schedule_sk(schedule_id))
        counts = found.get(stats_sk(schedule_id), {})
        schedule = load(Schedule, item, "schedule") if item else None
        return schedule, {k: int(v) for k, v in counts.items() if k not in ("pk", "sk")}

    def _put(self, schedule: Schedule, **condition: Any) -> dict[str, Any]:
        record = {
            **checked(schedule).model_dump(mode="json"),
            "pk": f"WS#{schedule.workspace_id}",
            "sk": schedule_sk(schedule.id),
            "entity": "schedule",
        }
        return {"Put": {"TableName": self._table, "Item": to_item(record), **condition}}

    def _key(self, workspace_id: str, sk: str) -> dict[str, Any]:
        return {"pk": {"S": f"WS#{workspace_id}"}, "sk": {"S": sk}}

    def _transact(self, items: list[dict[str, Any]], schedule: Schedule) -> None:
        conflict = ConcurrentModification(
            "The schedule was changed by another request meanwhile; read it again and retry",
            details={"schedule_id": schedule.id},
        )
        with guarded_transaction(schedule.workspace_id, conflict):
            self._ddb.transact_write_items(TransactItems=items)


def claim_puts(table: str, workspace_id: str, claims: dict[str, Claim]) -> list[dict[str, Any]]:
    """Claim these slots (sk -> claim) only if nobody holds them."""
    return [
        {
            "Put": {
                "TableName": table,
                "Item": to_item(
                    {**checked(c).model_dump(mode="json"), "pk": f"WS#{workspace_id}", "sk": sk, "entity": "claim"}
                ),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for sk, c in claims.items()
    ]


def stats_update(table: str, workspace_id: str, schedule_id: str, week: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": f"WS#{workspace_id}"}, "sk": {"S": stats_sk(schedule_id)}},
            "UpdateExpression": "ADD #total :one, #week :one",
            "ExpressionAttributeNames": {"#total": "total", "#week": week},
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
