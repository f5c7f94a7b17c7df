"""VK through the API: VK ID (OAuth 2.1 with PKCE), whose redirect carries a device_id the code exchange and
every refresh must send again, and whose refreshes rotate the refresh token."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.local.emulator import create_emulator
from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import CALLBACK, consent, start
from tests.integration.test_posts import new_workspace


def test_vk__connect_through_vk_id__device_id_passed_on_and_refreshes_rotate(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    # Given a VK connect: the sign-in is VK ID's, with PKCE (S256) and its space-separated scopes
    started = start(client, headers, platform="vk")
    url = urlsplit(started["auth_url"])
    query = parse_qs(url.query)
    assert url.path == "/id.vk.com/authorize"
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["vkid.personal_info wall photos video"]
    back = consent(started["auth_url"], user="ada")
    assert back["device_id"]

    # When the client hands over the code without the device_id VK sent with it
    missing = client.post(
        "/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers
    )

    # Then it is told to pass it on
    assert missing.status_code == 400, missing.text
    assert missing.json()["error"]["details"] == {"field": "device_id"}

    # When it hands over code, state and device_id (on a fresh consent: a refused callback uses the state up)
    started = start(client, headers, platform="vk")
    back = consent(started["auth_url"], user="ada")
    done = client.post(
        "/api/accounts/callback",
        json={"state": back["state"], "code": back["code"], "device_id": back["device_id"]},
        headers=headers,
    )

    # Then the account is connected, with an hour's token, a refresh token and the device_id kept sealed
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    assert (account["platform"], account["username"]) == ("vk", "ada")
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert {"access_token", "refresh_token", "device_id"} <= set(stored.sealed)
    assert stored.token_expires_at is not None

    # When the token is refreshed (VK ID wants the same device_id), twice
    for _ in range(2):
        before = container.accounts.get(headers["X-Workspace-ID"], account["id"])
        assert before is not None
        refreshed = client.post(f"/api/vk/authentications/{account['id']}/refresh", headers=headers)

        # Then each refresh succeeds and keeps the rotated refresh token (the used one is void at VK)
        assert refreshed.status_code == 200, refreshed.text
        after = container.accounts.get(headers["X-Workspace-ID"], account["id"])
        assert after is not None
        assert after.sealed["refresh_token"] != before.sealed["refresh_token"]
        assert after.status == "active"


def test_vk__emulated_vk_id__device_id_and_state_required_and_a_used_refresh_token_void() -> None:
    # Given the emulated VK ID and a user who approved an app (PKCE S256)
    verifier = "v" * 43
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    vk_id = TestClient(create_emulator())
    params = {
        "client_id": "app-1",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "vkid.personal_info wall",
        "state": "s" * 32,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = vk_id.get("/id.vk.com/authorize", params=params)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    approved = vk_id.post("/id.vk.com/authorize", data={**fields, "decision": "allow"}, follow_redirects=False)
    back = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["location"]).query).items()}
    exchange = {
        "grant_type": "authorization_code",
        "code": back["code"],
        "code_verifier": verifier,
        "redirect_uri": CALLBACK,
        "client_id": "app-1",
        "client_secret": "secret-1",
        "state": "t" * 32,
    }

    # When the code is exchanged without the device_id the redirect carried, then VK ID refuses it
    refused = vk_id.post("/id.vk.com/oauth2/auth", data=exchange)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_request")

    # When it is exchanged with it (on a new code: a code is used up once tried), then tokens come back
    approved = vk_id.post("/id.vk.com/authorize", data={**fields, "decision": "allow"}, follow_redirects=False)
    back = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["location"]).query).items()}
    tokens = vk_id.post(
        "/id.vk.com/oauth2/auth", data={**exchange, "code": back["code"], "device_id": back["device_id"]}
    ).json()
    assert (tokens["expires_in"], tokens["state"]) == (3600, "t" * 32)
    assert tokens["user_id"]
    assert tokens["refresh_token"]

    # When refreshing: without the device_id, or without a state, VK ID refuses
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": "app-1",
        "client_secret": "secret-1",
        "device_id": back["device_id"],
        "state": "u" * 32,
    }
    assert vk_id.post("/id.vk.com/oauth2/auth", data={**refresh, "device_id": ""}).status_code == 400
    assert vk_id.post("/id.vk.com/oauth2/auth", data={**refresh, "state": ""}).status_code == 400
    # With both, a new refresh token; the used one is then void
    renewed = vk_id.post("/id.vk.com/oauth2/auth", data=refresh).json()
    assert renewed["refresh_token"] != tokens["refresh_token"]
    again = vk_id.post("/id.vk.com/oauth2/auth", data=refresh)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_vk__disconnecting_an_account__its_token_is_logged_out_at_vk_id(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    # Given a VK account connected through VK ID, whose token reads the user's profile
    headers = new_workspace(client, keys)
    started = start(client, headers, platform="vk")
    back = consent(started["auth_url"], user="lovelace")
    done = client.post(
        "/api/accounts/callback",
        json={"state": back["state"], "code": back["code"], "device_id": back["device_id"]},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    token = container.secrets.open(stored.sealed["access_token"], stored.context("access_token"))
    users_get = f"{emulator.url}/api.vk.com/method/users.get"
    before = httpx.get(users_get, params={"v": "5.199", "access_token": token}).json()
    assert before["response"][0]["screen_name"] == "lovelace"

    # When the account is disconnected
    response = client.delete(f"/api/accounts/{account['id']}", headers=headers)

    # Then the answer says the token was revoked, and VK refuses it from then on (error 5)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["token_revoked"] is True
    after = httpx.get(users_get, params={"v": "5.199", "access_token": token}).json()
    assert after["error"]["error_code"] == 5
