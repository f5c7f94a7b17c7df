"""Slack through the API: OAuth v2 with the bot scopes (comma-separated), the workspace connected as the
account, and a post refused with a clear 400 when it names no channel or a malformed one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Emulator, Keys
from tests.integration.pipeline import publish
from tests.integration.test_accounts import connect, start
from tests.integration.test_posts import create, new_workspace


def test_slack__connect__the_workspace_is_the_account_with_its_bot_user(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    # Given Slack's consent asking for the bot scopes, comma-separated as Slack takes them
    started = start(client, headers, platform="slack")
    assert "scope=chat%3Awrite%2Cfiles%3Awrite%2Cchannels%3Aread" in started["auth_url"]

    # When the workspace's admin allows it
    account = connect(client, headers, platform="slack")

    # Then the account is the workspace (auth.test's team), with the bot's user id kept to find its messages
    assert (account["platform"], account["type"]) == ("slack", "workspace")
    assert account["name"] == "Emulated User Workspace"
    assert account["metadata"]["bot_user_id"].startswith("U")
    assert account["metadata"]["workspace_url"] == "https://emulated-user.slack.com/"


def test_slack__post_without_a_channel_or_with_a_name__400_naming_the_setting(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    connect(client, headers, platform="slack")
    # Given a Slack draft naming no channel (a draft may wait for it)
    post = create(client, headers, content="Hello", platforms=["slack"])
    assert ("slack", "setting_required") in {(f["platform"], f["rule"]) for f in post["validation"]["pending"]}

    # When it is published
    response = publish(client, headers, post["id"])

    # Then it is refused in the envelope, naming the setting Slack needs
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["error"]["code"]) == (False, "VALIDATION_ERROR")
    assert body["error"]["details"]["platforms"]["slack"] == [
        {
            "rule": "setting_required",
            "field": "platform_content.slack.settings.channel",
            "message": "Slack needs settings.channel",
        }
    ]

    # And a channel's name instead of its id is refused at once, before anything reaches Slack
    named = client.post(
        "/api/posts",
        json={
            "content": "Hello",
            "platforms": ["slack"],
            "platform_content": {"slack": {"settings": {"channel": "#general"}}},
        },
        headers=headers,
    )
    assert named.status_code == 400
    (finding,) = named.json()["error"]["details"]["platforms"]["slack"]
    assert (finding["rule"], finding["field"]) == ("invalid_setting", "platform_content.slack.settings.channel")
