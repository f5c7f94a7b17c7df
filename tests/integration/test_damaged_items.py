"""Writes are checked as whole items before they are stored, and an item stored damaged anyway
(by an older version, or by hand) never takes a list, a sign-in, the dashboard or the local stack's
start down: lists leave it out, reading it alone is a 409 naming it, and it is logged."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.users import DynamoAdminUserRepository
from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.api.container import Container
from socialpub.config import AdminSettings
from socialpub.domain.audit import Actor
from socialpub.domain.errors import InvalidInput
from socialpub.domain.services import users as user_service
from socialpub.local.stack import _bootstrap
from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import connect
from tests.integration.test_admin_auth import PASSWORD, add_user, bearer, log_in
from tests.integration.test_posts import create, new_workspace


@pytest.fixture
def admin(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "ada@example.com")
    return bearer(log_in(client, "ada@example.com").json()["data"]["token"])


def new_user(client: TestClient, admin: dict[str, str], email: str = "ed@example.com") -> dict[str, Any]:
    body = {"email": email, "name": "Ed Itor", "password": PASSWORD, "role": "editor"}
    answer = client.post("/admin/users", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    user: dict[str, Any] = answer.json()["data"]["user"]
    return user


def damage(table: str, key: dict[str, str], attribute: str) -> None:
    """What an older version or a hand edit may leave: a required attribute stored as null."""
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key={k: {"S": v} for k, v in key.items()},
        UpdateExpression="SET #a = :null",
        ExpressionAttributeNames={"#a": attribute},
        ExpressionAttributeValues={":null": {"NULL": True}},
    )


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


# ---------------------------------------------------------------------- the write is checked


def test_an_admin_user_named_null_is_refused_and_the_admin_plane_keeps_working(
    client: TestClient, admin: dict[str, str]
) -> None:
    editor = new_user(client, admin)

    # When the name is sent as null
    answer = client.put(f"/admin/users/{editor['id']}", json={"name": None}, headers=admin)

    # Then it is a 400 naming the field, and nothing was stored
    assert _error(answer) == (400, "VALIDATION_ERROR")
    assert [f["field"] for f in answer.json()["error"]["details"]["fields"]] == ["name"]
    listed = client.get("/admin/users", headers=admin)
    assert listed.status_code == 200
    assert [u["name"] for u in listed.json()["data"]["users"] if u["id"] == editor["id"]] == ["Ed Itor"]
    # And the user can still sign in, be changed and be deleted; the dashboard answers
    assert log_in(client, "ed@example.com").status_code == 200
    assert client.get("/admin/dashboard", headers=admin).status_code == 200
    assert client.put(f"/admin/users/{editor['id']}", json={"name": "Ed"}, headers=admin).status_code == 200
    assert client.delete(f"/admin/users/{editor['id']}", headers=admin).status_code == 200


def test_the_service_and_the_repository_refuse_an_invalid_user_whoever_builds_it(
    client: TestClient, admin: dict[str, str], container: Container
) -> None:
    editor = new_user(client, admin)
    deps = container.admin_auth_deps()
    stored = deps.users.get(editor["id"])
    assert stored is not None
    actor = Actor(user_id="u", user_email="ada@example.com")

    # When the service is asked for a null name (past the request model)
    with pytest.raises(InvalidInput) as refused:
        user_service.update_user(
            deps.users,
            editor["id"],
            user_service.UserChanges(name=None),
            clock=container.clock,
            audit=deps.audit,
            actor=actor,
        )
    # Then it names the field
    assert refused.value.details["fields"][0]["field"] == "name"

    # When the repository is handed an invalid item built without validation
    with pytest.raises(InvalidInput):
        deps.users.save(stored.model_copy(update={"name": None}), stored)

    # Then nothing was stored either time
    assert deps.users.get(editor["id"]) == stored


# ---------------------------------------------------------------------- a damaged item is left out, and named


@dataclass
class Case:
    """How to make one item of a kind, where it is stored, and where it is listed and read."""

    make: Callable[[TestClient, dict[str, str], dict[str, str], int], tuple[str, dict[str, str]]]
    table: str
    attribute: str
    listed: Callable[[str], str]  # item id -> list path
    read: Callable[[str], str]  # item id -> item path
    items: Callable[[Any], list[dict[str, Any]]]  # list answer -> items


def _user(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    user_id = new_user(client, admin, f"user{n}@example.com")["id"]
    return user_id, {"pk": f"USER#{user_id}", "sk": "USER"}


def _webhook(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    body = {"url": "https://hooks.example.com/x", "events": ["post.created"]}
    webhook_id = client.post("/admin/webhooks", json=body, headers=admin).json()["data"]["webhook"]["id"]
    return webhook_id, {"pk": "WEBHOOK", "sk": f"WH#{webhook_id}"}


def _key(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    key_id = client.post("/admin/keys", json={"name": "k"}, headers=admin).json()["data"]["key"]["id"]
    return key_id, {"pk": f"KEY#{key_id}", "sk": "KEY"}


def _post(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    post_id = create(client, api)["id"]
    return post_id, {"pk": f"WS#{api['X-Workspace-ID']}", "sk": f"POST#{post_id}"}


def _schedule(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    body = {"name": "s", "slots": [{"day": "monday", "time": "09:00", "platforms": ["twitter"]}]}
    schedule_id = client.post("/api/schedules", json=body, headers=api).json()["data"]["schedule"]["id"]
    return schedule_id, {"pk": f"WS#{api['X-Workspace-ID']}", "sk": f"SCHED#{schedule_id}"}


def _account(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    account_id = str(connect(client, api, user=f"user-{n}")["id"])
    return account_id, {"pk": f"WS#{api['X-Workspace-ID']}", "sk": f"ACCOUNT#{account_id}"}


def _configuration(
    client: TestClient, admin: dict[str, str], api: dict[str, str], n: int
) -> tuple[str, dict[str, str]]:
    body = {"credentials": {"clientId": "c" * 20, "clientSecret": "s" * 40}}
    config_id = client.post("/api/linkedin/configurations", json=body, headers=api).json()["configuration"]["id"]
    return config_id, {"pk": f"WS#{api['X-Workspace-ID']}", "sk": f"CONFIG#linkedin#{config_id}"}


def _workspace(client: TestClient, admin: dict[str, str], api: dict[str, str], n: int) -> tuple[str, dict[str, str]]:
    answer = client.post("/api/workspaces", json={"name": "second"}, headers=api)
    workspace_id = answer.json()["data"]["workspace"]["id"]
    return workspace_id, {"pk": f"WS#{workspace_id}", "sk": "META"}


def _data(*keys: str) -> Callable[[Any], list[dict[str, Any]]]:
    def items(body: Any) -> list[dict[str, Any]]:
        for key in keys:
            body = body[key]
        return list(body)

    return items


CASES = {
    "user": Case(
        _user, "USERS_TABLE", "name", lambda i: "/admin/users", lambda i: f"/admin/users/{i}", _data("data", "users")
    ),
    "webhook": Case(
        _webhook,
        "USERS_TABLE",
        "url",
        lambda i: "/admin/webhooks",
        lambda i: f"/admin/webhooks/{i}",
        _data("data", "webhooks"),
    ),
    "api key": Case(
        _key, "API_KEYS_TABLE", "name", lambda i: "/admin/keys", lambda i: f"/admin/keys/{i}", _data("data", "keys")
    ),
    "post": Case(
        _post,
        "WORKSPACES_TABLE",
        "content",
        lambda i: "/api/posts",
        lambda i: f"/api/posts/{i}",
        _data("data", "posts"),
    ),
    "schedule": Case(
        _schedule,
        "WORKSPACES_TABLE",
        "name",
        lambda i: "/api/schedules",
        lambda i: f"/api/schedules/{i}",
        _data("data", "schedules"),
    ),
    "account": Case(
        _account,
        "WORKSPACES_TABLE",
        "name",
        lambda i: "/api/accounts",
        lambda i: f"/api/accounts/{i}",
        _data("data", "accounts"),
    ),
    "configuration": Case(
        _configuration,
        "WORKSPACES_TABLE",
        "scopes",
        lambda i: "/api/linkedin/configurations",
        lambda i: f"/api/linkedin/configurations/{i}",
        _data("configurations"),
    ),
    "workspace": Case(
        _workspace,
        "WORKSPACES_TABLE",
        "name",
        lambda i: "/api/workspaces",
        lambda i: f"/api/workspaces/{i}",
        _data("data", "workspaces"),
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_a_damaged_item_is_left_out_of_its_list_and_named_when_read(
    client: TestClient,
    keys: Keys,
    admin: dict[str, str],
    container: Container,
    emulator: Emulator,
    aws: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    # Given two items of this kind, one of them stored damaged behind the API's back
    container.webhook_sender = HttpWebhookSender(resolver=lambda host, port: ["93.184.216.34"])
    case = CASES[kind]
    api = new_workspace(client, keys)
    damaged_id, key = case.make(client, admin, api, 1)
    sound_id, _ = case.make(client, admin, api, 2)
    damage(aws[case.table], key, case.attribute)
    headers = admin if case.read("x").startswith("/admin") else api

    # When the list is read
    listed = client.get(case.listed(damaged_id), headers=headers)

    # Then it answers, without the damaged item, and the damage is logged with the item's key
    assert listed.status_code == 200, listed.text
    ids = [item["id"] for item in case.items(listed.json())]
    assert sound_id in ids
    assert damaged_id not in ids
    warned = [r for r in caplog.records if r.getMessage() == "Damaged item left unread"]
    assert [(r.levelname, getattr(r, "key", None)) for r in warned][:1] == [("WARNING", key)]

    # And read alone, changed or deleted, it is a 409 that names it (a user has no single read)
    for method in ("GET", "PUT", "DELETE"):
        answer = client.request(method, case.read(damaged_id), json={} if method == "PUT" else None, headers=headers)
        if answer.status_code == 405:
            continue
        assert _error(answer) == (409, "DAMAGED_ITEM"), (method, answer.text)
        assert answer.json()["error"]["details"]["id"] == damaged_id


def test_a_damaged_user_cannot_sign_in_and_everyone_else_can(
    client: TestClient, admin: dict[str, str], aws: dict[str, str]
) -> None:
    # Given a user stored with a null name (what a PUT {"name": null} used to leave)
    editor = new_user(client, admin)
    damage(aws["USERS_TABLE"], {"pk": f"USER#{editor['id']}", "sk": "USER"}, "name")

    # Then that user's sign-in is refused like a wrong password, not a 500
    assert _error(log_in(client, "ed@example.com")) == (401, "INVALID_CREDENTIALS")
    # And every other admin signs in, lists users and sees the dashboard
    assert log_in(client, "ada@example.com").status_code == 200
    assert client.get("/admin/users", headers=admin).status_code == 200
    assert client.get("/admin/dashboard", headers=admin).status_code == 200


def test_the_local_stack_starts_beside_a_damaged_bootstrap_admin(
    client: TestClient, container: Container, aws: dict[str, str], tmp_path: Path
) -> None:
    # Given the local stack's bootstrap admin, stored damaged since its last start
    first = _bootstrap(tmp_path, "http://127.0.0.1:8000")
    (tmp_path / "local.json").write_text(json.dumps(first))
    users = DynamoAdminUserRepository(boto3.client("dynamodb"), container.settings(AdminSettings).users_table)
    admin = users.get_by_email(first["admin_email"])
    assert admin is not None
    damage(aws["USERS_TABLE"], {"pk": f"USER#{admin.id}", "sk": "USER"}, "name")

    # When it starts again
    again = _bootstrap(tmp_path, "http://127.0.0.1:8000")

    # Then it has a working admin beside the damaged one, and the API key still works
    assert again["admin_email"] != first["admin_email"]
    signed_in = log_in(client, again["admin_email"], again["admin_password"])
    assert signed_in.status_code == 200, signed_in.text
    assert again["api_key"] == first["api_key"]
