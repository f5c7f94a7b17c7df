"""Admin sign-in: POST /admin/login for a JWT, GET /admin/profile with it, POST /admin/logout ending it
at once; failed logins throttled per account and per IP; tokens that are expired, forged or for
another key refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import jwt
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.users import DynamoAdminUserRepository
from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.api.container import Container
from socialpub.config import AdminSettings
from socialpub.domain.services.users import create_admin_user
from socialpub.domain.users import Role
from tests.conftest import FrozenClock

PASSWORD = "correct horse battery staple"


def add_user(container: Container, email: str, role: Role = Role.ADMIN) -> None:
    users = DynamoAdminUserRepository(boto3.client("dynamodb"), container.settings(AdminSettings).users_table)
    name = email.split("@")[0].title()
    create_admin_user(email=email, name=name, password=PASSWORD, role=role, repo=users, clock=container.clock)


def log_in(client: TestClient, email: str, password: str = PASSWORD, ip: str | None = None) -> Any:
    """From the test client's address, or from ``ip`` (a client connecting from there)."""
    if ip is not None:
        with TestClient(client.app, client=(ip, 50000), raise_server_exceptions=False) as elsewhere:
            return elsewhere.post("/admin/login", json={"email": email, "password": password})
    return client.post("/admin/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(container: Container) -> str:
    add_user(container, "ada@example.com")
    return "ada@example.com"


def test_login__gives_a_token_that_opens_the_profile(client: TestClient, admin: str, clock: FrozenClock) -> None:
    # When the admin logs in
    answer = log_in(client, admin)

    # Then the answer is the seed's: a token, its expiry (8 hours), and the user
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["expires_at"] == (clock() + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert data["user"] == {"id": data["user"]["id"], "email": admin, "name": "Ada", "role": "admin"}
    # And the token opens the profile, with the role's permissions and the login time
    profile = client.get("/admin/profile", headers=bearer(data["token"]))
    assert profile.status_code == 200, profile.text
    user = profile.json()["data"]["user"]
    assert user["last_login"] == clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {"users.manage", "api_keys.manage", "workspaces.manage"} <= set(user["permissions"])


def test_profile__shows_each_roles_permissions(client: TestClient, container: Container) -> None:
    add_user(container, "vera@example.com", Role.VIEWER)
    add_user(container, "ed@example.com", Role.EDITOR)

    def permissions(email: str) -> set[str]:
        token = log_in(client, email).json()["data"]["token"]
        return set(client.get("/admin/profile", headers=bearer(token)).json()["data"]["user"]["permissions"])

    assert permissions("vera@example.com") == {"stats.read", "system.read"}
    assert "api_keys.manage" in permissions("ed@example.com")
    assert "users.manage" not in permissions("ed@example.com")


def test_logout__the_token_stops_working_at_once(client: TestClient, admin: str) -> None:
    # Given a logged-in admin
    token = log_in(client, admin).json()["data"]["token"]

    # When they log out
    answer = client.post("/admin/logout", headers=bearer(token))

    # Then the seed's message, and the same token is refused from now on (it has not expired)
    assert answer.json()["data"] == {"message": "Logged out successfully"}
    refused = client.get("/admin/profile", headers=bearer(token))
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "UNAUTHORIZED")
    # And another login gives a new token that works
    again = log_in(client, admin).json()["data"]["token"]
    assert client.get("/admin/profile", headers=bearer(again)).status_code == 200


def test_login__a_wrong_password_and_an_unknown_email_get_the_same_answer(client: TestClient, admin: str) -> None:
    wrong = log_in(client, admin, "not the password")
    unknown = log_in(client, "nobody@example.com")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert answer.json()["error"] == {
            "code": "INVALID_CREDENTIALS",
            "message": "The email or password is incorrect",
            "details": {},
        }


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ada@example.com"},
        {"password": "x"},
        {"email": ["a"], "password": "x"},
        {"email": "a", "password": "p" * 2000},
    ],
)
def test_login__malformed_bodies_get_400(client: TestClient, admin: str, body: dict[str, Any]) -> None:
    answer = client.post("/admin/login", json=body)
    assert answer.status_code == 400
    assert answer.json()["success"] is False


def test_login__throttled_per_account_after_five_failures(client: TestClient, admin: str, clock: FrozenClock) -> None:
    # Given five failed logins to one account (from different addresses)
    for i in range(5):
        assert log_in(client, admin, "guess", ip=f"198.51.100.{i}").status_code == 401

    # When the right password comes next
    answer = log_in(client, admin, ip="203.0.113.9")

    # Then it is refused too, with when to retry
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
    assert 0 < int(answer.headers["Retry-After"]) <= 15 * 60
    # And once the window has passed, it works
    clock.moment += timedelta(minutes=16)
    assert log_in(client, admin, ip="203.0.113.9").status_code == 200


def test_login__throttled_per_ip_across_accounts(client: TestClient, admin: str) -> None:
    # Given twenty failures from one address, each on a different account
    for i in range(20):
        assert log_in(client, f"user{i}@example.com", "guess", ip="192.0.2.7").status_code == 401

    # Then that address is refused even for a real account, while another address is not
    assert log_in(client, admin, ip="192.0.2.7").status_code == 429
    assert log_in(client, admin, ip="192.0.2.8").status_code == 200


def test_tokens__missing_expired_forged_or_malformed_are_refused(
    client: TestClient, admin: str, clock: FrozenClock, container: Container
) -> None:
    token = log_in(client, admin).json()["data"]["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode({**claims, "role": "admin"}, "not the deployment key, long enough", algorithm="HS256")
    unsigned = jwt.encode(claims, "", algorithm="none")
    for headers in ({}, {"Authorization": "Basic abc"}, bearer("not.a.jwt"), bearer(forged), bearer(unsigned)):
        answer = client.get("/admin/profile", headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (401, "UNAUTHORIZED"), headers
    # And a genuine token past its expiry is refused too
    clock.moment += timedelta(hours=8, seconds=1)
    expired = client.get("/admin/profile", headers=bearer(token))
    assert (expired.status_code, expired.json()["error"]["code"]) == (401, "UNAUTHORIZED")


def test_audit__records_sign_ins_and_webhook_changes_with_who_and_where(
    client: TestClient, admin: str, container: Container
) -> None:
    # Given a failed login, a login, webhook changes and a logout
    headers = {"User-Agent": "audit-test/1.0"}
    client.post("/admin/login", json={"email": admin, "password": "wrong"}, headers=headers)
    token = log_in(client, admin).json()["data"]["token"]
    container.webhook_sender = HttpWebhookSender(resolver=lambda host, port: ["93.184.216.34"])
    made = client.post(
        "/admin/webhooks",
        json={"url": "https://hooks.example.com/a", "events": ["post.created"]},
        headers={**bearer(token), **headers},
    ).json()["data"]["webhook"]
    client.put(f"/admin/webhooks/{made['id']}", json={"is_active": False}, headers=bearer(token))
    client.delete(f"/admin/webhooks/{made['id']}", headers=bearer(token))
    reader = log_in(client, admin).json()["data"]["token"]
    client.post("/admin/logout", headers=bearer(token))

    # When the audit log is read
    answer = client.get("/admin/audit", headers=bearer(reader))

    # Then every action is there, newest first, with the user, address and user agent
    assert answer.status_code == 200, answer.text
    logs = answer.json()["data"]["logs"]
    assert [entry["action"] for entry in logs] == [
        "auth.logout",
        "auth.login",
        "webhook.deleted",
        "webhook.updated",
        "webhook.created",
        "auth.login",
        "auth.login_failed",
    ]
    created = logs[4]
    assert (created["user_email"], created["resource_type"], created["resource_id"]) == (admin, "webhook", made["id"])
    assert created["user_agent"] == "audit-test/1.0"
    assert created["ip_address"] == "testclient"
    assert logs[-1]["user_id"] is None
    assert logs[-1]["details"] == {"email": admin}
    assert answer.json()["data"]["pagination"]["total_items"] == 7
    # And it filters by action and pages
    only = client.get("/admin/audit?action=auth.login&limit=1&page=2", headers=bearer(reader)).json()["data"]
    assert [e["action"] for e in only["logs"]] == ["auth.login"]
    assert only["pagination"]["total_items"] == 2
    # And nothing can change it
    for method in ("PUT", "DELETE", "POST"):
        refused = client.request(method, "/admin/audit", headers=bearer(reader))
        assert refused.status_code == 405
        assert refused.json()["success"] is False


def test_audit__a_viewer_cannot_read_it(client: TestClient, container: Container) -> None:
    add_user(container, "vera@example.com", Role.VIEWER)
    token = log_in(client, "vera@example.com").json()["data"]["token"]
    refused = client.get("/admin/audit", headers=bearer(token))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
