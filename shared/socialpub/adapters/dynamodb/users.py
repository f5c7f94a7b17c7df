"""Admin users: ``pk=USER#<id>`` plus an ``pk=EMAIL#<email>`` item that makes emails unique."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, to_item
from socialpub.adapters.dynamodb.errors import error_code, translated
from socialpub.domain.errors import Conflict
from socialpub.domain.users import AdminUser


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
        return AdminUser.model_validate(from_item(item)) if item else None

    def create(self, user: AdminUser) -> None:
        record = {"pk": f"USER#{user.id}", "sk": "USER", "kind": "user", **user.model_dump(mode="json")}
        record["email"] = user.email.lower()
        try:
            with translated():
                self._ddb.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self._table,
                                "Item": to_item(
                                    {"pk": f"EMAIL#{user.email.lower()}", "sk": "EMAIL", "user_id": user.id}
                                ),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {"Put": {"TableName": self._table, "Item": to_item(record)}},
                    ]
                )
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise Conflict(f"A user with email {user.email} already exists") from exc
            raise
