"""The analytics collector over the real store (moto) and the emulated networks: what it reads, when,
what a failure leaves, and what it costs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
from socialpub.adapters.insights import insights_for
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.api.container import Container
from socialpub.config import PublisherSettings, load
from socialpub.domain.analytics import AccountMetrics, TargetMetrics
from socialpub.domain.services.collector import CollectorDeps, collect_due
from socialpub.local.emulator.networks.instagram import account_of
from socialpub.local.emulator.state import number_of
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.pipeline import INSTANCE, Pipeline, get, mastodon_post, publish
from tests.integration.test_accounts import connect
from tests.integration.test_posts import new_workspace

FIGURES = {"favourites_count": 7, "reblogs_count": 3, "replies_count": 2, "quotes_count": 1}


class CountingClient:
    """A DynamoDB client that counts the calls made through it, by operation."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**kwargs: Any) -> Any:
            self.calls[name] += 1
            self.requests.append((name, kwargs))
            return method(**kwargs)

        return call


@pytest.fixture
def calls() -> CountingClient:
    return CountingClient(boto3.client("dynamodb"))


@pytest.fixture
def collector(
    calls: CountingClient, container: Container, emulator: Emulator, clock: FrozenClock, pipeline: Pipeline
) -> Iterator[CollectorDeps]:
    ddb = calls
    table = load(PublisherSettings).workspaces_table
    http = NetworkHttp(emulator=emulator.url)
    accounts = pipeline.deps.accounts  # the emulator for token refreshes, the test clock
    yield CollectorDeps(
        store=DynamoAnalyticsRepository(ddb, table),
        accounts=accounts,
        posts=container.posts,
        readers=lambda platform: insights_for(platform, http),
        clock=clock,
    )
    httpx.delete(f"{emulator.url}/_emulator/metrics")
    httpx.delete(f"{emulator.url}/_emulator/faults")


def _published(
    client: TestClient, keys: Keys, pipeline: Pipeline, text: str = "Hello fediverse"
) -> tuple[dict[str, str], dict[str, Any], str]:
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, text)
    assert publish(client, headers, post["id"]).status_code in (200, 202)
    pipeline.drain()
    (on_network,) = [p for p in pipeline.posts_on("mastodon") if p.text == text]
    return headers, post, on_network.id


def _set(emulator: Emulator, status_id: str, figures: dict[str, int]) -> None:
    httpx.post(
        f"{emulator.url}/_emulator/metrics", json={"network": "mastodon", "id": status_id, "figures": figures}
    ).raise_for_status()


def _stored(collector: CollectorDeps, workspace_id: str, post_id: str) -> list[TargetMetrics]:
    targets, _ = collector.store.post_metrics(workspace_id, post_id)
    return targets


def test_collect__a_post_just_published__read_at_once_then_on_the_cadence(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post just published on Mastodon, whose status has figures there
    headers, post, status_id = _published(client, keys, pipeline)
    _set(emulator, status_id, FIGURES)

    # When the collector runs
    report = collect_due(collector)

    # Then the post shows its figures, engagement being the interactions' sum
    assert report.targets_read == 1
    shown = get(client, headers, post["id"])["analytics"]
    assert shown["by_platform"]["mastodon"]["engagement"] == 7 + 3 + 1 + 2
    assert shown["total_engagement"] == 13
    # And it is read next an hour after publishing, not before
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert target.next_at == target.published_at + timedelta(hours=1)
    assert collect_due(collector).targets_read == 0

    # When an hour has passed and the figures moved
    _set(emulator, status_id, {**FIGURES, "favourites_count": 20})
    clock.moment += timedelta(hours=1, seconds=1)
    assert collect_due(collector).targets_read == 1

    # Then the latest figures are the new ones, and both readings are kept
    targets, readings = collector.store.post_metrics(headers["X-Workspace-ID"], post["id"])
    assert targets[0].native["favourites"] == 20
    assert [r.metrics.likes for r in readings] == [7, 20]
    assert get(client, headers, post["id"])["analytics"]["total_engagement"] == 26


def test_collect__due_work_comes_from_the_index__never_a_scan(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, calls: CountingClient
) -> None:
    # Given two published posts
    _published(client, keys, pipeline, "First")
    _published(client, keys, pipeline, "Second")
    calls.calls.clear()
    calls.requests.clear()
    counting = calls

    # When the collector runs
    report = collect_due(collector)

    # Then it found them through the to_sweep index, and never scanned
    assert report.targets_read == 2
    assert counting.calls["scan"] == 0
    due_queries = [k for name, k in counting.requests if name == "query"]
    assert due_queries
    assert all(k.get("IndexName") == "to_sweep" for k in due_queries)
    # And each reading was one transaction (plus the day's top posts, read once)
    assert counting.calls["transact_write_items"] == 2 + report.accounts_read


def test_collect__network_fails__earlier_figures_stay_and_are_read_again_later(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post read once
    headers, post, status_id = _published(client, keys, pipeline)
    _set(emulator, status_id, FIGURES)
    collect_due(collector)

    # When its next reading is due and the instance answers 503
    clock.moment += timedelta(hours=1, seconds=1)
    emulator.fault("mastodon", "insights", 503, count=5)
    report = collect_due(collector)

    # Then the run reports the failure, and the figures read before are intact
    assert (report.targets_read, report.targets_failed) == (0, 1)
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert target.metrics.likes == 7
    assert target.last_error
    assert get(client, headers, post["id"])["analytics"]["total_engagement"] == 13

    # And once the instance is back, a later run reads it
    httpx.delete(f"{emulator.url}/_emulator/faults")
    clock.moment += timedelta(minutes=6)
    assert collect_due(collector).targets_read == 1
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert target.last_error is None


def test_collect__rate_limited__not_read_again_before_retry_after(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post due for reading, and the instance answering 429 with Retry-After: 3600
    headers, post, _ = _published(client, keys, pipeline)
    httpx.post(
        f"{emulator.url}/_emulator/faults",
        json={
            "network": "mastodon",
            "endpoint": "insights",
            "status": 429,
            "count": 1,
            "headers": {"Retry-After": "3600"},
        },
    ).raise_for_status()

    # When the collector runs
    report = collect_due(collector)

    # Then the post waits out the hour the network asked for
    assert report.targets_failed == 1
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert target.next_at is not None
    assert target.next_at - clock() >= timedelta(seconds=3590)
    assert target.metrics.figures() == {}


def test_collect__token_refused__account_marked_and_nothing_else_lost(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post read once, and then its account's token revoked on the instance
    headers, post, status_id = _published(client, keys, pipeline)
    _set(emulator, status_id, FIGURES)
    collect_due(collector)
    emulator.state.revoke_all("mastodon")

    # When its next reading is due
    clock.moment += timedelta(hours=1, seconds=1)
    collect_due(collector)

    # Then the account needs reconnecting, the figures read before stay, and the post is still tracked
    (account,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert account["status"] == "expired" or account["health"]["token_valid"] is False
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert target.metrics.likes == 7
    assert target.available
    assert target.next_at is not None


def test_collect__post_deleted_on_the_network__not_available_and_never_read_again(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post read once, then deleted on the instance
    headers, post, status_id = _published(client, keys, pipeline)
    _set(emulator, status_id, FIGURES)
    collect_due(collector)
    with emulator.state.lock:
        emulator.state.posts[:] = [p for p in emulator.state.posts if p.id != status_id]

    # When its next reading is due
    clock.moment += timedelta(hours=1, seconds=1)
    collect_due(collector)

    # Then it keeps its last figures, says why there are no newer ones, and is no longer due
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert not target.available
    assert target.reason
    assert target.metrics.likes == 7
    assert target.next_at is None


def test_collect__rollups_move_by_the_delta__a_second_reading_does_not_double_count(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post read once with 7 likes, then again with 20
    headers, _post, status_id = _published(client, keys, pipeline)
    _set(emulator, status_id, FIGURES)
    collect_due(collector)
    _set(emulator, status_id, {**FIGURES, "favourites_count": 20})
    clock.moment += timedelta(hours=1, seconds=1)
    collect_due(collector)

    # When the workspace's rollups of that day and hour are read
    store = collector.store
    assert isinstance(store, DynamoAnalyticsRepository)
    day = store.rollups(headers["X-Workspace-ID"], "day", clock() - timedelta(days=1), clock())
    hour = store.rollups(headers["X-Workspace-ID"], "hour", clock() - timedelta(hours=3), clock())

    # Then each holds the post once, with its latest figures
    for rollups in (day, hour):
        (rollup,) = rollups
        assert rollup.posts == 1
        assert rollup.platform == "mastodon"
        assert rollup.figures["likes"] == 20
        assert rollup.figures["engagement"] == 20 + 3 + 1 + 2


def test_collect__accounts__followers_read_daily(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given an account that published, whose follower count on the instance is 1500
    headers, _post, _ = _published(client, keys, pipeline)
    (account,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    external = emulator.state.posts_of("mastodon")[-1].account
    httpx.post(
        f"{emulator.url}/_emulator/metrics",
        json={"network": "mastodon", "id": external, "figures": {"followers_count": 1500, "following_count": 3}},
    ).raise_for_status()

    # When the collector runs, then again a day later with 1530 followers
    first = collect_due(collector)
    httpx.post(
        f"{emulator.url}/_emulator/metrics",
        json={"network": "mastodon", "id": external, "figures": {"followers_count": 1530}},
    ).raise_for_status()
    clock.moment += timedelta(days=1, seconds=1)
    second = collect_due(collector)

    # Then the account's followers are read each day, one point per day
    assert (first.accounts_read, second.accounts_read) == (1, 1)
    history = collector.store.follower_history(
        headers["X-Workspace-ID"], account["id"], clock() - timedelta(days=2), clock()
    )
    assert [p.followers for p in history] == [1500, 1530]
    # And the account itself shows the latest count
    (shown,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert shown["stats"]["followers"] == 1530


def test_refresh__reads_the_post_now__then_refuses_for_a_minute(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post read once, whose figures then moved on the network
    headers, post, status_id = _published(client, keys, pipeline)
    _set(emulator, status_id, FIGURES)
    collect_due(collector)
    _set(emulator, status_id, {**FIGURES, "favourites_count": 50})
    clock.moment += timedelta(minutes=2)

    # When the user asks for fresh figures
    fresh = client.post(f"/api/posts/{post['id']}/analytics/refresh", headers=headers)

    # Then they are read now, and the answer shows them, with both readings on the timeline
    assert fresh.status_code == 200, fresh.text
    data = fresh.json()["data"]["analytics"]
    assert data["by_platform"]["mastodon"]["engagement"] == 50 + 3 + 1 + 2
    assert len(data["timeline"]) == 2
    # And the post keeps its place on the cadence (an hour after publishing)
    (target,) = _stored(collector, headers["X-Workspace-ID"], post["id"])
    assert target.next_at == target.published_at + timedelta(hours=1)

    # When asked again within the minute
    again = client.post(f"/api/posts/{post['id']}/analytics/refresh", headers=headers)

    # Then it is refused with when to come back, and nothing was read
    assert again.status_code == 429
    assert again.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 1 <= int(again.headers["Retry-After"]) <= 60


def test_refresh__another_workspaces_post__not_found(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps
) -> None:
    # Given a published post, and another tenant
    _, post, _ = _published(client, keys, pipeline)
    other = new_workspace(client, keys)

    # When the other tenant asks to refresh it, then it does not exist for them
    foreign = client.post(f"/api/posts/{post['id']}/analytics/refresh", headers=other)
    assert foreign.status_code == 404
    assert foreign.json()["success"] is False


def test_collect__instagram_business_account__demographics_shown_on_the_account_analytics(
    client: TestClient, keys: Keys, collector: CollectorDeps, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given an Instagram business account with 2,000 followers, tracked for its daily reading
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="instagram", user="acme")
    httpx.post(
        f"{emulator.url}/_emulator/metrics",
        json={"network": "instagram", "id": account_of("acme"), "figures": {"followers_count": 2000}},
    ).raise_for_status()
    due = AccountMetrics(
        workspace_id=headers["X-Workspace-ID"], account_id=account["id"], platform="instagram", next_at=clock()
    )
    collector.store.record_account(due, due)

    # When the collector runs
    assert collect_due(collector).accounts_read == 1

    # Then the account's analytics show its followers and their demographics, in percent
    answer = client.get(f"/api/accounts/{account['id']}/analytics", headers=headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    demographics = data["demographics"]
    assert set(demographics["genders"]) <= {"female", "male", "unknown"}
    assert 99 <= sum(demographics["age_groups"].values()) <= 101
    assert 1 <= len(demographics["top_locations"]) <= 5
    assert {"country", "percentage"} <= set(demographics["top_locations"][0])


def test_collect__an_account_just_connected__its_followers_read_before_it_ever_publishes(
    client: TestClient, keys: Keys, pipeline: Pipeline, collector: CollectorDeps, emulator: Emulator
) -> None:
    # Given a Mastodon account connected a moment ago, which has published nothing
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    external = number_of("mastodon", str(account["username"]), "")  # the emulator's id of that user
    httpx.post(
        f"{emulator.url}/_emulator/metrics",
        json={"network": "mastodon", "id": external, "figures": {"followers_count": 321}},
    ).raise_for_status()

    # When the collector runs
    report = collect_due(collector)

    # Then the account's followers were read
    assert report.accounts_read == 1
    (shown,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert shown["stats"]["followers"] == 321
