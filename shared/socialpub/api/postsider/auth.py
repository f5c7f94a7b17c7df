"""Who is calling /public/v1: the product's API keys, sent as PostSider clients send them.

``Authorization: <raw key>``, the whole value (no Bearer: "Bearer x" is the key "Bearer x", and fails).
API Gateway's authorizer is not applied on these paths (template.yaml), so the key is checked here
by the same ``authenticate`` the authorizer runs. The organisation of PostSider is a workspace:
a key scoped to one workspace uses it; a key with several names one in ``X-Workspace-ID``.
Each request is counted per organisation (workspace) with the main API's per-minute counter.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ConfigDict

from socialpub.api.container import ContainerDep
from socialpub.config import PostsiderSettings
from socialpub.domain.errors import Unauthenticated
from socialpub.domain.permissions import Permission
from socialpub.domain.services.auth import Principal, authenticate, chosen_workspace, require_permission
from socialpub.domain.services.ratelimit import consume_request


class Organisation(BaseModel):
    """The authenticated key and the workspace it acts on."""

    model_config = ConfigDict(frozen=True)

    principal: Principal
    workspace_id: str


def current_organisation(
    request: Request,
    c: ContainerDep,
    authorization: Annotated[str | None, Header()] = None,
    x_workspace_id: Annotated[str | None, Header()] = None,
) -> Organisation:
    if not authorization or not authorization.strip():
        raise Unauthenticated("No API Key found")
    try:
        principal = authenticate(authorization, c.api_keys, c.clock())
    except Unauthenticated:
        raise Unauthenticated("Invalid API key") from None
    workspace_id = chosen_workspace(principal, x_workspace_id)
    # Counted per organisation (the seed's rule), in the same atomic counter as the main API's keys.
    request.state.rate_limit = consume_request(
        f"ORG#{workspace_id}",
        principal.tier,
        c.request_counter,
        c.epoch(),
        limit=c.settings(PostsiderSettings).api_limit,
    )
    return Organisation(principal=principal, workspace_id=workspace_id)


OrganisationDep = Annotated[Organisation, Depends(current_organisation)]


def requires(permission: Permission) -> Any:
    """A dependency: the organisation, once the key is known to hold ``permission``."""

    def check(org: OrganisationDep) -> Organisation:
        require_permission(org.principal, permission)
        return org

    return Depends(check)
