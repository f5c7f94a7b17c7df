"""A field the main API or the admin plane does not define is refused (422 UNKNOWN_FIELD, naming it),
at any depth, instead of being dropped while the client believes the change was made."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Keys
from tests.integration.test_admin_auth import add_user, bearer, log_in
from tests.integration.test_posts import create, new_workspace

BOARD = {"pinterest": {"settings": {"board_id": "b1"}}}


@pytest.mark.parametrize(
    ("body", "unknown"),
    [
        ({"status": "draft"}, ["status"]),
        ({"no_such_field": 1}, ["no_such_field"]),
        ({"platform_content": {"pinterest": {"board_id": "b2"}}}, ["platform_content.pinterest.board_id"]),
        ({"content": "changed", "scheduled": True}, ["scheduled"]),
    ],
)
def test_a_post_change_with_an_unknown_field_is_refused_naming_it_and_changes_nothing(
    client: TestClient, keys: Keys, body: dict[str, Any], unknown: list[str]
) -> None:
    # Given a post for Pinterest, its board in the right place
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["twitter", "pinterest"], platform_content=BOARD)

    # When a change carries a field the API does not define
    answer = client.put(f"/api/posts/{post['id']}", json=body, headers=headers)

    # Then it is a 422 naming that field, in the envelope
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "UNKNOWN_FIELD"
    assert error["details"]["unknown_fields"] == unknown
    assert all(name in error["message"] for name in unknown)
    # And the post is as it was
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"] == post


def test_a_board_id_beside_settings_is_refused_when_a_post_is_created(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    body = {"content": "Pin", "platforms": ["pinterest"], "platform_content": {"pinterest": {"board_id": "b1"}}}

    answer = client.post("/api/posts", json=body, headers=headers)

    assert (answer.status_code, answer.json()["error"]["code"]) == (422, "UNKNOWN_FIELD")
    assert answer.json()["error"]["details"]["unknown_fields"] == ["platform_content.pinterest.board_id"]
    assert client.get("/api/posts", headers=headers).json()["data"]["posts"] == []


def test_the_admin_plane_refuses_unknown_fields_too_but_takes_the_seeds_permissions(
    client: TestClient, container: Container
) -> None:
    add_user(container, "ada@example.com")
    admin = bearer(log_in(client, "ada@example.com").json()["data"]["token"])
    user = {"email": "ed@example.com", "name": "Ed", "password": "x" * 12, "role": "editor"}

    # The seed's body (with "permissions", which come from the role) is taken
    created = client.post("/admin/users", json={**user, "permissions": ["posts.manage"]}, headers=admin)
    assert created.status_code == 201, created.text
    # A field it does not define is not
    refused = client.put(f"/admin/users/{created.json()['data']['user']['id']}", json={"admin": True}, headers=admin)
    assert (refused.status_code, refused.json()["error"]["details"]["unknown_fields"]) == (422, ["admin"])
