"""Webhooks in the users table (the admin plane's):

- ``WEBHOOK / WH#<id>``: a webhook, its sealed secret, and its counters (``stats``), moved with ADD.
- ``WH#<id> / DLV#<delivery id>``: a delivery, its exact body and its attempt log; delivery ids
  follow event ids, which are time-ordered, so a Query lists them newest first. Kept 30 days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, iso, set_fields, to_item
from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import query_all
from socialpub.domain.posts import ConcurrentModification
from socialpub.domain.records import checked
from socialpub.domain.services.webhooks import trimmed
from socialpub.domain.webhooks import Attempt, Delivery, DeliveryStatus, Webhook

DELIVERY_RETENTION = timedelta(days=30)


def _webhook_key(webhook_id: str) -> dict[str, Any]:
    return {"pk": {"S": "WEBHOOK"}, "sk": {"S": f"WH#{webhook_id}"}}


def _delivery_key(webhook_id: str, delivery_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"WH#{webhook_id}"}, "sk": {"S": f"DLV#{delivery_id}"}}


class DynamoWebhookRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    # ------------------------------------------------------------------ webhooks

    def create(self, webhook: Webhook) -> None:
        with translated():
            self._ddb.put_item(**self._put(webhook, ConditionExpression="attribute_not_exists(pk)"))

    def get(self, webhook_id: str) -> Webhook | None:
        with translated():
            item = self._ddb.get_item(TableName=self._table, Key=_webhook_key(webhook_id), ConsistentRead=True).get(
                "Item"
            )
        return load(Webhook, from_item(item), "webhook") if item else None

    def all(self) -> list[Webhook]:
        """One partition holds every webhook (at most MAX_WEBHOOKS)."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "WEBHOOK"}},
            ConsistentRead=True,
        )
        return sorted(load_all(Webhook, records, "webhook"), key=lambda w: w.created_at)

    def save(self, webhook: Webhook, previous: Webhook) -> None:
        # The counters move on their own (ADD): everything but them is replaced.
        update = set_fields(checked(webhook).model_dump(mode="json", exclude={"stats", "last_triggered_at"}))
        update["ExpressionAttributeValues"][":expected"] = {"N": str(previous.version)}
        try:
            with translated():
                self._ddb.update_item(
                    TableName=self._table,
                    Key=_webhook_key(webhook.id),
                    ConditionExpression="#version = :expected",
                    **update,
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConcurrentModification(
                    "The webhook was changed or deleted meanwhile; read it again", details={"webhook_id": webhook.id}
                ) from exc
            raise

    def delete(self, webhook: Webhook) -> None:
        """The webhook goes; its deliveries expire with their TTL."""
        with translated():
            self._ddb.delete_item(TableName=self._table, Key=_webhook_key(webhook.id))

    # ------------------------------------------------------------------ deliveries

    def add_delivery(self, delivery: Delivery) -> bool:
        put = self._put_delivery(delivery, ConditionExpression="attribute_not_exists(pk)")
        count = self._count(delivery.webhook_id, ["total_deliveries"], last_triggered=iso(delivery.created_at))
        try:
            with translated():
                self._ddb.transact_write_items(TransactItems=[put, count])
        except ClientError as exc:
            codes = cancellation_codes(exc) if error_code(exc) == "TransactionCanceledException" else []
            if codes and "ConditionalCheckFailed" in codes:
                return False  # made already, or the webhook is gone
            raise
        return True

    def get_delivery(self, webhook_id: str, delivery_id: str) -> Delivery | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=_delivery_key(webhook_id, delivery_id), ConsistentRead=True
            ).get("Item")
        return load(Delivery, from_item(item), "delivery") if item else None

    def deliveries(self, webhook_id: str, *, limit: int, before: str | None) -> list[Delivery]:
        condition = "pk = :pk AND begins_with(sk, :d)"
        values: dict[str, Any] = {":pk": {"S": f"WH#{webhook_id}"}, ":d": {"S": "DLV#"}}
        if before:
            condition = "pk = :pk AND sk BETWEEN :d AND :before"
            values[":before"] = {"S": f"DLV#{before}"}
        with translated():
            items = self._ddb.query(
                TableName=self._table,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                ScanIndexForward=False,
                Limit=limit + (1 if before else 0),
            ).get("Items", [])
        found = load_all(Delivery, (from_item(i) for i in items), "delivery")
        return [d for d in found if d.id != before][:limit]

    def record(self, delivery: Delivery, attempt: Attempt, *, outcome: DeliveryStatus | None) -> Delivery:
        status = outcome or delivery.status
        succeeded = outcome is DeliveryStatus.SUCCEEDED
        updated = delivery.model_copy(
            update={
                "attempts": trimmed([*delivery.attempts, attempt]),
                "attempt_count": delivery.attempt_count + 1,
                "status": status,
                "delivered_at": attempt.at if succeeded else delivery.delivered_at,
            }
        )
        counters = ["total_attempts"]
        if attempt.status_code is None or not 200 <= attempt.status_code < 300:
            counters.append("failed_attempts")
        if outcome is not None and status is not delivery.status:
            counters.append("successful_deliveries" if succeeded else "failed_deliveries")
        try:
            with translated():
                self._ddb.transact_write_items(
                    TransactItems=[self._put_delivery(updated), self._count(delivery.webhook_id, counters)]
                )
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            with translated():  # the webhook was deleted meanwhile: keep the log all the same
                self._ddb.put_item(**self._put_delivery(updated)["Put"])
        return updated

    # ------------------------------------------------------------------ items

    def _put(self, webhook: Webhook, **condition: Any) -> dict[str, Any]:
        record = {
            **checked(webhook).model_dump(mode="json"),
            "pk": "WEBHOOK",
            "sk": f"WH#{webhook.id}",
            "kind": "webhook",
        }
        return {"TableName": self._table, "Item": to_item(record), **condition}

    def _put_delivery(self, delivery: Delivery, **condition: Any) -> dict[str, Any]:
        expires = int((delivery.created_at + DELIVERY_RETENTION).timestamp())
        record = {
            **checked(delivery).model_dump(mode="json"),
            "pk": f"WH#{delivery.webhook_id}",
            "sk": f"DLV#{delivery.id}",
            "entity": "delivery",
            "expires_at": expires,
        }
        return {"Put": {"TableName": self._table, "Item": to_item(record), **condition}}

    def _count(self, webhook_id: str, counters: list[str], last_triggered: str | None = None) -> dict[str, Any]:
        update = "ADD " + ", ".join(f"stats.{c} :one" for c in counters)
        values: dict[str, Any] = {":one": {"N": "1"}}
        if last_triggered:
            update += " SET last_triggered_at = :at"
            values[":at"] = {"S": last_triggered}
        return {
            "Update": {
                "TableName": self._table,
                "Key": _webhook_key(webhook_id),
                "UpdateExpression": update,
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": values,
            }
        }
