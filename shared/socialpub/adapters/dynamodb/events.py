"""Lifecycle events as items ``WS#<ws> / EVENT#<time>#<id>``, put in the same transaction as the change
they record, kept 30 days (TTL) for the webhook dispatcher."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from socialpub.adapters.dynamodb.codec import iso, to_item
from socialpub.domain.events import Event

EVENT_RETENTION = timedelta(days=30)


def event_put(table: str, event: Event) -> dict[str, Any]:
    expires = int((event.occurred_at + EVENT_RETENTION).timestamp())
    item = to_item({**event.model_dump(mode="json"), "entity": "event", "expires_at": expires})
    item.update({"pk": {"S": f"WS#{event.workspace_id}"}, "sk": {"S": f"EVENT#{iso(event.occurred_at)}#{event.id}"}})
    return {"Put": {"TableName": table, "Item": item}}
