"""Plan limits (domain/quotas.py) on the main API: a workspace's channels and monthly posts, refused
with 402 PLAN_LIMIT_REACHED and nothing stored. The limits are made small through the tier table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.api_keys import key_id_of
from socialpub.domain.tiers import TIER_LIMITS, Tier
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.test_accounts import connect, consent, start
from tests.integration.test_posts import create, new_workspace, workspace_stats


def limit(monkeypatch: pytest.MonkeyPatch, tier: Tier, **numbers: int) -> None:
    monkeypatch.setitem(TIER_LIMITS, tier, TIER_LIMITS[tier].model_copy(update=numbers))


def refused(response: Any, quota: str, limit: int) -> dict[str, Any]:
    """The 402 envelope naming the quota and its limit; returns its details."""
    assert response.status_code == 402, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "PLAN_LIMIT_REACHED"
    assert body["error"]["message"].startswith("Plan limit reached")
    assert str(limit) in body["error"]["message"]
    details: dict[str, Any] = body["error"]["details"]
    assert (details["quota"], details["limit"]) == (quota, limit)
    return details


def post_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    return [p["id"] for p in client.get("/api/posts", headers=headers).json()["data"]["posts"]]


def test_a_post_past_the_monthly_posts_is_a_402_and_stores_nothing(
    client: TestClient, keys: Keys, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    # Given an enterprise plan allowing 2 posts a month, and a workspace that created 2 in March
    limit(monkeypatch, Tier.ENTERPRISE, monthly_posts=2)
    headers = new_workspace(client, keys)
    first, second = create(client, headers), create(client, headers)
    # When a third post is created in March
    third = client.post("/api/posts", json={"content": "One more", "platforms": ["twitter"]}, headers=headers)
    # Then it is refused with 402, naming the quota, its limit and when it starts again
    details = refused(third, "monthly_posts", 2)
    assert details == {
        "quota": "monthly_posts",
        "limit": 2,
        "tier": "enterprise",
        "month": "2026-03",
        "resets_at": "2026-04-01T00:00:00Z",
    }
    assert "enterprise plan allows 2 posts created per month" in third.json()["error"]["message"]
    # And nothing was stored: the same posts, the same counters
    assert sorted(post_ids(client, headers)) == sorted([first["id"], second["id"]])
    assert workspace_stats(client, headers)["total_posts"] == 2
    # When a post is deleted, the month's count stays (a deleted post was still created)
    assert client.delete(f"/api/posts/{first['id']}", headers=headers).status_code == 200
    again = client.post("/api/posts", json={"content": "Again", "platforms": ["twitter"]}, headers=headers)
    refused(again, "monthly_posts", 2)
    # When April (UTC) begins, the workspace may create posts again
    clock.moment = datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC)
    assert (
        client.post("/api/posts", json={"content": "April", "platforms": ["twitter"]}, headers=headers).status_code
        == 201
    )


def test_a_create_that_read_the_workspace_before_a_concurrent_one_is_still_refused_by_the_store(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plan allowing 1 post a month, and a request that read the workspace before any post
    # was created (as a concurrent request does: its own check passes)
    limit(monkeypatch, Tier.ENTERPRISE, monthly_posts=1)
    headers = new_workspace(client, keys)
    workspaces = container.post_workspaces
    stale = workspaces.get(headers["X-Workspace-ID"])
    kept = create(client, headers)
    monkeypatch.setattr(workspaces, "get", lambda workspace_id: stale)
    # When that request creates its post
    late = client.post("/api/posts", json={"content": "Late", "platforms": ["twitter"]}, headers=headers)
    # Then the store's atomic check refuses it: 402, and only the first post exists
    refused(late, "monthly_posts", 1)
    monkeypatch.undo()
    assert post_ids(client, headers) == [kept["id"]]
    assert workspace_stats(client, headers)["total_posts"] == 1


def test_the_plan_is_the_highest_tier_among_the_workspaces_active_keys(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given starter allowing 1 post a month and professional 3, and a workspace made by a starter key
    limit(monkeypatch, Tier.STARTER, monthly_posts=1)
    limit(monkeypatch, Tier.PROFESSIONAL, monthly_posts=3)
    starter = keys.headers(tier=Tier.STARTER)
    ws = client.post("/api/workspaces", json={"name": "w"}, headers=starter).json()["data"]["workspace"]["id"]
    headers = {**starter, "X-Workspace-ID": ws}
    create(client, headers)
    refused(
        client.post("/api/posts", json={"content": "x", "platforms": ["twitter"]}, headers=headers), "monthly_posts", 1
    )
    # When a professional key is granted the workspace
    professional = keys.issue(tier=Tier.PROFESSIONAL, workspaces=(ws,))
    # Then the starter key's posts count against the professional plan
    create(client, headers)
    # When the professional key is revoked
    key_id = key_id_of(professional)
    assert key_id is not None
    container.key_management.revoke(key_id)
    # Then the starter plan applies again at once
    details = refused(
        client.post("/api/posts", json={"content": "x", "platforms": ["twitter"]}, headers=headers), "monthly_posts", 1
    )
    assert details["tier"] == "starter"
    assert workspace_stats(client, headers)["total_posts"] == 2


def test_a_connect_past_the_channels_is_a_402_and_stores_no_account_while_a_reconnect_is_allowed(
    client: TestClient, keys: Keys, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plan allowing 1 channel, and a workspace with one X account connected
    limit(monkeypatch, Tier.ENTERPRISE, max_channels=1)
    headers = new_workspace(client, keys)
    ada = connect(client, headers, platform="twitter", user="ada")
    # When another X identity completes a connect
    started = start(client, headers, platform="twitter")
    back = consent(started["auth_url"], user="bob")
    done = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)
    # Then it is refused with 402 naming the channels quota, and no account is stored
    details = refused(done, "channels", 1)
    assert details == {"quota": "channels", "limit": 1, "tier": "enterprise"}
    assert "allows 1 connected channels" in done.json()["error"]["message"]
    listed = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert [a["id"] for a in listed] == [ada["id"]]
    # And a network connected at once (Bluesky's app password) is refused the same way
    bluesky = client.post(
        "/api/accounts",
        json={
            "platform": "bluesky",
            "credentials": {"identifier": "ada.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        },
        headers=headers,
    )
    refused(bluesky, "channels", 1)
    # When the connected account connects again (a reconnect)
    again = connect(client, headers, platform="twitter", user="ada")
    # Then it is allowed: the same account, still one channel
    assert again["id"] == ada["id"]
    ws = client.get(f"/api/workspaces/{headers['X-Workspace-ID']}", headers=headers).json()["data"]["workspace"]
    assert [a["id"] for a in ws["accounts"]] == [ada["id"]]
    assert ws["accounts_count"] == 1


def test_the_hosted_callback_page_says_the_plan_limit_and_stores_nothing(
    client: TestClient, keys: Keys, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plan allowing no channel
    limit(monkeypatch, Tier.ENTERPRISE, max_channels=0)
    headers = new_workspace(client, keys)
    started = client.post("/api/accounts", json={"platform": "linkedin"}, headers=headers).json()["data"]
    back = consent(started["auth_url"], user="joan")
    # When the browser lands on the hosted page
    landed = client.get("/api/accounts/callback", params=back, follow_redirects=False)
    # Then the page names the limit, and no account exists
    assert "could not be connected" in landed.text
    assert "Plan limit reached" in landed.text
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []
