"""The users table: admin users (``pk=USER#<id>`` plus an ``pk=EMAIL#<email>`` item that makes
emails unique), their sessions (``SESSION#<id>``, expiring with the token), and failed-login
counters (``LOGINFAIL#<email:… or ip:…>`` / ``W#<window start>``, expiring after two windows)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, to_item
from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.domain.admin_auth import AdminSession
from socialpub.domain.errors import Conflict
from socialpub.domain.records import checked
from socialpub.domain.users import AdminUser, LastAdmin, Role, UserNotFound


class DynamoAdminUserRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def get_by_email(self, email: str) -> AdminUser | None:
        with translated():
            pointer = self._ddb.get_item(
                TableName=self._table,
                Key={"pk": {"S": f"EMAIL#{email.lower()}"}, "sk": {"S": "EMAIL"}},
                ConsistentRead=True,
            ).get("Item")
            if not pointer:
                return None
            item = self._ddb.get_item(
                TableName=self._table,
                Key={"pk": {"S": f"USER#{pointer['user_id']['S']}"}, "sk": {"S": "USER"}},
                ConsistentRead=True,
            ).get("Item")
        return load(AdminUser, from_item(item), "user") if item else None

    def get(self, user_id: str) -> AdminUser | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "USER"}}, ConsistentRead=True
            ).get("Item")
        return load(AdminUser, from_item(item), "user") if item else None

    def record_login(self, user_id: str, at: datetime) -> None:
        with translated():
            self._ddb.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "USER"}},
                UpdateExpression="SET last_login = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":at": {"S": at.isoformat()}},
            )

    def create(self, user: AdminUser) -> None:
        pointer = {
            "Put": {
                "TableName": self._table,
                "Item": to_item({"pk": f"EMAIL#{user.email.lower()}", "sk": "EMAIL", "user_id": user.id}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        items = [pointer, {"Put": {"TableName": self._table, "Item": to_item(self._record(user))}}]
        items += self._admins(_admin_count(user))
        try:
            with translated():
                self._ddb.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise Conflict(f"A user with email {user.email} already exists", details={"field": "email"}) from exc
            raise

    def all(self) -> list[AdminUser]:
        """Every user, oldest first, through the ``by_kind`` index (a few dozen at most)."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            IndexName="by_kind",
            KeyConditionExpression="kind = :k",
            ExpressionAttributeValues={":k": {"S": "user"}},
        )
        return load_all(AdminUser, records, "user")

    def save(self, user: AdminUser, previous: AdminUser) -> None:
        """LastAdmin if this would leave no active admin."""
        put = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(self._record(user)),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        self._with_recount([put, *self._admins(_admin_count(user) - _admin_count(previous))], user)

    def delete(self, user: AdminUser) -> None:
        """LastAdmin if this would leave no active admin."""
        items = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": _user_key(user.id),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"EMAIL#{user.email.lower()}"}, "sk": {"S": "EMAIL"}},
                }
            },
            *self._admins(-_admin_count(user)),
        ]
        self._with_recount(items, user)

    def _with_recount(self, items: list[dict[str, Any]], user: AdminUser) -> None:
        """The write; if it was refused as leaving no admin, count the admins again (a counter lost,
        or users made before it existed) and, where the count was wrong, try once more."""
        try:
            self._guarded(items, user)
        except LastAdmin:
            real = sum(_admin_count(u) for u in self.all())
            with translated():
                stored = self._ddb.get_item(
                    TableName=self._table,
                    Key={"pk": {"S": "COUNTER"}, "sk": {"S": "ACTIVE_ADMINS"}},
                    ConsistentRead=True,
                ).get("Item", {})
            if int(stored.get("active_admins", {}).get("N", "0")) == real:
                raise
            with translated():
                self._ddb.put_item(
                    TableName=self._table,
                    Item={**_ADMINS_KEY, "active_admins": {"N": str(real)}},
                )
            self._guarded(items, user)

    def _guarded(self, items: list[dict[str, Any]], user: AdminUser) -> None:
        try:
            with translated():
                self._ddb.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            codes = cancellation_codes(exc)
            if len(codes) > 1 and codes[-1] == "ConditionalCheckFailed" and items[-1].get("Update"):
                raise LastAdmin(details={"user_id": user.id}) from exc
            raise UserNotFound(details={"user_id": user.id}) from exc

    def _admins(self, delta: int) -> list[dict[str, Any]]:
        """The count of active admins moves with every write that changes it; it may not reach 0."""
        if not delta:
            return []
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": _ADMINS_KEY,
            "UpdateExpression": "ADD active_admins :d",
            "ExpressionAttributeValues": {":d": {"N": str(delta)}},
        }
        if delta < 0:
            update["ConditionExpression"] = "active_admins > :one"
            update["ExpressionAttributeValues"][":one"] = {"N": "1"}
        return [{"Update": update}]

    def _record(self, user: AdminUser) -> dict[str, Any]:
        record = {"pk": f"USER#{user.id}", "sk": "USER", "kind": "user", **checked(user).model_dump(mode="json")}
        record["email"] = user.email.lower()
        return record


_ADMINS_KEY = {"pk": {"S": "COUNTER"}, "sk": {"S": "ACTIVE_ADMINS"}}


def _user_key(user_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "USER"}}


def _admin_count(user: AdminUser) -> int:
    return int(user.role is Role.ADMIN and user.is_active)


class DynamoAdminSessionStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def open(self, session: AdminSession) -> None:
        # expires_at as epoch seconds: the table's TTL removes the session once its token has expired.
        record = {
            **checked(session).model_dump(mode="json"),
            "pk": f"SESSION#{session.id}",
            "sk": "SESSION",
            "expires_at": int(session.expires_at.timestamp()),
        }
        with translated():
            self._ddb.put_item(TableName=self._table, Item=to_item(record))

    def get(self, session_id: str) -> AdminSession | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table,
                Key={"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": "SESSION"}},
                ConsistentRead=True,
            ).get("Item")
        return load(_to_session, from_item(item), "admin session") if item else None

    def close(self, session_id: str) -> None:
        with translated():
            self._ddb.delete_item(
                TableName=self._table, Key={"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": "SESSION"}}
            )


def _to_session(record: dict[str, Any]) -> AdminSession:
    return AdminSession.model_validate({**record, "expires_at": datetime.fromtimestamp(int(record["expires_at"]), UTC)})


class DynamoLoginFailures:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def count(self, keys: list[str], window: datetime) -> dict[str, int]:
        found = batch_get_all(self._ddb, self._table, [self._key(k, window) for k in keys])
        return {str(r["pk"]).removeprefix("LOGINFAIL#"): int(r.get("failures", 0)) for r in found}

    def add(self, keys: list[str], window: datetime, expires: datetime) -> None:
        with translated():
            for key in keys:
                self._ddb.update_item(
                    TableName=self._table,
                    Key=self._key(key, window),
                    UpdateExpression="ADD failures :one SET expires_at = :exp",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":exp": {"N": str(int(expires.timestamp()))}},
                )

    def _key(self, key: str, window: datetime) -> dict[str, Any]:
        return {"pk": {"S": f"LOGINFAIL#{key}"}, "sk": {"S": f"W#{int(window.timestamp())}"}}
