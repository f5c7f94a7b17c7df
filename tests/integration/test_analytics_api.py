"""The analytics routes over HTTP against moto: figures are written the way the collector writes them
(DynamoAnalyticsRepository.record_target / record_account), then read in the seed's shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.accounts import Account
from socialpub.domain.analytics import PostMetrics, Snapshot, TargetMetrics
from socialpub.domain.events import Event, EventType
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from tests.conftest import FrozenClock, Keys
from tests.integration.test_aws_calls import counted

DAY_1 = datetime(2026, 2, 27, 9, 0, tzinfo=UTC)
DAY_2 = datetime(2026, 2, 28, 15, 0, tzinfo=UTC)


def new_workspace(client: TestClient, keys: Keys, **key: Any) -> dict[str, str]:
    headers = keys.headers()
    ws = client.post("/api/workspaces", json={"name": "w"}, headers=headers).json()["data"]["workspace"]["id"]
    return {**keys.headers(workspaces=(ws,), **key), "X-Workspace-ID": ws}


def new_post(client: TestClient, headers: dict[str, str], content: str = "Our biggest announcement yet!") -> str:
    answer = client.post("/api/posts", json={"content": content, "platforms": ["mastodon"]}, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["post"]["id"])


def record(
    container: Container,
    ws: str,
    post_id: str,
    account_id: str,
    platform: str,
    *,
    at: datetime,
    published_at: datetime,
    native: dict[str, int] | None = None,
    **figures: int,
) -> None:
    """One reading, as the collector stores it: the target tracked at publishing, then read."""
    repo = container.analytics
    previous = repo.target(ws, post_id, account_id)
    if previous is None:
        started = TargetMetrics(
            workspace_id=ws,
            post_id=post_id,
            account_id=account_id,
            platform=platform,
            network_post_id=f"{platform}-{post_id}",
            published_at=published_at,
            content="Our biggest announcement yet!",
            next_at=published_at + timedelta(hours=1),
        )
        boto3.client("dynamodb", region_name="us-east-1").transact_write_items(TransactItems=repo.tracking(started))
        previous = repo.target(ws, post_id, account_id)
        assert previous is not None
    metrics = PostMetrics(**figures).completed()  # as the collector stores them
    current = previous.model_copy(
        update={
            "metrics": metrics,
            "native": native or {},
            "collected_at": at,
            "collections": previous.collections + 1,
            "version": previous.version + 1,
        }
    )
    repo.record_target(
        previous,
        current,
        Snapshot(account_id=account_id, platform=platform, at=at, metrics=metrics, native=native or {}),
    )


def connect(container: Container, ws: str, account_id: str, platform: str, clock: FrozenClock) -> None:
    now = clock()
    account = Account(
        id=account_id,
        workspace_id=ws,
        platform=platform,
        type="profile",
        external_id=f"ext-{account_id}",
        name=account_id,
        connected_at=now,
        updated_at=now,
        token_updated_at=now,
    )
    container.accounts.connect(account, None, Event.of(EventType.ACCOUNT_CONNECTED, ws, now, account.summary()))


def seed_post(container: Container, ws: str, post_id: str) -> None:
    """The seed's post: Facebook and X figures, X read twice."""
    record(
        container,
        ws,
        post_id,
        "acc_fb",
        "facebook",
        at=DAY_1 + timedelta(hours=1),
        published_at=DAY_1,
        native={"reactions": 380, "comments": 85, "shares": 55},
        impressions=8500,
        reach=7200,
        engagement=520,
        clicks=145,
        comments=85,
        shares=55,
    )
    record(
        container,
        ws,
        post_id,
        "acc_x",
        "twitter",
        at=DAY_1 + timedelta(hours=1, seconds=10),
        published_at=DAY_1,
        native={"likes": 100, "retweets": 20, "replies": 10},
        impressions=2000,
        likes=100,
        shares=20,
        comments=10,
    )
    record(
        container,
        ws,
        post_id,
        "acc_x",
        "twitter",
        at=DAY_1 + timedelta(hours=6),
        published_at=DAY_1,
        native={"likes": 280, "retweets": 62, "replies": 30},
        impressions=6920,
        reach=5650,
        engagement=372,
        clicks=89,
        likes=280,
        shares=62,
        comments=30,
    )


def test_post_analytics__the_seeds_shape_and_sums(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a post published to Facebook and X, whose figures the collector read (X twice)
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    post_id = new_post(client, headers)
    seed_post(container, ws, post_id)
    # When its analytics are read
    answer = client.get(f"/api/posts/{post_id}/analytics", headers=headers)
    # Then the seed's shape: the sums, each network under its own names, and the timeline
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["post_id"] == post_id
    analytics = data["analytics"]
    assert analytics["summary"] == {
        "total_impressions": 15420,
        "total_reach": 12850,
        "total_engagement": 892,
        "total_clicks": 234,
        "engagement_rate": 5.78,
    }
    assert analytics["by_platform"]["facebook"] == {
        "status": "collected",
        "impressions": 8500,
        "reach": 7200,
        "engagement": 520,
        "clicks": 145,
        "comments": 85,
        "shares": 55,
        "reactions": 380,
        "engagement_rate": 6.12,
        "collected_at": "2026-02-27T10:00:00Z",
    }
    twitter = analytics["by_platform"]["twitter"]
    assert {
        k: twitter[k] for k in ("impressions", "reach", "engagement", "likes", "retweets", "replies", "clicks")
    } == {
        "impressions": 6920,
        "reach": 5650,
        "engagement": 372,
        "likes": 280,
        "retweets": 62,
        "replies": 30,
        "clicks": 89,
    }
    # And the timeline: one point per collection, Facebook's figures carried into the second
    assert analytics["timeline"] == [
        {"timestamp": "2026-02-27T10:00:00Z", "impressions": 10500, "engagement": 650},
        {"timestamp": "2026-02-27T15:00:00Z", "impressions": 15420, "engagement": 892},
    ]


def test_post_analytics__another_tenants_post_or_an_unknown_one_is_404(
    client: TestClient, keys: Keys, container: Container
) -> None:
    owner = new_workspace(client, keys)
    post_id = new_post(client, owner)
    seed_post(container, owner["X-Workspace-ID"], post_id)
    other = new_workspace(client, keys)
    for path in (f"/api/posts/{post_id}/analytics", "/api/posts/post_nope/analytics"):
        answer = client.get(path, headers=other)
        assert answer.status_code == 404, answer.text
        assert answer.json()["success"] is False
        assert answer.json()["error"]["code"] == "POST_NOT_FOUND"


def test_post_analytics__a_post_without_its_marker_is_still_found_and_a_deleted_one_is_404(
    client: TestClient, keys: Keys, container: Container, aws: dict[str, str]
) -> None:
    # Given a post with figures whose marker item is missing (a post created before markers existed)
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    post_id = new_post(client, headers)
    seed_post(container, ws, post_id)
    marked = client.get(f"/api/posts/{post_id}/analytics", headers=headers)
    marker = {"pk": {"S": f"WS#{ws}"}, "sk": {"S": f"METRICS#POST#{post_id}#"}}
    table = boto3.client("dynamodb", region_name="us-east-1")
    assert table.get_item(TableName=aws["WORKSPACES_TABLE"], Key=marker).get("Item"), "created with the post"
    table.delete_item(TableName=aws["WORKSPACES_TABLE"], Key=marker)
    # When its analytics are read
    unmarked = client.get(f"/api/posts/{post_id}/analytics", headers=headers)
    # Then the answer is the same as with the marker (the post itself was looked up)
    assert unmarked.status_code == 200, unmarked.text
    assert unmarked.json() == marked.json()
    # And a deleted post's analytics are 404, with or without a marker
    other = new_post(client, headers)
    for gone in (post_id, other):
        assert client.delete(f"/api/posts/{gone}", headers=headers).status_code == 200
        refused = client.get(f"/api/posts/{gone}/analytics", headers=headers)
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "POST_NOT_FOUND"), refused.text
    assert "Item" not in table.get_item(
        TableName=aws["WORKSPACES_TABLE"], Key={"pk": {"S": f"WS#{ws}"}, "sk": {"S": f"METRICS#POST#{other}#"}}
    )


def test_analytics_routes_need_analytics_read(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a key with every permission but analytics.read
    headers = new_workspace(client, keys, permissions=ALL_PERMISSIONS - {Permission.ANALYTICS_READ})
    post_id = new_post(client, headers)
    for path in ("/api/analytics", f"/api/posts/{post_id}/analytics", "/api/accounts/acc_1/analytics"):
        answer = client.get(path, headers=headers)
        # Then each analytics route refuses it, naming the permission
        assert answer.status_code == 403, path
        assert answer.json()["error"]["details"] == {"required_permission": "analytics.read"}


@pytest.mark.parametrize(
    ("query", "field_name"),
    [
        ("from=2026-03-02&to=2026-03-01", "to"),
        ("from=2025-01-01&to=2026-03-01", "from"),
        ("from=2026-01-01&to=2026-03-01&granularity=hour", "granularity"),
        ("platform=myspace", "platform"),
        ("from=last-week", "from"),
    ],
)
def test_workspace_analytics__bad_ranges_are_400_naming_the_field(
    client: TestClient, keys: Keys, query: str, field_name: str
) -> None:
    headers = new_workspace(client, keys)
    answer = client.get(f"/api/analytics?{query}", headers=headers)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert (body["success"], body["error"]["code"]) == (False, "VALIDATION_ERROR")
    assert body["error"]["details"]["field"] == field_name


def test_workspace_analytics__unknown_granularity_is_400_naming_it(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    answer = client.get("/api/analytics?granularity=fortnight", headers=headers)
    assert answer.status_code == 400, answer.text
    assert [f["field"] for f in answer.json()["error"]["details"]["fields"]] == ["granularity"]


def test_workspace_analytics__sums_two_days_by_day_and_filters_by_platform(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given posts published over two days, on Mastodon and Bluesky
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    first, second, third = (new_post(client, headers, f"post {i}") for i in range(3))
    read = clock() - timedelta(hours=1)
    record(container, ws, first, "acc_m", "mastodon", at=read, published_at=DAY_1, impressions=100, likes=10)
    record(container, ws, first, "acc_b", "bluesky", at=read, published_at=DAY_1, likes=4)
    record(container, ws, second, "acc_m", "mastodon", at=read, published_at=DAY_1, impressions=300, likes=20)
    record(container, ws, third, "acc_m", "mastodon", at=read, published_at=DAY_2, impressions=1000, likes=50)
    # When the workspace's analytics are read by day
    answer = client.get("/api/analytics?from=2026-02-27&to=2026-02-28&granularity=day", headers=headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    # Then each day sums the posts published on it
    assert data["period"] == {"from": "2026-02-27T00:00:00Z", "to": "2026-02-28T23:59:59Z"}
    assert data["timeline"] == [
        {"date": "2026-02-27", "impressions": 400, "engagement": 34, "posts": 3},
        {"date": "2026-02-28", "impressions": 1000, "engagement": 50, "posts": 1},
    ]
    assert data["summary"] == {
        "total_posts": 4,
        "total_impressions": 1400,
        "total_reach": None,
        "total_engagement": 84,
        "total_clicks": None,
        "avg_engagement_rate": 5.71,  # over what reports impressions: 80 / 1400
        "best_performing_platform": "mastodon",
    }
    assert data["by_platform"]["bluesky"] == {
        "posts": 1,
        "impressions": None,
        "reach": None,
        "engagement": 4,
        "clicks": None,
        "engagement_rate": None,
    }
    assert [p["id"] for p in data["top_posts"]][:1] == [third]
    # And filtered by platform, only Bluesky's
    only = client.get("/api/analytics?from=2026-02-27&to=2026-02-28&platform=bluesky", headers=headers)
    assert only.status_code == 200, only.text
    assert list(only.json()["data"]["by_platform"]) == ["bluesky"]
    assert [p["posts"] for p in only.json()["data"]["timeline"]] == [1, 0]
    assert only.json()["data"]["summary"]["best_performing_platform"] == "bluesky"


def test_workspace_analytics__the_audience_of_every_account_in_one_query_of_their_range(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given two accounts, each read on a day before the period and on its two days
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    repo = container.analytics
    for account_id, platform, counts in (("acc_m", "mastodon", (50, 100, 125)), ("acc_b", "bluesky", (10, 200, 210))):
        connect(container, ws, account_id, platform, clock)
        previous = next(m for m in repo.account_metrics(ws) if m.account_id == account_id)
        for day, followers in zip((DAY_1 - timedelta(days=7), DAY_1, DAY_2), counts, strict=True):
            current = previous.model_copy(
                update={"followers": followers, "collected_at": day, "version": previous.version + 1}
            )
            repo.record_account(previous, current)
            previous = current
    # When the workspace's analytics over the two days are read, for all networks and for one
    with counted() as calls:
        every = client.get("/api/analytics?from=2026-02-27&to=2026-02-28", headers=headers)
    one = client.get("/api/analytics?from=2026-02-27&to=2026-02-28&platform=bluesky", headers=headers)
    # Then the audience sums the accounts' latest followers and their growth within the period only
    assert every.status_code == 200, every.text
    audience = every.json()["data"]["audience"]
    assert (audience["total_followers"], audience["follower_growth"], audience["growth_rate"]) == (335, 35, 11.67)
    audience = one.json()["data"]["audience"]
    assert (audience["total_followers"], audience["follower_growth"], audience["growth_rate"]) == (210, 10, 5.0)
    # And the figures were three Queries (rollups, top posts, the accounts with their daily counts),
    # not one more per account
    assert calls.count("dynamodb:Query") == 3, calls


def test_account_analytics__follower_history_and_its_posts(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given an account read on two days, and a post of it
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    connect(container, ws, "acc_m", "mastodon", clock)
    post_id = new_post(client, headers)
    record(container, ws, post_id, "acc_m", "mastodon", at=DAY_2, published_at=DAY_1, impressions=200, likes=10)
    repo = container.analytics
    previous = next(m for m in repo.account_metrics(ws) if m.account_id == "acc_m")
    day_1 = previous.model_copy(update={"followers": 100, "collected_at": DAY_1, "version": previous.version + 1})
    repo.record_account(previous, day_1)
    day_2 = day_1.model_copy(update={"followers": 125, "collected_at": DAY_2, "version": day_1.version + 1})
    repo.record_account(day_1, day_2)
    # When its analytics are read
    answer = client.get("/api/accounts/acc_m/analytics?from=2026-02-27&to=2026-02-28", headers=headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    # Then its followers, their course and growth, and its post's figures by day
    assert (data["account_id"], data["platform"], data["followers"]) == ("acc_m", "mastodon", 125)
    assert data["follower_history"] == [
        {"date": "2026-02-27", "followers": 100},
        {"date": "2026-02-28", "followers": 125},
    ]
    assert (data["follower_growth"], data["growth_rate"]) == (25, 25.0)
    assert data["posts"] == {
        "posts": 1,
        "impressions": 200,
        "reach": None,
        "engagement": 10,
        "clicks": None,
        "engagement_rate": 5.0,
    }
    assert data["timeline"][0] == {"date": "2026-02-27", "impressions": 200, "engagement": 10, "posts": 1}
    # And another workspace cannot read it
    other = new_workspace(client, keys)
    refused = client.get("/api/accounts/acc_m/analytics", headers=other)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "ACCOUNT_NOT_FOUND")
