"""/api/v1 post groups (Publora): create-post, get-post, update-post, delete-post.

A post group is a product post: the ids are those of GET /api/posts/{id}, which the tests read to see
what was stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from socialpub.domain.posts import PlatformPost, PostStatus
from socialpub.domain.tiers import TIER_LIMITS, Tier
from tests.conftest import Keys
from tests.integration.pipeline import INSTANCE, Pipeline, publish
from tests.integration.postsider.test_posts import api_post, api_posts
from tests.integration.publora.conftest import add_account, publora_key
from tests.integration.test_accounts import connect
from tests.integration.test_posts import new_workspace
from tests.integration.test_scheduling import schedule_exists, stored_schedule

API = "/api/v1"
SOON = "2026-03-15T10:00:00.000Z"  # the tests' clock is 2026-03-02T10:00:05Z
LATER = "2026-03-20T08:30:00.000Z"


def workspace(
    client: TestClient, keys: Keys, container: Container, *networks: str
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """A workspace with one account per network: (main API headers, Publora headers, platformId by network)."""
    headers = new_workspace(client, keys)
    ids = {}
    for network in networks:
        account = add_account(container, headers["X-Workspace-ID"], platform=network, name=f"Ada {network}")
        ids[network] = f"{network}-{account.id}"
    return headers, publora_key(headers), ids


def create(client: TestClient, publora: dict[str, str], **body: Any) -> str:
    response = client.post(f"{API}/create-post", json={"content": "Hello", **body}, headers=publora)
    assert response.status_code == 200, response.text
    post_id: str = response.json()["postGroupId"]
    return post_id


def failure(response: Any, status: int) -> str:
    """The error message of a refusal in Publora's envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "error"}, body
    assert body["success"] is False
    message: str = body["error"]
    return message


def published(container: Container, workspace_id: str, post_id: str, status: PostStatus, *copies: PlatformPost) -> None:
    """The post as the publisher leaves it when it is done (stored as the PostSider tests store it)."""
    previous = container.posts.get(workspace_id, post_id)
    assert previous is not None
    out = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    update = {"status": status, "published_at": out, "platform_posts": list(copies), "version": previous.version + 1}
    container.posts.save(previous.model_copy(update=update), previous)


# ---------------------------------------------------------------------- create-post


def test_without_a_scheduled_time_the_post_is_a_draft_to_the_named_accounts(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with a LinkedIn and a Bluesky account
    headers, publora, ids = workspace(client, keys, container, "linkedin", "bluesky")
    # When a Publora client creates a post for both (Bluesky by its bare account id, LinkedIn twice)
    bare = ids["bluesky"].split("-", 1)[1]
    response = client.post(
        f"{API}/create-post",
        json={"content": "Hello both", "platforms": [ids["linkedin"], bare, ids["linkedin"]]},
        headers=publora,
    )
    # Then it gets the seed's answer with the id of one product post
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"success", "postGroupId"}
    assert response.json()["success"] is True
    post = api_post(client, headers, response.json()["postGroupId"])
    # And that post is a draft to those two accounts, once each, with no time and no schedule
    assert (post["status"], post["content"], post["scheduled_at"]) == ("draft", "Hello both", None)
    assert post["account_ids"] == [ids["linkedin"].split("-", 1)[1], bare]
    assert not schedule_exists(post["id"])


def test_with_a_scheduled_time_the_post_is_scheduled_then(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a workspace with an X account
    headers, publora, ids = workspace(client, keys, container, "twitter")
    # When a post is created with a time in UTC (with "+00:00" too)
    post_id = create(client, publora, platforms=[ids["twitter"]], scheduledTime=SOON)
    other = create(client, publora, platforms=[ids["twitter"]], scheduledTime="2026-03-16T10:00:00+00:00")
    # Then each is scheduled at that time, by a one-time schedule at that instant (UTC)
    post = api_post(client, headers, post_id)
    assert (post["status"], post["scheduled_at"]) == ("scheduled", "2026-03-15T10:00:00Z")
    assert stored_schedule(post_id)["ScheduleExpression"] == "at(2026-03-15T10:00:00)"
    assert stored_schedule(post_id)["ScheduleExpressionTimezone"] == "UTC"
    assert api_post(client, headers, other)["scheduled_at"] == "2026-03-16T10:00:00Z"
    assert schedule_exists(other)
    # And get-post says so
    group = client.get(f"{API}/get-post/{post_id}", headers=publora).json()
    assert (group["status"], group["scheduledTime"]) == ("scheduled", SOON)
    assert [p["status"] for p in group["posts"]] == ["scheduled"]


def test_a_post_a_networks_rules_refuse_names_the_platform_and_nothing_is_written(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with an X and a LinkedIn account
    headers, publora, ids = workspace(client, keys, container, "twitter", "linkedin")
    # When a 281-character post is created for both, as a draft and scheduled
    body = {"content": "x" * 281, "platforms": [ids["twitter"], ids["linkedin"]]}
    draft = client.post(f"{API}/create-post", json=body, headers=publora)
    scheduled = client.post(f"{API}/create-post", json={**body, "scheduledTime": SOON}, headers=publora)
    # Then each is a 400 naming X and why, not LinkedIn (3,000 characters)
    for response in (draft, scheduled):
        message = failure(response, 400)
        assert message == (
            "The post was refused by twitter (Twitter/X): Twitter/X allows 280 characters (twitter_weighted); "
            "this text counts 281"
        )
    # And nothing was written
    assert api_posts(client, headers) == []


X = "twitter-acc_twitter_profile"  # the platformId of the tests' X account (add_account's id)
T = "2026-03-15T10:00:00Z"
BAD_BODIES: list[tuple[str, Any, str]] = [
    ("no body", None, "body: Field required"),
    ("empty content", {"content": "  ", "platforms": [X]}, "content: must not be empty"),
    ("content not text", {"content": 5, "platforms": [X]}, "content: Input should be a valid string"),
    ("null content", {"content": None, "platforms": [X]}, "content: Input should be a valid string"),
    ("no platforms", {"content": "Hi"}, "platforms: Field required"),
    ("empty platforms", {"content": "Hi", "platforms": []}, "platforms: List should have at least 1 item"),
    ("null platform", {"content": "Hi", "platforms": [None]}, "platforms.0: Input should be a valid string"),
    ("unknown field", {"content": "Hi", "platforms": [X], "mediaUrls": []}, "mediaUrls: Extra inputs"),
    ("unknown account", {"content": "Hi", "platforms": [X, "twitter-acc_nope"]}, "platformId 'twitter-acc_nope'"),
    ("wrong network", {"content": "Hi", "platforms": ["linkedin-acc_twitter_profile"]}, "'linkedin-acc_twitter"),
    ("foreign account", {"content": "Hi", "platforms": ["twitter-acc_theirs"]}, "platformId 'twitter-acc_theirs'"),
    ("not a time", {"content": "Hi", "platforms": [X], "scheduledTime": "soon"}, "scheduledTime' must be an ISO"),
    ("past time", {"content": "Hi", "platforms": [X], "scheduledTime": "2026-03-01T10:00:00Z"}, "in the future"),
    ("not UTC", {"content": "Hi", "platforms": [X], "scheduledTime": f"{T[:-1]}+02:00"}, "must be in UTC"),
    ("too far", {"content": "Hi", "platforms": [X], "scheduledTime": "2028-04-01T10:00:00Z"}, "two years ahead"),
]


@pytest.mark.parametrize(("case", "body", "said"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_a_bad_body_is_a_400_naming_the_problem_and_writes_nothing(
    client: TestClient, keys: Keys, container: Container, case: str, body: Any, said: str
) -> None:
    # Given a workspace with an X account, and another tenant's X account
    headers, publora, ids = workspace(client, keys, container, "twitter")
    assert ids["twitter"] == X
    add_account(container, new_workspace(client, keys)["X-Workspace-ID"], id="acc_theirs", platform="twitter")
    # When the body is sent
    response = client.post(f"{API}/create-post", json=body, headers=publora)
    # Then it is a 400 saying what is wrong
    assert said in failure(response, 400)
    # And nothing was written
    assert api_posts(client, headers) == []


def test_the_plans_monthly_posts_are_checked_first(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plan allowing one post a month, already used
    limit = TIER_LIMITS[Tier.ENTERPRISE].model_copy(update={"monthly_posts": 1})
    monkeypatch.setitem(TIER_LIMITS, Tier.ENTERPRISE, limit)
    headers, publora, ids = workspace(client, keys, container, "bluesky")
    first = create(client, publora, platforms=[ids["bluesky"]])
    # When another post is created, scheduled
    response = client.post(
        f"{API}/create-post",
        json={"content": "Hi", "platforms": [ids["bluesky"]], "scheduledTime": SOON},
        headers=publora,
    )
    # Then it is the plan's 402, and only the first post exists
    assert "limit" in failure(response, 402).lower()
    assert [p["id"] for p in api_posts(client, headers)] == [first]


def test_a_schedule_that_cannot_be_made_leaves_no_post_behind(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scheduler that is down
    headers, publora, ids = workspace(client, keys, container, "bluesky")

    def down(message: Any) -> None:
        raise DependencyUnavailable("The scheduler is unavailable")

    monkeypatch.setattr(container.post_scheduler, "put", down)
    # When a scheduled post is created
    response = client.post(
        f"{API}/create-post",
        json={"content": "Hi", "platforms": [ids["bluesky"]], "scheduledTime": SOON},
        headers=publora,
    )
    # Then the request fails, and the post it created is gone again
    assert failure(response, 503)
    assert api_posts(client, headers) == []


def test_each_route_needs_its_posts_permission(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a key that may read posts but not write them
    key = keys.issue(permissions=ALL_PERMISSIONS - {Permission.POSTS_WRITE})
    ws = client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": key}).json()["data"]
    account = add_account(container, ws["workspace"]["id"], platform="bluesky")
    publora = {"x-publora-key": key}
    # When it creates, changes and deletes a post group, and reads one
    answers = [
        client.post(f"{API}/create-post", json={"content": "Hi", "platforms": [account.id]}, headers=publora),
        client.put(f"{API}/update-post/post_x", json={"status": "draft"}, headers=publora),
        client.delete(f"{API}/delete-post/post_x", headers=publora),
    ]
    read = client.get(f"{API}/get-post/post_x", headers=publora)
    # Then the writes are 403s, while the read is allowed (and finds no such post)
    assert [a.status_code for a in answers] == [403] * 3
    assert all(a.json()["success"] is False for a in answers)
    assert failure(read, 404) == "Post group not found"


# ---------------------------------------------------------------------- get-post


def test_get_post_shows_each_network_and_its_post_id_once_published(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given an X and a Mastodon account connected through the networks (the emulator), and a draft to both
    headers = new_workspace(client, keys)
    publora = publora_key(headers)
    x = connect(client, headers, platform="twitter")
    mastodon = connect(client, headers, platform="mastodon", instance=INSTANCE)
    post_id = create(client, publora, platforms=[f"twitter-{x['id']}", f"mastodon-{mastodon['id']}"])
    # When get-post reads it before it is published
    before = client.get(f"{API}/get-post/{post_id}", headers=publora)
    # Then it is a draft on each account, without a network post id yet
    assert before.status_code == 200, before.text
    entries = [
        {
            "_id": f"{post_id}:{account['id']}",
            "content": "Hello",
            "platform": network,
            "platformId": account["id"],
            "status": "draft",
            "postedId": None,
            "permalink": None,
            "error": None,
        }
        for network, account in (("twitter", x), ("mastodon", mastodon))
    ]
    assert before.json() == {
        "success": True,
        "postGroupId": post_id,
        "status": "draft",
        "scheduledTime": None,
        "posts": entries,
    }
    # When it is published by the product's pipeline
    assert publish(client, headers, post_id).status_code in (200, 202)
    pipeline.drain()
    after = client.get(f"{API}/get-post/{post_id}", headers=publora).json()
    # Then every network's entry is published with the id and link that network gave (as the main API shows them)
    copies = {p["account_id"]: p for p in api_post(client, headers, post_id)["platform_posts"]}
    assert after["status"] == "published"
    assert after["posts"] == [
        {
            **entry,
            "status": "published",
            "postedId": copies[entry["platformId"]]["post_id"],
            "permalink": copies[entry["platformId"]]["url"],
        }
        for entry in entries
    ]
    assert {p["platform"]: p["postedId"] for p in after["posts"]} == {
        "twitter": pipeline.posts_on("twitter")[0].id,
        "mastodon": pipeline.posts_on("mastodon")[0].id,
    }


def test_each_state_of_the_product_reads_in_publoras_words(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a post partly published (Bluesky out, Mastodon refused), one publishing, and a main API
    # post naming a network (not an account)
    headers, publora, ids = workspace(client, keys, container, "bluesky", "mastodon")
    ws = headers["X-Workspace-ID"]
    bluesky, mastodon = (ids[n].split("-", 1)[1] for n in ("bluesky", "mastodon"))
    partly = create(client, publora, platforms=[ids["bluesky"], ids["mastodon"]])
    published(
        container,
        ws,
        partly,
        PostStatus.PARTIALLY_PUBLISHED,
        PlatformPost(
            platform="bluesky", account_id=bluesky, post_id="at://1", url="https://bsky.app/p/1", status="published"
        ),
        PlatformPost(platform="mastodon", account_id=mastodon, status="failed", error="Refused by the server"),
    )
    going = create(client, publora, platforms=[ids["bluesky"], ids["mastodon"]])
    published(
        container,
        ws,
        going,
        PostStatus.PUBLISHING,
        PlatformPost(platform="bluesky", account_id=bluesky, status="publishing"),
        PlatformPost(platform="mastodon", account_id=mastodon, status="pending"),
    )
    by_network = client.post("/api/posts", json={"content": "Hi", "platforms": ["bluesky"]}, headers=headers)
    # When get-post reads each
    groups = [client.get(f"{API}/get-post/{p}", headers=publora).json() for p in (partly, going)]
    groups.append(client.get(f"{API}/get-post/{by_network.json()['data']['post']['id']}", headers=publora).json())
    # Then the group and each platform post have Publora's status, with the post id and error where known
    shown = [
        (g["status"], [(p["platform"], p["platformId"], p["status"], p["postedId"], p["error"]) for p in g["posts"]])
        for g in groups
    ]
    assert shown == [
        (
            "partially_published",
            [
                ("bluesky", bluesky, "published", "at://1", None),
                ("mastodon", mastodon, "failed", None, "Refused by the server"),
            ],
        ),
        ("processing", [("bluesky", bluesky, "processing", None, None), ("mastodon", mastodon, "pending", None, None)]),
        ("draft", [("bluesky", None, "draft", None, None)]),
    ]


# ---------------------------------------------------------------------- update-post


def update(client: TestClient, publora: dict[str, str], post_id: str, **body: Any) -> dict[str, Any]:
    response = client.put(f"{API}/update-post/{post_id}", json=body, headers=publora)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_update_post_moves_a_post_between_draft_and_scheduled_and_keeps_its_time(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a draft
    headers, publora, ids = workspace(client, keys, container, "bluesky")
    post_id = create(client, publora, platforms=[ids["bluesky"]])
    # When it is scheduled at a time
    scheduled = update(client, publora, post_id, status="scheduled", scheduledTime=SOON)
    # Then the seed's answer says so, and its one-time schedule is at that time
    assert scheduled == {
        "success": True,
        "message": "Post updated successfully",
        "postGroup": {"_id": post_id, "status": "scheduled", "scheduledTime": SOON},
    }
    assert stored_schedule(post_id)["ScheduleExpression"] == "at(2026-03-15T10:00:00)"
    # When only its time is changed
    moved = update(client, publora, post_id, scheduledTime=LATER)
    # Then it is rescheduled there
    assert moved["postGroup"] == {"_id": post_id, "status": "scheduled", "scheduledTime": LATER}
    assert stored_schedule(post_id)["ScheduleExpression"] == "at(2026-03-20T08:30:00)"
    # When it is put back to draft
    drafted = update(client, publora, post_id, status="draft")
    # Then it is a draft that keeps its time, and its schedule is gone
    assert drafted["postGroup"] == {"_id": post_id, "status": "draft", "scheduledTime": LATER}
    assert api_post(client, headers, post_id)["status"] == "draft"
    assert not schedule_exists(post_id)
    # When the draft's time alone is changed
    planned = update(client, publora, post_id, scheduledTime=SOON)
    # Then it stays a draft, at the new time, with no schedule
    assert planned["postGroup"] == {"_id": post_id, "status": "draft", "scheduledTime": SOON}
    assert not schedule_exists(post_id)
    # When it is scheduled without a time
    again = update(client, publora, post_id, status="scheduled")
    # Then it is scheduled at the time it kept
    assert again["postGroup"] == {"_id": post_id, "status": "scheduled", "scheduledTime": SOON}
    assert api_post(client, headers, post_id)["scheduled_at"] == "2026-03-15T10:00:00Z"
    assert stored_schedule(post_id)["ScheduleExpression"] == "at(2026-03-15T10:00:00)"
    # When it goes to draft with a new time in the same request
    both = update(client, publora, post_id, status="draft", scheduledTime=LATER)
    # Then it is a draft at that time
    assert both["postGroup"] == {"_id": post_id, "status": "draft", "scheduledTime": LATER}
    assert not schedule_exists(post_id)


def test_update_post_refusals_leave_the_post_as_it_was(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a draft with no time, a scheduled post, and a published one
    headers, publora, ids = workspace(client, keys, container, "bluesky")
    ws = headers["X-Workspace-ID"]
    draft = create(client, publora, platforms=[ids["bluesky"]])
    scheduled = create(client, publora, platforms=[ids["bluesky"]], scheduledTime=SOON)
    out = create(client, publora, platforms=[ids["bluesky"]])
    account = ids["bluesky"].split("-", 1)[1]
    published(
        container,
        ws,
        out,
        PostStatus.PUBLISHED,
        PlatformPost(platform="bluesky", account_id=account, status="published"),
    )
    stored = {p: api_post(client, headers, p) for p in (draft, scheduled, out)}
    # When bodies that say nothing, or something wrong, are sent
    bad = [
        (draft, {}, "Send status, scheduledTime or both"),
        (draft, {"status": None, "scheduledTime": None}, "Send status, scheduledTime or both"),
        (draft, {"status": "published"}, "status: Input should be 'draft' or 'scheduled'"),
        (draft, {"status": "draft", "when": SOON}, "when: Extra inputs are not permitted"),
        (draft, {"status": "scheduled"}, "no time to schedule it at"),
        (scheduled, {"scheduledTime": "2026-03-01T10:00:00Z"}, "scheduledTime must be in the future"),
        (scheduled, {"scheduledTime": "2026-03-20T10:00:00-05:00"}, "scheduledTime must be in UTC"),
    ]
    answers = [(client.put(f"{API}/update-post/{p}", json=body, headers=publora), said) for p, body, said in bad]
    # And the published post is changed in each way
    conflicts = [
        client.put(f"{API}/update-post/{out}", json=body, headers=publora)
        for body in ({"status": "draft"}, {"status": "scheduled", "scheduledTime": SOON}, {"scheduledTime": SOON})
    ]
    # Then each is refused with what is wrong: 400 for the body, 409 for a post that is out
    for response, said in answers:
        assert said in failure(response, 400)
    assert [failure(c, 409) for c in conflicts] == [
        "This post is published; only draft and scheduled posts can be changed",
        "This post is published; only draft, scheduled and failed posts can be scheduled",
        "This post is published; only draft and scheduled posts can be changed",
    ]
    # And every post is as it was, the scheduled one still on its schedule
    assert {p: api_post(client, headers, p) for p in stored} == stored
    assert schedule_exists(scheduled)


# ---------------------------------------------------------------------- delete-post


def test_delete_post_removes_the_post_and_its_schedule_but_not_one_being_published(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a scheduled post, and one being published
    headers, publora, ids = workspace(client, keys, container, "bluesky")
    scheduled = create(client, publora, platforms=[ids["bluesky"]], scheduledTime=SOON)
    going = create(client, publora, platforms=[ids["bluesky"]])
    account = ids["bluesky"].split("-", 1)[1]
    published(
        container,
        headers["X-Workspace-ID"],
        going,
        PostStatus.PUBLISHING,
        PlatformPost(platform="bluesky", account_id=account, status="publishing"),
    )
    # When both are deleted, and the scheduled one again
    deleted = client.delete(f"{API}/delete-post/{scheduled}", headers=publora)
    again = client.delete(f"{API}/delete-post/{scheduled}", headers=publora)
    busy = client.delete(f"{API}/delete-post/{going}", headers=publora)
    # Then the scheduled post is gone with its schedule, and then unknown
    assert (deleted.status_code, deleted.json()) == (200, {"success": True})
    assert client.get(f"/api/posts/{scheduled}", headers=headers).status_code == 404
    assert not schedule_exists(scheduled)
    assert failure(again, 404) == "Post group not found"
    # And the one being published is a 409 and stays
    assert "being published" in failure(busy, 409)
    assert api_post(client, headers, going)["status"] == "publishing"


# ---------------------------------------------------------------------- tenancy

ROUTES = [
    ("GET", "get-post", None),
    ("PUT", "update-post", {"status": "draft"}),
    ("PUT", "update-post", {"scheduledTime": LATER}),
    ("DELETE", "delete-post", None),
]


@pytest.mark.parametrize(("method", "route", "body"), ROUTES, ids=[f"{m} {r} {b}" for m, r, b in ROUTES])
def test_another_tenants_post_group_is_not_found_on_every_route(
    client: TestClient, keys: Keys, container: Container, method: str, route: str, body: Any
) -> None:
    # Given another tenant's scheduled post, and a workspace of our own
    other, theirs, ids = workspace(client, keys, container, "bluesky")
    their_post = create(client, theirs, platforms=[ids["bluesky"]], scheduledTime=SOON)
    before = api_post(client, other, their_post)
    _, publora, _ = workspace(client, keys, container, "bluesky")
    # When we call the route with their postGroupId, and with one that does not exist
    answers = [client.request(method, f"{API}/{route}/{p}", json=body, headers=publora) for p in (their_post, "post_x")]
    # Then both are Publora's 404, and their post and its schedule are untouched
    assert [failure(a, 404) for a in answers] == ["Post group not found"] * 2
    assert api_post(client, other, their_post) == before
    assert schedule_exists(their_post)


# ---------------------------------------------------------------------- deployment
