"""LinkedIn organisation pages through the API: the member's sign-in with the page scopes, the pages they
administer (organizationAcls) offered as choices, each chosen page an account posting as the organisation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import consent, start
from tests.integration.test_posts import new_workspace


def test_linkedin_page__connect__the_members_pages_offered_and_the_chosen_one_connected(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    # Given a LinkedIn member who administers two pages, consenting to the page scopes
    started = start(client, headers, platform="linkedin_page")
    assert "scope=w_organization_social+r_organization_social+rw_organization_admin" in started["auth_url"]
    back = consent(started["auth_url"], user="ada")

    # When the callback comes back, the pages are offered
    offered = client.post(
        "/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers
    )
    assert offered.status_code == 200, offered.text
    data = offered.json()["data"]
    assert data["status"] == "selection_required"
    assert [(c["type"], c["name"]) for c in data["choices"]] == [
        ("organization", "Acme Robotics"),
        ("organization", "Acme Labs"),
    ]

    # And the chosen one becomes an account of its own, beside (not instead of) a member profile
    chosen = data["choices"][1]
    done = client.post(
        "/api/accounts/callback", json={"state": back["state"], "selection": [chosen["id"]]}, headers=headers
    )
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    assert (account["platform"], account["type"], account["username"]) == ("linkedin_page", "organization", "acme-labs")
    assert chosen["id"].isdigit()
