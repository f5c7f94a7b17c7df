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
