"""/api/posts over HTTP: the seed's shapes, validation on save, edits, lists and tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.posts import PostStatus
from tests.conftest import FrozenClock, Keys


def new_workspace(client: TestClient, keys: Keys, **settings: Any) -> dict[str, str]:
    headers = keys.headers()
    body = {"name": "w", "settings": settings} if settings else {"name": "w"}
    ws = client.post("/api/workspaces", json=body, headers=headers).json()["data"]["workspace"]["id"]
    return {**headers, "X-Workspace-ID": ws}


def create(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("content", "Hello world")
    body.setdefault("platforms", ["twitter"])
    response = client.post("/api/posts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    post: dict[str, Any] = response.json()["data"]["post"]
    return post


def workspace_stats(client: TestClient, headers: dict[str, str]) -> dict[str, int]:
    ws = client.get(f"/api/workspaces/{headers['X-Workspace-ID']}", headers=headers).json()["data"]["workspace"]
    return dict(ws["stats"])


def set_status(container: Container, headers: dict[str, str], post_id: str, status: PostStatus) -> None:
    """What publishing will do later (issue 5): move the post to another status through the repository."""
    previous = container.posts.get(headers["X-Workspace-ID"], post_id)
    assert previous is not None
    post = previous.model_copy(update={"status": status, "version": previous.version + 1})
    if status is PostStatus.PUBLISHED:
        post = post.model_copy(update={"published_at": previous.created_at + timedelta(hours=1)})
    container.posts.save(post, previous)


def test_create__seed_shape_and_stored_draft(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    # When a post is created for three networks, with the seed's fields and the extras peers have
    body = {
        "content": "Excited to announce our new product line!",
        "platforms": ["facebook", "twitter", "linkedin"],
        "link": "https://example.com/products",
        "hashtags": ["newproduct", "#launch"],
        "first_comment": "Details in the comments",
        "platform_content": {
            "linkedin": {"content": "A longer LinkedIn text", "settings": {"visibility": "PUBLIC"}},
            "twitter": {"thread": ["Part two, for X only"]},
        },
    }
    response = client.post("/api/posts", json=body, headers=headers)
    # Then it is a draft with the seed's fields, and reading it back gives the same post
    assert response.status_code == 201
    post = response.json()["data"]["post"]
    assert post["id"].startswith("post_")
    assert post["status"] == "draft"
    assert post["platforms"] == ["facebook", "twitter", "linkedin"]
    assert post["hashtags"] == ["#newproduct", "#launch"]
    assert post["created_at"] == "2026-03-02T10:00:05Z"
    assert post["media"] == []
    assert post["platform_posts"] == []
    assert post["analytics"] == {"total_impressions": 0, "total_engagement": 0, "total_clicks": 0, "by_platform": {}}
    fetched = client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]
    assert fetched == post
    assert fetched["platform_content"]["linkedin"]["settings"] == {"visibility": "PUBLIC"}
    assert fetched["platform_content"]["twitter"]["thread"] == ["Part two, for X only"]
    # And the workspace counts it
    assert workspace_stats(client, headers)["total_posts"] == 1


def test_create__workspace_default_hashtags_apply_when_none_given(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys, default_hashtags=["#brand"])
    assert create(client, headers)["hashtags"] == ["#brand"]
    assert create(client, headers, hashtags=[])["hashtags"] == []


def test_create__refused_naming_every_failing_network_and_rule(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    # Given a text too long for X and Bluesky but fine for LinkedIn
    response = client.post(
        "/api/posts", json={"content": "é" * 301, "platforms": ["twitter", "bluesky", "linkedin"]}, headers=headers
    )
    # Then the 400 names both networks and their rule, and nothing is stored
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error["details"]["platforms"]) == {"twitter", "bluesky"}
    assert error["details"]["platforms"]["bluesky"][0]["rule"] == "text_too_long"
    assert "Bluesky: text_too_long" in error["message"]
    assert "Twitter/X: text_too_long" in error["message"]
    assert client.get("/api/posts", headers=headers).json()["data"]["pagination"]["total_items"] == 0


def test_create__a_draft_may_lack_what_attaching_media_will_bring(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    # An Instagram and YouTube post without media yet is a valid draft; what is missing is reported
    post = create(client, headers, content="Soon", platforms=["instagram", "youtube"])
    pending = {(f["platform"], f["rule"]) for f in post["validation"]["pending"]}
    assert post["validation"]["ready"] is False
    assert ("instagram", "media_required") in pending
    assert ("youtube", "title_required") in pending


def test_create__tweet_of_300_characters_with_a_url_passes_x(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    text = "a" * 250 + " https://example.com/" + "p" * 29  # 300 characters; the URL counts 23
    post = create(client, headers, content=text, platforms=["twitter"])
    assert post["validation"]["ready"] is True
    assert [w["rule"] for w in post["validation"]["warnings"]] == ["text_near_limit"]  # 274 of 280


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platforms": ["twitter"]}, "content"),
        ({"content": "x"}, "platforms"),
        ({"content": "x", "platforms": []}, "platforms"),
        ({"content": 5, "platforms": ["twitter"]}, "content"),
        ({"content": "x", "platforms": ["twitter"], "link": "not a url"}, "link"),
        ({"content": "x", "platforms": ["twitter"], "hashtags": ["two words"]}, "hashtags"),
        ({"content": "x", "platforms": ["twitter"], "platform_content": {"myspace": {}}}, "platform_content"),
    ],
)
def test_create__bad_input_is_400_naming_the_field(
    client: TestClient, keys: Keys, body: dict[str, Any], field: str
) -> None:
    headers = new_workspace(client, keys)
    response = client.post("/api/posts", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"][0]["field"] == field


def test_create__malformed_json_and_unknown_platform(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    broken = client.post("/api/posts", content=b"{", headers={**headers, "Content-Type": "application/json"})
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "INVALID_JSON")
    unknown = client.post("/api/posts", json={"content": "x", "platforms": ["acc_nope"]}, headers=headers)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"] == {"field": "platforms", "unknown": ["acc_nope"]}


def test_create__platforms_may_name_connected_accounts(
    client: TestClient, keys: Keys, container: Container, aws: dict[str, str]
) -> None:
    headers = new_workspace(client, keys)
    # Given a connected LinkedIn account in the workspace
    boto3.client("dynamodb").put_item(
        TableName=aws["WORKSPACES_TABLE"],
        Item={
            "pk": {"S": f"WS#{headers['X-Workspace-ID']}"},
            "sk": {"S": "ACCOUNT#acc_li1"},
            "id": {"S": "acc_li1"},
            "platform": {"S": "linkedin"},
            "name": {"S": "Acme page"},
            "connected_at": {"S": "2026-03-01T00:00:00Z"},
        },
    )
    # When a post names the account and a network
    post = create(client, headers, platforms=["acc_li1", "twitter"])
    # Then the account's network is targeted, and the account remembered
    assert post["platforms"] == ["linkedin", "twitter"]
    assert post["account_ids"] == ["acc_li1"]
    linkedin = client.get("/api/posts", params={"platform": "linkedin"}, headers=headers).json()["data"]
    assert [p["id"] for p in linkedin["posts"]] == [post["id"]]


def test_idempotent_create__replay_returns_the_same_post_and_stores_one(client: TestClient, keys: Keys) -> None:
    headers = {**new_workspace(client, keys), "Idempotency-Key": "create-1"}
    first = client.post("/api/posts", json={"content": "Once", "platforms": ["twitter"]}, headers=headers)
    again = client.post("/api/posts", json={"content": "Once", "platforms": ["twitter"]}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert client.get("/api/posts", headers=headers).json()["data"]["pagination"]["total_items"] == 1
    assert workspace_stats(client, headers)["total_posts"] == 1
    other = client.post("/api/posts", json={"content": "Twice", "platforms": ["twitter"]}, headers=headers)
    assert (other.status_code, other.json()["error"]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_update__changes_only_the_fields_sent(client: TestClient, keys: Keys, clock: FrozenClock) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, content="Before", platforms=["facebook", "twitter"], hashtags=["#a"])
    clock.moment += timedelta(hours=1)
    response = client.put(
        f"/api/posts/{post['id']}",
        json={"content": "Updated content for the post", "platforms": ["facebook", "instagram"]},
        headers=headers,
    )
    assert response.status_code == 200
    updated = response.json()["data"]["post"]
    assert updated["content"] == "Updated content for the post"
    assert updated["platforms"] == ["facebook", "instagram"]
    assert updated["hashtags"] == ["#a"]  # not sent, kept
    assert updated["status"] == "draft"
    assert updated["updated_at"] == "2026-03-02T11:00:05Z"
    # And the network lists follow: no longer listed under X, now under Instagram
    listed = client.get("/api/posts", params={"platform": "twitter"}, headers=headers).json()["data"]
    assert listed["posts"] == []
    listed = client.get("/api/posts", params={"platform": "instagram"}, headers=headers).json()["data"]
    assert [p["id"] for p in listed["posts"]] == [post["id"]]


def test_update__breaking_a_limit_is_400_and_keeps_the_stored_post(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, content="Short", platforms=["bluesky"])
    response = client.put(f"/api/posts/{post['id']}", json={"content": "x" * 301}, headers=headers)
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]["platforms"]) == ["bluesky"]
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["content"] == "Short"
    empty = client.put(f"/api/posts/{post['id']}", json={"platforms": []}, headers=headers)
    assert empty.status_code == 400


@pytest.mark.parametrize("status", [PostStatus.PUBLISHED, PostStatus.PUBLISHING, PostStatus.FAILED])
def test_update__only_draft_and_scheduled_posts_change(
    client: TestClient, keys: Keys, container: Container, status: PostStatus
) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers)
    set_status(container, headers, post["id"], status)
    response = client.put(f"/api/posts/{post['id']}", json={"content": "Edited"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "POST_NOT_EDITABLE"
    assert response.json()["error"]["details"]["status"] == status.value
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["content"] == "Hello world"


def test_update__scheduled_post_may_change(client: TestClient, keys: Keys, container: Container) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers)
    set_status(container, headers, post["id"], PostStatus.SCHEDULED)
    response = client.put(f"/api/posts/{post['id']}", json={"content": "Edited"}, headers=headers)
    assert (response.status_code, response.json()["data"]["post"]["status"]) == (200, "scheduled")
    assert workspace_stats(client, headers)["scheduled_posts"] == 1


def test_delete__removes_the_post_and_moves_the_counters(client: TestClient, keys: Keys, container: Container) -> None:
    headers = new_workspace(client, keys)
    draft = create(client, headers)
    published = create(client, headers)
    set_status(container, headers, published["id"], PostStatus.PUBLISHED)
    stats = workspace_stats(client, headers)
    assert (stats["total_posts"], stats["published_posts"]) == (2, 1)
    # A published post may be deleted: it is removed from the system only
    for post in (draft, published):
        response = client.delete(f"/api/posts/{post['id']}", headers=headers)
        assert response.json() == {"success": True, "data": {"message": "Post deleted successfully"}}
        assert client.get(f"/api/posts/{post['id']}", headers=headers).status_code == 404
    stats = workspace_stats(client, headers)
    assert (stats["total_posts"], stats["published_posts"]) == (0, 0)
    assert client.get("/api/posts", params={"platform": "twitter"}, headers=headers).json()["data"]["posts"] == []
    assert client.delete(f"/api/posts/{draft['id']}", headers=headers).status_code == 404


def test_other_workspace_post_ids_are_404(client: TestClient, keys: Keys) -> None:
    mine = new_workspace(client, keys)
    theirs = new_workspace(client, keys)  # another key, another workspace
    post = create(client, theirs)
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(method, f"/api/posts/{post['id']}", json={"content": "x"}, headers=mine)
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "POST_NOT_FOUND"
    # And a workspace the key cannot use is 404 too, whatever the post
    outsider = {**keys.headers(), "X-Workspace-ID": theirs["X-Workspace-ID"]}
    assert client.get(f"/api/posts/{post['id']}", headers=outsider).status_code == 404
    assert client.get(f"/api/posts/{post['id']}", headers=theirs).status_code == 200


def test_read_only_key_cannot_write(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    from socialpub.domain.permissions import Permission

    reader = keys.issue(permissions=frozenset({Permission.POSTS_READ}), workspaces=(headers["X-Workspace-ID"],))
    read_headers = {"X-API-Key": reader, "X-Workspace-ID": headers["X-Workspace-ID"]}
    assert client.get("/api/posts", headers=read_headers).status_code == 200
    refused = client.post("/api/posts", json={"content": "x", "platforms": ["twitter"]}, headers=read_headers)
    assert (refused.status_code, refused.json()["error"]["details"]) == (403, {"required_permission": "posts.write"})


def test_list__filters_by_status_platform_and_dates(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    # Given posts written a day apart, on different networks and in different states
    made = {}
    for day, (name, platforms) in enumerate(
        [("x-draft", ["twitter"]), ("li-draft", ["linkedin"]), ("both", ["twitter", "linkedin"])]
    ):
        clock.moment = clock.moment.replace(day=2 + day)
        made[name] = create(client, headers, content=name, platforms=platforms)["id"]
    set_status(container, headers, made["both"], PostStatus.PUBLISHED)

    def ids(**params: str) -> list[str]:
        response = client.get("/api/posts", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [made_name for p in response.json()["data"]["posts"] for made_name, i in made.items() if i == p["id"]]

    # Then each filter, alone or combined, answers from its index, newest first
    assert ids() == ["both", "li-draft", "x-draft"]
    assert ids(status="draft") == ["li-draft", "x-draft"]
    assert ids(status="published") == ["both"]
    assert ids(platform="twitter") == ["both", "x-draft"]
    assert ids(platform="linkedin", status="draft") == ["li-draft"]
    assert ids(**{"from": "2026-03-03"}) == ["both", "li-draft"]
    assert ids(to="2026-03-03") == ["li-draft", "x-draft"]
    assert ids(**{"from": "2026-03-03T00:00:00Z", "to": "2026-03-03T23:59:59+00:00"}) == ["li-draft"]
    assert ids(status="scheduled") == []
    # And the list items have the seed's shape
    item = client.get("/api/posts", params={"status": "published"}, headers=headers).json()["data"]["posts"][0]
    assert item["published_at"] == "2026-03-04T11:00:05Z"
    assert item["analytics"] == {"impressions": 0, "engagement": 0, "clicks": 0}
    assert set(item) >= {"id", "content", "status", "platforms", "media", "scheduled_at", "created_at"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"platform": "myspace"}, "platform"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "from"),
        ({"limit": "101"}, "limit"),
        ({"page": "0"}, "page"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_list__bad_parameters_are_400(client: TestClient, keys: Keys, params: dict[str, str], field: str) -> None:
    headers = new_workspace(client, keys)
    response = client.get("/api/posts", params=params, headers=headers)
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details.get("field") == field or details["fields"][0]["field"] == field


def test_list__pages_with_exact_totals_and_cursors(client: TestClient, keys: Keys, clock: FrozenClock) -> None:
    headers = new_workspace(client, keys)
    created = []
    for n in range(7):
        clock.moment += timedelta(minutes=1)
        created.append(create(client, headers, content=f"post {n}")["id"])
    newest_first = created[::-1]
    # Pages: exact totals
    page = client.get("/api/posts", params={"page": 2, "limit": 3}, headers=headers).json()["data"]
    assert page["pagination"] == {"current_page": 2, "total_pages": 3, "total_items": 7, "per_page": 3}
    assert [p["id"] for p in page["posts"]] == newest_first[3:6]
    beyond = client.get("/api/posts", params={"page": 9, "limit": 3}, headers=headers).json()["data"]
    assert beyond["posts"] == []
    # Cursors: start with an empty cursor, follow next_cursor to the end
    seen: list[str] = []
    cursor = ""
    while cursor is not None:
        data = client.get("/api/posts", params={"cursor": cursor, "limit": 3}, headers=headers).json()["data"]
        seen += [p["id"] for p in data["posts"]]
        cursor = data["pagination"]["next_cursor"]
    assert seen == newest_first
    # A cursor is only good for its own query
    first = client.get("/api/posts", params={"cursor": "", "limit": 3}, headers=headers).json()["data"]
    mismatch = client.get(
        "/api/posts", params={"cursor": first["pagination"]["next_cursor"], "status": "draft"}, headers=headers
    )
    assert mismatch.status_code == 400
    other = new_workspace(client, keys)
    stolen = client.get("/api/posts", params={"cursor": first["pagination"]["next_cursor"]}, headers=other)
    assert stolen.status_code == 400


def test_create__per_network_settings_are_checked_and_stored(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    bad = client.post(
        "/api/posts",
        json={
            "content": "x",
            "title": "Demo",
            "platforms": ["youtube", "pinterest"],
            "platform_content": {"youtube": {"settings": {"privacy": "secret"}}},
        },
        headers=headers,
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["details"]["platforms"]["youtube"][0] == {
        "rule": "invalid_setting",
        "field": "platform_content.youtube.settings.privacy",
        "message": "YouTube's privacy must be one of public, unlisted, private",
    }
    good = create(
        client,
        headers,
        content="x",
        title="Demo",
        platforms=["youtube", "pinterest"],
        platform_content={"youtube": {"settings": {"privacy": "unlisted", "category_id": "22"}}},
    )
    assert good["platform_content"]["youtube"]["settings"] == {"privacy": "unlisted", "category_id": "22"}
    pending = {(f["platform"], f["rule"]) for f in good["validation"]["pending"]}
    assert ("pinterest", "setting_required") in pending  # the board comes later, before publishing
    # And the catalog says what each network takes
    youtube = client.get("/api/platforms/youtube", headers=headers).json()["data"]["platform"]
    assert youtube["settings"]["privacy"]["enum"] == ["public", "unlisted", "private"]


def test_create__text_beyond_what_one_item_holds_is_400(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    # 2 x 100,000 three-byte characters: within every field's cap, within the body cap, too big to store
    body: dict[str, Any] = {"content": "x", "platforms": ["linkedin"], "first_comment": "日" * 100_000}
    body["platform_content"] = {"linkedin": {"first_comment": "日" * 100_000}}
    response = client.post("/api/posts", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["max_bytes"] == 350_000


def test_a_write_based_on_a_stale_read_is_refused(client: TestClient, keys: Keys, container: Container) -> None:
    from socialpub.domain.posts import ConcurrentModification

    headers = new_workspace(client, keys)
    post = create(client, headers)
    # Given two writers that read the same version
    first = container.posts.get(headers["X-Workspace-ID"], post["id"])
    second = container.posts.get(headers["X-Workspace-ID"], post["id"])
    assert first is not None
    assert second is not None
    container.posts.save(first.model_copy(update={"content": "first", "version": 2}), first)
    # When the second writes on top of what it read
    with pytest.raises(ConcurrentModification):
        container.posts.save(second.model_copy(update={"content": "second", "version": 2}), second)
    # Then the first write stands
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["content"] == "first"


def test_no_post_is_written_into_a_workspace_being_deleted(
    client: TestClient, keys: Keys, container: Container
) -> None:
    from socialpub.domain.errors import WorkspaceNotFound

    headers = new_workspace(client, keys)
    post = create(client, headers)
    stored = container.posts.get(headers["X-Workspace-ID"], post["id"])
    assert stored is not None
    # Given the workspace was deleted after the post was read (its purge may be running)
    assert client.delete(f"/api/workspaces/{headers['X-Workspace-ID']}", headers=headers).status_code == 200
    # Then a write that was already under way is refused, so the purge cannot be outrun
    with pytest.raises(WorkspaceNotFound):
        container.posts.save(stored.model_copy(update={"content": "late", "version": 2}), stored)
