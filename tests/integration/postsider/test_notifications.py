"""/public/v1/notifications (PostSider / Postiz): the workspace's lifecycle events of the last 30
days, newest first, 100 to a page, each a readable sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.events import event_put
from socialpub.api.container import Container
from socialpub.domain.events import Event, EventType
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from tests.conftest import Keys
from tests.integration.postsider.test_foundation import add_account, raw_key
from tests.integration.test_analytics_api import new_workspace

# The clock is 2026-03-02 10:00:05.
BSKY_URL = "https://bsky.app/profile/ada.bsky.social/post/3k"
PUBLISHED_TO_BLUESKY = {
    "platform": "bluesky",
    "account_id": "acc_b",
    "post_id": "at://3k",
    "url": BSKY_URL,
    "status": "published",
}


def record(aws: dict[str, str], *events: Event) -> None:
    """Events stored as the changes they record store them."""
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    for event in events:
        ddb.put_item(**event_put(aws["WORKSPACES_TABLE"], event)["Put"])


def event(ws: str, type_: EventType, at: datetime, **data: Any) -> Event:
    return Event.of(type_, ws, at, data)


def test_notifications__the_workspaces_events_newest_first_as_sentences(
    client: TestClient, keys: Keys, container: Container, aws: dict[str, str]
) -> None:
    # Given a workspace whose Bluesky channel was connected and a post created through /api (real events)
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    add_account(container, ws)  # connected at 2026-03-02 10:00
    created = client.post("/api/posts", json={"content": "Hi", "platforms": ["bluesky"]}, headers=headers)
    assert created.status_code == 201, created.text
    # And, earlier, a post published, one partly published, and one that failed
    day = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    published = event(ws, EventType.POST_PUBLISHED, day, post_id="p1", platform_results=[PUBLISHED_TO_BLUESKY])
    partial = event(
        ws,
        EventType.POST_PARTIALLY_PUBLISHED,
        day - timedelta(hours=1),
        post_id="p2",
        platform_results=[PUBLISHED_TO_BLUESKY, {"platform": "twitter", "status": "failed", "error": "Too long"}],
    )
    failed = event(
        ws,
        EventType.POST_FAILED,
        day - timedelta(hours=2),
        post_id="p3",
        error={"code": "ACCOUNT_DISCONNECTED", "message": "The account was disconnected"},
        platform_results=[{"platform": "twitter", "status": "failed"}, {"platform": "linkedin", "status": "failed"}],
    )
    record(aws, published, partial, failed)
    # When a PostSider client lists its notifications
    answer = client.get("/public/v1/notifications", headers=raw_key(headers))
    # Then every field postiz-agent requires is there, and the events are newest first, in words
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {k: body[k] for k in ("total", "page", "limit", "hasMore")} == {
        "total": 5,
        "page": 0,
        "limit": 100,
        "hasMore": False,
    }
    assert [n["content"] for n in body["notifications"]] == [
        "A post to Bluesky was created",
        "Your Bluesky channel Ada was connected",
        "Your post to Bluesky was published successfully",
        "Your post was published to Bluesky but failed on Twitter/X",
        "Your post to Twitter/X and LinkedIn failed to publish: The account was disconnected",
    ]
    # And a published post links to its address on the network; the others have no link
    assert [n["link"] for n in body["notifications"]] == [None, None, BSKY_URL, BSKY_URL, None]
    # And each has its event's id and time (UTC, milliseconds, Z)
    assert body["notifications"][2] == {
        "id": published.id,
        "content": "Your post to Bluesky was published successfully",
        "link": BSKY_URL,
        "createdAt": "2026-03-01T09:30:00.000Z",
    }


def test_notifications__pages_of_100_and_only_the_last_30_days(
    client: TestClient, keys: Keys, container: Container, aws: dict[str, str]
) -> None:
    # Given 130 events a minute apart over the last days, and one from 31 days ago
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    start = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    recent = [
        event(ws, EventType.POST_DELETED, start + timedelta(minutes=i), post_id=f"p{i}", platforms=["mastodon"])
        for i in range(130)
    ]
    old = event(ws, EventType.POST_DELETED, container.clock() - timedelta(days=31), post_id="old", platforms=[])
    record(aws, *recent, old)
    # When the first two pages are read
    first = client.get("/public/v1/notifications?page=0", headers=raw_key(headers)).json()
    second = client.get("/public/v1/notifications?page=1", headers=raw_key(headers)).json()
    beyond = client.get("/public/v1/notifications?page=2", headers=raw_key(headers)).json()
    # Then the first holds the 100 newest and says there is more
    assert (first["total"], first["page"], first["limit"], first["hasMore"]) == (130, 0, 100, True)
    assert [n["id"] for n in first["notifications"]] == [e.id for e in reversed(recent)][:100]
    # And the second the 30 oldest of the last 30 days (the older one is not listed)
    assert (second["total"], second["page"], second["hasMore"]) == (130, 1, False)
    assert [n["id"] for n in second["notifications"]] == [e.id for e in reversed(recent)][100:]
    assert second["notifications"][0]["content"] == "Your post to Mastodon was deleted"
    assert (beyond["notifications"], beyond["total"], beyond["hasMore"]) == ([], 130, False)


@pytest.mark.parametrize("page", ["-1", "abc", "1.5", ""])
def test_notifications__a_bad_page_is_nests_400_array(client: TestClient, keys: Keys, page: str) -> None:
    # Given a workspace key
    headers = raw_key(new_workspace(client, keys))
    # When the page is negative or not a whole number
    answer = client.get(f"/public/v1/notifications?page={page}", headers=headers)
    # Then it is Nest's validation answer, naming the parameter
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert (body["statusCode"], body["error"]) == (400, "Bad Request")
    assert body["message"][0].startswith("page ")


def test_notifications__never_another_tenants_events_and_need_workspaces_read(
    client: TestClient, keys: Keys, container: Container, aws: dict[str, str]
) -> None:
    # Given another workspace with a channel connected
    theirs = new_workspace(client, keys)
    add_account(container, theirs["X-Workspace-ID"], name="Not yours")
    mine = new_workspace(client, keys)
    # When this workspace lists its notifications
    answer = client.get("/public/v1/notifications", headers=raw_key(mine))
    # Then it sees none of theirs
    assert answer.json() == {"notifications": [], "total": 0, "page": 0, "limit": 100, "hasMore": False}
    # And a key without workspaces.read is refused in the surface's shape
    limited = new_workspace(client, keys, permissions=ALL_PERMISSIONS - {Permission.WORKSPACES_READ})
    refused = client.get("/public/v1/notifications", headers=raw_key(limited))
    assert refused.status_code == 403
    assert set(refused.json()) == {"msg"}


def test_notifications__every_event_type_reads_as_a_sentence(
    client: TestClient, keys: Keys, aws: dict[str, str]
) -> None:
    # Given one event of each kind that has not been shown above
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    channel = {"account_id": "acc_1", "platform": "linkedin", "name": "Ada Ltd", "username": None}
    record(
        aws,
        event(
            ws,
            EventType.POST_SCHEDULED,
            at,
            post_id="p",
            scheduled_at="2030-01-15T10:00:00+00:00",
            platforms=["twitter"],
        ),
        event(ws, EventType.ACCOUNT_CONNECTED, at - timedelta(minutes=1), reconnected=True, **channel),
        event(ws, EventType.ACCOUNT_DISCONNECTED, at - timedelta(minutes=2), cancelled_posts=0, **channel),
        event(ws, EventType.ACCOUNT_EXPIRED, at - timedelta(minutes=3), reason="refused", **channel),
    )
    # When they are listed
    body = client.get("/public/v1/notifications", headers=raw_key(headers)).json()
    # Then each reads as one sentence naming the network as the catalog does
    assert [n["content"] for n in body["notifications"]] == [
        "Your post to Twitter/X was scheduled for 2030-01-15 10:00 UTC",
        "Your LinkedIn channel Ada Ltd was reconnected",
        "Your LinkedIn channel Ada Ltd was disconnected",
        "Your LinkedIn channel Ada Ltd must be reconnected: the network no longer accepts its access",
    ]
