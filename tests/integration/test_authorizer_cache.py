"""API Gateway caches the authorizer's decision per X-API-Key (template.yaml): every change of what
a key may do flushes the stage's cached decisions, so that it holds from the next request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from socialpub.adapters.authorizer_cache import ApiGatewayAuthorizerCache
from socialpub.api.container import Container
from socialpub.authorizer import handle
from socialpub.local.app import create_local_app
from socialpub.local.workers import LambdaContext
from tests.conftest import Keys
from tests.integration.test_admin_auth import add_user, bearer, log_in
from tests.integration.test_admin_keys import make_key
from tests.integration.test_lambda_handlers import METHOD_ARN, _rest_event, load_function


class RecordingCache:
    def __init__(self) -> None:
        self.flushed: list[tuple[str, str]] = []

    def flush(self, api_id: str, stage: str) -> bool:
        self.flushed.append((api_id, stage))
        return True


def through_stage(app: ASGIApp) -> ASGIApp:
    """The app as Mangum runs it behind API Gateway: the event (API id, stage) in the scope."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "aws.event": {"requestContext": {"apiId": "abc123", "stage": "dev"}}}
        await app(scope, receive, send)

    return wrapped


@pytest.fixture
def cache(container: Container) -> RecordingCache:
    recording = RecordingCache()
    container.authorizer_cache = recording  # type: ignore[assignment]
    return recording


@pytest.fixture
def gateway(container: Container) -> Iterator[TestClient]:
    with TestClient(through_stage(create_local_app(container)), raise_server_exceptions=False) as test_client:
        yield test_client


def test_creating_and_deleting_a_workspace_flush_the_cached_decisions(
    gateway: TestClient, keys: Keys, cache: RecordingCache
) -> None:
    # Given a key behind API Gateway
    headers = keys.headers()
    # When it reads, nothing is flushed
    assert gateway.get("/api/workspaces", headers=headers).status_code == 200
    assert cache.flushed == []
    # When it creates a workspace, the stage's cached decisions go (its cached scope lacks it)
    created = gateway.post("/api/workspaces", json={"name": "w"}, headers=headers)
    assert created.status_code == 201
    assert cache.flushed == [("abc123", "dev")]
    # And when it deletes it, again (reads check the workspace against the key's scope only)
    ws = created.json()["data"]["workspace"]["id"]
    assert gateway.delete(f"/api/workspaces/{ws}", headers=headers).status_code == 200
    assert cache.flushed == [("abc123", "dev")] * 2


def test_revoking_a_key_or_changing_its_tier_flush_the_cached_decisions(
    gateway: TestClient, container: Container, cache: RecordingCache
) -> None:
    # Given an admin, and a key
    add_user(container, "ada@example.com")
    admin = bearer(log_in(gateway, "ada@example.com").json()["data"]["token"])
    key = make_key(gateway, admin, tier="starter")
    assert cache.flushed == []  # a new key has no cached decision
    # When its tier changes, then when it is revoked
    assert gateway.put(f"/admin/keys/{key['id']}", json={"tier": "enterprise"}, headers=admin).status_code == 200
    assert cache.flushed == [("abc123", "dev")]
    assert gateway.delete(f"/admin/keys/{key['id']}", headers=admin).status_code == 200
    # Then each flushed the stage's cached decisions
    assert cache.flushed == [("abc123", "dev")] * 2


def test_a_failed_flush_is_logged_and_the_change_stands(
    client: TestClient, keys: Keys, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    # Given API Gateway refusing the flush (moto does not implement it at all)
    cache = ApiGatewayAuthorizerCache()
    # When a flush is asked for
    flushed = cache.flush("abc123", "dev")
    # Then it reports the failure in the log, without raising: the TTL still bounds the decision
    assert flushed is False
    assert "Could not flush the authorizer cache of abc123/dev" in caplog.text


def test_lambda_function__deleting_a_workspace_flushes_the_stage_it_came_through(
    keys: Keys, container: Container, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the workspaces function behind API Gateway, and a workspace of the key
    plaintext = keys.issue()
    ws = client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": plaintext}).json()["data"]
    context = handle(
        {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"X-API-Key": plaintext}}, container.api_keys
    )["context"]
    flushes: list[dict[str, Any]] = []
    original = BaseClient._make_api_call

    def gateway_calls(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "FlushStageAuthorizersCache":
            flushes.append(params)
            return {}
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", gateway_calls)
    event = _rest_event("DELETE", f"/api/workspaces/{ws['workspace']['id']}", context)
    event["requestContext"] |= {"apiId": "abc123", "stage": "dev"}
    # When it deletes the workspace
    answer = load_function("workspaces")(event, LambdaContext("WorkspacesFunction"))
    # Then the workspace is gone and API Gateway was asked to flush that stage's cached decisions
    assert answer["statusCode"] == 200, answer["body"]
    assert flushes == [{"restApiId": "abc123", "stageName": "dev"}]
