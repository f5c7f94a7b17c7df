"""Farcaster's signer flow made by socialpub (Neynar's managed signers): where the workspace's app holds its
FID and custody key, a connect with no credentials makes a signer, signs its signed key request as the app
(EIP-712, checked by the emulated Neynar against the app's custody address) and answers Warpcast's approval
URL with a state; POST /api/accounts/callback {state} says the approval is pending until the user approves
it, then stores the account, which casts."""

from __future__ import annotations

import html
import secrets
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from socialpub.adapters.network_auth import ATTEMPTS
from socialpub.local.emulator.networks.farcaster import app_custody_key, signed_key_body, signer_approval
from tests.conftest import FrozenClock, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_posts import create, new_workspace

RETURN = "https://app.example/accounts?tab=networks"
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
    assert data["approval_url"].startswith("https://client.warpcast.com/deeplinks/signed-key-request?token=")
    state = data["state"]

    # When the client asks before the user has approved it
    pending = client.post("/api/accounts/callback", json={"state": state}, headers=headers)

    # Then it is told the approval is pending, with where to approve, and no account is made
    assert pending.status_code == 409, pending.text
    assert pending.json()["success"] is False
    error = pending.json()["error"]
    assert error["code"] == "APPROVAL_PENDING"
    assert "not approved" in error["message"]
    assert error["details"]["approval_url"] == data["approval_url"]
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []

    # When the user approves the signer in Warpcast and the client asks again with the same state
    httpx.get(pipeline.emulator.url + signer_approval(data["approval_url"], "carol")).raise_for_status()
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
    httpx.get(pipeline.emulator.url + signer_approval(data["approval_url"], "dave")).raise_for_status()
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


def _signer_started(client: TestClient, headers: dict[str, str], **body: str) -> dict[str, str]:
    started = client.post("/api/accounts", json={"platform": "farcaster", **body}, headers=headers)
    assert started.status_code == 200, started.text
    data: dict[str, str] = started.json()["data"]
    return data


def test_farcaster_signer_page__waits_for_approval_then_connects_and_goes_back_to_the_app(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a Farcaster connect started with no credentials and a return_url (the deployment's default app)
    headers = new_workspace(client, keys)
    data = _signer_started(client, headers, return_url=RETURN)

    # Then its auth_url is the hosted page for the state, and approval_url Warpcast's
    assert data["auth_url"].endswith(f"/api/accounts/connect?state={data['state']}")
    assert data["approval_url"].startswith("https://client.warpcast.com/deeplinks/signed-key-request?token=")

    # When the user opens the page before approving
    pending = client.get(data["auth_url"], follow_redirects=False)

    # Then it shows the approval link, says it waits, refreshes itself, and nothing is connected
    assert pending.status_code == 200, pending.text
    assert f'href="{html.escape(data["approval_url"])}"' in pending.text
    assert "Waiting for approval" in pending.text
    assert '<meta http-equiv="refresh" content="5">' in pending.text
    assert pending.headers["cache-control"] == "no-store"
    assert "<form" not in pending.text
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []

    # When the user approves the signer in Warpcast and the page refreshes
    httpx.get(pipeline.emulator.url + signer_approval(data["approval_url"], "erin")).raise_for_status()
    done = client.get(data["auth_url"], follow_redirects=False)

    # Then the account is connected and the user is sent back to the app with its id
    assert done.status_code == 303, done.text
    (account,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert (account["platform"], account["username"]) == ("farcaster", "erin")
    location = done.headers["location"]
    assert location.startswith(RETURN + "&")
    assert parse_qs(urlsplit(location).query) == {
        "tab": ["networks"],
        "status": ["connected"],
        "account_id": [account["id"]],
    }

    # And the state is spent: the page, refreshed again, and the API refuse it
    again = client.get(data["auth_url"], follow_redirects=False)
    assert (again.status_code, "INVALID_STATE" in again.text) == (400, True)
    assert client.post("/api/accounts/callback", json={"state": data["state"]}, headers=headers).status_code == 400


def test_farcaster_signer_page__names_the_workspace_escaped__a_form_submit_is_refused(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a workspace whose name holds markup, and a Farcaster signer connect started in it
    key = keys.headers()
    name = "<script>alert('x')</script> & Co"
    created = client.post("/api/workspaces", json={"name": name}, headers=key)
    assert created.status_code == 201, created.text
    headers = {**key, "X-Workspace-ID": created.json()["data"]["workspace"]["id"]}
    data = _signer_started(client, headers)

    # When the page is shown
    shown = client.get("/api/accounts/connect", params={"state": data["state"]})

    # Then it names the workspace as text, never as markup
    assert shown.status_code == 200, shown.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in shown.text
    assert "<script>" not in shown.text

    # When a sign-in form is posted with the signer's state (a signer_uuid of the poster's choosing)
    posted = client.post("/api/accounts/connect", data={"state": data["state"], "signer_uuid": str(uuid.uuid4())})

    # Then it is refused, and the state still waits for the approval of the signer socialpub made
    assert posted.status_code == 400, posted.text
    assert "INVALID_STATE" in posted.text
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []
    assert "Waiting for approval" in client.get("/api/accounts/connect", params={"state": data["state"]}).text


def test_farcaster_signer_page__expired_state__the_refused_page_even_once_approved(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given a Farcaster signer connect whose state is older than its 10 minutes, approved too late
    headers = new_workspace(client, keys)
    data = _signer_started(client, headers, return_url=RETURN)
    clock.moment += timedelta(minutes=11)
    httpx.get(pipeline.emulator.url + signer_approval(data["approval_url"], "frank")).raise_for_status()

    # When the user opens the page
    page = client.get(data["auth_url"], follow_redirects=False)

    # Then the expired state is refused on a page, with no redirect, and nothing is connected
    assert page.status_code == 400, page.text
    assert "INVALID_STATE" in page.text
    assert "location" not in page.headers
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []


def test_farcaster_signer__neynar_failing_for_a_moment__503_and_the_same_state_still_completes(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a signer connect the user has approved in Warpcast, and Neynar's signer lookup failing for
    # every attempt of one ask (the product retries a 5xx itself)
    headers = new_workspace(client, keys)
    _app(client, headers, app_custody_key(APP_FID))
    data = client.post("/api/accounts", json={"platform": "farcaster"}, headers=headers).json()["data"]
    httpx.get(pipeline.emulator.url + signer_approval(data["approval_url"], "carol")).raise_for_status()
    pipeline.emulator.fault("farcaster", "signer", 503, count=ATTEMPTS, body={"message": "unavailable"})

    # When the client asks with the state
    failed = client.post("/api/accounts/callback", json={"state": data["state"]}, headers=headers)

    # Then it is told to retry, in the envelope, and no account is made
    assert failed.status_code == 503, failed.text
    assert failed.json()["error"]["code"] == "NETWORK_UNAVAILABLE"
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []

    # When it asks again with the same state, Neynar answering
    done = client.post("/api/accounts/callback", json={"state": data["state"]}, headers=headers)

    # Then the approved signer's account is connected
    assert done.status_code == 200, done.text
    (account,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert account["username"] == "carol"
