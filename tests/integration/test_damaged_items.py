"""Writes are checked as whole items before they are stored, and an item stored damaged anyway
(by an older version, or by hand) never takes a list, a sign-in, the dashboard, the publisher or the
local stack's start down: lists leave it out, reading it alone is a 409 naming it (a publish target
fails, a session admits nobody), and it is logged."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.users import DynamoAdminUserRepository
from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.api.container import Container
from socialpub.config import AdminSettings
from socialpub.domain.admin_auth import AdminSession
from socialpub.domain.audit import Actor, AuditEntry, AuditFilter
from socialpub.domain.errors import InvalidInput
from socialpub.domain.publishing import PublishStat, Target
from socialpub.domain.services import users as user_service
from socialpub.local.stack import _bootstrap
from socialpub.workers import schedule_sweeper
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.pipeline import INSTANCE, Pipeline, get, publish
from tests.integration.test_accounts import connect
from tests.integration.test_admin_auth import PASSWORD, add_user, bearer, log_in
from tests.integration.test_posts import create, new_workspace
from tests.integration.test_scheduling import Sweeper


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


# ---------------------------------------------------------------------- targets, sessions, audit entries


@pytest.mark.parametrize("attribute", ["status", "queued_at", "platform"])
def test_a_damaged_publish_target_fails_alone_and_its_post_still_reads_lists_and_settles(
    client: TestClient,
    keys: Keys,
    pipeline: Pipeline,
    container: Container,
    aws: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    attribute: str,
) -> None:
    # Given a post being published to two accounts, the target of one stored damaged
    api = new_workspace(client, keys)
    damaged = connect(client, api, platform="mastodon", instance=INSTANCE)
    sound = connect(client, api, platform="twitter")
    post = create(client, api, platforms=[damaged["id"], sound["id"]])
    assert publish(client, api, post["id"]).status_code == 202
    key = {"pk": f"WS#{api['X-Workspace-ID']}", "sk": f"POST#{post['id']}#T#{damaged['id']}"}
    damage(aws["WORKSPACES_TABLE"], key, attribute)

    # When the post is read and listed, it answers, with both targets as last known
    shown = client.get(f"/api/posts/{post['id']}", headers=api)
    assert shown.status_code == 200, shown.text
    assert {p["account_id"] for p in shown.json()["data"]["post"]["platform_posts"]} == {damaged["id"], sound["id"]}
    listed = client.get("/api/posts", headers=api)
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()["data"]["posts"]] == [post["id"]]
    assert any(getattr(r, "key", None) == key for r in caplog.records if r.getMessage() == "Damaged item left unread")

    # When the publisher gets both messages in one batch
    messages = pipeline.receive()
    assert len(messages) == 2

    # Then no record of the batch fails: the sound target is published, the damaged one fails, named
    assert pipeline.deliver(messages) == set()
    assert len(pipeline.posts_on("twitter")) == 1
    assert pipeline.posts_on("mastodon") == []
    settled = get(client, api, post["id"])
    assert settled["status"] == "partially_published"
    by_account = {p["account_id"]: p for p in settled["platform_posts"]}
    assert by_account[sound["id"]]["status"] == "published"
    assert (by_account[damaged["id"]]["status"], by_account[damaged["id"]]["error_code"]) == ("failed", "DAMAGED_ITEM")
    # And the failed target is stored readable, so publishing again retries it
    assert {t.account_id for t in container.targets.of_post(api["X-Workspace-ID"], post["id"])} == {
        damaged["id"],
        sound["id"],
    }


def _session_id(token: str) -> str:
    payload = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"])


@pytest.mark.parametrize("attribute", ["user_id", "expires_at", "created_at"])
def test_a_damaged_admin_session_admits_nobody_and_other_admins_carry_on(
    client: TestClient, admin: dict[str, str], container: Container, aws: dict[str, str], attribute: str
) -> None:
    # Given a second admin signed in, whose session is stored damaged
    add_user(container, "bo@example.com")
    token = log_in(client, "bo@example.com").json()["data"]["token"]
    assert client.get("/admin/profile", headers=bearer(token)).status_code == 200
    damage(aws["USERS_TABLE"], {"pk": f"SESSION#{_session_id(token)}", "sk": "SESSION"}, attribute)

    # When that token is used, it is a 401 in the envelope, not a 500
    assert _error(client.get("/admin/profile", headers=bearer(token)))[0] == 401
    # And the other admin carries on, and the same admin can sign in again
    assert client.get("/admin/users", headers=admin).status_code == 200
    again = log_in(client, "bo@example.com").json()["data"]["token"]
    assert client.get("/admin/profile", headers=bearer(again)).status_code == 200


@pytest.mark.parametrize("attribute", ["action", "created_at", "details"])
def test_a_damaged_audit_entry_is_left_out_of_the_audit_log(
    client: TestClient, admin: dict[str, str], aws: dict[str, str], attribute: str
) -> None:
    # Given a few audit entries, one of them stored damaged
    new_user(client, admin)
    entries = client.get("/admin/audit", headers=admin).json()["data"]["logs"]
    assert len(entries) >= 2
    victim = entries[0]
    month = victim["created_at"][:7]
    (item,) = [
        i
        for i in boto3.client("dynamodb").query(
            TableName=aws["USERS_TABLE"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"AUDIT#{month}"}},
        )["Items"]
        if i["id"]["S"] == victim["id"]
    ]
    damage(aws["USERS_TABLE"], {"pk": item["pk"]["S"], "sk": item["sk"]["S"]}, attribute)

    # When the audit log is read
    listed = client.get("/admin/audit", headers=admin)

    # Then it answers with every other entry, without the damaged one
    assert listed.status_code == 200, listed.text
    ids = [e["id"] for e in listed.json()["data"]["logs"]]
    assert victim["id"] not in ids
    assert set(ids) >= {e["id"] for e in entries[1:]}


def test_targets_sessions_and_audit_entries_are_checked_whole_before_they_are_written(
    container: Container, clock: FrozenClock
) -> None:
    # Given items of each kind built without validation, each with a required field set to None
    now = clock()
    target = Target(workspace_id="ws", post_id="p", account_id="a", platform="twitter", queued_at=now)
    session = AdminSession(id="s", user_id="u", created_at=now, expires_at=now)
    entry = AuditEntry(id="log_1", action="auth.login", resource_type="user", created_at=now)
    stat = PublishStat(platform="twitter", published=False, latency_ms=0, at=now)
    writes: list[Callable[[], object]] = [
        lambda: container.targets.save(target.model_copy(update={"platform": None}), 0),
        lambda: container.targets.finish(target.model_copy(update={"status": None}), 0, stat),
        lambda: container.admin_auth_deps().sessions.open(session.model_copy(update={"user_id": None})),
        lambda: container.admin_audit().record(entry.model_copy(update={"action": None})),
    ]
    for write in writes:
        # When the repository is asked to write it, it refuses, naming the field
        with pytest.raises(InvalidInput) as refused:
            write()
        assert refused.value.details["fields"]
    # And nothing was stored
    assert container.targets.get("ws", "p", "a") is None
    assert container.admin_auth_deps().sessions.get("s") is None
    assert container.admin_audit().page(AuditFilter(), page=1, per_page=10) == ([], 0)


def test_the_sweeper_requeues_a_damaged_stalled_target_and_the_publisher_fails_it(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock, aws: dict[str, str]
) -> None:
    # Given a post being published whose only target is stored damaged, its message lost
    api = new_workspace(client, keys)
    account = connect(client, api, platform="mastodon", instance=INSTANCE)
    post = create(client, api, platforms=[account["id"]])
    assert publish(client, api, post["id"]).status_code == 202
    for message in pipeline.receive():
        pipeline.sqs.delete_message(QueueUrl=pipeline.url, ReceiptHandle=message["ReceiptHandle"])
    damage(
        aws["WORKSPACES_TABLE"],
        {"pk": f"WS#{api['X-Workspace-ID']}", "sk": f"POST#{post['id']}#T#{account['id']}"},
        "status",
    )

    # When the sweeper runs once the target counts as stalled, it answers and queues it again
    sweeper = Sweeper(clock)
    clock.moment += timedelta(minutes=11)
    try:
        assert sweeper.run()["requeued_targets"] == 1
    finally:
        schedule_sweeper.adapters.cache_clear()
    pipeline.drain()

    # Then the publisher fails it, named, and the post settles as failed; nothing was sent
    settled = get(client, api, post["id"])
    assert settled["status"] == "failed"
    assert settled["platform_posts"][0]["error_code"] == "DAMAGED_ITEM"
    assert pipeline.posts_on("mastodon") == []
