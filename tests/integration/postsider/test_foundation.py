"""/public/v1 (PostSider / Postiz): auth, tenancy, rate limit, errors and the channels list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from socialpub.api.container import Container
from socialpub.api.postsider.errors import install_error_handlers
from socialpub.domain.accounts import Account, AccountStatus
from socialpub.domain.events import Event, EventType
from socialpub.domain.permissions import Permission
from socialpub.domain.tiers import Tier
from tests.conftest import Keys
from tests.integration.test_logging import Lines, log_lines  # noqa: F401 - the fixture
from tests.integration.test_posts import new_workspace

PREFIXES = ("/public/v1", "/api/public/v1")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def raw_key(headers: dict[str, str]) -> dict[str, str]:
    """The main API's headers for a one-workspace key, as a PostSider client sends that key."""
    return {"Authorization": headers["X-API-Key"]}


def add_account(container: Container, workspace_id: str, **fields: Any) -> Account:
    """An account as a connect leaves it (stored through the accounts repository)."""
    account = Account.model_validate(
        {
            "id": f"acc_{fields.get('platform', 'bluesky')}_{fields.get('type', 'profile')}",
            "workspace_id": workspace_id,
            "platform": "bluesky",
            "type": "profile",
            "external_id": "ext-1",
            "name": "Ada",
            "username": "ada.bsky.social",
            "profile_image": "https://cdn.example/ada.png",
            "connected_at": NOW,
            "updated_at": NOW,
            "token_updated_at": NOW,
            **fields,
        }
    )
    summary = Event.of(EventType.ACCOUNT_CONNECTED, workspace_id, NOW, account.summary())
    container.surface_accounts.connect(account, None, summary)
    return account


@pytest.mark.parametrize("prefix", PREFIXES)
def test_missing_unknown_and_bearer_keys_get_postiz_401s(client: TestClient, keys: Keys, prefix: str) -> None:
    # Given a workspace and its key
    headers = new_workspace(client, keys)
    # When a client sends no key, a made-up key, or the real key behind "Bearer "
    missing = client.get(f"{prefix}/integrations")
    unknown = client.get(f"{prefix}/integrations", headers={"Authorization": "sp_live_not_a_key"})
    bearer = client.get(f"{prefix}/integrations", headers={"Authorization": f"Bearer {headers['X-API-Key']}"})
    # Then each is a 401 with Postiz's msg body (the whole header value is the key)
    assert (missing.status_code, missing.json()) == (401, {"msg": "No API Key found"})
    assert (unknown.status_code, unknown.json()) == (401, {"msg": "Invalid API key"})
    assert (bearer.status_code, bearer.json()) == (401, {"msg": "Invalid API key"})
    # And the raw key works
    assert client.get(f"{prefix}/integrations", headers=raw_key(headers)).status_code == 200


def test_a_key_with_several_workspaces_must_name_one_and_never_another_tenants(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a key with two workspaces, and another tenant's workspace with an account
    key = keys.issue()
    first = client.post("/api/workspaces", json={"name": "a"}, headers={"X-API-Key": key}).json()["data"]
    second = client.post("/api/workspaces", json={"name": "b"}, headers={"X-API-Key": key}).json()["data"]
    other = new_workspace(client, keys)
    add_account(container, other["X-Workspace-ID"], name="Not yours")
    # When it lists channels without X-Workspace-ID
    response = client.get("/public/v1/integrations", headers={"Authorization": key})
    # Then it is told to send it
    assert response.status_code == 400
    assert "X-Workspace-ID" in response.json()["msg"]
    # And with one of its workspaces it gets that workspace's (empty) list
    mine = {"Authorization": key, "X-Workspace-ID": second["workspace"]["id"]}
    assert client.get("/public/v1/integrations", headers=mine).json() == []
    assert first["workspace"]["id"] != second["workspace"]["id"]
    # And another tenant's workspace is reported as not found, as on /api, and its account stays unseen
    theirs = client.get(
        "/public/v1/integrations", headers={"Authorization": key, "X-Workspace-ID": other["X-Workspace-ID"]}
    )
    assert theirs.status_code == 404
    assert set(theirs.json()) == {"msg"}
    assert "Not yours" not in theirs.text


def test_a_key_without_the_accounts_permission_is_refused(client: TestClient, keys: Keys) -> None:
    # Given a workspace key that may only read posts
    key = keys.issue(permissions=frozenset({Permission.WORKSPACES_WRITE, Permission.POSTS_READ}))
    ws = client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": key}).json()["data"]
    assert ws["workspace"]["id"]
    # When it lists channels
    response = client.get("/public/v1/integrations", headers={"Authorization": key})
    # Then it is a 403 in the surface's shape
    assert response.status_code == 403
    assert set(response.json()) == {"msg"}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_integrations_are_the_workspaces_accounts_in_postiz_shape(
    client: TestClient, keys: Keys, container: Container, prefix: str
) -> None:
    # Given a workspace with a Bluesky account, an expired X account and a LinkedIn page
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    add_account(container, ws)
    add_account(container, ws, platform="twitter", name="Ada X", username=None, status=AccountStatus.EXPIRED)
    add_account(container, ws, platform="linkedin", type="page", name="Ada Ltd", profile_image=None)
    # When a PostSider client lists its channels (sending Content-Type with no body, as the CLI does)
    response = client.get(f"{prefix}/integrations", headers={**raw_key(headers), "Content-Type": "application/json"})
    # Then each channel is an account of GET /api/accounts, with Postiz's provider ids
    assert response.status_code == 200, response.text
    channels = {c["id"]: c for c in response.json()}
    accounts = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert set(channels) == {a["id"] for a in accounts}
    assert channels["acc_bluesky_profile"] == {
        "id": "acc_bluesky_profile",
        "name": "Ada",
        "identifier": "bluesky",
        "picture": "https://cdn.example/ada.png",
        "disabled": False,
        "profile": "ada.bsky.social",
    }
    assert channels["acc_twitter_profile"] == {
        "id": "acc_twitter_profile",
        "name": "Ada X",
        "identifier": "x",
        "picture": "https://cdn.example/ada.png",
        "disabled": True,
        "profile": None,
    }
    assert (channels["acc_linkedin_page"]["identifier"], channels["acc_linkedin_page"]["picture"]) == (
        "linkedin-page",
        None,
    )
    assert all("customer" not in c for c in channels.values())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_is_connected_groups_and_unknown_routes(client: TestClient, keys: Keys, prefix: str) -> None:
    # Given a workspace key
    headers = raw_key(new_workspace(client, keys))
    # When a client checks the connection and lists groups (a DELETE-style empty JSON request too)
    connected = client.get(f"{prefix}/is-connected", headers={**headers, "Content-Type": "application/json"})
    groups = client.get(f"{prefix}/groups", headers=headers)
    # Then they answer as Postiz does
    assert (connected.status_code, connected.json()) == (200, {"connected": True})
    assert (groups.status_code, groups.json()) == (200, [])
    # And a route that does not exist (or a method a route does not serve) is Nest's 404, key or not
    for method, path in (("GET", "/nope"), ("DELETE", "/integrations"), ("PATCH", "/posts")):
        response = client.request(method, f"{prefix}{path}", headers={"Content-Type": "application/json"})
        assert response.status_code == 404
        assert response.json() == {
            "message": f"Cannot {method} {prefix}{path}",
            "error": "Not Found",
            "statusCode": 404,
        }


def test_the_organisation_rate_limit_counts_every_request_and_says_when_to_retry(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a deployment allowing 3 requests a minute per organisation (the seed's API_LIMIT)
    container.configure(API_LIMIT="3")
    headers = raw_key(new_workspace(client, keys))
    # When the organisation makes four requests in the same (frozen) minute
    answers = [client.get("/public/v1/is-connected", headers=headers) for _ in range(3)]
    refused = client.get("/public/v1/integrations", headers=headers)
    # Then the first three say how many are left
    assert [r.headers["X-RateLimit-Limit"] for r in answers] == ["3", "3", "3"]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
    # And the fourth is a 429 that says when to retry
    assert refused.status_code == 429
    assert set(refused.json()) == {"msg"}
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_the_default_limit_is_the_tiers_sixty_a_minute(client: TestClient, keys: Keys) -> None:
    # Given a starter key's workspace and no API_LIMIT
    key = keys.issue(tier=Tier.STARTER)
    client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": key})
    # When it makes a request
    response = client.get("/public/v1/is-connected", headers={"Authorization": key})
    # Then the seed's 60 a minute is its limit
    assert response.headers["X-RateLimit-Limit"] == "60"


class _Body(BaseModel):
    url: str


def test_the_error_table_answers_bad_input_in_nest_shapes_never_500() -> None:
    # Given an app with the surface's error table and a route taking a JSON body and a number
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/upload-from-url")
    def upload(body: _Body, page: int = 0) -> dict[str, str]:
        return {"url": body.url}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        # When the body is not JSON, a field is missing, or a query value is not a number
        broken = client.post("/upload-from-url", content=b"{nope", headers={"Content-Type": "application/json"})
        missing = client.post("/upload-from-url", json={})
        not_a_number = client.post("/upload-from-url?page=x", json={"url": "https://a.example"})
        unexpected = client.get("/boom")
    # Then each is a 400 in Nest's validation shape
    for response in (broken, missing, not_a_number):
        assert response.status_code == 400
        assert (response.json()["statusCode"], response.json()["error"]) == (400, "Bad Request")
    assert isinstance(broken.json()["message"], str)
    assert missing.json()["message"] == ["url Field required"]
    assert not_a_number.json()["message"][0].startswith("page ")
    # And an unexpected error is Nest's bare 500, with nothing of the error in it
    assert (unexpected.status_code, unexpected.json()) == (500, {"statusCode": 500, "message": "Internal server error"})


def test_malformed_requests_on_the_surface_never_get_a_500(client: TestClient, keys: Keys) -> None:
    # Given a workspace key
    headers = raw_key(new_workspace(client, keys))
    # When clients send malformed bodies, odd headers and odd queries
    responses = [
        client.post(
            "/public/v1/integrations", content=b"{nope", headers={**headers, "Content-Type": "application/json"}
        ),
        client.get("/public/v1/integrations?group=%00%ff", headers=headers),
        client.get("/public/v1/integrations", headers={**headers, "X-Workspace-ID": "../../etc"}),
        client.get("/public/v1/integrations", headers={"Authorization": "x" * 5000}),
        client.delete("/api/public/v1/integrations/abc", headers={**headers, "Content-Type": "application/json"}),
    ]
    # Then none is a 500, and every body is JSON
    assert [r.status_code for r in responses] == [404, 200, 404, 401, 404]
    assert all(r.json() is not None for r in responses)


def test_an_unexpected_failure_and_an_oversized_body_keep_the_surfaces_shape(
    client: TestClient,
    keys: Keys,
    container: Container,
    log_lines: Lines,  # noqa: F811
) -> None:
    # Given a workspace key, and an accounts store that fails in a way nobody expected
    headers = raw_key(new_workspace(client, keys))

    class Broken:
        def list(self, workspace_id: str) -> list[Account]:
            raise RuntimeError("secret internals")

    container.surface_accounts = Broken()  # type: ignore[assignment]
    # When a client lists channels, and another sends a body over the 1 MiB cap
    failed = client.get("/public/v1/integrations", headers=headers)
    huge = client.post("/api/public/v1/upload-from-url", content=b"{" + b" " * 1_100_000 + b"}", headers=headers)
    # Then the failure is Nest's bare 500, with nothing of the error, and the body is a Nest 413
    assert (failed.status_code, failed.json()) == (500, {"statusCode": 500, "message": "Internal server error"})
    assert "secret" not in failed.text
    # And the local stack's log line names the function that serves the route on AWS
    (line,) = log_lines("Unhandled error")
    assert (line["function_name"], line["correlation_id"]) == ("PostsiderFunction", failed.headers["x-request-id"])
    assert huge.status_code == 413
    assert (huge.json()["statusCode"], huge.json()["error"]) == (413, "Payload Too Large")
    # And the main API keeps its envelope for the same cap
    main = client.post("/api/posts", content=b"{" + b" " * 1_100_000 + b"}", headers={"X-API-Key": "x"})
    assert (main.status_code, main.json()["success"]) == (413, False)
