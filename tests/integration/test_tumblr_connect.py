"""Tumblr through the API: OAuth 2 with offline_access, then the blogs of the login offered as choices
(one account per chosen blog), and a refresh that keeps the rotated refresh token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import consent, start
from tests.integration.test_posts import new_workspace


def test_tumblr__connect__the_logins_blogs_offered_and_the_chosen_one_connected_with_a_refresh_token(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    # Given a Tumblr login that owns two blogs, consenting to basic, write and offline_access
    started = start(client, headers, platform="tumblr")
    assert "scope=basic+write+offline_access" in started["auth_url"]
    back = consent(started["auth_url"], user="ada")

    # When the callback comes back, the blogs are offered
    offered = client.post(
        "/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers
    )
    assert offered.status_code == 200, offered.text
    data = offered.json()["data"]
    assert data["status"] == "selection_required"
    assert [c["username"] for c in data["choices"]] == ["ada", "ada-art"]

    # And the chosen one becomes an account of type blog, with a refresh token kept
    chosen = data["choices"][1]
    done = client.post(
        "/api/accounts/callback", json={"state": back["state"], "selection": [chosen["id"]]}, headers=headers
    )
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    assert (account["platform"], account["type"], account["username"]) == ("tumblr", "blog", "ada-art")
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert {"access_token", "refresh_token"} <= set(stored.sealed)

    # When the token is refreshed, the rotated refresh token replaces the old one
    refreshed = client.post(f"/api/tumblr/authentications/{account['id']}/refresh", headers=headers)
    assert refreshed.status_code == 200, refreshed.text
    after = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert after is not None
    assert after.sealed["refresh_token"] != stored.sealed["refresh_token"]
