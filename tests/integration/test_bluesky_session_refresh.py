"""Bluesky sessions are renewed: the accessJwt lives about 2 hours, so before it expires the session is
renewed with com.atproto.server.refreshSession on the account's own PDS, the rotated refreshJwt kept sealed;
a refused refreshJwt asks for a reconnect."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.services.collector import CollectorDeps, collect_due
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_analytics_collector import calls, collector  # noqa: F401 (fixtures)
from tests.integration.test_posts import create, new_workspace

PDS = "pds.example.com"
CREDENTIALS = {"identifier": "carol.pds.example.com", "app_password": "abcd-efgh-ijkl-mnop"}


def _connect(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    answer = client.post(
        "/api/accounts",
        json={"platform": "bluesky", "instance": PDS, "credentials": CREDENTIALS},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    account: dict[str, object] = answer.json()["data"]["account"]
    return account


def _expire_sessions(emulator: Emulator, clock: FrozenClock) -> None:
    """Two and a half hours later: every accessJwt has expired at the PDS and by the product's clock."""
    httpx.post(f"{emulator.url}/_emulator/bluesky/expire_sessions").raise_for_status()
    clock.moment += timedelta(hours=2, minutes=30)


def test_bluesky__publish_after_the_access_token_expired__session_renewed_and_posted_once(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, clock: FrozenClock, container: Container
) -> None:
    # Given a Bluesky account on its own PDS, connected with an accessJwt of about 2 hours
    headers = new_workspace(client, keys)
    account = _connect(client, headers)
    assert account["expires_at"] is not None
    stored = container.accounts.get(headers["X-Workspace-ID"], str(account["id"]))
    assert stored is not None
    first_refresh = container.secrets.open(stored.sealed["refresh_token"], stored.context("refresh_token"))

    # When its session has expired and a post is published
    _expire_sessions(emulator, clock)
    post = create(client, headers, content="Posted after the session expired", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then the session was renewed and the post is on the PDS once
    (record,) = pipeline.posts_on("bluesky")
    assert (record.text, record.extra["pds"]) == ("Posted after the session expired", PDS)
    assert get(client, headers, post["id"])["status"] == "published"
    # And the rotated refreshJwt is the one kept (sealed), the account active with a later expiry
    renewed = container.accounts.get(headers["X-Workspace-ID"], str(account["id"]))
    assert renewed is not None
    kept = container.secrets.open(renewed.sealed["refresh_token"], renewed.context("refresh_token"))
    assert kept != first_refresh
    assert kept == emulator.current_refresh_token("bluesky", CREDENTIALS["identifier"])
    assert first_refresh not in renewed.model_dump_json()
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert (shown["status"], shown["expires_at"] > account["expires_at"]) == ("active", True)
    # And the used refreshJwt is refused by the PDS from now on
    again = httpx.post(
        f"{emulator.url}/{PDS}/xrpc/com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {first_refresh}"},
    )
    assert (again.status_code, again.json()["error"]) == (400, "ExpiredToken")


def test_bluesky__refresh_token_revoked__publish_fails_needs_reconnect_and_account_expired(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a Bluesky account whose session (refreshJwt included) the user revoked, now expired
    headers = new_workspace(client, keys)
    account = _connect(client, headers)
    emulator.state.revoke_all("bluesky")
    _expire_sessions(emulator, clock)

    # When a post is published
    post = create(client, headers, content="Never posted", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then nothing is posted, the target asks for a reconnect and the account is expired
    assert pipeline.posts_on("bluesky") == []
    failed = get(client, headers, post["id"])
    assert failed["status"] == "failed"
    (progress,) = failed["platform_posts"]
    assert (progress["error_code"], progress["error_kind"]) == ("TOKEN_REJECTED", "needs_reconnect")
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "expired"


def test_bluesky__insights_read_with_an_access_token_expired_early__session_renewed_and_read_again(
    client: TestClient,
    keys: Keys,
    pipeline: Pipeline,
    emulator: Emulator,
    clock: FrozenClock,
    container: Container,
    collector: CollectorDeps,  # noqa: F811 (the fixture imported above)
) -> None:
    # Given a published Bluesky post, read once, whose accessJwt the PDS then expires early (no clock moved)
    headers = new_workspace(client, keys)
    account = _connect(client, headers)
    post = create(client, headers, content="Read through an early expiry", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()
    (record,) = [p for p in pipeline.posts_on("bluesky") if p.text == "Read through an early expiry"]
    figures = {"likeCount": 4, "repostCount": 1, "replyCount": 0, "quoteCount": 0}
    httpx.post(
        f"{emulator.url}/_emulator/metrics", json={"network": "bluesky", "id": record.id, "figures": figures}
    ).raise_for_status()
    assert collect_due(collector).targets_read == 1
    httpx.post(
        f"{emulator.url}/_emulator/bluesky/expire_sessions", json={"handle": CREDENTIALS["identifier"]}
    ).raise_for_status()

    # When its next reading is due
    clock.moment += timedelta(hours=1, seconds=1)
    collect_due(collector)

    # Then the session was renewed, not the account expired
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "active"
    stored = container.accounts.get(headers["X-Workspace-ID"], str(account["id"]))
    assert stored is not None
    kept = container.secrets.open(stored.sealed["refresh_token"], stored.context("refresh_token"))
    assert kept == emulator.current_refresh_token("bluesky", CREDENTIALS["identifier"])
    # And the post is read again at the next pass, with the renewed token
    httpx.post(
        f"{emulator.url}/_emulator/metrics",
        json={"network": "bluesky", "id": record.id, "figures": {**figures, "likeCount": 9}},
    ).raise_for_status()
    clock.moment += timedelta(minutes=5, seconds=1)
    assert collect_due(collector).targets_read == 1
    assert get(client, headers, post["id"])["analytics"]["by_platform"]["bluesky"]["engagement"] == 9 + 1
