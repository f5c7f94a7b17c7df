"""Authentication for the admin plane, as FastAPI dependencies: ``Authorization: Bearer <JWT>``.

Admin routes are not behind the API-key authorizer; each request's token is checked here, in the
function: signature and expiry, then that its session is still open (logout ends it at once).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from socialpub.api.container import ContainerDep
from socialpub.domain.admin_auth import AdminPermission, AdminPrincipal, SessionEnded
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
