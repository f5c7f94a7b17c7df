"""GET /admin/health, /admin/platform-health and /admin/system: measured, from real counters."""

from __future__ import annotations

import json

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.config import AdminSettings, load
from socialpub.domain.users import Role
from tests.conftest import FrozenClock, Keys
from tests.integration.pipeline import Pipeline, mastodon_post, publish
from tests.integration.test_admin_auth import add_user, bearer, log_in
from tests.integration.test_posts import new_workspace


@pytest.fixture
def viewer(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "vera@example.com", Role.VIEWER)  # system.read is every role's
    return bearer(log_in(client, "vera@example.com").json()["data"]["token"])


def test_health__probes_each_service_and_counts_waiting_jobs(client: TestClient, viewer: dict[str, str]) -> None:
    # Given one job waiting on the publish queue
    sqs = boto3.client("sqs")
    settings = load(AdminSettings)
    sqs.send_message(QueueUrl=settings.publish_queue_url, MessageBody="{}")

    # When health is read
    answer = client.get("/admin/health", headers=viewer)

    # Then each component reports, with measured latencies and the waiting job
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["status"] == "healthy"
    components = data["components"]
    assert components["database"]["status"] == "healthy"
    assert isinstance(components["database"]["latency_ms"], int)
    assert components["storage"]["status"] == "healthy"
    assert components["cache"] == {"status": "not_used"}
    assert components["queue"]["pending_jobs"] == 1
    # And a dead letter makes it degraded
    sqs.send_message(QueueUrl=settings.webhook_dlq_url, MessageBody="{}")
    again = client.get("/admin/health", headers=viewer).json()["data"]
    assert (again["status"], again["components"]["queue"]["dead_letters"]) == ("degraded", 1)


def test_platform_health__from_the_publishing_counters(
    client: TestClient, keys: Keys, viewer: dict[str, str], pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given a post published to Mastodon through the pipeline
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    pipeline.drain()
    # And stored counters for two networks having a bad day (2 of 10 and 6 of 10 targets failed)
    table = load(AdminSettings).workspaces_table
    today = clock().date().isoformat()
    for network, failed in (("twitter", 2), ("pinterest", 6)):
        record = {
            "pk": {"S": f"PLATFORM#{network}"},
            "sk": {"S": f"DAY#{today}"},
            "published": {"N": str(10 - failed)},
            "failed": {"N": str(failed)},
            "finished": {"N": "10"},
            "latency_ms_total": {"N": "5000"},
            "error_RATE_LIMITED": {"N": str(failed)},
        }
        boto3.client("dynamodb").put_item(TableName=table, Item=record)

    # When platform health is read
    answer = client.get("/admin/platform-health", headers=viewer)

    # Then each network shows its status, error rate, response time and last success
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    mastodon, twitter, pinterest = (data["platforms"][n] for n in ("mastodon", "twitter", "pinterest"))
    assert (mastodon["status"], mastodon["error_rate_24h"], mastodon["published"]) == ("operational", 0.0, 1)
    assert mastodon["last_successful_post"] is not None
    assert (twitter["status"], twitter["api_status"], twitter["error_rate_24h"]) == ("degraded", "partial_outage", 20.0)
    assert twitter["avg_response_time_ms"] == 500
    assert twitter["issues"] == ["RATE_LIMITED: 2 failed target(s)"]
    assert (pinterest["status"], pinterest["api_status"]) == ("down", "major_outage")
    assert data["platforms"]["youtube"]["status"] == "idle"
    assert data["overall_status"] == "degraded"


def test_system__says_what_runs(client: TestClient, viewer: dict[str, str]) -> None:
    data = client.get("/admin/system", headers=viewer).json()["data"]
    assert data["version"] == "0.1.0"
    assert data["environment"] == "test"
    assert data["runtime"].startswith("Python 3.")
    assert data["memory"]["used_mb"] > 0
    assert data["features"]["scheduling"] is True
    assert data["features"]["platforms"] >= 14
    assert json.dumps(data)  # plain JSON


def test_system_routes__need_a_token(client: TestClient) -> None:
    for path in ("/admin/health", "/admin/platform-health", "/admin/system"):
        assert client.get(path).status_code == 401
