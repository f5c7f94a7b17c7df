"""Integration configurations in their workspace's partition: ``sk=CONFIG#<integration>#<id>``.

Values under ``sealed`` are KMS ciphertexts; nothing here ever sees a plaintext credential.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, to_item
from socialpub.adapters.dynamodb.errors import error_code, translated
from socialpub.adapters.dynamodb.guards import guarded_transaction, workspace_guard
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import query_all
from socialpub.domain.integrations import Configuration, ConfigurationNotFound
from socialpub.domain.records import checked


def _key(workspace_id: str, integration: str, configuration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"WS#{workspace_id}"}, "sk": {"S": f"CONFIG#{integration}#{configuration_id}"}}


class DynamoConfigurationRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def create(self, config: Configuration) -> None:
        """Put the configuration if its workspace is active (a deleted workspace's purge must not be outrun)."""
        with guarded_transaction(config.workspace_id):
            self._ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self._table, "Item": self._item(config)}},
                    workspace_guard(self._table, config.workspace_id),
                ]
            )

    def get(self, workspace_id: str, integration: str, configuration_id: str) -> Configuration | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=_key(workspace_id, integration, configuration_id), ConsistentRead=True
            ).get("Item")
        return load(Configuration, from_item(item), "configuration") if item else None

    def list(self, workspace_id: str, integration: str) -> list[Configuration]:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": f"WS#{workspace_id}"},
                ":prefix": {"S": f"CONFIG#{integration}#"},
            },
            ConsistentRead=True,
        )
        return load_all(Configuration, records, "configuration")

    def save(self, config: Configuration) -> None:
        self._conditional("put_item", config, Item=self._item(config))

    def delete(self, config: Configuration) -> None:
        self._conditional("delete_item", config, Key=_key(config.workspace_id, config.integration, config.id))

    def _conditional(self, operation: str, config: Configuration, **request: Any) -> None:
        try:
            with translated():
                getattr(self._ddb, operation)(
                    TableName=self._table, ConditionExpression="attribute_exists(pk)", **request
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConfigurationNotFound(details={"configuration_id": config.id}) from exc
            raise

    def _item(self, config: Configuration) -> dict[str, Any]:
        key = _key(config.workspace_id, config.integration, config.id)
        return {**to_item({**checked(config).model_dump(mode="json"), "entity": "configuration"}), **key}
