"""/api/v1 (Publora): auth, tenancy, routing beside Pizzly, the error envelope and platform-connections."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.tiers import TIER_LIMITS, Tier
from tests.conftest import Keys
from tests.integration.publora.conftest import add_account, publora_key
from tests.integration.test_posts import new_workspace


def test_missing_and_unknown_keys_get_401_in_publoras_envelope(client: TestClient, keys: Keys) -> None:
    # Given a workspace and its key
    headers = new_workspace(client, keys)
    # When a client sends no key, a made-up key, or the key in the main API's header only
    missing = client.get("/api/v1/platform-connections")
    unknown = client.get("/api/v1/platform-connections", headers={"x-publora-key": "sp_live_not_a_key"})
    main_header = client.get("/api/v1/platform-connections", headers={"X-API-Key": headers["X-API-Key"]})
    # Then each is a 401 with Publora's body
    assert missing.status_code == unknown.status_code == main_header.status_code == 401
    assert missing.json() == {"success": False, "error": "Missing API key: send it in the x-publora-key header"}
    assert unknown.json() == {"success": False, "error": "Invalid API key"}
    # And the key in x-publora-key works
    ok = client.get("/api/v1/platform-connections", headers=publora_key(headers))
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"success": True, "connections": []}


def test_platform_connections_list_every_account_with_its_platform_id_and_display_name(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with a LinkedIn and a Telegram account (Publora gives displayName for X,
    # Bluesky and Mastodon only)
    headers = new_workspace(client, keys)
    workspace_id = headers["X-Workspace-ID"]
    linkedin = add_account(
        container,
        workspace_id,
        id="acc_li",
        platform="linkedin",
        name="Ada Lovelace",
        username="ada",
        profile_image="https://cdn.example/ada.png",
    )
    telegram = add_account(
        container,
        workspace_id,
        id="acc_tg",
        platform="telegram",
        type="channel",
        name="Ada's channel",
        username=None,
        profile_image=None,
    )
    # When a Publora client lists its connections
    response = client.get("/api/v1/platform-connections", headers=publora_key(headers))
    # Then each account is a connection named <network>-<account id>, with its display name
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert sorted(body["connections"], key=lambda c: c["platformId"]) == [
        {
            "platformId": f"linkedin-{linkedin.id}",
            "username": "ada",
            "displayName": "Ada Lovelace",
            "profileImageUrl": "https://cdn.example/ada.png",
        },
        {
            "platformId": f"telegram-{telegram.id}",
            "username": None,
            "displayName": "Ada's channel",
            "profileImageUrl": None,
        },
    ]


def test_a_key_with_several_workspaces_names_one_and_never_another_tenants(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a key with two workspaces, and another tenant's workspace with an account
    key = keys.issue()
    first = client.post("/api/workspaces", json={"name": "a"}, headers={"X-API-Key": key}).json()["data"]
    other = new_workspace(client, keys)
    client.post("/api/workspaces", json={"name": "b"}, headers={"X-API-Key": key})
    add_account(container, other["X-Workspace-ID"], id="acc_theirs", name="Not yours")
    # When it lists connections without X-Workspace-ID, with its own, and with the other tenant's
    unnamed = client.get("/api/v1/platform-connections", headers={"x-publora-key": key})
    named = client.get(
        "/api/v1/platform-connections",
        headers={"x-publora-key": key, "X-Workspace-ID": first["workspace"]["id"]},
    )
    foreign = client.get(
        "/api/v1/platform-connections", headers={"x-publora-key": key, "X-Workspace-ID": other["X-Workspace-ID"]}
    )
    # Then it must choose one; its own works; the other tenant's is unknown to it
    assert unnamed.status_code == 400
    assert unnamed.json()["error"].startswith("This API key has several workspaces")
    assert named.status_code == 200
    assert named.json()["connections"] == []
    assert foreign.status_code == 404, foreign.text
    assert foreign.json()["success"] is False
    assert "Not yours" not in foreign.text


def test_api_v1_is_never_taken_for_a_pizzly_integration(client: TestClient, keys: Keys) -> None:
    # Given a workspace key
    headers = publora_key(new_workspace(client, keys))
    # When a client calls /api/v1 itself, a path the surface does not serve, and a method it does not
    # serve on a path it does
    root = client.get("/api/v1", headers=headers)
    unknown = client.get("/api/v1/not-an-endpoint", headers=headers)
    method = client.delete("/api/v1/platform-connections", headers=headers)
    # Then Publora answers, in its envelope (not Pizzly's "integration not found")
    assert (root.status_code, root.json()) == (404, {"success": False, "error": "Not found: GET /api/v1"})
    assert (unknown.status_code, unknown.json()["success"]) == (404, False)
    assert "/api/v1/not-an-endpoint" in unknown.json()["error"]
    assert (method.status_code, method.json()["success"]) == (405, False)


def test_a_body_over_the_cap_gets_413_in_publoras_envelope(client: TestClient, keys: Keys) -> None:
    # Given a workspace key
    headers = publora_key(new_workspace(client, keys))
    # When a client sends a body far over the API's cap
    response = client.post("/api/v1/create-post", content=b"x" * (11 * 1024 * 1024), headers=headers)
    # Then it is refused before anything reads it, in Publora's envelope
    assert response.status_code == 413
    assert response.json()["success"] is False
    assert response.json()["error"]


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(client: TestClient, keys: Keys) -> None:
    # Given a starter key of one workspace (the starter tier's per-minute limit)
    key = keys.issue(tier=Tier.STARTER)
    workspace = client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": key}).json()["data"]
    headers = {"x-publora-key": key, "X-Workspace-ID": workspace["workspace"]["id"]}
    # When it calls more often than its limit within the minute (the clock stands still; the key's one
    # request to the main API counts too: a key has one limit whichever surface it calls)
    left = TIER_LIMITS[Tier.STARTER].requests_per_minute - 1
    answers = [client.get("/api/v1/platform-connections", headers=headers) for _ in range(left + 1)]
    # Then the call over the limit is a 429 in Publora's envelope, saying when to come back
    refused = answers[-1]
    assert refused.status_code == 429, refused.text
    assert refused.json()["success"] is False
    assert int(refused.headers["Retry-After"]) > 0
    assert all(a.status_code == 200 for a in answers[:-1])
