"""Authentication for the main API, as FastAPI dependencies.

Behind API Gateway the Lambda authorizer has already checked the key and passed the principal in
``requestContext.authorizer``; elsewhere (the local stack, tests) the very same ``authenticate`` runs
here. Either way the request is then counted against the key's tier.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from socialpub.api.container import Container, ContainerDep
from socialpub.authorizer import principal_from_context
from socialpub.domain.api_keys import presented_key
from socialpub.domain.errors import InvalidInput
from socialpub.domain.permissions import Permission
from socialpub.domain.services.auth import Principal, authenticate, require_permission, require_workspace
from socialpub.domain.services.ratelimit import consume_request


def _authorizer_context(request: Request) -> dict[str, Any] | None:
    event = request.scope.get("aws.event") or {}
    context = (event.get("requestContext") or {}).get("authorizer")
    return context if context and "key_id" in context else None


def current_principal(request: Request, container: ContainerDep) -> Principal:
    context = _authorizer_context(request)
    if context is not None:
        principal = principal_from_context(context)
    else:
        presented = presented_key(request.headers.get("x-api-key"), request.headers.get("authorization"))
        principal = authenticate(presented, container.api_keys, container.clock())
    request.state.rate_limit = consume_request(
        principal.key_id, principal.tier, container.request_counter, container.epoch()
    )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def requires(permission: Permission) -> Any:
    """A dependency that authenticates, counts the request, and checks one permission."""

    def check(principal: PrincipalDep) -> Principal:
        require_permission(principal, permission)
        return principal

    return Depends(check)


def workspace_scope(permission: Permission, *, single_implied: bool = False) -> Any:
    """For workspace-scoped routes: the X-Workspace-ID header must name a workspace of the key.

    With ``single_implied`` (Pizzly's paths, whose clients know nothing of workspaces), a key with
    exactly one workspace may leave the header out.
    """

    def check(
        principal: PrincipalDep,
        x_workspace_id: Annotated[str | None, Header(include_in_schema=True)] = None,
    ) -> str:
        require_permission(principal, permission)
        if not x_workspace_id and single_implied and len(principal.workspaces) == 1:
            (x_workspace_id,) = principal.workspaces
        if not x_workspace_id:
            raise InvalidInput(
                "The X-Workspace-ID header is required for this operation",
                details={"header": "X-Workspace-ID"},
            )
        require_workspace(principal, x_workspace_id)
        return x_workspace_id

    return Depends(check)


def forget_cached_authorizations(request: Request, container: Container) -> None:
    """After a change of what keys may do, drop the authorizer decisions API Gateway cached for this
    stage (adapters/authorizer_cache.py), so the change holds from the next request. The stage is
    the one this request came through; outside API Gateway (the local stack, tests) nothing is
    cached and nothing is called."""
    context = (request.scope.get("aws.event") or {}).get("requestContext") or {}
    api_id, stage = context.get("apiId"), context.get("stage")
    if api_id and stage:
        container.authorizer_cache.flush(str(api_id), str(stage))
