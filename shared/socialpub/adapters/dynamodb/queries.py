"""Query helpers."""

from __future__ import annotations

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
