"""Admin users of the admin plane. Passwords are hashed with scrypt (memory-hard, in the stdlib)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from socialpub.domain.errors import Conflict, NotFound

# scrypt cost: N=2**15, r=8 uses 32 MiB per hash; about 60 ms on one core.
_N, _R, _P, _DKLEN = 2**15, 8, 1, 32
_MAXMEM = 64 * 1024 * 1024


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    default_message = "User not found"


class LastAdmin(Conflict):
    code = "LAST_ADMIN"
    default_message = "This is the last active admin: make another user an admin first"


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class AdminUser(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    password_hash: str
    is_active: bool = True
    created_at: datetime
    last_login: datetime | None = None


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN, maxmem=_MAXMEM)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        actual = hashlib.scrypt(
            password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected), maxmem=_MAXMEM
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
