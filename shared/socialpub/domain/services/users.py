"""Admin user use-cases."""

from __future__ import annotations

import re

from socialpub.domain.errors import InvalidInput
from socialpub.domain.ids import new_id
from socialpub.domain.ports import AdminUserRepository, Clock
from socialpub.domain.users import AdminUser, Role, hash_password

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12


def create_admin_user(
    *, email: str, name: str, password: str, role: Role, repo: AdminUserRepository, clock: Clock
) -> AdminUser:
    if not _EMAIL.match(email):
        raise InvalidInput(f"'{email}' is not an email address", details={"field": "email"})
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters", details={"field": "password"})
    user = AdminUser(
        id=new_id("user"),
        email=email.lower(),
        name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=clock(),
    )
    repo.create(user)
    return user
