"""Admin user use-cases: create, list, change and delete the admin plane's users.

The last active admin can be neither demoted, deactivated nor deleted: the users table keeps a
count of active admins that every such write moves, on the condition that it stays above zero.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from socialpub.domain.audit import Actor, AuditEntry
from socialpub.domain.errors import InvalidInput
from socialpub.domain.ids import new_id
from socialpub.domain.ports import AdminUserRepository, AuditLog, Clock
from socialpub.domain.records import changed
from socialpub.domain.users import AdminUser, Role, UserNotFound, hash_password

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12


class UserChanges(BaseModel):
    name: str | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = None


def create_admin_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    repo: AdminUserRepository,
    clock: Clock,
    audit: AuditLog | None = None,
    actor: Actor | None = None,
) -> AdminUser:
    if not _EMAIL.match(email):
        raise InvalidInput(f"'{email}' is not an email address", details={"field": "email"})
    _check_password(password)
    user = AdminUser(
        id=new_id("user"),
        email=email.lower(),
        name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=clock(),
    )
    repo.create(user)
    if audit is not None and actor is not None:
        audit.record(AuditEntry.of(actor, "user.created", "user", user.id, clock(), email=user.email, role=role.value))
    return user


def get_user(repo: AdminUserRepository, user_id: str) -> AdminUser:
    user = repo.get(user_id)
    if user is None:
        raise UserNotFound(details={"user_id": user_id})
    return user


def update_user(
    repo: AdminUserRepository, user_id: str, changes: UserChanges, *, clock: Clock, audit: AuditLog, actor: Actor
) -> AdminUser:
    previous = get_user(repo, user_id)
    update = changes.model_dump(exclude_unset=True, exclude={"password"})
    if "password" in changes.model_fields_set:
        _check_password(changes.password or "")
        update["password_hash"] = hash_password(changes.password or "")
    user = changed(previous, update)
    repo.save(user, previous)
    fields = sorted(changes.model_dump(exclude_unset=True))
    audit.record(AuditEntry.of(actor, "user.updated", "user", user.id, clock(), changed=fields))
    return user


def delete_user(repo: AdminUserRepository, user_id: str, *, clock: Clock, audit: AuditLog, actor: Actor) -> None:
    user = get_user(repo, user_id)
    repo.delete(user)
    audit.record(AuditEntry.of(actor, "user.deleted", "user", user.id, clock(), email=user.email))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters", details={"field": "password"})
