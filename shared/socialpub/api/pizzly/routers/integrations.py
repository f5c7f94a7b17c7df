"""Pizzly's API on Pizzly's paths (seeds/001): /api/{integration} and its configurations.

Authenticated with X-API-Key or HTTP Basic (the key as user name). Configurations belong to a
workspace: X-Workspace-ID, which a key with a single workspace may leave out. Errors use the main
API's envelope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.routing import APIRoute
from starlette.types import Message as AsgiMessage

from socialpub.api.container import ContainerDep
from socialpub.api.main.auth import requires, workspace_scope
from socialpub.api.main.idempotency import IDEMPOTENT
from socialpub.api.pizzly.errors import ERROR_RESPONSES
from socialpub.api.pizzly.schemas import (
    AuthenticationList,
    AuthenticationMessage,
    AuthenticationView,
    ConfigurationBody,
    ConfigurationList,
    ConfigurationMessage,
    ConfigurationView,
    IntegrationView,
    Message,
)
from socialpub.config import IntegrationsSettings
from socialpub.domain.integrations import integration
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import Platform
from socialpub.domain.services import accounts as accounts_service
from socialpub.domain.services import integrations as service

SETTINGS = IntegrationsSettings
PREFIXES = ("/api/{integration}",)  # the catalog's ids, beside the static /api/... resources
JSON_TYPES = ("application/json", "application/problem+json")


class PizzlyRoute(APIRoute):
    """Pizzly's clients send JSON without saying so: the official ``pizzly-node`` hands its string body
    to node-fetch, which labels it ``text/plain`` (or nothing), and ``curl -d`` labels it as a form.
    On Pizzly's routes, a body that parses as JSON is read as JSON whatever its Content-Type says; one
    that does not parse is refused as before. The main API keeps FastAPI's strict reading."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read_json_body(request: Request) -> Response:
            declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if request.method in ("POST", "PUT", "PATCH") and declared not in JSON_TYPES:
                body = await request.body()
                if body and _parses_as_json(body):
                    request = _labelled_json(request, body)
            return await handler(request)

        return read_json_body


def _parses_as_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _labelled_json(request: Request, body: bytes) -> Request:
    """The same request, its body (already read) handed on again and labelled application/json."""
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"content-type"]
    scope = {**request.scope, "headers": [*headers, (b"content-type", b"application/json")]}
    sent = False

    async def receive() -> AsgiMessage:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await request.receive()

    return Request(scope, receive)


router = APIRouter(tags=["integrations"], responses=ERROR_RESPONSES, route_class=PizzlyRoute)

# Declared first in every route, so an id outside the catalog is 404 before anything else is asked.
Integration = Annotated[Platform, Depends(lambda integration_id: integration(integration_id))]
Reader = Annotated[str, workspace_scope(Permission.ACCOUNTS_READ, single_implied=True)]
Writer = Annotated[str, workspace_scope(Permission.ACCOUNTS_WRITE, single_implied=True)]


@router.get("/api/{integration_id}/configurations")
def list_configurations(platform: Integration, workspace_id: Reader, c: ContainerDep) -> ConfigurationList:
    configs = service.list_configurations(workspace_id, platform.id, c.configurations)
    return ConfigurationList(configurations=[ConfigurationView.of(x) for x in configs])


@router.post("/api/{integration_id}/configurations", status_code=status.HTTP_201_CREATED, dependencies=[IDEMPOTENT])
def create_configuration(
    platform: Integration, body: ConfigurationBody, workspace_id: Writer, c: ContainerDep
) -> ConfigurationMessage:
    """Register app credentials (clientId/clientSecret, or consumerKey/consumerSecret) and scopes."""
    config = service.create_configuration(
        workspace_id,
        platform.id,
        service.ConfigurationInput.model_validate(body.model_dump()),
        repo=c.configurations,
        box=c.secrets,
        clock=c.clock,
    )
    return ConfigurationMessage(message="Configuration registered", configuration=ConfigurationView.of(config))


@router.get("/api/{integration_id}/configurations/{configuration_id}")
def get_configuration(
    platform: Integration, configuration_id: str, workspace_id: Reader, c: ContainerDep
) -> ConfigurationView:
    return ConfigurationView.of(
        service.get_configuration(workspace_id, platform.id, configuration_id, c.configurations)
    )


@router.put("/api/{integration_id}/configurations/{configuration_id}")
def update_configuration(
    platform: Integration, configuration_id: str, body: ConfigurationBody, workspace_id: Writer, c: ContainerDep
) -> ConfigurationMessage:
    """Replace credentials or scopes; a credential sent back masked, as read, is kept."""
    config = service.update_configuration(
        workspace_id,
        platform.id,
        configuration_id,
        service.ConfigurationInput.model_validate(body.model_dump(exclude_unset=True)),
        repo=c.configurations,
        box=c.secrets,
        clock=c.clock,
    )
    return ConfigurationMessage(message="Configuration updated", configuration=ConfigurationView.of(config))


@router.delete("/api/{integration_id}/configurations/{configuration_id}")
def delete_configuration(
    platform: Integration, configuration_id: str, workspace_id: Writer, c: ContainerDep
) -> Message:
    service.delete_configuration(workspace_id, platform.id, configuration_id, c.configurations)
    return Message(message="Configuration removed")


@router.get("/api/{integration_id}/authentications")
def list_authentications(platform: Integration, workspace_id: Reader, c: ContainerDep) -> AuthenticationList:
    """The workspace's connected accounts of this integration, tokens masked."""
    found = accounts_service.list_accounts(c.account_deps(), workspace_id, platform=platform.id)
    return AuthenticationList(authentications=[AuthenticationView.of(a) for a in found])


@router.get("/api/{integration_id}/authentications/{authentication_id}")
def get_authentication(
    platform: Integration, authentication_id: str, workspace_id: Reader, c: ContainerDep
) -> AuthenticationView:
    return AuthenticationView.of(
        accounts_service.get_authentication(c.account_deps(), workspace_id, platform.id, authentication_id)
    )


# Two routes, not one with two methods: each method is then its own OpenAPI operation, with its own id.
@router.get("/api/{integration_id}/authentications/{authentication_id}/refresh")
@router.post("/api/{integration_id}/authentications/{authentication_id}/refresh")
def refresh_authentication(
    platform: Integration, authentication_id: str, workspace_id: Writer, c: ContainerDep
) -> AuthenticationMessage:
    """Refresh the access token now (Pizzly documents both GET and POST for this)."""
    deps = c.account_deps()
    accounts_service.get_authentication(deps, workspace_id, platform.id, authentication_id)
    account = accounts_service.refresh_account(deps, workspace_id, authentication_id, force=True)
    return AuthenticationMessage(message="Authentication refreshed", authentication=AuthenticationView.of(account))


@router.delete("/api/{integration_id}/authentications/{authentication_id}")
def delete_authentication(
    platform: Integration, authentication_id: str, workspace_id: Writer, c: ContainerDep
) -> Message:
    """Remove the authentication: the account is disconnected (tokens revoked at the network)."""
    deps = c.account_deps()
    accounts_service.get_authentication(deps, workspace_id, platform.id, authentication_id)
    accounts_service.disconnect_account(
        deps, c.account_posts, workspace_id, authentication_id, scheduler=c.post_scheduler, schedules=c.schedules
    )
    return Message(message="Authentication removed")


# Last: the catch-all /api/{integration_id} must not shadow the static /api/... routes of this router.
@router.get("/api/{integration_id}")
def get_integration(
    platform: Integration, principal: Annotated[object, requires(Permission.ACCOUNTS_READ)]
) -> IntegrationView:
    """How to integrate with one network (Pizzly's integration file); no workspace needed."""
    return IntegrationView.of(platform)
