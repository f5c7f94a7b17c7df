"""Lemmy through the API: connected on the instance the client names (SSRF-guarded) with a username and
password traded for the instance's JWT (the password kept nowhere), and its typed settings and title
refused with clear errors before anything reaches the instance."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import publish
from tests.integration.test_posts import create, new_workspace

PASSWORD = "correct horse battery"


def _connect(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/accounts", json={"platform": "lemmy", **body}, headers=headers)


def test_lemmy__connect_on_an_instance_with_username_and_password__jwt_kept_sealed_password_nowhere(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    # When a Lemmy account is connected on its instance with its username and password
    response = _connect(
        client,
        headers,
        instance="https://Lemmy.Example/",
        credentials={"username": "ada", "password": PASSWORD},
    )

    # Then the account is the instance's user, on that instance
    assert response.status_code == 201, response.text
    account = response.json()["data"]["account"]
    assert (account["platform"], account["username"], account["instance"]) == ("lemmy", "ada", "lemmy.example")
    # And the password is kept nowhere: only the session token is stored, sealed
    assert PASSWORD not in response.text
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert set(stored.sealed) == {"access_token"}
    assert PASSWORD not in stored.model_dump_json()


def test_lemmy__connect_refusals__clear_400s_and_no_account(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    headers = new_workspace(client, keys)
    credentials = {"username": "ada", "password": PASSWORD}
    # No instance: said so
    missing = _connect(client, headers, credentials=credentials)
    assert (missing.status_code, missing.json()["error"]["details"]) == (400, {"field": "instance"})
    # An instance inside the network (or the cloud's metadata service): refused before any call
    for instance in ("10.0.0.1", "169.254.169.254", "localhost", "metadata.internal"):
        refused = _connect(client, headers, instance=instance, credentials=credentials)
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, "VALIDATION_ERROR"), instance
    # No password: the fields it needs are named
    partial = _connect(client, headers, instance="lemmy.example", credentials={"username": "ada"})
    assert (partial.status_code, partial.json()["error"]["details"]["missing"]) == (400, ["password"])
    # A wrong password: the instance's refusal, with its code
    wrong = _connect(client, headers, instance="lemmy.example", credentials={"username": "ada", "password": "short"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "NETWORK_REJECTED")
    assert wrong.json()["error"]["details"]["error"] == "incorrect_login"
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []


def test_lemmy__post_without_title_or_community__refused_with_the_rules_named(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    _connect(client, headers, instance="lemmy.example", credentials={"username": "ada", "password": PASSWORD})
    # Given a Lemmy draft with neither a title nor a community (a draft may wait for them)
    post = create(client, headers, content="Body only", platforms=["lemmy"])
    pending = {(f["platform"], f["rule"]) for f in post["validation"]["pending"]}
    assert {("lemmy", "title_required"), ("lemmy", "setting_required")} <= pending

    # When it is published
    response = publish(client, headers, post["id"])

    # Then it is refused in the envelope, naming Lemmy's rules
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["error"]["code"]) == (False, "VALIDATION_ERROR")
    rules = {f["rule"] for f in body["error"]["details"]["platforms"]["lemmy"]}
    assert {"title_required", "setting_required"} <= rules
    # And a setting of the wrong type is refused at once
    typed = client.post(
        "/api/posts",
        json={
            "content": "Body",
            "title": "A title",
            "platforms": ["lemmy"],
            "platform_content": {"lemmy": {"settings": {"community": "news", "nsfw": "yes"}}},
        },
        headers=headers,
    )
    assert typed.status_code == 400
    assert typed.json()["error"]["details"]["platforms"]["lemmy"][0]["rule"] == "invalid_setting"
