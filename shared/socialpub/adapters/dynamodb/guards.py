"""The workspace item's part in every transaction that writes into a workspace, and what a
cancelled transaction of that form means."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.codec import from_item
from socialpub.adapters.dynamodb.errors import cancellation_codes, error_code, translated
from socialpub.domain.errors import DomainError, WorkspaceNotFound
from socialpub.domain.quotas import Cap
from socialpub.domain.workspaces import WorkspaceStatus


def workspace_guard(
    table: str, workspace_id: str, deltas: dict[str, int] | None = None, caps: Sequence[Cap] = ()
) -> dict[str, Any]:
    """Move the workspace's counters (ADD), and in any case refuse the write if the workspace is not
    active: a deleted workspace's purge must not be outrun by a write landing behind it. Callers put
    it last in their transaction, so a failure of the last item means the workspace is gone, or a
    cap's counter would go past its limit (``guarded_transaction`` tells which).

    A cap applies where the write moves its counter up: the counter may be at most limit - delta."""
    check: dict[str, Any] = {
        "TableName": table,
        "Key": {"pk": {"S": f"WS#{workspace_id}"}, "sk": {"S": "META"}},
        "ConditionExpression": "#st = :active",
        "ExpressionAttributeNames": {"#st": "status"},
        "ExpressionAttributeValues": {":active": {"S": WorkspaceStatus.ACTIVE.value}},
    }
    moved = {name: delta for name, delta in (deltas or {}).items() if delta}
    capped = [cap for cap in caps if moved.get(cap.counter, 0) > 0]
    for i, cap in enumerate(capped):
        check["ConditionExpression"] += f" AND (attribute_not_exists(#cap{i}) OR #cap{i} <= :cap{i})"
        check["ExpressionAttributeNames"][f"#cap{i}"] = cap.counter
        check["ExpressionAttributeValues"][f":cap{i}"] = {"N": str(cap.limit - moved[cap.counter])}
    if capped:
        # The stored counters come back with a refusal, to tell a reached cap from a gone workspace.
        check["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if not moved:
        return {"ConditionCheck": check}
    check["UpdateExpression"] = "ADD " + ", ".join(f"{name} :{name}" for name in moved)
    check["ExpressionAttributeValues"].update({f":{n}": {"N": str(d)} for n, d in moved.items()})
    return {"Update": check}


@contextmanager
def guarded_transaction(
    workspace_id: str, conflict: DomainError | None = None, caps: Sequence[Cap] = ()
) -> Iterator[None]:
    """Translate a cancelled transaction whose first item is the record written (with its condition)
    and whose last is ``workspace_guard``: the guard failing means a cap (of ``caps``, those given to
    the guard) would be passed, raising its error, or else that the workspace is gone; the first item
    (or any other conditional item) failing, or a concurrent transaction on the same items, raises
    ``conflict``."""
    try:
        with translated():
            yield
    except ClientError as exc:
        if error_code(exc) != "TransactionCanceledException":
            raise
        codes = cancellation_codes(exc)
        if codes and codes[-1] == "ConditionalCheckFailed":
            reached = _reached(exc, caps)
            if reached is not None:
                raise reached.error() from exc
            raise WorkspaceNotFound(details={"workspace_id": workspace_id}) from exc
        # Any other condition (the record's version, a slot claimed only if free) failing is a conflict.
        if conflict is not None and codes and ("ConditionalCheckFailed" in codes or "TransactionConflict" in codes):
            raise conflict from exc
        raise


def _reached(exc: ClientError, caps: Sequence[Cap]) -> Cap | None:
    """The cap the refused guard hit: the workspace (returned as it was) is active and a capped
    counter is already where the write would have passed its limit."""
    if not caps:
        return None
    reasons = exc.response.get("CancellationReasons") or [{}]
    stored = from_item(reasons[-1].get("Item") or {})
    if stored.get("status") != WorkspaceStatus.ACTIVE.value:
        return None
    # Active, so a cap refused it (the guard checks nothing else): the one with no room left.
    return next((cap for cap in caps if int(stored.get(cap.counter, 0)) >= cap.limit), caps[0])
