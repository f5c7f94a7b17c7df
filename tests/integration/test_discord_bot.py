"""Discord posts are made by the app's bot, with the app's bot token (an app credential beside clientId
and clientSecret: the deployment's defaults or a workspace's configuration), never with the user's
OAuth token, which Discord refuses on the bot's endpoints."""

from __future__ import annotations

import json
from typing import Any

import boto3
from fastapi.testclient import TestClient

from socialpub.config import PublisherSettings, load
from socialpub.local.emulator.networks.discord import bot_token
from socialpub.local.emulator.state import number_of
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_accounts import CALLBACK, connect
from tests.integration.test_posts import create, new_workspace

GENERAL = number_of("discord", "emulated-user", " #general")


def _post_to_general(client: TestClient, headers: dict[str, str], account: dict[str, Any]) -> dict[str, Any]:
    return create(
        client,
        headers,
        content="Launch day",
        platforms=[account["id"]],
        platform_content={"discord": {"settings": {"channel_id": GENERAL}}},
    )


def _defaults_without_bot_token() -> None:
    """The deployment's default Discord app loses its bot token (an operator removed it)."""
    sm = boto3.client("secretsmanager")
    secret_id = load(PublisherSettings).integration_defaults_secret
    defaults = json.loads(sm.get_secret_value(SecretId=secret_id)["SecretString"])
    defaults["discord"].pop("botToken")
    sm.put_secret_value(SecretId=secret_id, SecretString=json.dumps(defaults))


def test_discord__connected_with_the_default_app__its_bot_posts_the_message(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a Discord account connected with the deployment's default app (which has its bot token)
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="discord")

    # When a post to its #general channel is published
    post = _post_to_general(client, headers, account)
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then the channel holds one message, posted by the app's bot, and the post is published
    (message,) = pipeline.posts_on("discord")
    assert (message.text, message.extra["channel_id"]) == ("Launch day", GENERAL)
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == message.id


def test_discord__workspace_app_with_its_bot_token__kept_masked_and_its_bot_posts(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a workspace's own Discord app with its bot token
    headers = new_workspace(client, keys)
    secret = bot_token("workspace-discord-app")
    body = {"credentials": {"clientId": "workspace-discord-app", "clientSecret": "s3cret", "botToken": secret}}
    created = client.post("/api/discord/configurations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    config = created.json()["configuration"]
    # Then the bot token is shown masked, like every secret
    assert config["credentials"]["botToken"] != secret
    assert secret not in created.text

    # When an account connected with that app publishes
    account = connect(client, headers, platform="discord", configuration_id=config["id"])
    post = _post_to_general(client, headers, account)
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then that app's bot posted it
    (message,) = pipeline.posts_on("discord")
    assert message.text == "Launch day"
    assert get(client, headers, post["id"])["status"] == "published"


def test_discord__workspace_app_without_a_bot_token__connect_refused_with_what_to_add(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given a workspace's own Discord app registered without its bot token
    headers = new_workspace(client, keys)
    body = {"credentials": {"clientId": "no-bot-app", "clientSecret": "s3cret"}}
    config = client.post("/api/discord/configurations", json=body, headers=headers).json()["configuration"]

    # When a connect with it starts
    answer = client.post(
        "/api/accounts",
        json={"platform": "discord", "callback_url": CALLBACK, "configuration_id": config["id"]},
        headers=headers,
    )

    # Then it is refused before the user is sent to Discord, saying which credential to add
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "INTEGRATION_NOT_CONFIGURED"
    assert "botToken" in error["message"]
    assert error["details"]["missing"] == "botToken"


def test_discord__default_app_lost_its_bot_token__the_target_fails_saying_so(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a Discord account connected with the default app, which has since lost its bot token
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="discord")
    _defaults_without_bot_token()

    # When a post is published
    post = _post_to_general(client, headers, account)
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then nothing was sent, and the target failed for good with a message naming the missing credential
    assert pipeline.posts_on("discord") == []
    shown = get(client, headers, post["id"])
    (target,) = shown["platform_posts"]
    assert (shown["status"], target["error_code"], target["error_kind"]) == (
        "failed",
        "INTEGRATION_NOT_CONFIGURED",
        "permanent",
    )
    assert "botToken" in target["error"]
    # And the account is not marked expired: reconnecting would not help
    accounts = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert accounts[0]["status"] == "active"
