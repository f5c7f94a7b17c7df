"""/admin: the admin plane (JWT, Authorization: Bearer). Here: login, logout, profile; webhooks
in routers/admin_webhooks.py, included below."""

from __future__ import annotations

from fastapi import APIRouter, Request

from socialpub.api.admin_auth import AdminDep
from socialpub.api.container import ContainerDep
from socialpub.api.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.routers import admin_webhooks
from socialpub.api.schemas.admin import LoginData, LoginRequest, LoginUser, MessageData, ProfileData, ProfileUser
from socialpub.config import AdminSettings
from socialpub.domain.services import admin_auth as service

SETTINGS = AdminSettings
router = APIRouter(prefix="/admin", tags=["admin"], responses=ERROR_RESPONSES)
router.include_router(admin_webhooks.router, prefix="/webhooks")


def _client_ip(request: Request) -> str | None:
    event = request.scope.get("aws.event") or {}
    source = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp")
    return source or (request.client.host if request.client else None)


@router.post("/login")
def login(body: LoginRequest, request: Request, c: ContainerDep) -> Envelope[LoginData]:
    """Email and password for a token (JWT) that expires; failed logins are throttled per account and IP."""
    done = service.login(
        c.admin_auth_deps(),
        body.email,
        body.password,
        ip=_client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    user = LoginUser(id=done.user.id, email=done.user.email, name=done.user.name, role=done.user.role)
    return ok(LoginData(token=done.token, expires_at=done.expires_at, user=user))


@router.post("/logout")
def logout(principal: AdminDep, c: ContainerDep) -> Envelope[MessageData]:
    """End this token's session: it stops working at once."""
    service.logout(c.admin_auth_deps(), principal)
    return ok(MessageData(message="Logged out successfully"))


@router.get("/profile")
def profile(principal: AdminDep) -> Envelope[ProfileData]:
    """The signed-in user, with the permissions of their role."""
    return ok(ProfileData(user=ProfileUser.of(principal.user)))
