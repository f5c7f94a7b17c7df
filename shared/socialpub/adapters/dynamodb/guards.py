"""The workspace item's part in every transaction that writes into a workspace."""

from __future__ import annotations

from typing import Any

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
