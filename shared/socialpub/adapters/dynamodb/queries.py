"""Query helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.dynamodb.codec import from_item
from socialpub.adapters.dynamodb.errors import translated


def query_all(client: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a Query, following LastEvaluatedKey; for bounded result sets only."""
    items: list[dict[str, Any]] = []
    with translated():
        while True:
            page = client.query(**kwargs)
            items.extend(from_item(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


BATCH_GET_MAX = 100


def batch_get_all(
    client: Any, table: str, keys: list[dict[str, Any]], projection: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Every item of ``keys`` that exists (consistent reads, 100 keys per call, retrying unprocessed);
    only the ``projection`` attributes of each when some are named."""
    found: list[dict[str, Any]] = []
    pending = list(keys)
    read: dict[str, Any] = {"ConsistentRead": True}
    if projection:
        read["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(projection)))
        read["ExpressionAttributeNames"] = {f"#p{i}": name for i, name in enumerate(projection)}
    with translated():
        while pending:
            batch, pending = pending[:BATCH_GET_MAX], pending[BATCH_GET_MAX:]
            request: dict[str, Any] = {table: {"Keys": batch, **read}}
            while request:
                result = client.batch_get_item(RequestItems=request)
                found.extend(from_item(i) for i in result["Responses"].get(table, []))
                request = result.get("UnprocessedKeys") or {}
    return found
