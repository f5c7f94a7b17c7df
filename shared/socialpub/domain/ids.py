"""Identifiers. Workspace and post ids are UUIDv7 so that sorting ids sorts by creation time."""

from __future__ import annotations

import os
import secrets
import string
import time
import uuid

_BASE62 = string.digits + string.ascii_letters


def uuid7() -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits (stdlib has it only from 3.14)."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | (0x7 << 76) | ((rand >> 64) & 0xFFF) << 64
    value |= (0b10 << 62) | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


def new_id(prefix: str) -> str:
    """A time-ordered id such as ``ws_01939a4e-...``."""
    return f"{prefix}_{uuid7()}"


def random_base62(length: int) -> str:
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def is_base62(value: str) -> bool:
    return all(ch in _BASE62 for ch in value)
