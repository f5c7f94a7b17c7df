"""The audit log in the users table: ``AUDIT#<yyyy-mm>`` / ``<time>#<id>``, one partition per month,
so a date range is a Query per month, newest first. Filters on user and action are applied to the
Query (admin traffic is small). Entries are only ever put."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from socialpub.adapters.dynamodb.codec import from_item, iso, to_item
from socialpub.adapters.dynamodb.errors import translated
from socialpub.adapters.dynamodb.loading import load_all
from socialpub.domain.audit import AuditEntry, AuditFilter
from socialpub.domain.records import checked

EARLIEST = datetime(2024, 1, 1, tzinfo=UTC)


def _months(start: datetime, end: datetime) -> list[str]:
    """yyyy-mm from ``end`` back to ``start``."""
    months = []
    year, month = end.year, end.month
    while (year, month) >= (start.year, start.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


class DynamoAuditLog:
    def __init__(self, client: Any, table_name: str, clock: Any) -> None:
        self._ddb = client
        self._table = table_name
        self._clock = clock

    def record(self, entry: AuditEntry) -> None:
        record = {
            **checked(entry).model_dump(mode="json"),
            "pk": f"AUDIT#{entry.created_at.astimezone(UTC):%Y-%m}",
            "sk": f"{iso(entry.created_at)}#{entry.id}",
        }
        with translated():
            self._ddb.put_item(TableName=self._table, Item=to_item(record))

    def page(self, where: AuditFilter, *, page: int, per_page: int) -> tuple[list[AuditEntry], int]:
        now = self._clock()
        # Entries are written at the time they happen, so none lies ahead: a far "to" (9999-12-31)
        # would otherwise cost a Query for every month up to it.
        end = min(where.end, now) if where.end else now
        start = max(where.start or EARLIEST, EARLIEST)
        wanted_from, total = (page - 1) * per_page, 0
        found: list[AuditEntry] = []
        for month in _months(start, end):
            query: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
                "ExpressionAttributeValues": {
                    ":pk": {"S": f"AUDIT#{month}"},
                    ":from": {"S": iso(start)},
                    ":to": {"S": f"{iso(end)}#~"},
                },
                "ScanIndexForward": False,
            }
            filters = []
            if where.user_id:
                filters.append("user_id = :user")
                query["ExpressionAttributeValues"][":user"] = {"S": where.user_id}
            if where.action:
                filters.append("#action = :action")
                query["ExpressionAttributeValues"][":action"] = {"S": where.action}
                query["ExpressionAttributeNames"] = {"#action": "action"}
            if filters:
                query["FilterExpression"] = " AND ".join(filters)
            with translated():
                while True:
                    result = self._ddb.query(**query)
                    for item in result.get("Items", []):
                        if wanted_from <= total < wanted_from + per_page:
                            # A damaged entry is left out (logged); the page is one short.
                            found += load_all(AuditEntry, [from_item(item)], "audit entry")
                        total += 1
                    if "LastEvaluatedKey" not in result:
                        break
                    query["ExclusiveStartKey"] = result["LastEvaluatedKey"]
        return found, total
