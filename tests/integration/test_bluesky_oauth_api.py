"""Bluesky connected through the API with atproto OAuth (``method: "oauth"``): the handle resolved to its
PDS and authorization server, the user sent to its consent page, the hosted callback storing the account
with its DPoP key sealed; posts and insights then go out with DPoP proofs of that key."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from socialpub.adapters.network_urls import network_url
from socialpub.api.container import Container
from socialpub.domain.services.collector import CollectorDeps, collect_due
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_analytics_collector import calls, collector  # noqa: F401 (fixtures)
from tests.integration.test_posts import create, new_workspace

DEV_CLIENT_ID = (
    "http://localhost?redirect_uri=http%3A%2F%2Ftestserver%2Fapi%2Faccounts%2Fcallback"
    "&scope=atproto%20transition%3Ageneric"
)


def _start(client: TestClient, headers: dict[str, str], handle: str) -> dict[str, str]:
    answer = client.post(
        "/api/accounts",
        json={"platform": "bluesky", "method": "oauth", "credentials": {"identifier": handle}},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    started: dict[str, str] = answer.json()["data"]
    return started


def _allow(emulator: Emulator, auth_url: str, user: str | None = None) -> str:
    """What the person does in the browser: the consent page, Allow (as ``user``); the redirect it answers."""
    page = httpx.get(network_url(auth_url, emulator.url))
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    hint = re.search(r'<input name="user" value="([^"]*)">', page.text)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert hint is not None
    assert action is not None
    answer = httpx.post(
        emulator.url + action.group(1), data={**fields, "user": user or hint.group(1), "decision": "allow"}
    )
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def _connect(client: TestClient, headers: dict[str, str], emulator: Emulator, handle: str) -> dict[str, object]:
    started = _start(client, headers, handle)
    back = urlsplit(_allow(emulator, started["auth_url"]))
    assert (back.scheme, back.netloc, back.path) == ("http", "testserver", "/api/accounts/callback")
    page = client.get(f"{back.path}?{back.query}", follow_redirects=False)
    assert page.status_code == 200, page.text
    assert "Account connected" in page.text
    (account,) = client.get("/api/accounts", params={"platform": "bluesky"}, headers=headers).json()["data"]["accounts"]
    return dict(account)


def test_bluesky_oauth__connect_then_publish__account_listed_and_the_post_made_once_with_dpop(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, container: Container
) -> None:
    # Given a workspace and a Bluesky handle whose PDS offers atproto OAuth
    headers = new_workspace(client, keys)
    handle = "nora-oauth.bsky.social"

    # When it is connected with method oauth (the pushed request made as the development client on http)
    started = _start(client, headers, handle)
    assert started["auth_url"].startswith("https://bsky.social/oauth/authorize?")
    assert parse_qs(urlsplit(started["auth_url"]).query)["client_id"] == [DEV_CLIENT_ID]
    back = urlsplit(_allow(emulator, started["auth_url"]))
    page = client.get(f"{back.path}?{back.query}", follow_redirects=False)

    # Then the hosted callback connected it: listed, its DPoP key sealed, the client_id and PDS kept
    assert page.status_code == 200, page.text
    listed = client.get("/api/accounts", params={"platform": "bluesky"}, headers=headers).json()["data"]["accounts"]
    (account,) = listed
    assert (account["username"], account["status"]) == (handle, "active")
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert {"access_token", "refresh_token", "dpop_key"} <= set(stored.sealed)
    assert stored.metadata["client_id"] == parse_qs(urlsplit(started["auth_url"]).query)["client_id"][0]
    assert stored.instance
    assert stored.external_id.startswith("did:plc:")
    assert "PRIVATE KEY" not in stored.model_dump_json()

    # When a post is published to it
    post = create(client, headers, content="Posted with atproto OAuth", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then the PDS holds it once (the emulator refuses a DPoP-bound token sent as a bearer)
    assert [p.text for p in pipeline.posts_on("bluesky")] == ["Posted with atproto OAuth"]
    assert get(client, headers, post["id"])["status"] == "published"


def test_bluesky_oauth__another_account_signs_in__refused_in_the_envelope_and_nothing_stored(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given a connect started for one handle
    headers = new_workspace(client, keys)
    started = _start(client, headers, "olga-oauth.bsky.social")

    # When another account approves it on the consent page and the code comes back to the API
    back = {
        k: v[0]
        for k, v in parse_qs(urlsplit(_allow(emulator, started["auth_url"], "mallory.bsky.social")).query).items()
    }
    answer = client.post(
        "/api/accounts/callback",
        json={"state": back["state"], "code": back["code"], "iss": back["iss"]},
        headers=headers,
    )

    # Then it is refused, saying another account signed in, and no account is stored
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "NETWORK_REJECTED"
    assert "another account" in error["message"]
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []


def test_bluesky_oauth__insights_read_with_dpop__figures_read_and_the_account_stays_active(
    client: TestClient,
    keys: Keys,
    pipeline: Pipeline,
    emulator: Emulator,
    collector: CollectorDeps,  # noqa: F811 (the fixture imported above)
) -> None:
    # Given a published post of an account connected with atproto OAuth, with figures on Bluesky
    headers = new_workspace(client, keys)
    account = _connect(client, headers, emulator, "pia-oauth.bsky.social")
    post = create(client, headers, content="Read with DPoP", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()
    (record,) = [p for p in pipeline.posts_on("bluesky") if p.text == "Read with DPoP"]
    figures = {"likeCount": 5, "repostCount": 2, "replyCount": 1, "quoteCount": 0}
    httpx.post(
        f"{emulator.url}/_emulator/metrics", json={"network": "bluesky", "id": record.id, "figures": figures}
    ).raise_for_status()

    # When the insights are collected
    report = collect_due(collector)

    # Then the post was read (with DPoP: a bearer would be refused) and the account is still active
    assert report.targets_read == 1
    assert get(client, headers, post["id"])["analytics"]["by_platform"]["bluesky"]["engagement"] == 5 + 2 + 1
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "active"
