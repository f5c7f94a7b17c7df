"""API keys on the admin plane: create (shown once, metered on its tier's usage plan in moto),
real usage counts, rotation with a 24-hour grace, tier changes that move the plan, revocation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.tiers import Tier
from socialpub.domain.users import Role
from tests.conftest import FrozenClock, Keys
from tests.integration.test_admin_auth import add_user, bearer, log_in
from tests.integration.test_posts import new_workspace


@pytest.fixture
def admin(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "ada@example.com")
    return bearer(log_in(client, "ada@example.com").json()["data"]["token"])


def make_key(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("name", "New Integration Key")
    answer = client.post("/admin/keys", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    key: dict[str, Any] = answer.json()["data"]["key"]
    return key


def works(client: TestClient, key: str) -> int:
    return client.get("/api/workspaces", headers={"X-API-Key": key}).status_code


def test_keys__a_professional_key_for_one_workspace_is_metered_and_counted(
    client: TestClient, keys: Keys, admin: dict[str, str], container: Container, clock: FrozenClock
) -> None:
    # Given a workspace
    workspace = new_workspace(client, keys)["X-Workspace-ID"]

    # When an admin creates a professional key for it
    key = make_key(
        client, admin, tier="professional", workspaces=[workspace], permissions=["workspaces.read", "posts.read"]
    )

    # Then the answer is the seed's, with the key shown this once
    assert set(key) == {"id", "name", "api_key", "tier", "created_at"}
    assert key["tier"] == "professional"
    assert key["api_key"].startswith("pk_live_")
    # And it is on the professional usage plan in API Gateway (moto)
    assert container.usage_plans.plan_of(key["id"]) is Tier.PROFESSIONAL
    # And it sees its one workspace, and nothing it lacks the permission for
    listed = client.get("/api/workspaces", headers={"X-API-Key": key["api_key"]}).json()["data"]["workspaces"]
    assert [w["id"] for w in listed] == [workspace]
    refused = client.post("/api/workspaces", json={"name": "more"}, headers={"X-API-Key": key["api_key"]})
    assert refused.status_code == 403
    # And its requests are counted, today and this month
    for _ in range(2):
        works(client, key["api_key"])
    shown = client.get(f"/admin/keys/{key['id']}", headers=admin).json()["data"]["key"]
    assert shown["usage"] == {"requests_today": 4, "requests_this_month": 4}
    assert shown["workspaces"] == [workspace]
    assert "api_key" not in shown
    everything = client.get("/admin/keys", headers=admin).json()["data"]["keys"]
    assert key["id"] in {k["id"] for k in everything}
    # And the next day starts a new day's count, within the same month's
    clock.moment += timedelta(days=1)
    works(client, key["api_key"])
    admin = bearer(log_in(client, "ada@example.com").json()["data"]["token"])
    shown = client.get(f"/admin/keys/{key['id']}", headers=admin).json()["data"]["key"]
    assert shown["usage"] == {"requests_today": 1, "requests_this_month": 5}


def test_keys__usage_sums_every_hour_of_the_day_and_the_day_counts_kept_from_before(
    client: TestClient, admin: dict[str, str], aws: dict[str, str], clock: FrozenClock
) -> None:
    # Given a key whose requests of this day were counted per day before the counters became hourly
    key = make_key(client, admin, tier="starter", permissions=["workspaces.read"])
    boto3.client("dynamodb").put_item(
        TableName=aws["API_KEYS_TABLE"],
        Item={"pk": {"S": f"USAGE#{key['id']}"}, "sk": {"S": f"DAY#{clock.moment:%Y-%m-%d}"}, "n": {"N": "7"}},
    )
    # When it makes 60 requests in one minute (the starter limit), a refused 61st, and 2 in the next hour
    assert [works(client, key["api_key"]) for _ in range(61)].count(200) == 60
    clock.moment += timedelta(hours=1)
    assert [works(client, key["api_key"]) for _ in range(2)] == [200, 200]
    # Then the admin plane counts the day's hours and its earlier count, not the refused request
    admin = bearer(log_in(client, "ada@example.com").json()["data"]["token"])
    shown = client.get(f"/admin/keys/{key['id']}", headers=admin).json()["data"]["key"]
    assert shown["usage"] == {"requests_today": 69, "requests_this_month": 69}


def test_keys__rotation_keeps_the_old_key_for_24_hours_only(
    client: TestClient, admin: dict[str, str], clock: FrozenClock
) -> None:
    # Given a key, rotated
    key = make_key(client, admin)
    rotated = client.post(f"/admin/keys/{key['id']}/rotate", headers=admin)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["data"]["key"]
    assert new["id"] == key["id"]
    assert new["old_key_expires_at"] == (clock() + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")

    # Then both keys work
    assert (works(client, key["api_key"]), works(client, new["new_api_key"])) == (200, 200)

    # And a second rotation 12 hours later does not extend the first key's grace
    clock.moment += timedelta(hours=12)
    admin = bearer(log_in(client, "ada@example.com").json()["data"]["token"])
    third = client.post(f"/admin/keys/{key['id']}/rotate", headers=admin).json()["data"]["key"]
    clock.moment += timedelta(hours=12, seconds=1)

    # Then 24 hours after the first rotation the first key stops; the others still work
    refused = client.get("/api/workspaces", headers={"X-API-Key": key["api_key"]})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "UNAUTHORIZED"
    assert works(client, new["new_api_key"]) == 200
    assert works(client, third["new_api_key"]) == 200


def test_keys__a_tier_change_moves_the_usage_plan(
    client: TestClient, admin: dict[str, str], container: Container
) -> None:
    key = make_key(client, admin, tier="starter")
    assert container.usage_plans.plan_of(key["id"]) is Tier.STARTER

    changed = client.put(f"/admin/keys/{key['id']}", json={"tier": "enterprise", "name": "Renamed"}, headers=admin)

    assert changed.status_code == 200, changed.text
    assert (changed.json()["data"]["key"]["tier"], changed.json()["data"]["key"]["name"]) == ("enterprise", "Renamed")
    assert container.usage_plans.plan_of(key["id"]) is Tier.ENTERPRISE
    assert works(client, key["api_key"]) == 200
    (entry,) = client.get("/admin/audit?action=api_key.updated", headers=admin).json()["data"]["logs"]
    assert (entry["details"]["old_tier"], entry["details"]["new_tier"]) == ("starter", "enterprise")


def test_keys__revoked_keys_stop_at_once(client: TestClient, admin: dict[str, str], container: Container) -> None:
    key = make_key(client, admin)
    client.post(f"/admin/keys/{key['id']}/rotate", headers=admin)

    gone = client.delete(f"/admin/keys/{key['id']}", headers=admin)

    assert gone.json()["data"] == {"message": "API key revoked successfully"}
    assert works(client, key["api_key"]) == 401
    # And its gateway key stops being metered
    gateway = boto3.client("apigateway").get_api_keys(nameQuery=key["id"])["items"]
    assert [k["enabled"] for k in gateway] == [False]
    refused = client.post(f"/admin/keys/{key['id']}/rotate", headers=admin)
    assert refused.status_code == 409
    actions = [e["action"] for e in client.get("/admin/audit", headers=admin).json()["data"]["logs"]]
    assert [a for a in actions if a.startswith("api_key")] == ["api_key.revoked", "api_key.rotated", "api_key.created"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "workspaces": ["ws_nope"]},
        {"name": "x", "tier": "platinum"},
        {"name": ""},
        {"name": "x", "permissions": ["posts.launch"]},
    ],
)
def test_keys__bad_input_is_refused(client: TestClient, admin: dict[str, str], body: dict[str, Any]) -> None:
    before = len(client.get("/admin/keys", headers=admin).json()["data"]["keys"])
    answer = client.post("/admin/keys", json=body, headers=admin)
    assert answer.status_code == 400, answer.text
    assert len(client.get("/admin/keys", headers=admin).json()["data"]["keys"]) == before


def test_keys__a_viewer_cannot_create_keys(client: TestClient, container: Container) -> None:
    add_user(container, "vera@example.com", Role.VIEWER)
    viewer = bearer(log_in(client, "vera@example.com").json()["data"]["token"])
    refused = client.post("/admin/keys", json={"name": "x"}, headers=viewer)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert client.get("/admin/keys/key_x", headers=viewer).status_code == 403
