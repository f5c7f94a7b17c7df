"""Who is calling /api/v1: the product's API keys, sent as Publora clients send them.

``x-publora-key: <key>``. API Gateway's authorizer is not applied on these paths (template.yaml), so
the key is checked here by the same ``authenticate`` the authorizer runs. The workspace is chosen as
on the other surfaces: a key scoped to one workspace uses it; a key with several names one in
``X-Workspace-ID`` (another tenant's is a 404). Each request is counted per key with the main API's
per-minute counter, so a key's limit is the same whichever surface it calls.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ConfigDict

from socialpub.api.container import ContainerDep
from socialpub.domain.errors import Unauthenticated
from socialpub.domain.permissions import Permission
from socialpub.domain.services.auth import Principal, authenticate, chosen_workspace, require_permission
from socialpub.domain.services.ratelimit import consume_request


class Caller(BaseModel):
    """The authenticated key and the workspace it acts on."""

    model_config = ConfigDict(frozen=True)

    principal: Principal
    workspace_id: str


def current_caller(
    request: Request,
    c: ContainerDep,
    x_publora_key: Annotated[str | None, Header()] = None,
    x_workspace_id: Annotated[str | None, Header()] = None,
) -> Caller:
    if not x_publora_key or not x_publora_key.strip():
        raise Unauthenticated("Missing API key: send it in the x-publora-key header")
    try:
        principal = authenticate(x_publora_key.strip(), c.api_keys, c.clock())
    except Unauthenticated:
        raise Unauthenticated("Invalid API key") from None
    request.state.rate_limit = consume_request(principal.key_id, principal.tier, c.request_counter, c.epoch())
    return Caller(principal=principal, workspace_id=chosen_workspace(principal, x_workspace_id))


CallerDep = Annotated[Caller, Depends(current_caller)]


def requires(permission: Permission) -> Any:
    """A dependency: the caller, once the key is known to hold ``permission``."""

    def check(caller: CallerDep) -> Caller:
        require_permission(caller.principal, permission)
        return caller

    return Depends(check)
