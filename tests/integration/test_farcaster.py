"""Farcaster through Neynar: the workspace's app holds the Neynar API key (sealed like other app
credentials), an account is connected with an approved signer (an unapproved one is refused with its
approval URL), and a post goes through the pipeline to one cast."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from socialpub.local.emulator.networks.farcaster import signed_key_body, signer_approval
from tests import media_files
from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_media import upload
from tests.integration.test_posts import create, new_workspace


def _app(client: TestClient, headers: dict[str, str]) -> tuple[str, str]:
    """A workspace's Farcaster app with its own Neynar key: (configuration id, the key)."""
    key = f"neynar-{secrets.token_hex(10)}"
    created = client.post("/api/farcaster/configurations", json={"credentials": {"apiKey": key}}, headers=headers)
    assert created.status_code == 201, created.text
    assert key not in created.text  # shown masked, like every secret
    return created.json()["configuration"]["id"], key


def _signer(pipeline: Pipeline, key: str, *, approve: bool) -> dict[str, Any]:
    base = pipeline.emulator.url
    made: dict[str, Any] = httpx.post(f"{base}/api.neynar.com/v2/farcaster/signer", headers={"x-api-key": key}).json()
    made = httpx.post(  # the app's signed key request, signed with its custody key
        f"{base}/api.neynar.com/v2/farcaster/signer/signed_key", headers={"x-api-key": key}, json=signed_key_body(made)
    ).json()
    if approve:  # the user approves it in Warpcast
        httpx.get(base + signer_approval(made["signer_approval_url"], "alice")).raise_for_status()
    return made


@pytest.mark.parametrize(
    ("given", "approved"),
    [("{real}", False), ("../x", True), ("a?b=c", True), ("x&signer_uuid={real}", True), ("{real}#", True)],
    ids=["unapproved", "path", "query", "another-signer", "fragment"],
)
def test_farcaster__signer_refused_at_connect__400_saying_why_and_no_account(
    client: TestClient, keys: Keys, pipeline: Pipeline, given: str, approved: bool
) -> None:
    # Given a workspace's Neynar app and either a signer the user has not approved yet, or an approved
    # one and a signer_uuid that is not a UUID (some would carry the real one into Neynar's query string)
    headers = new_workspace(client, keys)
    config_id, key = _app(client, headers)
    signer = _signer(pipeline, key, approve=approved)

    # When an account is connected with it
    response = client.post(
        "/api/accounts",
        json={
            "platform": "farcaster",
            "configuration_id": config_id,
            "credentials": {"signer_uuid": given.format(real=signer["signer_uuid"])},
        },
        headers=headers,
    )

    # Then it is refused in the envelope, saying where to approve it or naming the field, and no account is made
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert response.json()["success"] is False
    if approved:
        assert (error["code"], error["details"]["field"]) == ("VALIDATION_ERROR", "credentials.signer_uuid")
    else:
        assert error["code"] == "NETWORK_REJECTED"
        assert "pending_approval, not approved" in error["message"]
        assert signer["signer_approval_url"] in error["message"]
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []


def test_farcaster__approved_signer__connected_and_a_post_is_one_cast(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a workspace's Neynar app and a signer the user approved
    headers = new_workspace(client, keys)
    config_id, key = _app(client, headers)
    signer = _signer(pipeline, key, approve=True)

    # When an account is connected with it
    response = client.post(
        "/api/accounts",
        json={
            "platform": "farcaster",
            "configuration_id": config_id,
            "credentials": {"signer_uuid": signer["signer_uuid"]},
        },
        headers=headers,
    )

    # Then it is the signer's Farcaster user, and neither the app's key nor the signer is shown
    assert response.status_code == 201, response.text
    assert key not in response.text
    assert signer["signer_uuid"] not in response.text
    assert signer["signer_uuid"] not in client.get("/api/accounts", headers=headers).text
    account = response.json()["data"]["account"]
    assert (account["platform"], account["username"]) == ("farcaster", "alice")

    # When a post to a channel is published through the pipeline
    post = create(
        client,
        headers,
        content="gm from socialpub ✨",
        platforms=[account["id"]],
        platform_content={"farcaster": {"settings": {"channel": "socialpub"}}},
    )
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then Farcaster holds one cast, in the channel, and the post links to it
    (cast,) = pipeline.posts_on("farcaster")
    assert (cast.text, cast.extra["channel_id"]) == ("gm from socialpub ✨", "socialpub")
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == cast.id
    assert shown["platform_posts"][0]["url"] == cast.url


def test_farcaster__text_over_320_utf8_bytes__refused_before_publishing(client: TestClient, keys: Keys) -> None:
    # Given a Farcaster text of 107 euro signs: 107 characters, but 321 bytes of UTF-8
    headers = new_workspace(client, keys)
    response = client.post("/api/posts", json={"content": "€" * 107, "platforms": ["farcaster"]}, headers=headers)

    # Then it is refused, naming Farcaster's byte limit
    assert response.status_code == 400
    problems = response.json()["error"]["details"]["platforms"]["farcaster"]
    assert any("320 bytes" in p["message"] for p in problems), problems


def test_farcaster__an_image_cast__its_embed_url_signed_for_the_longest_a_signed_url_lasts(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a connected Farcaster account and a post with an image, in a deployment whose media links
    # last an hour (MEDIA_URL_TTL_SECONDS)
    headers = new_workspace(client, keys)
    config_id, key = _app(client, headers)
    signer = _signer(pipeline, key, approve=True)
    account = client.post(
        "/api/accounts",
        json={
            "platform": "farcaster",
            "configuration_id": config_id,
            "credentials": {"signer_uuid": signer["signer_uuid"]},
        },
        headers=headers,
    ).json()["data"]["account"]
    post = create(client, headers, content="A picture", platforms=[account["id"]])
    image = upload(client, headers, post["id"], media_files.image("PNG", (600, 400)), name="picture.png")
    assert image.status_code == 201, image.text

    # When it is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then the cast embeds the image by a URL that lasts 12 hours, not the hour other networks' fetches
    # get: Farcaster clients fetch it each time they show the cast
    (cast,) = pipeline.posts_on("farcaster")
    (embed,) = cast.extra["embeds"]
    assert parse_qs(urlsplit(embed).query)["X-Amz-Expires"] == ["43200"]
    assert len(cast.media) == 1
    assert get(client, headers, post["id"])["status"] == "published"
