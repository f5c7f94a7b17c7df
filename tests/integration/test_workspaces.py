"""/api/workspaces: the seed's shapes, key scoping, and bad input."""

from __future__ import annotations

import boto3
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.permissions import Permission
from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import connect
from tests.integration.test_aws_calls import counted


def create(client: TestClient, headers: dict[str, str], **body: object) -> dict:
    response = client.post("/api/workspaces", json={"name": "Marketing Team", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]["workspace"]


def test_create_workspace__seed_shape(client: TestClient, keys: Keys) -> None:
    # Given a key
    headers = keys.headers()
    # When it creates a workspace with settings
    ws = create(
        client,
        headers,
        description="Marketing content and campaigns",
        settings={"timezone": "Europe/Paris", "default_hashtags": ["#marketing", "brand"]},
    )
    # Then the seed's fields come back, hashtags normalized
    assert ws["id"].startswith("ws_")
    assert ws == {
        "id": ws["id"],
        "name": "Marketing Team",
        "description": "Marketing content and campaigns",
        "settings": {"timezone": "Europe/Paris", "default_hashtags": ["#marketing", "#brand"]},
        "created_at": "2026-03-02T10:00:05Z",
    }


def test_created_workspace_is_listed_and_readable_by_its_key(client: TestClient, keys: Keys) -> None:
    # Given a key that created a workspace
    headers = keys.headers()
    ws = create(client, headers)
    # When it lists and reads workspaces (no X-Workspace-ID needed)
    listing = client.get("/api/workspaces", headers=headers).json()["data"]
    detail = client.get(f"/api/workspaces/{ws['id']}", headers=headers)
    # Then the new workspace is there with maintained counts and the detail shape
    assert listing["pagination"] == {"current_page": 1, "total_pages": 1, "total_items": 1, "per_page": 20}
    assert listing["workspaces"][0] == {
        "id": ws["id"],
        "name": "Marketing Team",
        "description": None,
        "created_at": "2026-03-02T10:00:05Z",
        "updated_at": "2026-03-02T10:00:05Z",
        "accounts_count": 0,
        "posts_count": 0,
        "members_count": 1,
    }
    assert detail.status_code == 200
    body = detail.json()["data"]["workspace"]
    assert body["settings"] == {"timezone": "UTC", "default_hashtags": []}
    assert body["accounts"] == []
    assert body["stats"] == {"total_posts": 0, "scheduled_posts": 0, "published_posts": 0}


def test_list_workspaces__pagination_with_exact_totals(client: TestClient, keys: Keys) -> None:
    # Given 5 workspaces created in order
    headers = keys.headers()
    ids = [create(client, headers, name=f"ws {i}")["id"] for i in range(5)]
    # When page 2 of size 2 is read
    page = client.get("/api/workspaces?page=2&limit=2", headers=headers).json()["data"]
    # Then it holds the 3rd and 4th, oldest first, with exact totals
    assert [w["id"] for w in page["workspaces"]] == ids[2:4]
    assert page["pagination"] == {"current_page": 2, "total_pages": 3, "total_items": 5, "per_page": 2}
    # And a page past the end is empty, not an error
    beyond = client.get("/api/workspaces?page=9&limit=2", headers=headers).json()["data"]
    assert beyond["workspaces"] == []
    assert beyond["pagination"]["total_items"] == 5


def test_update_workspace__merges_settings(client: TestClient, keys: Keys, clock) -> None:
    # Given a workspace with a timezone and hashtags
    headers = keys.headers()
    ws = create(client, headers, settings={"timezone": "Europe/Paris", "default_hashtags": ["#a"]})
    clock.moment = clock.moment.replace(hour=15)
    # When only the name and the timezone are changed
    response = client.put(
        f"/api/workspaces/{ws['id']}",
        json={"name": "Marketing Team - 2024", "settings": {"timezone": "Europe/London"}},
        headers=headers,
    )
    # Then the name changes, the timezone changes, and the hashtags stay
    assert response.status_code == 200
    assert response.json()["data"]["workspace"] == {
        "id": ws["id"],
        "name": "Marketing Team - 2024",
        "description": None,
        "settings": {"timezone": "Europe/London", "default_hashtags": ["#a"]},
        "updated_at": "2026-03-02T15:00:05Z",
    }
    stored = client.get(f"/api/workspaces/{ws['id']}", headers=headers).json()["data"]["workspace"]
    assert stored["name"] == "Marketing Team - 2024"
    assert stored["created_at"] == "2026-03-02T10:00:05Z"


def test_key_scoped_to_workspace_a_gets_404_on_workspace_b(client: TestClient, keys: Keys) -> None:
    # Given two tenants, each with a workspace
    alice, bob = keys.headers(), keys.headers()
    ws_a = create(client, alice)
    ws_b = create(client, bob)
    # When Alice's key addresses Bob's workspace in every way
    responses = [
        client.get(f"/api/workspaces/{ws_b['id']}", headers=alice),
        client.put(f"/api/workspaces/{ws_b['id']}", json={"name": "mine"}, headers=alice),
        client.delete(f"/api/workspaces/{ws_b['id']}", headers=alice),
    ]
    # Then each is a 404, exactly like a workspace that does not exist
    missing = client.get("/api/workspaces/ws_00000000-0000-7000-8000-000000000000", headers=alice)
    for response in responses:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "WORKSPACE_NOT_FOUND"
        assert response.json()["error"]["message"] == missing.json()["error"]["message"]
    # And Alice lists only her own workspace, and Bob's is untouched
    assert [w["id"] for w in client.get("/api/workspaces", headers=alice).json()["data"]["workspaces"]] == [ws_a["id"]]
    assert client.get(f"/api/workspaces/{ws_b['id']}", headers=bob).json()["data"]["workspace"]["name"] == (
        "Marketing Team"
    )


def test_delete_workspace__hidden_at_once_and_purged_completely(client: TestClient, keys: Keys, container, aws) -> None:
    # Given a workspace with items in its partition and media objects in its prefix, shared by two keys
    owner = keys.headers()
    ws = create(client, owner)
    other_key = keys.issue(workspaces=(ws["id"],))
    ddb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    table, bucket = aws["WORKSPACES_TABLE"], aws["MEDIA_BUCKET"]
    for i in range(30):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"WS#{ws['id']}"}, "sk": {"S": f"POST#{i:03}"}})
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"workspaces/{ws['id']}/media/{i}.jpg", Body=b"x")
    s3.put_object(Bucket=bucket, Key="workspaces/ws_other/keep.jpg", Body=b"x")
    # When it is deleted
    response = client.delete(f"/api/workspaces/{ws['id']}", headers=owner)
    # Then the seed's message comes back and no key can see it any more
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"message": "Workspace deleted successfully"}}
    assert client.get(f"/api/workspaces/{ws['id']}", headers=owner).status_code == 404
    assert client.get(f"/api/workspaces/{ws['id']}", headers={"X-API-Key": other_key}).status_code == 404
    assert (
        client.get("/api/workspaces", headers={"X-API-Key": other_key}).json()["data"]["pagination"]["total_items"] == 0
    )
    # And once the purge worker has drained its queue, nothing of the workspace is left
    from tests.integration.workers import drain

    drain("WorkspacePurgerFunction", budget_runs=10)
    remaining = ddb.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": f"WS#{ws['id']}"}}
    )
    assert remaining["Count"] == 0
    objects = s3.list_objects_v2(Bucket=bucket, Prefix=f"workspaces/{ws['id']}/")
    assert objects.get("KeyCount", 0) == 0
    assert s3.list_objects_v2(Bucket=bucket, Prefix="workspaces/ws_other/")["KeyCount"] == 1


def test_delete_twice__second_is_404(client: TestClient, keys: Keys) -> None:
    headers = keys.headers()
    ws = create(client, headers)
    assert client.delete(f"/api/workspaces/{ws['id']}", headers=headers).status_code == 200
    second = client.delete(f"/api/workspaces/{ws['id']}", headers=headers)
    assert second.status_code == 404
    assert second.json()["error"]["code"] == "WORKSPACE_NOT_FOUND"


def test_read_only_key_cannot_create__403(client: TestClient, keys: Keys) -> None:
    # Given a key with only workspaces.read
    headers = keys.headers(permissions=frozenset({Permission.WORKSPACES_READ}))
    # When it tries to create a workspace
    response = client.post("/api/workspaces", json={"name": "x"}, headers=headers)
    # Then 403 names the missing permission, and nothing was created
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "FORBIDDEN",
        "message": "This API key lacks the 'workspaces.write' permission",
        "details": {"required_permission": "workspaces.write"},
    }
    assert client.get("/api/workspaces", headers=headers).json()["data"]["pagination"]["total_items"] == 0


def test_workspace_detail_lists_its_connected_accounts(client: TestClient, keys: Keys, aws) -> None:
    # Given a workspace whose partition holds a connected account (as the accounts flow stores it)
    headers = keys.headers()
    ws = create(client, headers)
    boto3.client("dynamodb").put_item(
        TableName=aws["WORKSPACES_TABLE"],
        Item={
            "pk": {"S": f"WS#{ws['id']}"},
            "sk": {"S": "ACCOUNT#acc_123"},
            "id": {"S": "acc_123"},
            "platform": {"S": "facebook"},
            "name": {"S": "Company Page"},
            "connected_at": {"S": "2024-01-15T11:00:00Z"},
            "access_token": {"S": "never shown"},
        },
    )
    # When the workspace is read
    body = client.get(f"/api/workspaces/{ws['id']}", headers=headers).json()["data"]["workspace"]
    # Then the account appears with the seed's four fields, and nothing else of it leaks
    assert body["accounts"] == [
        {"id": "acc_123", "platform": "facebook", "name": "Company Page", "connected_at": "2024-01-15T11:00:00Z"}
    ]


def test_workspace_detail__accounts_connected_renamed_and_removed__read_with_the_workspace_in_one_call(
    client: TestClient, keys: Keys, container: Container, emulator: Emulator
) -> None:
    # Given a workspace with two accounts connected, one renamed since (as a profile refresh does)
    headers = keys.headers()
    ws = create(client, headers)["id"]
    headers["X-Workspace-ID"] = ws
    first = connect(client, headers, platform="mastodon", user="first", instance="mastodon.social")
    second = connect(client, headers, platform="mastodon", user="second", instance="mastodon.social")
    stored = container.accounts.get(ws, second["id"])
    assert stored is not None
    assert container.accounts.save(stored.model_copy(update={"name": "Renamed"}), stored)
    # And the first one disconnected
    assert client.delete(f"/api/accounts/{first['id']}", headers=headers).status_code == 200

    # When the workspace is read
    with counted() as calls:
        workspace, accounts = container.workspaces.get_with_accounts(ws)
    shown = client.get(f"/api/workspaces/{ws}", headers=headers).json()["data"]["workspace"]["accounts"]

    # Then it came with its accounts in one GetItem, as the accounts' own items list them
    assert calls == ["dynamodb:GetItem"]
    assert workspace is not None
    assert workspace.id == ws
    assert accounts == container.workspaces.accounts(ws)
    assert [(a["id"], a["name"]) for a in shown] == [(second["id"], "Renamed")]


def test_workspace_detail__accounts_connected_before_their_summaries__listed_from_their_items(
    client: TestClient, keys: Keys, container: Container, emulator: Emulator, aws: dict[str, str]
) -> None:
    # Given a workspace whose account was connected before the workspace item carried summaries
    headers = keys.headers()
    ws = create(client, headers)["id"]
    headers["X-Workspace-ID"] = ws
    account = connect(client, headers, platform="mastodon", instance="mastodon.social")
    boto3.client("dynamodb").update_item(
        TableName=aws["WORKSPACES_TABLE"],
        Key={"pk": {"S": f"WS#{ws}"}, "sk": {"S": "META"}},
        UpdateExpression="REMOVE #ref",
        ExpressionAttributeNames={"#ref": f"account_ref#{account['id']}"},
    )

    # When the workspace is read
    with counted() as calls:
        _, accounts = container.workspaces.get_with_accounts(ws)
    shown = client.get(f"/api/workspaces/{ws}", headers=headers).json()["data"]["workspace"]["accounts"]

    # Then its accounts are read from their own items (one Query more), and shown
    assert calls == ["dynamodb:GetItem", "dynamodb:Query"]
    assert [a.id for a in accounts] == [account["id"]]
    assert [a["id"] for a in shown] == [account["id"]]
