"""The workspace item's part in every transaction that writes into a workspace, and what a
cancelled transaction of that form means."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.domain.errors import DomainError, WorkspaceNotFound
from socialpub.domain.workspaces import WorkspaceStatus


def workspace_guard(table: str, workspace_id: str, deltas: dict[str, int] | None = None) -> dict[str, Any]:
    """Move the workspace's counters (ADD), and in any case refuse the write if the workspace is not
    active: a deleted workspace's purge must not be outrun by a write landing behind it. Callers put
    it last in their transaction, so a failure of the last item means the workspace is gone."""
    check: dict[str, Any] = {
        "TableName": table,
        "Key": {"pk": {"S": f"WS#{workspace_id}"}, "sk": {"S": "META"}},
        "ConditionExpression": "#st = :active",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":active": {"S": WorkspaceStatus.ACTIVE.value}},
    }
    moved = {name: delta for name, delta in (deltas or {}).items() if delta}
    if not moved:
        return {"ConditionCheck": check}
    check["UpdateExpression"] = "ADD " + ", ".join(f"{name} :{name}" for name in moved)
    check["ExpressionAttributeValues"].update({f":{n}": {"N": str(d)} for n, d in moved.items()})
    return {"Update": check}


@contextmanager
def guarded_transaction(workspace_id: str, conflict: DomainError | None = None) -> Iterator[None]:
    """Translate a cancelled transaction whose first item is the record written (with its condition)
    and whose last is ``workspace_guard``: the guard failing means the workspace is gone; the first
    item (or any other conditional item) failing, or a concurrent transaction on the same items,
    raises ``conflict``."""
    try:
        with translated():
            yield
    except ClientError as exc:
        if error_code(exc) != "TransactionCanceledException":
            raise
        codes = cancellation_codes(exc)
        if codes and codes[-1] == "ConditionalCheckFailed":
            raise WorkspaceNotFound(details={"workspace_id": workspace_id}) from exc
        # Any other condition (the record's version, a slot claimed only if free) failing is a conflict.
        if conflict is not None and codes and ("ConditionalCheckFailed" in codes or "TransactionConflict" in codes):
            raise conflict from exc
        raise
