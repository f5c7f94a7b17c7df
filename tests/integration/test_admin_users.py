"""Admin users and roles: /admin/users with the seed's shapes, the last-admin rule, permissions."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.config import AdminSettings
from socialpub.domain.users import Role
from tests.integration.test_admin_auth import PASSWORD, add_user, bearer, log_in


@pytest.fixture
def admin(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "ada@example.com")
    return bearer(log_in(client, "ada@example.com").json()["data"]["token"])


def new_user(client: TestClient, admin: dict[str, str], email: str, role: str = "editor") -> dict[str, Any]:
    body = {"email": email, "name": "Ed Itor", "password": PASSWORD, "role": role, "permissions": ["posts.manage"]}
    answer = client.post("/admin/users", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    user: dict[str, Any] = answer.json()["data"]["user"]
    return user


def test_users__create_list_change_delete_with_the_seeds_shapes(client: TestClient, admin: dict[str, str]) -> None:
    # Created: the seed's fields, no password in sight
    editor = new_user(client, admin, "ed@example.com")
    assert set(editor) == {"id", "email", "name", "role", "is_active", "created_at", "last_login"}
    assert (editor["role"], editor["is_active"], editor["last_login"]) == ("editor", True, None)
    # Listed, oldest first
    listed = client.get("/admin/users", headers=admin).json()["data"]["users"]
    assert [u["email"] for u in listed] == ["ada@example.com", "ed@example.com"]
    # The new user can sign in
    token = log_in(client, "ed@example.com").json()["data"]["token"]
    assert client.get("/admin/profile", headers=bearer(token)).json()["data"]["user"]["role"] == "editor"
    # Changed: only the fields sent
    changed = client.put(f"/admin/users/{editor['id']}", json={"role": "viewer"}, headers=admin)
    assert changed.json()["data"]["user"]["role"] == "viewer"
    assert changed.json()["data"]["user"]["name"] == "Ed Itor"
    # Deleted: gone, and their token stops working
    gone = client.delete(f"/admin/users/{editor['id']}", headers=admin)
    assert gone.json()["data"] == {"message": "User deleted successfully"}
    assert client.get("/admin/profile", headers=bearer(token)).status_code == 401
    assert client.put(f"/admin/users/{editor['id']}", json={"name": "x"}, headers=admin).status_code == 404
    # And each change is in the audit log
    actions = [e["action"] for e in client.get("/admin/audit", headers=admin).json()["data"]["logs"]]
    assert {"user.created", "user.updated", "user.deleted"} <= set(actions)


def test_users__the_last_admin_cannot_be_deleted_demoted_or_deactivated(
    client: TestClient, admin: dict[str, str]
) -> None:
    me = client.get("/admin/profile", headers=admin).json()["data"]["user"]["id"]
    for method, body in (("DELETE", None), ("PUT", {"role": "editor"}), ("PUT", {"is_active": False})):
        refused = client.request(method, f"/admin/users/{me}", json=body, headers=admin)
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "LAST_ADMIN"), (method, body)
    # Once there is another admin, the first can step down
    other = new_user(client, admin, "grace@example.com", role="admin")
    assert client.put(f"/admin/users/{me}", json={"role": "editor"}, headers=admin).status_code == 200
    # And then the other is the last one
    other_admin = bearer(log_in(client, "grace@example.com").json()["data"]["token"])
    refused = client.delete(f"/admin/users/{other['id']}", headers=other_admin)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "LAST_ADMIN")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "not-an-email", "name": "x", "password": PASSWORD}, 400, "VALIDATION_ERROR"),
        ({"email": "x@example.com", "name": "x", "password": "short"}, 400, "VALIDATION_ERROR"),
        ({"email": "x@example.com", "name": "x", "password": PASSWORD, "role": "owner"}, 400, "VALIDATION_ERROR"),
        ({"email": "ada@example.com", "name": "x", "password": PASSWORD}, 409, "CONFLICT"),
        ({"name": "x", "password": PASSWORD}, 400, "VALIDATION_ERROR"),
    ],
)
def test_users__bad_input_is_refused(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], status: int, code: str
) -> None:
    answer = client.post("/admin/users", json=body, headers=admin)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    assert len(client.get("/admin/users", headers=admin).json()["data"]["users"]) == 1


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_users__only_admins_manage_users(client: TestClient, container: Container, role: Role) -> None:
    add_user(container, f"{role.value}@example.com", role)
    token = bearer(log_in(client, f"{role.value}@example.com").json()["data"]["token"])
    for method, path in (("GET", "/admin/users"), ("POST", "/admin/users"), ("DELETE", "/admin/users/user_x")):
        answer = client.request(method, path, json={}, headers=token)
        assert (answer.status_code, answer.json()["error"]["code"]) == (403, "FORBIDDEN"), (method, path)


def test_users__admins_made_before_the_count_existed_are_counted_when_it_matters(
    client: TestClient, admin: dict[str, str], container: Container
) -> None:
    # Given a second admin, and the count of admins lost (as in a stack older than the count)
    other = new_user(client, admin, "grace@example.com", role="admin")
    users_table = container.settings(AdminSettings).users_table
    boto3.client("dynamodb").delete_item(
        TableName=users_table, Key={"pk": {"S": "COUNTER"}, "sk": {"S": "ACTIVE_ADMINS"}}
    )

    # When one admin is demoted, it works (there are two), and the last one is still protected
    assert client.put(f"/admin/users/{other['id']}", json={"role": "viewer"}, headers=admin).status_code == 200
    me = client.get("/admin/profile", headers=admin).json()["data"]["user"]["id"]
    refused = client.delete(f"/admin/users/{me}", headers=admin)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "LAST_ADMIN")
