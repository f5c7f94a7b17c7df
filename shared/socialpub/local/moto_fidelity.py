"""Where moto differs from AWS in a way the product relies on, bring it closer.

DynamoDB applies each write (a conditional UpdateItem, a transaction) atomically; moto evaluates the
condition and applies the update in Python without a lock, so two threads can both pass a condition
that only one should pass. The rate limiter's exactness rests on that atomicity, so the local stack
and the tests serialize moto's DynamoDB writes. Reads stay unlocked, as they are in DynamoDB.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from socialpub.local.template import ACCOUNT, REGION

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_lock = threading.RLock()
_applied = False


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
    _applied = True


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
