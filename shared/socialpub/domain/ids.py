"""Identifiers. Workspace and post ids are UUIDv7 so that sorting ids sorts by creation time."""

from __future__ import annotations

import os
import secrets
import string
import threading
import time
import uuid

_BASE62 = string.digits + string.ascii_letters


_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, a 12-bit counter, then random bits.

    The counter (RFC 9562 section 6.2, method 1) keeps ids made in the same millisecond by one
    process in creation order; it starts at a random value below 2048 to leave room to count.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x7FF
        else:  # same millisecond (or the clock stepped back): count on from the last id
            _counter += 1
            if _counter > 0xFFF:
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | (0x7 << 76) | counter << 64 | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def new_id(prefix: str) -> str:
    """A time-ordered id such as ``ws_01939a4e-...``."""
    return f"{prefix}_{uuid7()}"


def random_id(prefix: str) -> str:
    """An id that is also a secret: 122 random bits, nothing of the time (``media_<uuid4>``). For
    ids that appear in URLs served without authentication, where guessing one must be hopeless."""
    return f"{prefix}_{uuid.uuid4()}"


def random_base62(length: int) -> str:
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def is_base62(value: str) -> bool:
    return all(ch in _BASE62 for ch in value)
