"""GET /admin/dashboard, /admin/stats and /admin/analytics: figures from counters kept as things
change (each workspace's counters; day counters added once per relayed event), never a scan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.users import Role
from socialpub.workers import event_relay
from tests.conftest import FrozenClock, Keys
from tests.integration.pipeline import INSTANCE, Pipeline, publish
from tests.integration.test_accounts import connect
from tests.integration.test_admin_auth import add_user, bearer, log_in
from tests.integration.test_posts import create, new_workspace


@pytest.fixture
def viewer(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "ada@example.com", Role.ADMIN)
    add_user(container, "vera@example.com", Role.VIEWER)  # stats.read is every role's
    return bearer(log_in(client, "vera@example.com").json()["data"]["token"])


@pytest.fixture
def activity(clock: FrozenClock) -> Iterator[None]:
    event_relay.adapters.cache_clear()
    yield
    event_relay.adapters.cache_clear()


def test_stats__sum_every_workspaces_counters(
    client: TestClient, keys: Keys, viewer: dict[str, str], pipeline: Pipeline, clock: FrozenClock, activity: None
) -> None:
    # Given two workspaces: one with a Mastodon account, a published post, a scheduled one, a
    # draft and a deleted one; the other with a draft for X and Mastodon
    first = new_workspace(client, keys)
    account = connect(client, first, platform="mastodon", instance=INSTANCE)
    out = create(client, first, content="Out", platforms=[account["id"]])
    publish(client, first, out["id"])
    pipeline.drain()
    later = create(client, first, content="Later", platforms=[account["id"]])
    at = (clock() + timedelta(days=1)).isoformat()
    assert (
        client.post(f"/api/posts/{later['id']}/schedule", json={"scheduled_at": at}, headers=first).status_code == 200
    )
    create(client, first, content="Draft", platforms=["mastodon"])
    gone = create(client, first, content="Gone", platforms=["twitter"])
    client.delete(f"/api/posts/{gone['id']}", headers=first)
    second = new_workspace(client, keys)
    create(client, second, content="Elsewhere", platforms=["twitter", "mastodon"])
    # And the day's events relayed, one of them twice over (as a relay that died and ran again)
    outbox, _ = event_relay.adapters()
    again = outbox.unrelayed(clock() + timedelta(minutes=1), 100)[0]
    event_relay.relay(until=clock() + timedelta(minutes=1))
    outbox.relayed(again)
    assert outbox.unrelayed(clock() + timedelta(minutes=1), 10) == []

    # When the stats are read
    data = client.get("/admin/stats", headers=viewer).json()["data"]

    # Then posts are counted by status and network, and accounts by status
    assert data["posts"]["total"] == 4
    assert data["posts"]["by_status"] == {
        "draft": 2,
        "scheduled": 1,
        "publishing": 0,
        "published": 1,
        "partially_published": 0,
        "failed": 0,
    }
    assert data["posts"]["by_platform"] == {"mastodon": 4, "twitter": 1}
    assert data["accounts"] == {"total": 1, "by_status": {"active": 1}}
    assert data["usage"]["api_calls_this_month"] > 0

    # And the dashboard shows the totals and today's activity
    board = client.get("/admin/dashboard", headers=viewer).json()["data"]
    assert board["overview"] == {"total_workspaces": 2, "total_posts": 4, "total_accounts": 1, "total_users": 2}
    assert board["activity"] == {"posts_today": 5, "posts_this_week": 5, "scheduled_posts": 1, "failed_posts": 0}
    assert board["api_usage"]["active_keys"] >= 2
    assert board["api_usage"]["requests_today"] == board["api_usage"]["requests_this_month"] > 0
    assert board["platform_distribution"] == {"mastodon": 4, "twitter": 1}

    # And analytics counts each event once, per day, over the period
    week = client.get("/admin/analytics?period=7d", headers=viewer).json()["data"]
    assert len(week["timeline"]) == 7
    assert week["timeline"][-1]["date"] == clock().date().isoformat()
    assert week["totals"]["post_created"] == 5
    assert week["totals"]["post_published"] == 1
    assert week["totals"]["post_deleted"] == 1
    assert week["totals"]["account_connected"] == 1


def test_analytics__a_period_it_does_not_know_is_refused(client: TestClient, viewer: dict[str, str]) -> None:
    answer = client.get("/admin/analytics?period=2w", headers=viewer)
    assert (answer.status_code, answer.json()["error"]["details"]["field"]) == (400, "period")
    assert client.get("/admin/analytics", headers=viewer).json()["data"]["period"] == "30d"


def test_stats_routes__need_a_token(client: TestClient) -> None:
    for path in ("/admin/dashboard", "/admin/stats", "/admin/analytics"):
        assert client.get(path).status_code == 401
