"""/public/v1 channels (PostSider / Postiz): groups, disconnect, connect URLs, settings and tools,
and the next free slot; the same accounts as /api/accounts, and never another tenant's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Keys
from tests.integration.postsider.test_foundation import add_account, raw_key
from tests.integration.test_posts import new_workspace

# ---------------------------------------------------------------------------- channel groups


def test_a_group_set_through_the_main_api_shows_as_the_channels_customer(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with two Bluesky accounts and an X account
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    first = add_account(container, ws, id="acc_one", external_id="1")
    second = add_account(container, ws, id="acc_two", external_id="2")
    add_account(container, ws, platform="twitter", external_id="3")
    # When two accounts are put in groups through PUT /api/accounts/{id} (the label is stripped)
    put = client.put(f"/api/accounts/{first.id}", json={"group": "  Acme Ltd "}, headers=headers)
    client.put(f"/api/accounts/{second.id}", json={"group": "Beta"}, headers=headers)
    # Then the main API shows the stored group
    assert put.status_code == 200, put.text
    assert put.json()["data"]["account"]["group"] == "Acme Ltd"
    assert client.get(f"/api/accounts/{first.id}", headers=headers).json()["data"]["account"]["group"] == "Acme Ltd"
    # And PostSider shows it as the channel's customer, and leaves customer out where there is none
    key = raw_key(headers)
    channels = {c["id"]: c for c in client.get("/public/v1/integrations", headers=key).json()}
    assert channels["acc_one"]["customer"] == {"id": "Acme Ltd", "name": "Acme Ltd"}
    assert channels["acc_two"]["customer"] == {"id": "Beta", "name": "Beta"}
    assert "customer" not in channels["acc_twitter_profile"]
    # And the groups are the workspace's distinct groups, and ?group= filters on one
    assert client.get("/public/v1/groups", headers=key).json() == [
        {"id": "Acme Ltd", "name": "Acme Ltd"},
        {"id": "Beta", "name": "Beta"},
    ]
    filtered = client.get("/public/v1/integrations", params={"group": "Acme Ltd"}, headers=key).json()
    assert [c["id"] for c in filtered] == ["acc_one"]
    assert client.get("/public/v1/integrations", params={"group": "Nobody"}, headers=key).json() == []


def test_a_group_is_cleared_with_null_and_a_long_one_is_refused_before_anything_is_stored(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an account in a group
    headers = new_workspace(client, keys)
    account = add_account(container, headers["X-Workspace-ID"])
    client.put(f"/api/accounts/{account.id}", json={"group": "Acme"}, headers=headers)
    # When a client sends a group over 100 characters, or a number
    long = client.put(f"/api/accounts/{account.id}", json={"group": "x" * 101}, headers=headers)
    number = client.put(f"/api/accounts/{account.id}", json={"group": 7}, headers=headers)
    # Then each is refused in the main API's envelope, naming the field, and the group is unchanged
    for refused in (long, number):
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert [f["field"] for f in error["details"]["fields"]] == ["group"]
    assert long.json()["error"]["details"]["fields"][0]["message"] == "must be at most 100 characters"
    assert client.get(f"/api/accounts/{account.id}", headers=headers).json()["data"]["account"]["group"] == "Acme"
    # When it sends a name change only, the group stays
    client.put(f"/api/accounts/{account.id}", json={"name": "Renamed"}, headers=headers)
    assert client.get(f"/api/accounts/{account.id}", headers=headers).json()["data"]["account"]["group"] == "Acme"
    # When it sends null (or a blank label), the account leaves its group
    cleared = client.put(f"/api/accounts/{account.id}", json={"group": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["data"]["account"]["group"] is None
    key = raw_key(headers)
    assert client.get("/public/v1/groups", headers=key).json() == []
    assert "customer" not in client.get("/public/v1/integrations", headers=key).json()[0]
    client.put(f"/api/accounts/{account.id}", json={"group": "Acme"}, headers=headers)
    blank = client.put(f"/api/accounts/{account.id}", json={"group": "   "}, headers=headers)
    assert blank.json()["data"]["account"]["group"] is None


def test_another_tenants_groups_are_never_listed(client: TestClient, keys: Keys, container: Container) -> None:
    # Given another tenant's account in a group, and a workspace with none
    theirs = new_workspace(client, keys)
    account = add_account(container, theirs["X-Workspace-ID"])
    client.put(f"/api/accounts/{account.id}", json={"group": "Secret client"}, headers=theirs)
    mine = new_workspace(client, keys)
    # When the workspace lists groups and filters on the other tenant's group, or sets a group on its account
    groups = client.get("/public/v1/groups", headers=raw_key(mine))
    filtered = client.get("/public/v1/integrations", params={"group": "Secret client"}, headers=raw_key(mine))
    put = client.put(f"/api/accounts/{account.id}", json={"group": "Mine now"}, headers=mine)
    # Then it sees nothing of theirs, and cannot change their account
    assert (groups.status_code, groups.json()) == (200, [])
    assert (filtered.status_code, filtered.json()) == (200, [])
    assert put.status_code == 404
    assert container.postsider_accounts.get(theirs["X-Workspace-ID"], account.id).group == "Secret client"  # type: ignore[union-attr]
