"""Pizzly's API on Pizzly's paths: integrations, and app credentials sealed and masked."""

from __future__ import annotations

import base64
import json

import boto3
from fastapi.testclient import TestClient

from socialpub.domain.permissions import Permission
from tests.conftest import Keys

CLIENT_ID = "e9ca1f3b2c7d4e5f6a7b"
CLIENT_SECRET = "a2f0c4d1e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4"


def one_workspace_key(client: TestClient, keys: Keys) -> tuple[str, str]:
    """A key with exactly one workspace, as a Pizzly client would hold."""
    plaintext = keys.issue()
    ws = client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": plaintext}).json()
    return plaintext, ws["data"]["workspace"]["id"]


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_integration_details_in_pizzly_shape(client: TestClient, keys: Keys) -> None:
    key, _ = one_workspace_key(client, keys)
    response = client.get("/api/linkedin", headers=basic(key))
    assert response.status_code == 200
    body = response.json()
    assert (body["object"], body["id"], body["name"]) == ("integration", "linkedin", "LinkedIn")
    assert body["auth"]["authType"] == "OAUTH2"
    assert body["auth"]["authorizationURL"].startswith("https://www.linkedin.com/oauth/")
    assert body["request"]["baseURL"].startswith("https://api.linkedin.com")
    unknown = client.get("/api/myspace", headers=basic(key))
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "INTEGRATION_NOT_FOUND")


def test_every_integration_has_its_logo(client: TestClient, keys: Keys) -> None:
    # Given every network of the catalog
    key, _ = one_workspace_key(client, keys)
    networks = [p["id"] for p in client.get("/api/platforms", headers=keys.headers()).json()["data"]["platforms"]]
    # When each integration is read
    images = {n: client.get(f"/api/{n}", headers=basic(key)).json()["image"] for n in networks}
    # Then each shows a public https logo URL, as the seed's integrations do: its own, except a second way
    # into the same brand (Instagram Login, LinkedIn pages), which shows that brand's logo
    assert all(isinstance(url, str) and url.startswith("https://") for url in images.values()), images
    same_brand = {"instagram_standalone": "instagram", "linkedin_page": "linkedin"}
    assert all(images[variant] == images[brand] for variant, brand in same_brand.items())
    brands = [n for n in networks if n not in same_brand]
    assert len({images[n] for n in brands}) == len(brands)
    assert images["reddit"] == "https://www.google.com/s2/favicons?domain=reddit.com&sz=128"


def test_pizzly_clients_json_without_a_json_content_type_is_read(client: TestClient, keys: Keys) -> None:
    # Given a Pizzly client that sends its JSON body unlabelled (curl without -H), or as text/plain
    # (pizzly-node hands a string body to node-fetch, which labels it so)
    key, _ = one_workspace_key(client, keys)
    body = json.dumps({"credentials": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}})
    # When it creates a configuration without a Content-Type
    created = client.post("/api/linkedin/configurations", content=body, headers=basic(key))
    # Then it is registered as with one
    assert created.status_code == 201, created.text
    config = created.json()["configuration"]
    assert config["credentials"]["clientId"] == "e9ca" + "*" * 16
    # And an update sent as text/plain is read too
    update = json.dumps({"scopes": ["openid", "w_member_social"]})
    updated = client.put(
        f"/api/linkedin/configurations/{config['id']}",
        content=update,
        headers={**basic(key), "Content-Type": "text/plain;charset=UTF-8"},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["configuration"]["scopes"] == ["openid", "w_member_social"]
    # And a body that is not JSON is still refused, in the envelope, and nothing changes
    garbled = client.put(f"/api/linkedin/configurations/{config['id']}", content=b"scopes=openid", headers=basic(key))
    assert garbled.status_code == 400
    assert garbled.json()["success"] is False
    stored = client.get(f"/api/linkedin/configurations/{config['id']}", headers=basic(key)).json()
    assert stored["scopes"] == ["openid", "w_member_social"]


def test_the_main_api_still_wants_json_labelled(client: TestClient, keys: Keys) -> None:
    # Given a JSON body without a Content-Type on the main API (only Pizzly's routes are lenient)
    response = client.post("/api/workspaces", content=json.dumps({"name": "w"}), headers=keys.headers())
    # Then it is refused, as before
    assert response.status_code in (400, 422)
    assert response.json()["success"] is False


def test_configuration_lifecycle_masked_and_sealed(client: TestClient, keys: Keys, aws: dict[str, str]) -> None:
    key, ws = one_workspace_key(client, keys)
    # When app credentials are registered with Basic auth and no X-Workspace-ID (one workspace)
    created = client.post(
        "/api/linkedin/configurations",
        json={"credentials": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}},
        headers=basic(key),
    )
    # Then the answer is Pizzly's, with the credentials masked and the catalog's scopes
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["message"] == "Configuration registered"
    config = body["configuration"]
    assert config["object"] == "configuration"
    assert config["credentials"] == {"clientId": "e9ca" + "*" * 16, "clientSecret": "a2f0" + "*" * 36}
    assert "w_member_social" in config["scopes"]
    # And nothing stored is readable: the item holds KMS ciphertexts only
    item = boto3.client("dynamodb").get_item(
        TableName=aws["WORKSPACES_TABLE"],
        Key={"pk": {"S": f"WS#{ws}"}, "sk": {"S": f"CONFIG#linkedin#{config['id']}"}},
    )["Item"]
    assert CLIENT_SECRET not in str(item)
    assert CLIENT_ID not in str(item)
    # Read, list, update (a value sent back masked is kept), delete
    headers = {"X-API-Key": key}
    assert client.get(f"/api/linkedin/configurations/{config['id']}", headers=headers).json() == config
    listed = client.get("/api/linkedin/configurations", headers=headers).json()
    assert listed["configurations"] == [config]
    updated = client.put(
        f"/api/linkedin/configurations/{config['id']}",
        json={"credentials": {"clientId": config["credentials"]["clientId"], "clientSecret": "n3w-s3cr3t-v4lu3"}},
        headers=headers,
    ).json()
    assert updated["message"] == "Configuration updated"
    assert updated["configuration"]["credentials"] == {"clientId": "e9ca" + "*" * 16, "clientSecret": "n3w-" + "*" * 12}
    removed = client.delete(f"/api/linkedin/configurations/{config['id']}", headers=headers)
    assert removed.json() == {"message": "Configuration removed"}
    assert client.get(f"/api/linkedin/configurations/{config['id']}", headers=headers).status_code == 404


def test_configuration_bad_input(client: TestClient, keys: Keys) -> None:
    key, _ = one_workspace_key(client, keys)
    headers = {"X-API-Key": key}
    missing = client.post("/api/twitter/configurations", json={"credentials": {"clientId": "x" * 20}}, headers=headers)
    assert (missing.status_code, missing.json()["error"]["details"]["missing"]) == (400, ["clientSecret"])
    unknown = client.post(
        "/api/twitter/configurations",
        json={"credentials": {"clientId": "a" * 20, "clientSecret": "b" * 20, "password": "c"}},
        headers=headers,
    )
    assert unknown.json()["error"]["details"]["unknown"] == ["password"]
    # Bluesky connects with an app password: no app to configure
    no_app = client.post("/api/bluesky/configurations", json={"credentials": {}}, headers=headers)
    assert (no_app.status_code, no_app.json()["error"]["details"]["auth_type"]) == (400, "APP_PASSWORD")
    wrong_type = client.post("/api/twitter/configurations", json={"credentials": ["a"]}, headers=headers)
    assert wrong_type.status_code == 400
    unauthenticated = client.get("/api/twitter/configurations", headers=basic("pk_live_nope"))
    assert unauthenticated.status_code == 401


def test_configurations_of_other_workspaces_are_404(client: TestClient, keys: Keys) -> None:
    theirs, _ = one_workspace_key(client, keys)
    mine, _ = one_workspace_key(client, keys)
    config = client.post(
        "/api/linkedin/configurations",
        json={"credentials": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}},
        headers={"X-API-Key": theirs},
    ).json()["configuration"]
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(
            method, f"/api/linkedin/configurations/{config['id']}", json={}, headers={"X-API-Key": mine}
        )
        assert response.status_code == 404, method
    assert client.get("/api/linkedin/configurations", headers={"X-API-Key": mine}).json()["configurations"] == []


def test_a_key_with_several_workspaces_names_one(client: TestClient, keys: Keys) -> None:
    key = keys.issue()
    for name in ("a", "b"):
        client.post("/api/workspaces", json={"name": name}, headers={"X-API-Key": key})
    response = client.get("/api/linkedin/configurations", headers={"X-API-Key": key})
    assert (response.status_code, response.json()["error"]["details"]) == (400, {"header": "X-Workspace-ID"})
    reader = keys.issue(permissions=frozenset({Permission.ACCOUNTS_READ}))
    refused = client.post("/api/linkedin/configurations", json={}, headers={"X-API-Key": reader})
    assert (refused.status_code, refused.json()["error"]["details"]) == (403, {"required_permission": "accounts.write"})
