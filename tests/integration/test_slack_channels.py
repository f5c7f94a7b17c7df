"""GET /api/accounts/{id}/channels: a Slack account's channels, for the user to pick a post's channel
setting (an id Slack's users do not see), read from Slack's conversations.list a page at a time, in the
envelope, only in the account's own workspace. (The pipeline fixture points the networks' HTTP client,
which lists the channels as it publishes, at the emulator.)"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Emulator, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_accounts import connect
from tests.integration.test_posts import create, new_workspace


def _channels(client: TestClient, headers: dict[str, str], account_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/accounts/{account_id}/channels", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True
    data: dict[str, Any] = body["data"]
    return data


def test_slack_channels__paged_with_slacks_cursor__every_channel_once_and_one_takes_a_post(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a connected Slack workspace with three public channels, the app's bot in two of them
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="slack")

    # When its channels are read two at a time
    first = _channels(client, headers, account["id"], limit=2)
    second = _channels(client, headers, account["id"], limit=2, cursor=first["next_cursor"])

    # Then the pages hold every channel once, with whether the bot is in it, and the last page says so
    assert len(first["channels"]) == 2
    assert first["next_cursor"]
    assert second["next_cursor"] is None
    listed = {c["name"]: c for c in first["channels"] + second["channels"]}
    assert {n: c["is_member"] for n, c in listed.items()} == {"general": True, "random": True, "announcements": False}
    assert all(c["id"].startswith("C") and c["is_private"] is False for c in listed.values())

    # And a listed channel's id is what a post's channel setting takes
    post = create(
        client,
        headers,
        content="Hello #general",
        platforms=[account["id"]],
        platform_content={"slack": {"settings": {"channel": listed["general"]["id"]}}},
    )
    publish(client, headers, post["id"])
    pipeline.drain()
    (message,) = pipeline.posts_on("slack")
    assert message.extra["channel"] == listed["general"]["id"]
    assert get(client, headers, post["id"])["status"] == "published"


def test_slack_channels__another_workspaces_account__404_in_the_envelope(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given a Slack account of one workspace
    owner = new_workspace(client, keys)
    account = connect(client, owner, platform="slack")
    other = new_workspace(client, keys)

    # When another workspace asks for its channels
    response = client.get(f"/api/accounts/{account['id']}/channels", headers=other)

    # Then it is not found there
    assert response.status_code == 404
    body = response.json()
    assert (body["success"], body["error"]["code"]) == (False, "ACCOUNT_NOT_FOUND")


def test_slack_channels__an_account_whose_posts_name_no_channel__400(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given a Mastodon account (its posts name no channel)
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance="mastodon.social")

    # When its channels are asked for
    response = client.get(f"/api/accounts/{account['id']}/channels", headers=headers)

    # Then the request is refused as bad input naming the platform
    assert response.status_code == 400
    body = response.json()
    assert (body["error"]["code"], body["error"]["details"]["platform"]) == ("VALIDATION_ERROR", "mastodon")


def test_slack_channels__revoked_token__409_and_the_account_asks_for_a_reconnect(
    client: TestClient, keys: Keys, emulator: Emulator, pipeline: Pipeline
) -> None:
    # Given a Slack account whose token the workspace's admin has revoked
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="slack")
    emulator.state.revoke_all("slack")

    # When its channels are asked for
    response = client.get(f"/api/accounts/{account['id']}/channels", headers=headers)

    # Then the answer says to reconnect, and the account shows it
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "ACCOUNT_EXPIRED"
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "expired"


def test_slack_channels__slack_unavailable__503_and_the_account_kept(
    client: TestClient, keys: Keys, emulator: Emulator, pipeline: Pipeline
) -> None:
    # Given a Slack account, and Slack answering its next conversations.list with a 503
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="slack")
    emulator.fault("slack", "channels", 503)

    # When its channels are asked for
    response = client.get(f"/api/accounts/{account['id']}/channels", headers=headers)

    # Then it is a retryable 503 in the envelope, and the account stays active
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "NETWORK_UNAVAILABLE"
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "active"
