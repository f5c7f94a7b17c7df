"""Farcaster's signer flow made by socialpub (Neynar's managed signers): where the workspace's app holds its
FID and custody key, a connect with no credentials makes a signer, signs its signed key request as the app
(EIP-712, checked by the emulated Neynar against the app's custody address) and answers Warpcast's approval
URL with a state; POST /api/accounts/callback {state} says the approval is pending until the user approves
it, then stores the account, which casts."""

from __future__ import annotations

import secrets

import httpx
from fastapi.testclient import TestClient

from socialpub.local.emulator.networks.farcaster import app_custody_key, signed_key_body, signer_approval
from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_posts import create, new_workspace

APP_FID = 9152  # the emulated Farcaster app's FID; its custody key is the emulator's app_custody_key(APP_FID)


def _app(client: TestClient, headers: dict[str, str], custody_key: str) -> tuple[str, str]:
    """A workspace's Farcaster app: its Neynar key, FID and custody key. (configuration id, the Neynar key)"""
    key = f"neynar-{secrets.token_hex(10)}"
    credentials = {"apiKey": key, "appFid": str(APP_FID), "appCustodyKey": custody_key}
    created = client.post("/api/farcaster/configurations", json={"credentials": credentials}, headers=headers)
    assert created.status_code == 201, created.text
    assert custody_key not in created.text  # sealed and shown masked, like every secret
    return created.json()["configuration"]["id"], key


def test_farcaster_signer__started_pending_approved_and_completed__one_account_that_casts_once(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a workspace's Farcaster app holding its FID and custody key
    headers = new_workspace(client, keys)
    _app(client, headers, app_custody_key(APP_FID))

    # When a connect starts with no credentials
    started = client.post("/api/accounts", json={"platform": "farcaster"}, headers=headers)

    # Then it answers Warpcast's approval URL of a new signer and a state
    assert started.status_code == 200, started.text
    data = started.json()["data"]
    assert data["auth_url"].startswith("https://client.warpcast.com/deeplinks/signed-key-request?token=")
    state = data["state"]

    # When the client asks before the user has approved it
    pending = client.post("/api/accounts/callback", json={"state": state}, headers=headers)

    # Then it is told the approval is pending, with where to approve, and no account is made
    assert pending.status_code == 409, pending.text
    assert pending.json()["success"] is False
    error = pending.json()["error"]
    assert error["code"] == "APPROVAL_PENDING"
    assert "not approved" in error["message"]
    assert error["details"]["approval_url"] == data["auth_url"]
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []

    # When the user approves the signer in Warpcast and the client asks again with the same state
    httpx.get(pipeline.emulator.url + signer_approval(data["auth_url"], "carol")).raise_for_status()
    done = client.post("/api/accounts/callback", json={"state": state}, headers=headers)

    # Then the user's Farcaster account is connected and listed, with the app's configuration
    assert done.status_code == 200, done.text
    (account,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert (account["platform"], account["username"]) == ("farcaster", "carol")
    assert account["id"] == done.json()["data"]["accounts"][0]["id"]

    # And the state is spent: asking again is refused
    assert client.post("/api/accounts/callback", json={"state": state}, headers=headers).status_code == 400

    # When a post is published to it
    post = create(client, headers, content="gm, signed by socialpub's own signer", platforms=[account["id"]])
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then Farcaster holds one cast, which the post links to
    (cast,) = pipeline.posts_on("farcaster")
    assert cast.text == "gm, signed by socialpub's own signer"
    assert get(client, headers, post["id"])["platform_posts"][0]["post_id"] == cast.id


def test_farcaster_signer__a_custody_key_not_the_apps__refused_by_neynar_and_said_to_the_user(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a workspace's Farcaster app whose custody key is not the one of its FID's custody address
    headers = new_workspace(client, keys)
    _app(client, headers, secrets.token_hex(32))

    # When a connect starts with no credentials
    response = client.post("/api/accounts", json={"platform": "farcaster"}, headers=headers)

    # Then Neynar's refusal of the signed key request is answered in the envelope, and no account is made
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "NETWORK_REJECTED"
    assert "signature" in error["message"]
    assert pipeline.posts_on("farcaster") == []
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []


def test_farcaster_signer__app_with_a_malformed_custody_key__says_what_the_configuration_needs(
    client: TestClient, keys: Keys
) -> None:
    # Given a workspace's Farcaster app whose custody key is not 64 hex digits
    headers = new_workspace(client, keys)
    _app(client, headers, "not-a-key")

    # When a connect starts with no credentials
    response = client.post("/api/accounts", json={"platform": "farcaster"}, headers=headers)

    # Then it is refused naming the configuration's fields, before Neynar is asked
    assert response.status_code == 400, response.text
    assert "appCustodyKey" in response.json()["error"]["message"]


def test_farcaster_signer__deployment_default_app__a_signer_to_approve_then_the_account(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a workspace with no Farcaster app of its own: the deployment's default one (the local stack's,
    # with the emulated app's FID and custody key)
    headers = new_workspace(client, keys)

    # When a connect starts with no credentials, the user approves the signer, and the client finishes it
    started = client.post("/api/accounts", json={"platform": "farcaster"}, headers=headers)
    assert started.status_code == 200, started.text
    data = started.json()["data"]
    httpx.get(pipeline.emulator.url + signer_approval(data["auth_url"], "dave")).raise_for_status()
    done = client.post("/api/accounts/callback", json={"state": data["state"]}, headers=headers)

    # Then the account is connected
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    assert (account["platform"], account["username"]) == ("farcaster", "dave")


def test_emulated_neynar__signed_key_request__only_the_app_custody_keys_signature_makes_it_pending(
    pipeline: Pipeline,
) -> None:
    # Given a signer an app has just made: generated, with no approval URL yet
    api = f"{pipeline.emulator.url}/api.neynar.com/v2/farcaster"
    headers = {"x-api-key": f"neynar-{secrets.token_hex(10)}"}
    made = httpx.post(f"{api}/signer", headers=headers).json()
    assert made["status"] == "generated"
    assert "signer_approval_url" not in made

    # When its signed key request is signed by a key that is not the app FID's custody key
    forged = httpx.post(
        f"{api}/signer/signed_key", headers=headers, json=signed_key_body(made, APP_FID, key=secrets.token_hex(32))
    )

    # Then it is refused and the signer stays generated
    assert forged.status_code == 400
    assert forged.json()["code"] == "InvalidSignature"
    lookup = httpx.get(f"{api}/signer", params={"signer_uuid": made["signer_uuid"]}, headers=headers).json()
    assert lookup["status"] == "generated"

    # When it is signed by the custody key
    registered = httpx.post(f"{api}/signer/signed_key", headers=headers, json=signed_key_body(made, APP_FID))

    # Then the signer waits for the user's approval at its URL
    assert registered.status_code == 200, registered.text
    assert registered.json()["status"] == "pending_approval"
    assert registered.json()["signer_approval_url"].startswith("https://client.warpcast.com/deeplinks/")
