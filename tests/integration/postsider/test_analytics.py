"""/public/v1/analytics (PostSider / Postiz): a channel's and a post's stored figures as Postiz's
AnalyticsData list, ``total`` as strings (figures written as the collector writes them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from tests.conftest import FrozenClock, Keys
from tests.integration.postsider.test_foundation import raw_key
from tests.integration.test_analytics_api import DAY_1, DAY_2, connect, new_post, new_workspace, record, seed_post

# The clock is 2026-03-02; DAY_1 and DAY_2 are 2026-02-27 and 2026-02-28.


def read_followers(container: Container, ws: str, account_id: str, *counts: tuple[int, object]) -> None:
    """The account's follower count read on each (count, moment), as the collector records it."""
    repo = container.analytics
    previous = next(m for m in repo.account_metrics(ws) if m.account_id == account_id)
    for followers, at in counts:
        current = previous.model_copy(
            update={"followers": followers, "collected_at": at, "version": previous.version + 1}
        )
        repo.record_account(previous, current)
        previous = current


def test_channel_analytics__followers_and_its_posts_figures_by_day_totals_as_strings(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given a Mastodon channel read on two days (100 then 125 followers), and a post of it
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    connect(container, ws, "acc_m", "mastodon", clock)
    post_id = new_post(client, headers)
    record(container, ws, post_id, "acc_m", "mastodon", at=DAY_2, published_at=DAY_1, impressions=200, likes=10)
    read_followers(container, ws, "acc_m", (100, DAY_1), (125, DAY_2))
    # When a PostSider client reads the channel's analytics (the CLI's default: 7 days)
    answer = client.get("/public/v1/analytics/acc_m?date=7", headers=raw_key(headers))
    # Then one series per figure: followers on each day read, the post's figures on the day it was published
    assert answer.status_code == 200, answer.text
    assert answer.json() == [
        {
            "label": "Followers",
            "data": [{"total": "100", "date": "2026-02-27"}, {"total": "125", "date": "2026-02-28"}],
            "percentageChange": 25.0,
        },
        {"label": "Impressions", "data": [{"total": "200", "date": "2026-02-27"}], "percentageChange": 0.0},
        {"label": "Engagement", "data": [{"total": "10", "date": "2026-02-27"}], "percentageChange": 0.0},
        {"label": "Likes", "data": [{"total": "10", "date": "2026-02-27"}], "percentageChange": 0.0},
    ]
    # And the date window counts back from today: 3 days leave out the 27th
    recent = client.get("/public/v1/analytics/acc_m?date=3", headers=raw_key(headers))
    assert recent.json() == [
        {"label": "Followers", "data": [{"total": "125", "date": "2026-02-28"}], "percentageChange": 0.0}
    ]
    # And without ?date the window is Postiz's default of 7 days
    assert client.get("/api/public/v1/analytics/acc_m", headers=raw_key(headers)).json() == answer.json()


def test_channel_analytics__no_figures_or_a_network_without_them_is_an_empty_list(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given a channel never read, and a Telegram channel whose network gives no account figures
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    connect(container, ws, "acc_new", "bluesky", clock)
    connect(container, ws, "acc_tg", "telegram", clock)
    repo = container.analytics
    tracked = next(m for m in repo.account_metrics(ws) if m.account_id == "acc_tg")
    repo.record_account(
        tracked,
        tracked.model_copy(
            update={"available": False, "reason": "bots cannot read this", "collected_at": DAY_1, "version": 1}
        ),
    )
    # When their analytics are read
    for account_id in ("acc_new", "acc_tg"):
        answer = client.get(f"/public/v1/analytics/{account_id}", headers=raw_key(headers))
        # Then each is an empty list, as Postiz answers for a provider without analytics
        assert (answer.status_code, answer.json()) == (200, []), account_id


def test_channel_analytics__unknown_or_another_tenants_channel_is_404(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given another workspace's channel with figures
    owner = new_workspace(client, keys)
    connect(container, owner["X-Workspace-ID"], "acc_theirs", "mastodon", clock)
    read_followers(container, owner["X-Workspace-ID"], "acc_theirs", (4242, DAY_1))
    mine = new_workspace(client, keys)
    # When this workspace asks for it, or for a channel that does not exist
    for account_id in ("acc_theirs", "acc_nope"):
        answer = client.get(f"/public/v1/analytics/{account_id}", headers=raw_key(mine))
        # Then it is a 404 with Postiz's message (real Postiz answers 500), and nothing of theirs shows
        assert (answer.status_code, answer.json()) == (404, {"msg": "Integration not found"})
        assert "4242" not in answer.text


@pytest.mark.parametrize("date", ["abc", "0", "-3", "1.5", "367", ""])
def test_analytics__a_bad_date_is_nests_400_array(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock, date: str
) -> None:
    # Given a channel and a post
    headers = new_workspace(client, keys)
    connect(container, headers["X-Workspace-ID"], "acc_m", "mastodon", clock)
    post_id = new_post(client, headers)
    for path in ("/public/v1/analytics/acc_m", f"/public/v1/analytics/post/{post_id}"):
        # When the date is not a number of days from 1 to 366
        answer = client.get(f"{path}?date={date}", headers=raw_key(headers))
        # Then it is Nest's validation answer, naming the parameter
        assert answer.status_code == 400, (path, answer.text)
        body = answer.json()
        assert (body["statusCode"], body["error"]) == (400, "Bad Request")
        assert isinstance(body["message"], list)
        assert body["message"][0].startswith("date ")


def test_post_analytics__one_series_per_figure_the_networks_report_by_day_read(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a post on Facebook and X, read on the 27th (both) and again on the 28th (X only)
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    post_id = new_post(client, headers)
    seed_post(container, ws, post_id)
    record(
        container,
        ws,
        post_id,
        "acc_x",
        "twitter",
        at=DAY_2,
        published_at=DAY_1,
        impressions=8000,
        reach=6000,
        engagement=400,
        clicks=100,
        likes=300,
        shares=70,
        comments=30,
    )
    # When a PostSider client reads the post's analytics
    answer = client.get(f"/public/v1/analytics/post/{post_id}?date=7", headers=raw_key(headers))
    # Then each figure the networks report is a series, each day the sum of the networks' latest readings
    assert answer.status_code == 200, answer.text
    series = {s["label"]: s for s in answer.json()}
    assert list(series) == ["Impressions", "Reach", "Engagement", "Clicks", "Likes", "Comments", "Shares"]
    assert series["Impressions"] == {
        "label": "Impressions",
        "data": [{"total": "15420", "date": "2026-02-27"}, {"total": "16500", "date": "2026-02-28"}],
        "percentageChange": 7.0,
    }
    assert [p["total"] for p in series["Likes"]["data"]] == ["280", "300"]  # X's only: Facebook reports none
    assert series["Likes"]["percentageChange"] == 7.14
    assert [p["total"] for p in series["Comments"]["data"]] == ["115", "115"]
    assert all(isinstance(p["total"], str) for s in series.values() for p in s["data"])
    # And a window with no reading in it shows the post's last reading
    latest = client.get(f"/public/v1/analytics/post/{post_id}?date=1", headers=raw_key(headers)).json()
    assert [(s["label"], s["data"], s["percentageChange"]) for s in latest][:1] == [
        ("Impressions", [{"total": "16500", "date": "2026-02-28"}], 0.0)
    ]


def test_post_analytics__unknown_unpublished_or_another_tenants_post_is_an_empty_list(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a post with figures in one workspace, and a draft never published in another
    owner = new_workspace(client, keys)
    post_id = new_post(client, owner)
    seed_post(container, owner["X-Workspace-ID"], post_id)
    mine = new_workspace(client, keys)
    draft = new_post(client, mine)
    # When the other workspace asks for them, and for a post that does not exist
    for asked in (post_id, draft, "post_nope"):
        answer = client.get(f"/public/v1/analytics/post/{asked}", headers=raw_key(mine))
        # Then each is an empty list, as Postiz answers (never another tenant's figures)
        assert (answer.status_code, answer.json()) == (200, []), asked


def test_analytics__need_the_analytics_read_permission(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given a key with every permission but analytics.read
    headers = new_workspace(client, keys, permissions=ALL_PERMISSIONS - {Permission.ANALYTICS_READ})
    connect(container, headers["X-Workspace-ID"], "acc_m", "mastodon", clock)
    for path in ("/public/v1/analytics/acc_m", "/public/v1/analytics/post/post_1"):
        # When it reads analytics
        answer = client.get(path, headers=raw_key(headers))
        # Then it is refused in the surface's shape
        assert answer.status_code == 403, path
        assert set(answer.json()) == {"msg"}


def test_post_analytics__a_reading_older_than_the_window_is_carried_into_later_days(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a post read on Facebook 20 days ago and on X yesterday
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    post_id = new_post(client, headers)
    long_ago, yesterday = DAY_1 - timedelta(days=17), DAY_2 + timedelta(days=1)
    record(container, ws, post_id, "acc_fb", "facebook", at=long_ago, published_at=long_ago, impressions=500)
    record(container, ws, post_id, "acc_x", "twitter", at=yesterday, published_at=long_ago, impressions=70)
    # When its last 7 days are read
    answer = client.get(f"/public/v1/analytics/post/{post_id}", headers=raw_key(headers))
    # Then yesterday's point holds both networks' latest figures
    assert answer.json() == [
        {"label": "Impressions", "data": [{"total": "570", "date": "2026-03-01"}], "percentageChange": 0.0}
    ]
