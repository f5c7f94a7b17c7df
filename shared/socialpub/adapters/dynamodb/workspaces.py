"""Workspaces table: every item of a workspace lives in its partition ``pk=WS#<id>``.

So tenant isolation is structural (no read can cross partitions by accident) and deleting a
workspace is a Query of one partition. The workspace itself is ``sk=META``; its counters are
top-level numbers so that other writers can ADD to them atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item, iso, to_item, value
from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.domain.errors import Unauthenticated, WorkspaceNotFound
from socialpub.domain.quotas import POSTS_CREATED_PREFIX
from socialpub.domain.records import checked
from socialpub.domain.tiers import Tier
from socialpub.domain.workspaces import AccountRef, Workspace, WorkspaceStats, WorkspaceStatus

META = "META"
# The workspace item's summary of each connected account (AccountRef), top-level so that the
# account's own transactions can SET and REMOVE it on any workspace item (adapters/dynamodb/accounts.py).
ACCOUNT_REF = "account_ref#"
_TRANSACTION_MAX = 100
_STAT_FIELDS = tuple(WorkspaceStats.model_fields)


def _pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


def _meta_key(workspace_id: str) -> dict[str, Any]:
    return {"pk": {"S": _pk(workspace_id)}, "sk": {"S": META}}


class DynamoWorkspaceRepository:
    def __init__(self, client: Any, table_name: str, api_keys_table: str | None = None) -> None:
        """``api_keys_table`` is needed only to create and delete workspaces (keys list their workspaces)
        and to tell a workspace's plan (its keys' tiers)."""
        self._ddb = client
        self._table = table_name
        self._keys_table = api_keys_table or ""

    def create(self, workspace: Workspace, *, owner_key_id: str) -> None:
        record = checked(workspace).model_dump(mode="json", exclude={"stats", "posts_created"})
        record.update(workspace.stats.model_dump())
        record.update(pk=_pk(workspace.id), sk=META, kind="workspace", member_keys=set(workspace.member_keys))
        # Listed across workspaces (the admin plane's totals) through the to_sweep index.
        record.update(sweep_pk="workspace", sweep_sk=f"{iso(workspace.created_at)}#{workspace.id}")
        try:
            with translated():
                self._ddb.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self._table,
                                "Item": to_item(record),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {
                            "Update": {
                                "TableName": self._keys_table,
                                "Key": {"pk": {"S": f"KEY#{owner_key_id}"}, "sk": {"S": "KEY"}},
                                "UpdateExpression": "ADD workspaces :ws",
                                "ConditionExpression": "attribute_exists(pk) AND is_active = :t",
                                "ExpressionAttributeValues": {":ws": {"SS": [workspace.id]}, ":t": {"BOOL": True}},
                            }
                        },
                    ]
                )
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and cancellation_codes(exc)[1:2] == [
                "ConditionalCheckFailed"
            ]:
                raise Unauthenticated("The API key was revoked") from exc
            raise

    def get(self, workspace_id: str) -> Workspace | None:
        with translated():
            item = self._ddb.get_item(TableName=self._table, Key=_meta_key(workspace_id), ConsistentRead=True).get(
                "Item"
            )
        return load(_to_workspace, from_item(item), "workspace") if item else None

    def get_with_accounts(self, workspace_id: str) -> tuple[Workspace | None, list[AccountRef]]:
        """The workspace and its connected accounts, from its item alone when it counts accounts and
        carries as many summaries (``ACCOUNT_REF``, written in each account's transactions): one
        GetItem. Else also the accounts' Query: accounts connected before the summaries were kept
        (each gets its summary at its next write), or none counted."""
        with translated():
            item = self._ddb.get_item(TableName=self._table, Key=_meta_key(workspace_id), ConsistentRead=True).get(
                "Item"
            )
        if not item:
            return None, []
        record = from_item(item)
        workspace = load(_to_workspace, record, "workspace")
        refs = [v for name, v in record.items() if name.startswith(ACCOUNT_REF)]
        counted = int(record.get("accounts_count", 0))
        if not counted or len(refs) != counted:
            return workspace, self.accounts(workspace_id)
        # In the Query's order (by sort key ACCOUNT#<id>)
        return workspace, sorted(load_all(AccountRef, refs, "account summary"), key=lambda a: a.id)

    def get_many(self, workspace_ids: Iterable[str]) -> list[Workspace]:
        found = batch_get_all(self._ddb, self._table, [_meta_key(i) for i in workspace_ids])
        return load_all(_to_workspace, found, "workspace")

    def save(self, workspace: Workspace) -> None:
        """Write the editable fields only, so concurrent counter updates are never overwritten."""
        checked(workspace)
        try:
            with translated():
                self._ddb.update_item(
                    TableName=self._table,
                    Key=_meta_key(workspace.id),
                    UpdateExpression="SET #n = :n, description = :d, settings = :s, updated_at = :u",
                    ConditionExpression="#st = :active",
                    ExpressionAttributeNames={"#n": "name", "#st": "status"},
                    ExpressionAttributeValues={
                        ":n": value(workspace.name),
                        ":d": value(workspace.description),
                        ":s": value(workspace.settings.model_dump(mode="json")),
                        ":u": value(workspace.updated_at),
                        ":active": value(WorkspaceStatus.ACTIVE.value),
                    },
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise WorkspaceNotFound(details={"workspace_id": workspace.id}) from exc
            raise

    def accounts(self, workspace_id: str) -> list[AccountRef]:
        """The workspace's connected accounts (items ``sk=ACCOUNT#<id>`` of its partition)."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :acc)",
            ExpressionAttributeValues={":pk": {"S": _pk(workspace_id)}, ":acc": {"S": "ACCOUNT#"}},
            ProjectionExpression="id, platform, #n, connected_at",
            ExpressionAttributeNames={"#n": "name"},
        )
        return [AccountRef.model_validate(r) for r in records]

    def mark_deleting(self, workspace: Workspace, now: datetime) -> None:
        """Flag the workspace and remove it from every key's scope; atomic for up to 99 member keys."""
        meta_update = {
            "Update": {
                "TableName": self._table,
                "Key": _meta_key(workspace.id),
                "UpdateExpression": "SET #st = :deleting, deleted_at = :now",
                "ConditionExpression": "#st = :active",
                "ExpressionAttributeNames": {"#st": "status"},
                "ExpressionAttributeValues": {
                    ":deleting": {"S": WorkspaceStatus.DELETING.value},
                    ":active": {"S": WorkspaceStatus.ACTIVE.value},
                    ":now": {"S": iso(now)},
                },
            }
        }
        key_updates = [
            {
                "Update": {
                    "TableName": self._keys_table,
                    "Key": {"pk": {"S": f"KEY#{key_id}"}, "sk": {"S": "KEY"}},
                    "UpdateExpression": "DELETE workspaces :ws",
                    "ExpressionAttributeValues": {":ws": {"SS": [workspace.id]}},
                }
            }
            for key_id in sorted(workspace.member_keys)
        ]
        first, rest = key_updates[: _TRANSACTION_MAX - 1], key_updates[_TRANSACTION_MAX - 1 :]
        try:
            with translated():
                self._ddb.transact_write_items(TransactItems=[meta_update, *first])
                for start in range(0, len(rest), _TRANSACTION_MAX):
                    self._ddb.transact_write_items(TransactItems=rest[start : start + _TRANSACTION_MAX])
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException" and cancellation_codes(exc)[:1] == [
                "ConditionalCheckFailed"
            ]:
                raise WorkspaceNotFound(details={"workspace_id": workspace.id}) from exc
            raise

    def purge_items(self, workspace_id: str, budget: int) -> int:
        """Delete up to ``budget`` items of the partition, leaving the META item for last."""
        with translated():
            page = self._ddb.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": _pk(workspace_id)}},
                ProjectionExpression="pk, sk",
                Limit=budget + 1,
            )
            keys = [i for i in page.get("Items", []) if i["sk"]["S"] != META][:budget]
            # A library file's item has a partner outside the partition (which workspace holds it,
            # for its public path): it goes too (deleting one that a post's media never had is a no-op).
            pointers = [
                {"pk": {"S": f"UPLOAD#{k['sk']['S'].removeprefix('MEDIA#')}"}, "sk": {"S": "UPLOAD"}}
                for k in keys
                if k["sk"]["S"].startswith("MEDIA#")
            ]
            doomed = keys + pointers
            for start in range(0, len(doomed), 25):
                request = {self._table: [{"DeleteRequest": {"Key": k}} for k in doomed[start : start + 25]]}
                while request:
                    request = self._ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        return len(keys)

    def all_counters(self) -> list[dict[str, Any]]:
        """Every workspace's counters (top-level numbers of its META item) and status, listed through
        the ``to_sweep`` index: one Query of keys, then BatchGetItem."""
        keys = query_all(
            self._ddb,
            TableName=self._table,
            IndexName="to_sweep",
            KeyConditionExpression="sweep_pk = :w",
            ExpressionAttributeValues={":w": {"S": "workspace"}},
        )
        found = batch_get_all(self._ddb, self._table, [{"pk": {"S": k["pk"]}, "sk": {"S": META}} for k in keys])
        return [
            {
                "status": r.get("status"),
                **{k: int(v) for k, v in r.items() if isinstance(v, int | float) and k != "expires_at"},
            }
            for r in found
        ]

    def tiers_of(self, key_ids: Iterable[str]) -> list[Tier]:
        """One BatchGetItem of the keys' tier and state (a workspace has one key or a few)."""
        if not self._keys_table:
            raise ValueError("Reading keys' tiers needs the API keys table")
        keys = [{"pk": {"S": f"KEY#{key_id}"}, "sk": {"S": "KEY"}} for key_id in sorted(set(key_ids))]
        found = batch_get_all(self._ddb, self._keys_table, keys, projection=("tier", "is_active"))
        return [Tier(k["tier"]) for k in found if k.get("is_active", True) and k.get("tier") in set(Tier)]

    def delete_meta(self, workspace_id: str) -> None:
        with translated():
            self._ddb.delete_item(TableName=self._table, Key=_meta_key(workspace_id))


def _to_workspace(record: dict[str, Any]) -> Workspace:
    stats = {name: record.get(name, 0) for name in _STAT_FIELDS}
    stats["members_count"] = len(record.get("member_keys", ()))
    # Top-level counters posts_created_<YYYY>_<MM> (so writers ADD to them) -> {"YYYY-MM": n}.
    created = {
        name.removeprefix(POSTS_CREATED_PREFIX).replace("_", "-"): number
        for name, number in record.items()
        if name.startswith(POSTS_CREATED_PREFIX)
    }
    return Workspace.model_validate({**record, "stats": stats, "posts_created": created})
