"""The admin plane's sign-in: roles and what they may do, sessions, and failed-login throttling.

A login opens a *session* (stored, with an expiry) and hands out a JWT naming it. Every admin
request checks the JWT's signature and expiry, then that its session is still open: logging out
closes the session, so its token stops working at once, well before it expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from socialpub.domain.errors import DomainError, PermissionDenied, RateLimited, Unauthenticated
from socialpub.domain.users import AdminUser, Role

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5  # per window: slows guessing one account's password to a crawl
MAX_FAILURES_PER_IP = 20  # per window: slows one address trying many accounts


class AdminPermission(StrEnum):
    USERS_MANAGE = "users.manage"
    API_KEYS_MANAGE = "api_keys.manage"
    WORKSPACES_MANAGE = "workspaces.manage"
    WEBHOOKS_MANAGE = "webhooks.manage"
    AUDIT_READ = "audit.read"
    STATS_READ = "stats.read"
    SYSTEM_READ = "system.read"


_READ = frozenset({AdminPermission.STATS_READ, AdminPermission.SYSTEM_READ})
ROLE_PERMISSIONS: dict[Role, frozenset[AdminPermission]] = {
    Role.ADMIN: frozenset(AdminPermission),
    Role.EDITOR: _READ
    | {AdminPermission.API_KEYS_MANAGE, AdminPermission.WORKSPACES_MANAGE, AdminPermission.WEBHOOKS_MANAGE},
    Role.VIEWER: _READ,
}


class InvalidCredentials(Unauthenticated):
    code = "INVALID_CREDENTIALS"
    default_message = "The email or password is incorrect"


class SessionEnded(Unauthenticated):
    code = "UNAUTHORIZED"
    default_message = "The token is invalid, expired or logged out; log in again (POST /admin/login)"


class LoginThrottled(RateLimited):
    code = "TOO_MANY_LOGIN_ATTEMPTS"

    def __init__(self, *, limit: int, reset_at: int, retry_after: int) -> None:
        DomainError.__init__(  # not RateLimited's: its message is about API request rates
            self,
            f"Too many failed logins; try again in {retry_after} s",
            details={"limit": limit, "retry_after": retry_after, "reset": reset_at},
        )
        self.retry_after = retry_after


class AdminSession(BaseModel):
    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    ip: str | None = None
    user_agent: str | None = None


class AdminPrincipal(BaseModel):
    user: AdminUser
    session_id: str

    @property
    def permissions(self) -> frozenset[AdminPermission]:
        return ROLE_PERMISSIONS[self.user.role]

    def require(self, permission: AdminPermission) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(
                f"The {self.user.role.value} role may not do this (needs {permission.value})",
                details={"required": permission.value, "role": self.user.role.value},
            )


def window_start(now: datetime) -> datetime:
    seconds = int(FAILURE_WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)
