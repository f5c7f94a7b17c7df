"""Authentication for the admin plane, as FastAPI dependencies: ``Authorization: Bearer <JWT>``.

Admin routes are not behind the API-key authorizer; each request's token is checked here, in the
function: signature and expiry, then that its session is still open (logout ends it at once).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from socialpub.api.container import ContainerDep
from socialpub.domain.admin_auth import AdminPermission, AdminPrincipal, SessionEnded
from socialpub.domain.audit import Actor
from socialpub.domain.services.admin_auth import authenticate


def current_admin(request: Request, container: ContainerDep) -> AdminPrincipal:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SessionEnded("An admin token is required: Authorization: Bearer <token> (POST /admin/login)")
    return authenticate(container.admin_auth_deps(), token.strip())


AdminDep = Annotated[AdminPrincipal, Depends(current_admin)]


def admin_with(permission: AdminPermission) -> Any:
    """A dependency that authenticates the admin and checks one permission of their role (403)."""

    def check(principal: AdminDep) -> AdminPrincipal:
        principal.require(permission)
        return principal

    return Depends(check)


def client_ip(request: Request) -> str | None:
    """The caller's address: API Gateway's sourceIp when deployed, the socket's peer locally."""
    event = request.scope.get("aws.event") or {}
    source = ((event.get("requestContext") or {}).get("identity") or {}).get("sourceIp")
    return source or (request.client.host if request.client else None)


def current_actor(request: Request, principal: AdminDep) -> Actor:
    """Who acts, for the audit log."""
    return Actor(
        user_id=principal.user.id,
        user_email=principal.user.email,
        ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )


ActorDep = Annotated[Actor, Depends(current_actor)]
