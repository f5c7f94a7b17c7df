"""Admin sign-in use-cases: log in, authenticate a request's token, log out."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialpub.domain.admin_auth import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_IP,
    AdminPrincipal,
    AdminSession,
    InvalidCredentials,
    LoginThrottled,
    SessionEnded,
    window_start,
)
from socialpub.domain.audit import Actor, AuditEntry
from socialpub.domain.errors import DamagedItem
from socialpub.domain.ports import AdminSessionStore, AdminUserRepository, AuditLog, Clock, LoginFailures, TokenSigner
from socialpub.domain.users import AdminUser, verify_password

# Checked when the email is unknown, so that a wrong email takes as long as a wrong password.
_DECOY_HASH = "scrypt$32768$8$1$3DFMILzoEB+E1aVgEf+kOA==$2jkC9lGuAQWy6mfNp2U15MRSvDTarrtSExPbLwK8gxo="


@dataclass
class AdminAuthDeps:
    users: AdminUserRepository
    sessions: AdminSessionStore
    failures: LoginFailures
    signer: TokenSigner
    clock: Clock
    token_ttl: timedelta
    audit: AuditLog


@dataclass(frozen=True)
class Login:
    token: str
    expires_at: datetime
    user: AdminUser


def login(deps: AdminAuthDeps, email: str, password: str, *, ip: str | None, user_agent: str | None) -> Login:
    now = deps.clock()
    window = window_start(now)
    keys = [f"email:{email.strip().lower()}"] + ([f"ip:{ip}"] if ip else [])
    actor = Actor(ip_address=ip, user_agent=user_agent)
    counts = deps.failures.count(keys, window)
    over = [
        (key, limit)
        for key, limit in ((keys[0], MAX_FAILURES_PER_ACCOUNT), *((k, MAX_FAILURES_PER_IP) for k in keys[1:]))
        if counts.get(key, 0) >= limit
    ]
    if over:
        reset = window + FAILURE_WINDOW
        deps.audit.record(AuditEntry.of(actor, "auth.login_throttled", "user", None, now, email=email.strip().lower()))
        raise LoginThrottled(
            limit=over[0][1], reset_at=int(reset.timestamp()), retry_after=max(1, int((reset - now).total_seconds()))
        )
    try:
        user = deps.users.get_by_email(email.strip())
    except DamagedItem:  # logged where it was read; answered as a failed sign-in, like any other
        user = None
    matches = verify_password(password, user.password_hash if user else _DECOY_HASH)
    if user is None or not matches or not user.is_active:
        deps.failures.add(keys, window, expires=window + 2 * FAILURE_WINDOW)
        entry = AuditEntry.of(
            actor, "auth.login_failed", "user", user.id if user else None, now, email=email.strip().lower()
        )
        deps.audit.record(entry)
        raise InvalidCredentials()
    expires_at = now + deps.token_ttl
    session = AdminSession(
        id=secrets.token_urlsafe(24),
        user_id=user.id,
        created_at=now,
        expires_at=expires_at,
        ip=ip,
        user_agent=user_agent,
    )
    deps.sessions.open(session)
    deps.users.record_login(user.id, now)
    actor = actor.model_copy(update={"user_id": user.id, "user_email": user.email})
    deps.audit.record(AuditEntry.of(actor, "auth.login", "user", user.id, now))
    token = deps.signer.sign(
        {
            "sub": user.id,
            "sid": session.id,
            "role": user.role.value,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
        }
    )
    return Login(token=token, expires_at=expires_at, user=user.model_copy(update={"last_login": now}))


def authenticate(deps: AdminAuthDeps, token: str) -> AdminPrincipal:
    """The user behind a bearer token: signed by us, not expired, its session open, the user active."""
    claims = deps.signer.verify(token)
    now = deps.clock()
    if int(claims["exp"]) <= now.timestamp():
        raise SessionEnded()
    try:
        session = deps.sessions.get(str(claims["sid"]))
    except DamagedItem:  # logged where it was read; a session that cannot be read admits nobody
        session = None
    if session is None or session.expires_at <= now or session.user_id != claims["sub"]:
        raise SessionEnded()
    try:
        user = deps.users.get(session.user_id)
    except DamagedItem:
        user = None
    if user is None or not user.is_active:
        raise SessionEnded()
    return AdminPrincipal(user=user, session_id=session.id)


def logout(deps: AdminAuthDeps, principal: AdminPrincipal, actor: Actor) -> None:
    deps.sessions.close(principal.session_id)
    deps.audit.record(AuditEntry.of(actor, "auth.logout", "user", principal.user.id, deps.clock()))
