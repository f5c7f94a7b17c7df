"""Instagram with Instagram Login through the API: authorized at instagram.com with the business scopes,
the code's token traded at once for a long-lived one, the account being the profile's user_id, and a
refresh with ig_refresh_token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.local.emulator.state import number_of
from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import consent, start
from tests.integration.test_posts import new_workspace


def test_instagram_standalone__connect__long_lived_token_on_the_professional_account_then_refreshed(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    # Given a user consenting at instagram.com to the Instagram Login business scopes
    started = start(client, headers, platform="instagram_standalone")
    assert started["auth_url"].split("?")[0].endswith("/www.instagram.com/oauth/authorize")
    assert "instagram_business_content_publish" in started["auth_url"]
    back = consent(started["auth_url"], user="ada")

    # When the callback comes back
    done = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)

    # Then one account is connected, named by the profile's user_id, with the long-lived token kept
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    assert (account["platform"], account["username"]) == ("instagram_standalone", "ada")
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert stored.external_id == number_of("instagram_standalone", "ada", "")

    # When the token is refreshed (GET refresh_access_token?grant_type=ig_refresh_token), a new one is kept
    refreshed = client.post(f"/api/instagram_standalone/authentications/{account['id']}/refresh", headers=headers)
    assert refreshed.status_code == 200, refreshed.text
    after = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert after is not None
    assert after.sealed["access_token"] != stored.sealed["access_token"]
