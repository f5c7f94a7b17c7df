"""Accounts, their events, connect sessions and per-instance apps, in WorkspacesTable.

- ``WS#<ws> / ACCOUNT#<id>``: the account; tokens only as KMS ciphertexts under ``sealed``. While its
  token can expire and it is active, it carries ``due_pk``/``due_sk`` (sparse GSI
  ``accounts_by_token_expiry``) so the refresher finds what is due without a scan.
  Its workspace's item carries a summary of it (``account_ref#<id>``: id, platform, name,
  connected_at), set or removed in the account's own transactions, so the workspace reads in one call.
- ``WS#<ws> / EVENT#<time>#<id>``: lifecycle events, written in the same transaction as the change.
- ``CONNECT#<sha256(state)> / STATE``: a started connect; TTL ``expires_at``.
- ``WS#<ws> / APP#<network>#<instance>``: a Mastodon app registered on an instance.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
from socialpub.adapters.dynamodb.codec import from_item, iso, to_item, value
from socialpub.adapters.dynamodb.errors import error_code, translated
from socialpub.adapters.dynamodb.events import event_put
from socialpub.adapters.dynamodb.guards import guarded_transaction, workspace_guard
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import query_all
from socialpub.adapters.dynamodb.workspaces import ACCOUNT_REF
from socialpub.domain.accounts import Account, AccountStatus, ConnectSession, account_deltas
from socialpub.domain.events import Event
from socialpub.domain.posts import ConcurrentModification
from socialpub.domain.quotas import Cap
from socialpub.domain.records import checked
from socialpub.domain.workspaces import AccountRef

DUE_INDEX = "accounts_by_token_expiry"
DUE_PK = "DUE"


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _account_key(workspace_id: str, account_id: str) -> dict[str, Any]:
    return _key(f"WS#{workspace_id}", f"ACCOUNT#{account_id}")


def _session_key(state_hash: str) -> dict[str, Any]:
    return _key(f"CONNECT#{state_hash}", "STATE")


class DynamoAccountRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def get(self, workspace_id: str, account_id: str) -> Account | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=_account_key(workspace_id, account_id), ConsistentRead=True
            ).get("Item")
        return load(Account, from_item(item), "account") if item else None

    def list(self, workspace_id: str) -> list[Account]:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":prefix": {"S": "ACCOUNT#"}},
            ConsistentRead=True,
        )
        return sorted(load_all(Account, records, "account"), key=lambda a: (a.platform, a.connected_at))

    def connect(self, account: Account, previous: Account | None, event: Event, *, caps: Sequence[Cap] = ()) -> None:
        put = self._put(account, previous)
        workspace = self._listed(
            workspace_guard(self._table, account.workspace_id, account_deltas(previous, account), caps),
            account,
            listed=True,
        )
        # From now on its figures (followers...) are read daily, the first time at once.
        figures = DynamoAnalyticsRepository(self._ddb, self._table).account_tracking(
            account.workspace_id, account.id, account.platform, account.updated_at
        )
        self._transact([put, self._event(event), figures, workspace], account, caps)

    def save(self, account: Account, previous: Account, event: Event | None = None) -> bool:
        items = [self._put(account, previous)]
        if event is not None:
            items.append(self._event(event))
        try:
            guard = self._workspace(account.workspace_id, account_deltas(previous, account))
            self._transact([*items, self._listed(guard, account, listed=True)], account)
        except ConcurrentModification:
            return False
        return True

    def take_refresh_lease(self, account: Account, now: datetime, until: datetime) -> bool:
        try:
            with translated():
                self._ddb.update_item(
                    TableName=self._table,
                    Key=_account_key(account.workspace_id, account.id),
                    UpdateExpression="SET lease_until = :until",
                    ConditionExpression=(
                        "token_version = :v AND (attribute_not_exists(lease_until) OR lease_until < :now)"
                    ),
                    ExpressionAttributeValues={
                        ":until": {"S": iso(until)},
                        ":now": {"S": iso(now)},
                        ":v": {"N": str(account.token_version)},
                    },
                )
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_refresh_lease(self, account: Account) -> None:
        try:
            with translated():
                self._ddb.update_item(
                    TableName=self._table,
                    Key=_account_key(account.workspace_id, account.id),
                    UpdateExpression="REMOVE lease_until",
                    ConditionExpression="token_version = :v",
                    ExpressionAttributeValues={":v": {"N": str(account.token_version)}},
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise

    def delete(self, account: Account, event: Event) -> None:
        remove = {
            "Delete": {
                "TableName": self._table,
                "Key": _account_key(account.workspace_id, account.id),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        guard = self._workspace(account.workspace_id, account_deltas(account, None))
        self._transact([remove, self._event(event), self._listed(guard, account, listed=False)], account)

    def due_for_refresh(self, before: datetime) -> Iterator[tuple[str, str]]:
        for record in query_all(
            self._ddb,
            TableName=self._table,
            IndexName=DUE_INDEX,
            KeyConditionExpression="due_pk = :due AND due_sk < :before",
            ExpressionAttributeValues={":due": {"S": DUE_PK}, ":before": {"S": iso(before)}},
        ):
            yield str(record["pk"]).removeprefix("WS#"), str(record["sk"]).removeprefix("ACCOUNT#")

    # ------------------------------------------------------------------ items

    def _put(self, account: Account, previous: Account | None) -> dict[str, Any]:
        item = {
            **to_item({**checked(account).model_dump(mode="json"), "entity": "account"}),
            **_account_key(account.workspace_id, account.id),
        }
        if account.token_expires_at is not None and account.status is AccountStatus.ACTIVE:
            item["due_pk"] = {"S": DUE_PK}
            item["due_sk"] = {"S": f"{iso(account.token_expires_at)}#{account.workspace_id}#{account.id}"}
        put: dict[str, Any] = {"TableName": self._table, "Item": item}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:  # the token we read is still the stored one: a newer token is never overwritten
            put["ConditionExpression"] = "token_version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(previous.token_version)}}
        return {"Put": put}

    def _event(self, event: Event) -> dict[str, Any]:
        return event_put(self._table, event)

    def _workspace(self, workspace_id: str, deltas: dict[str, int]) -> dict[str, Any]:
        return workspace_guard(self._table, workspace_id, deltas)

    def _listed(self, guard: dict[str, Any], account: Account, *, listed: bool) -> dict[str, Any]:
        """The workspace's write in the account's transaction also keeps its summary of the account
        (``ACCOUNT_REF``, read by GET /api/workspaces/{id}): set, or removed when it is deleted."""
        check = dict(next(iter(guard.values())))
        names = {**check.get("ExpressionAttributeNames", {}), "#ref": ACCOUNT_REF + account.id}
        values = dict(check.get("ExpressionAttributeValues", {}))
        if listed:
            ref = AccountRef.model_validate(account.model_dump(include=set(AccountRef.model_fields)))
            values[":ref"] = value(ref.model_dump(mode="json"))
            change = "SET #ref = :ref"
        else:
            change = "REMOVE #ref"
        expression = check.get("UpdateExpression")
        check.update(
            UpdateExpression=f"{change} {expression}" if expression else change,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        return {"Update": check}

    def _transact(self, items: Sequence[dict[str, Any]], account: Account, caps: Sequence[Cap] = ()) -> None:
        """The account's item is first and the workspace's last in every transaction."""
        conflict = ConcurrentModification(
            "The account was changed meanwhile; retry", details={"account_id": account.id}
        )
        with guarded_transaction(account.workspace_id, conflict, caps):
            self._ddb.transact_write_items(TransactItems=list(items))


class DynamoConnectSessionRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def create(self, session: ConnectSession) -> None:
        with translated():
            self._ddb.put_item(TableName=self._table, Item=self._item(session))

    def claim(self, state_hash: str, now: datetime, workspace_id: str | None) -> ConnectSession | None:
        condition = "attribute_exists(pk) AND attribute_not_exists(claimed_at) AND expires_at > :now"
        values: dict[str, Any] = {":now": {"N": str(int(now.timestamp()))}, ":at": {"S": iso(now)}}
        if workspace_id is not None:
            condition += " AND workspace_id = :ws"
            values[":ws"] = {"S": workspace_id}
        try:
            with translated():
                item = self._ddb.update_item(
                    TableName=self._table,
                    Key=_session_key(state_hash),
                    UpdateExpression="SET claimed_at = :at",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_NEW",
                )["Attributes"]
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return ConnectSession.model_validate(from_item(item))

    def await_selection(self, session: ConnectSession) -> None:
        with translated():
            self._ddb.put_item(TableName=self._table, Item=self._item(session))

    def app(self, workspace_id: str, platform: str, instance: str) -> dict[str, str] | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=_key(f"WS#{workspace_id}", f"APP#{platform}#{instance}"), ConsistentRead=True
            ).get("Item")
        return {k: str(v) for k, v in from_item(item)["sealed"].items()} if item else None

    def save_app(self, workspace_id: str, platform: str, instance: str, sealed: dict[str, str]) -> None:
        item = {
            **to_item({"sealed": sealed, "entity": "app"}),
            **_key(f"WS#{workspace_id}", f"APP#{platform}#{instance}"),
        }
        with translated():
            self._ddb.put_item(TableName=self._table, Item=item)

    def _item(self, session: ConnectSession) -> dict[str, Any]:
        data = session.model_dump(mode="json")
        data["expires_at"] = int(session.expires_at.timestamp())  # the table's TTL attribute (epoch seconds)
        return {**to_item({**data, "entity": "connect"}), **_session_key(session.state_hash)}
