"""Bluesky on a self-hosted PDS: the user names its host at connect (beside the default bsky.social);
the host goes through the SSRF guard as a Mastodon instance does, and every later call goes to it."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from socialpub.adapters.host_guard import PublicHostGuard
from socialpub.api.container import Container
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_posts import create, new_workspace

PDS = "pds.example.com"
CREDENTIALS = {"identifier": "carol.pds.example.com", "app_password": "abcd-efgh-ijkl-mnop"}


def _connect(client: TestClient, headers: dict[str, str], **body: object) -> httpx.Response:
    return client.post(
        "/api/accounts", json={"platform": "bluesky", "credentials": CREDENTIALS, **body}, headers=headers
    )


def test_bluesky__self_hosted_pds__connected_there_and_the_post_is_written_there(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a user whose account lives on their own PDS
    headers = new_workspace(client, keys)

    # When they connect with its host, beside their handle and app password
    answer = _connect(client, headers, instance=f"https://{PDS.upper()}/")

    # Then the account is connected on that host
    assert answer.status_code == 201, answer.text
    account = answer.json()["data"]["account"]
    assert (account["instance"], account["username"]) == (PDS, "carol.pds.example.com")

    # And a post published to it is written on that PDS
    post = create(client, headers, content="Hello from my PDS", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()
    (record,) = pipeline.posts_on("bluesky")
    assert (record.text, record.extra["pds"]) == ("Hello from my PDS", PDS)
    assert get(client, headers, post["id"])["status"] == "published"


def test_bluesky__no_host_named__bsky_social(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    # Given a user who names no PDS
    headers = new_workspace(client, keys)

    # When they connect
    answer = _connect(client, headers)

    # Then the account is on bsky.social
    assert answer.status_code == 201, answer.text
    assert answer.json()["data"]["account"]["instance"] == "bsky.social"


def test_bluesky__pds_host_that_is_an_address_or_internal__refused_before_any_call(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given hosts a client could use to reach inside (the local stack's guard checks names without resolving)
    headers = new_workspace(client, keys)
    families = len(emulator.state.families)
    for host in ("127.0.0.1", "10.0.0.8", "localhost", "pds.internal", "[::1]", "169.254.169.254"):
        # When a connect names one
        answer = _connect(client, headers, instance=host)

        # Then it is refused as a Mastodon instance would be, and no session was asked for
        assert answer.status_code == 400, (host, answer.text)
        error = answer.json()["error"]
        assert (error["code"], error["details"]["field"]) == ("VALIDATION_ERROR", "instance")
    assert len(emulator.state.families) == families


def test_bluesky__pds_name_resolving_to_a_private_address_in_production__refused(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    # Given the production guard, which resolves names, and a PDS name that resolves inside
    container.host_guard = PublicHostGuard(lambda host: ["10.1.2.3"], resolve=True)
    headers = new_workspace(client, keys)
    families = len(emulator.state.families)

    # When a connect names it
    answer = _connect(client, headers, instance="pds.attacker.example")

    # Then it is refused, and no session was asked for
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["details"] == {"field": "instance", "host": "pds.attacker.example"}
    assert len(emulator.state.families) == families


def test_bluesky__pds_answers_a_session_without_its_tokens__refused_in_the_envelope_nothing_stored(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given a PDS that answers createSession with 200 and a body missing what a session is made of
    headers = new_workspace(client, keys)
    for body in ({}, {"handle": "carol.pds.example.com", "accessJwt": "a", "refreshJwt": "r"}):
        emulator.fault("bluesky", "session", 200, body=body)

        # When the user connects
        answer = _connect(client, headers, instance=PDS)

        # Then the connect is refused as the network's bad answer, saying what was missing
        assert answer.status_code == 400, answer.text
        error = answer.json()["error"]
        assert (answer.json()["success"], error["code"]) == (False, "NETWORK_REJECTED")
        assert "did" in error["message"], error
    # And no account was stored
    listed = client.get("/api/accounts", headers=headers).json()["data"]
    assert listed["accounts"] == []
