"""Where moto differs from AWS in a way the product relies on, bring it closer.

DynamoDB applies each write (a conditional UpdateItem, a transaction) atomically; moto evaluates the
condition and applies the update in Python without a lock, so two threads can both pass a condition
that only one should pass. The rate limiter's exactness rests on that atomicity, so the local stack
and the tests serialize moto's DynamoDB writes. Reads stay unlocked, as they are in DynamoDB.

DynamoDB also makes TransactWriteItems idempotent by its ClientRequestToken (which botocore fills in
once per call and keeps across its retries): a retry of a transaction that was applied, sent after a
read timeout, succeeds again without applying it twice. moto ignores the token, so a retried creation
failed its own "does not exist yet" condition (a 409 for a post that was in fact created); a large
transaction on a busy machine takes moto seconds, so the local stack met it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
from typing import Any

from socialpub.local.template import ACCOUNT, REGION

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_lock = threading.RLock()
_applied = False
TOKEN_WINDOW_SECONDS = 600  # DynamoDB keeps a transaction's client token for 10 minutes
_transactions: dict[str, tuple[float, str, Any]] = {}  # token -> (applied at, its items' digest, answer)


def make_dynamodb_writes_atomic() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def atomic(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, atomic)
    _honour_transaction_tokens()
    _applied = True


def _honour_transaction_tokens() -> None:
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.transact_write_items

    @functools.wraps(original)
    def idempotent(self: Any) -> Any:
        token = self.body.get("ClientRequestToken")
        if not token:
            return original(self)
        digest = hashlib.sha256(json.dumps(self.body["TransactItems"], sort_keys=True).encode()).hexdigest()
        with _lock:  # the writes' lock: a retry waits for the first attempt, then sees its token
            now = time.monotonic()
            for old in [t for t, (at, _, _) in _transactions.items() if now - at > TOKEN_WINDOW_SECONDS]:
                del _transactions[old]
            if token in _transactions:
                _, seen_digest, answer = _transactions[token]
                if seen_digest != digest:
                    raise DynamodbException(
                        ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException",
                        "The request uses the same client token as a previous, but non-identical request.",
                    )
                return answer
            answer = original(self)  # a refused transaction raises: its token is not kept, as in DynamoDB
            _transactions[token] = (now, digest, answer)
            return answer

    DynamoHandler.transact_write_items = idempotent  # type: ignore[method-assign]


# KMS: moto draws a new key (id and material) on every start, so secrets sealed before a restart of
# the local stack would no longer open. The snapshot keeps each key's id and material and puts them
# back. moto offers no API for this (ImportKeyMaterial is not implemented), hence its internals here.


def kms_key_state(key_id: str) -> tuple[str, bytes]:
    from moto.kms.models import kms_backends

    key = kms_backends[ACCOUNT][REGION].keys[key_id]
    return key.id, bytes(key.key_material)


def restore_kms_key(current_id: str, saved_id: str, material: bytes) -> None:
    """Give the key now at ``current_id`` the saved id and material (its aliases must follow)."""
    from moto.kms.models import kms_backends

    backend = kms_backends[ACCOUNT][REGION]
    key = backend.keys.pop(current_id)
    key.id = saved_id
    key.arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{saved_id}"
    key.key_material = material
    backend.keys[saved_id] = key


# The snapshot of the local stack pauses every request while it reads, so it reads moto in-process
# (an HTTP round trip per call would stretch that pause on a busy machine): each table's items as
# Scan returns them, each schedule as GetSchedule does. And SQS: every message of a queue, in flight
# ones too (a worker that was running one when the stack was killed never deleted it), which the
# API cannot read at all.


def table_items(table_name: str) -> list[dict[str, Any]]:
    """Every item of a table, in DynamoDB JSON (as Scan answers)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[ACCOUNT][REGION].tables[table_name]
    return [item.to_json()["Attributes"] for item in table.all_items()]


def schedules(fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every schedule of every group, with these fields of GetSchedule's answer (those set)."""
    from moto.scheduler.models import scheduler_backends

    found = []
    for group in scheduler_backends[ACCOUNT][REGION].schedule_groups.values():
        for schedule in group.schedules.values():
            detail = schedule.to_dict()
            found.append({k: detail[k] for k in fields if detail.get(k) is not None})
    return found


def queued_messages(queue_name: str) -> list[str]:
    """The bodies of every message of a queue, visible, delayed or in flight, oldest first."""
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[ACCOUNT][REGION].queues[queue_name]
    return [message.body for message in list(queue._messages)]  # a receive may go on meanwhile
