"""Lemmy through the API: its typed settings and title refused with clear errors before anything reaches
the instance (its connection on the instance the client names: test_instance_connect.py)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Emulator, Keys
from tests.integration.pipeline import publish
from tests.integration.test_posts import create, new_workspace

PASSWORD = "correct horse battery"


def _connect(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/accounts", json={"platform": "lemmy", **body}, headers=headers)


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
