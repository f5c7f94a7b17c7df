"""WordPress through the API: WordPress.com by OAuth 2 with the sites of the login offered as choices,
and the typed settings and the title refused with clear errors before anything reaches a site (a
self-hosted site's connection by its host, username and application password: test_instance_connect.py)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Emulator, Keys
from tests.integration.pipeline import publish
from tests.integration.test_accounts import consent, start
from tests.integration.test_posts import create, new_workspace

APP_PASSWORD = "abcd EFGH 1234 ijkl MNOP 5678"


def _self_hosted(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/accounts", json={"platform": "wordpress_selfhosted", **body}, headers=headers)


def test_wordpress_com__connect__the_logins_sites_offered_and_the_chosen_one_connected(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    back = consent(start(client, headers, platform="wordpress")["auth_url"], user="ada")
    offered = client.post(
        "/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers
    )
    data = offered.json()["data"]
    assert data["status"] == "selection_required"
    assert [c["username"] for c in data["choices"]] == ["https://ada.wordpress.com", "https://ada-notes.wordpress.com"]
    done = client.post(
        "/api/accounts/callback",
        json={"state": back["state"], "selection": [data["choices"][0]["id"]]},
        headers=headers,
    )
    (account,) = done.json()["data"]["accounts"]
    assert (account["platform"], account["type"]) == ("wordpress", "site")


def test_wordpress__post_without_title_or_with_bad_settings__refused_with_the_rules_named(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    _self_hosted(
        client, headers, instance="blog.example", credentials={"identifier": "ada", "app_password": APP_PASSWORD}
    )
    # Given a draft without a title for a self-hosted WordPress site
    post = create(client, headers, content="Body only", platforms=["wordpress_selfhosted"])
    assert ("wordpress_selfhosted", "title_required") in {
        (f["platform"], f["rule"]) for f in post["validation"]["pending"]
    }

    # When it is published, it is refused in the envelope naming the rule
    response = publish(client, headers, post["id"])
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["error"]["code"]) == (False, "VALIDATION_ERROR")
    assert body["error"]["details"]["platforms"]["wordpress_selfhosted"][0]["rule"] == "title_required"

    # And a category that is not an id, or a status WordPress does not have, is refused at once
    for settings in ({"categories": ["News"]}, {"status": "live"}):
        refused = client.post(
            "/api/posts",
            json={
                "content": "Body",
                "title": "T",
                "platforms": ["wordpress_selfhosted"],
                "platform_content": {"wordpress_selfhosted": {"settings": settings}},
            },
            headers=headers,
        )
        assert refused.status_code == 400, settings
        finding = refused.json()["error"]["details"]["platforms"]["wordpress_selfhosted"][0]
        assert finding["rule"] == "invalid_setting", settings
