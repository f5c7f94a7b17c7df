"""/api/accounts and Pizzly's authentications, against the platform emulator over loopback HTTP:
connect flows, state checks, sealed tokens, refresh under races and outages, disconnects."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.accounts import AccountStatus, TokenSet, legacy_account_id
from socialpub.domain.posts import PostStatus
from socialpub.domain.services import accounts as service
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.test_posts import create, new_workspace, set_status

CALLBACK = "https://app.example/oauth/callback"


def start(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("callback_url", CALLBACK)
    response = client.post("/api/accounts", json=body, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def consent(auth_url: str, user: str = "emulated-user", decision: str = "allow") -> dict[str, str]:
    """What the person does in the browser: open auth_url, press Allow; returns the redirect's query."""
    page = httpx.get(auth_url)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    origin = f"{urlsplit(auth_url).scheme}://{urlsplit(auth_url).netloc}"
    answer = httpx.post(origin + action.group(1), data={**fields, "user": user, "decision": decision})
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def connect(
    client: TestClient, headers: dict[str, str], platform: str = "twitter", user: str = "emulated-user", **body: Any
) -> dict[str, Any]:
    started = start(client, headers, platform=platform, **body)
    query = consent(started["auth_url"], user=user)
    done = client.post("/api/accounts/callback", json={"state": query["state"], "code": query["code"]}, headers=headers)
    assert done.status_code == 200, done.text
    account: dict[str, Any] = done.json()["data"]["accounts"][0]
    return account


def test_oauth_connect_with_pkce_stores_tokens_sealed_and_shows_them_nowhere(
    client: TestClient, keys: Keys, emulator: Emulator, aws: dict[str, str]
) -> None:
    headers = new_workspace(client, keys)
    # When a client starts an X connect
    started = start(client, headers, platform="twitter")
    # Then it gets the seed's answer, an auth_url on the network (the emulator) with PKCE and its state
    assert started["expires_in"] == 600
    url = urlsplit(started["auth_url"])
    assert url.path == "/x.com/i/oauth2/authorize"
    query = parse_qs(url.query)
    assert query["state"] == [started["state"]]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["client_id"] == ["socialpub-local-twitter"]  # the deployment's default app
    # When the person approves and the client hands over code and state
    back = consent(started["auth_url"], user="ada")
    done = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)
    # Then the account is connected with the profile the network gave
    assert done.status_code == 200, done.text
    body = done.json()["data"]
    assert body["status"] == "connected"
    account = body["accounts"][0]
    assert (account["platform"], account["type"], account["name"], account["username"]) == (
        "twitter",
        "profile",
        "Ada",
        "ada",
    )
    assert account["status"] == "active"
    assert account["is_default"] is True
    assert account["stats"]["followers"] == 1200
    assert account["health"]["token_valid"] is True
    assert account["expires_at"] is not None
    assert "offline.access" in account["permissions"]
    # And the tokens are stored as KMS ciphertexts only, and appear in no response
    issued = emulator.current_refresh_token("twitter", "ada")
    assert issued
    item = boto3.client("dynamodb").get_item(
        TableName=aws["WORKSPACES_TABLE"],
        Key={"pk": {"S": f"WS#{headers['X-Workspace-ID']}"}, "sk": {"S": f"ACCOUNT#{account['id']}"}},
    )["Item"]
    assert issued not in str(item)
    assert set(item["sealed"]["M"]) == {"access_token", "refresh_token"}
    listed = client.get("/api/accounts", headers=headers)
    one = client.get(f"/api/accounts/{account['id']}", headers=headers)
    for response in (done, listed, one):
        assert issued not in response.text
        assert "refresh_token" not in response.text
    assert [a["id"] for a in listed.json()["data"]["accounts"]] == [account["id"]]
    # And the workspace counts and lists it
    ws = client.get(f"/api/workspaces/{headers['X-Workspace-ID']}", headers=headers).json()["data"]["workspace"]
    assert [a["id"] for a in ws["accounts"]] == [account["id"]]
    listed_ws = client.get("/api/workspaces", headers=headers).json()["data"]["workspaces"]
    assert next(w for w in listed_ws if w["id"] == headers["X-Workspace-ID"])["accounts_count"] == 1


def test_state_is_single_use_expires_and_belongs_to_its_workspace(
    client: TestClient, keys: Keys, emulator: Emulator, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    other = new_workspace(client, keys)
    started = start(client, headers, platform="linkedin")
    back = consent(started["auth_url"])
    # Given another workspace's key presenting the state: refused, and the state is not used up
    stolen = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=other)
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (400, "INVALID_STATE")
    # The owner completes it once
    ok = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)
    assert ok.status_code == 200, ok.text
    # A second use is refused
    again = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)
    assert (again.status_code, again.json()["error"]["code"]) == (400, "INVALID_STATE")
    # And a state older than its 10 minutes is refused
    late = start(client, headers, platform="linkedin")
    late_back = consent(late["auth_url"])
    clock.moment += timedelta(minutes=11)
    expired = client.post(
        "/api/accounts/callback", json={"state": late_back["state"], "code": late_back["code"]}, headers=headers
    )
    assert (expired.status_code, expired.json()["error"]["code"]) == (400, "INVALID_STATE")
    # Unknown states and malformed bodies get the envelope, not a 500
    unknown = client.post("/api/accounts/callback", json={"state": "nope", "code": "x"}, headers=headers)
    assert unknown.json()["error"]["code"] == "INVALID_STATE"
    malformed = client.post("/api/accounts/callback", json={"state": 5}, headers=headers)
    assert (malformed.status_code, malformed.json()["success"]) == (400, False)


def test_denied_consent_and_bad_inputs_get_clear_errors(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    headers = new_workspace(client, keys)
    started = start(client, headers, platform="twitter")
    back = consent(started["auth_url"], decision="deny")
    denied = client.post(
        "/api/accounts/callback", json={"state": back["state"], "error": back["error"]}, headers=headers
    )
    assert (denied.status_code, denied.json()["error"]["code"]) == (400, "NETWORK_REJECTED")
    assert "access_denied" in denied.json()["error"]["message"]
    cases = [
        ({"platform": "myspace", "callback_url": CALLBACK}, 404, "INTEGRATION_NOT_FOUND"),
        ({"platform": "twitter", "callback_url": "http://evil.example/cb"}, 400, "VALIDATION_ERROR"),
        ({"platform": "twitter", "callback_url": "javascript:alert(1)"}, 400, "VALIDATION_ERROR"),
        ({"platform": "twitter", "configuration_id": "cfg_missing"}, 404, "CONFIGURATION_NOT_FOUND"),
        ({"platform": "mastodon"}, 400, "VALIDATION_ERROR"),
        ({"platform": "bluesky", "credentials": {"identifier": "ada"}}, 400, "VALIDATION_ERROR"),
    ]
    for body, status, code in cases:
        response = client.post("/api/accounts", json=body, headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body


def test_a_workspace_configuration_is_used_instead_of_the_default_app(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    config = client.post(
        "/api/twitter/configurations",
        json={"credentials": {"clientId": "their-own-app", "clientSecret": "their-own-secret-123"}},
        headers=headers,
    ).json()["configuration"]
    started = start(client, headers, platform="twitter")
    assert parse_qs(urlsplit(started["auth_url"]).query)["client_id"] == ["their-own-app"]
    account = connect(client, headers, configuration_id=config["id"])
    assert account["status"] == "active"


def test_refresh_rotation_under_two_concurrent_refreshes_keeps_the_newest_token(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="grace")
    ws = headers["X-Workspace-ID"]
    deps = container.account_deps()
    deps.sleep = lambda seconds: time.sleep(0.01)
    # When two refreshes of the same account race (X rotates its refresh token on every refresh)
    results: list[Any] = []

    def refresh() -> None:
        try:
            results.append(service.refresh_account(deps, ws, account["id"], force=True))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Then both succeed, and what is stored is the refresh token the network holds as current
    assert all(not isinstance(r, Exception) for r in results), results
    stored = container.accounts.get(ws, account["id"])
    assert stored is not None
    assert stored.status is AccountStatus.ACTIVE
    opened = container.secrets.open(stored.sealed["refresh_token"], stored.context("refresh_token"))
    assert opened == emulator.current_refresh_token("twitter", "grace")
    # And a later refresh (through Pizzly's path) still works with it
    later = client.post(f"/api/twitter/authentications/{account['id']}/refresh", headers=headers)
    assert later.status_code == 200, later.text
    assert later.json()["message"] == "Authentication refreshed"


def test_a_503_from_the_token_endpoint_leaves_the_account_active(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="linus")
    # Given the token endpoint answering 503 to every attempt
    emulator.fault("twitter", "token", 503, count=3)
    refreshed = client.get(f"/api/twitter/authentications/{account['id']}/refresh", headers=headers)
    # Then the client is told to retry, and the account stays active with the failure in its health
    assert (refreshed.status_code, refreshed.json()["error"]["code"]) == (503, "NETWORK_UNAVAILABLE")
    assert refreshed.headers["Retry-After"]
    after = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert after["status"] == "active"
    assert after["health"]["errors"]
    assert "503" in after["health"]["errors"][0]
    # And once the network is back, a refresh works (the transient failure lost nothing)
    assert client.get(f"/api/twitter/authentications/{account['id']}/refresh", headers=headers).status_code == 200


def test_invalid_grant_marks_the_account_expired_and_records_the_event(
    client: TestClient, keys: Keys, emulator: Emulator, aws: dict[str, str]
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="margaret")
    emulator.fault(
        "twitter",
        "token",
        400,
        body={"error": "invalid_grant", "error_description": "Value passed for the token was invalid."},
    )
    refreshed = client.post(f"/api/twitter/authentications/{account['id']}/refresh", headers=headers)
    assert (refreshed.status_code, refreshed.json()["error"]["code"]) == (409, "ACCOUNT_EXPIRED")
    after = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert after["status"] == "expired"
    assert after["health"]["token_valid"] is False
    expired = client.get("/api/accounts", params={"status": "expired"}, headers=headers).json()["data"]["accounts"]
    assert [a["id"] for a in expired] == [account["id"]]
    events = boto3.client("dynamodb").query(
        TableName=aws["WORKSPACES_TABLE"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": f"WS#{headers['X-Workspace-ID']}"}, ":e": {"S": "EVENT#"}},
    )["Items"]
    assert [e["type"]["S"] for e in events] == ["account.connected", "account.expired"]


def test_pizzly_authentications_are_masked_and_other_tenants_get_404(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="barbara")
    listed = client.get("/api/twitter/authentications", headers=headers).json()
    assert listed["object"] == "list"
    auth = listed["authentications"][0]
    assert (auth["object"], auth["id"]) == ("authentication", account["id"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{4}\*+", auth["payload"]["accessToken"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{4}\*+", auth["payload"]["refreshToken"])
    assert isinstance(auth["payload"]["updatedAt"], int)
    # Another network's path does not show it
    wrong = client.get(f"/api/linkedin/authentications/{account['id']}", headers=headers)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (404, "AUTHENTICATION_NOT_FOUND")
    # Another workspace sees nothing of it, by any path
    outsider = new_workspace(client, keys)
    for method, path in [
        ("GET", f"/api/accounts/{account['id']}"),
        ("PUT", f"/api/accounts/{account['id']}"),
        ("DELETE", f"/api/accounts/{account['id']}"),
        ("GET", f"/api/twitter/authentications/{account['id']}"),
        ("POST", f"/api/twitter/authentications/{account['id']}/refresh"),
        ("DELETE", f"/api/twitter/authentications/{account['id']}"),
    ]:
        response = client.request(method, path, headers=outsider, json={"name": "x"} if method == "PUT" else None)
        assert response.status_code == 404, (method, path, response.text)
    assert client.get("/api/accounts", headers=outsider).json()["data"]["accounts"] == []
    # And the account is untouched
    assert client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]["name"] == "Barbara"


def test_update_name_settings_and_default(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    headers = new_workspace(client, keys)
    first = connect(client, headers, user="alan")
    second = connect(client, headers, user="turing")
    assert (first["is_default"], second["is_default"]) == (True, False)
    changed = client.put(
        f"/api/accounts/{second['id']}",
        json={
            "name": "Company",
            "is_default": True,
            "settings": {"auto_hashtags": True, "default_hashtags": ["brand"]},
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    account = changed.json()["data"]["account"]
    assert (account["name"], account["is_default"]) == ("Company", True)
    assert account["settings"] == {"auto_hashtags": True, "default_hashtags": ["#brand"]}
    again = client.get(f"/api/accounts/{first['id']}", headers=headers).json()["data"]["account"]
    assert again["is_default"] is False
    bad = client.put(f"/api/accounts/{second['id']}", json={"settings": {"colour": "red"}}, headers=headers)
    assert (bad.status_code, bad.json()["error"]["details"]["unknown_fields"]) == (422, ["settings.colour"])
    blank = client.put(f"/api/accounts/{second['id']}", json={"name": "  "}, headers=headers)
    assert blank.status_code == 400
    assert client.get(f"/api/accounts/{second['id']}", headers=headers).json()["data"]["account"]["name"] == "Company"


def test_delete_revokes_and_cancels_scheduled_targets(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="hedy")
    # Given two scheduled posts naming the account (one also going to LinkedIn) and a draft naming it
    only = create(client, headers, platforms=[account["id"]])
    mixed = create(client, headers, platforms=[account["id"], "linkedin"])
    draft = create(client, headers, platforms=[account["id"]])
    for post in (only, mixed):
        set_status(container, headers, post["id"], PostStatus.SCHEDULED)
    # When the account is disconnected
    response = client.delete(f"/api/accounts/{account['id']}", headers=headers)
    # Then the seed's answer counts the scheduled posts it was taken out of, and the token is revoked
    assert response.status_code == 200, response.text
    body = response.json()["data"]
    assert body == {"message": "Account disconnected successfully", "cancelled_posts": 2, "token_revoked": True}
    family = next(f for f in emulator.state.families if f.user == "hedy")
    assert family.revoked
    # The post left with no target is a draft again; the other keeps LinkedIn and stays scheduled
    ws = headers["X-Workspace-ID"]
    only_after = container.posts.get(ws, only["id"])
    mixed_after = container.posts.get(ws, mixed["id"])
    draft_after = container.posts.get(ws, draft["id"])
    assert only_after is not None
    assert mixed_after is not None
    assert draft_after is not None
    assert (only_after.status, only_after.platforms) == (PostStatus.DRAFT, [])
    assert (mixed_after.status, mixed_after.platforms) == (PostStatus.SCHEDULED, ["linkedin"])
    assert draft_after.account_ids == [account["id"]]  # drafts are not scheduled: untouched
    assert client.get(f"/api/posts/{only['id']}", headers=headers).status_code == 200
    # And the account is gone
    assert client.get(f"/api/accounts/{account['id']}", headers=headers).status_code == 404
    assert client.delete(f"/api/accounts/{account['id']}", headers=headers).status_code == 404


def test_reconnect_keeps_the_stored_refresh_token_when_none_comes_back(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="youtube", user="grace")
    ws = headers["X-Workspace-ID"]
    before = container.accounts.get(ws, account["id"])
    assert before is not None
    kept = container.secrets.open(before.sealed["refresh_token"], before.context("refresh_token"))

    class NoRefreshOnReconsent:
        """Google's behaviour on a second consent without prompt=consent: no refresh_token."""

        def __init__(self, real: Any) -> None:
            self.real = real

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

        def exchange_code(self, *args: Any, **kwargs: Any) -> TokenSet:
            tokens: TokenSet = self.real.exchange_code(*args, **kwargs)
            return tokens.model_copy(update={"refresh_token": None})

    container.network_auth = NoRefreshOnReconsent(container.network_auth)  # type: ignore[assignment]
    again = connect(client, headers, platform="youtube", user="grace")
    assert again["id"] == account["id"]  # the same channel: updated, not added
    after = container.accounts.get(ws, account["id"])
    assert after is not None
    assert after.token_version > before.token_version
    assert container.secrets.open(after.sealed["refresh_token"], after.context("refresh_token")) == kept
    assert len(client.get("/api/accounts", headers=headers).json()["data"]["accounts"]) == 1


def test_app_password_bot_token_and_mastodon_instance_flows(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    headers = new_workspace(client, keys)
    # Bluesky: handle + app password, checked at once
    bluesky = client.post(
        "/api/accounts",
        json={
            "platform": "bluesky",
            "credentials": {"identifier": "ada.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        },
        headers=headers,
    )
    assert bluesky.status_code == 201, bluesky.text
    account = bluesky.json()["data"]["account"]
    assert (account["platform"], account["username"]) == ("bluesky", "ada.bsky.social")
    assert "abcd-efgh" not in bluesky.text
    # Pizzly's view shows the app password masked; the session is renewed with refreshSession
    auth = client.get(f"/api/bluesky/authentications/{account['id']}", headers=headers).json()
    assert auth["payload"]["appPassword"] == "abcd***************"
    refresh = client.post(f"/api/bluesky/authentications/{account['id']}/refresh", headers=headers)
    assert refresh.status_code == 200, refresh.text
    wrong = client.post(
        "/api/accounts",
        json={"platform": "bluesky", "credentials": {"identifier": "ada.bsky.social", "app_password": "my-password"}},
        headers=headers,
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "NETWORK_REJECTED")
    # Telegram: a bot token and the channel it posts to
    token = "123456789:AAH" + "x" * 32
    telegram = client.post(
        "/api/accounts",
        json={"platform": "telegram", "credentials": {"bot_token": token, "chat_id": "@news"}},
        headers=headers,
    )
    assert telegram.status_code == 201, telegram.text
    assert telegram.json()["data"]["account"]["type"] == "channel"
    assert token not in telegram.text
    bad_bot = client.post(
        "/api/accounts",
        json={"platform": "telegram", "credentials": {"bot_token": "nope", "chat_id": "@news"}},
        headers=headers,
    )
    assert (bad_bot.status_code, bad_bot.json()["error"]["code"]) == (400, "NETWORK_REJECTED")
    # Mastodon: the app is registered on the instance the client names, then OAuth as usual
    mastodon = connect(client, headers, platform="mastodon", instance="https://Mastodon.Social/")
    assert (mastodon["platform"], mastodon["instance"]) == ("mastodon", "mastodon.social")
    for instance in ("10.0.0.1", "169.254.169.254", "localhost", "metadata.internal", "intranet"):
        refused = client.post(
            "/api/accounts",
            json={"platform": "mastodon", "instance": instance, "callback_url": CALLBACK},
            headers=headers,
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, "VALIDATION_ERROR"), instance
    assert len(client.get("/api/accounts", headers=headers).json()["data"]["accounts"]) == 3


def test_facebook_page_selection_and_instagram_business_account(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    started = start(client, headers, platform="facebook")
    back = consent(started["auth_url"], user="acme")
    first = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)
    assert first.status_code == 200, first.text
    offered = first.json()["data"]
    assert offered["status"] == "selection_required"
    assert [c["name"] for c in offered["choices"]] == ["Acme Page 1", "Acme Page 2"]
    assert "access_token" not in first.text
    bad = client.post(
        "/api/accounts/callback", json={"state": back["state"], "selection": ["not-a-page"]}, headers=headers
    )
    assert bad.status_code == 400
    chosen = client.post(
        "/api/accounts/callback",
        json={"state": back["state"], "selection": [offered["choices"][1]["id"]]},
        headers=headers,
    )
    assert chosen.status_code == 200, chosen.text
    page = chosen.json()["data"]["accounts"][0]
    assert (page["type"], page["name"], page["expires_at"]) == ("page", "Acme Page 2", None)
    assert page["metadata"]["category"] == "Company"
    # The state is used up once the choice is made
    replay = client.post("/api/accounts/callback", json={"state": back["state"], "selection": []}, headers=headers)
    assert replay.json()["error"]["code"] == "INVALID_STATE"
    # Instagram: only one of the pages has a business account, so it connects without a choice
    insta = connect(client, headers, platform="instagram", user="acme")
    assert (insta["type"], insta["username"]) == ("business", "acme-page-1")


def test_hosted_callback_page_finishes_and_returns_to_the_app(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    started = client.post(
        "/api/accounts",
        json={"platform": "linkedin", "return_url": "https://app.example/done?from=socialpub"},
        headers=headers,
    ).json()["data"]
    redirect_uri = parse_qs(urlsplit(started["auth_url"]).query)["redirect_uri"][0]
    assert redirect_uri == "http://testserver/api/accounts/callback"
    back = consent(started["auth_url"], user="joan")
    # The browser lands on the hosted page, with no API key
    landed = client.get("/api/accounts/callback", params=back, follow_redirects=False)
    assert landed.status_code == 302, landed.text
    target = urlsplit(landed.headers["location"])
    assert (target.netloc, target.path) == ("app.example", "/done")
    returned = parse_qs(target.query)
    assert returned["from"] == ["socialpub"]
    assert returned["status"] == ["connected"]
    account = client.get(f"/api/accounts/{returned['account_id'][0]}", headers=headers).json()["data"]["account"]
    assert account["name"] == "Joan"
    # A replayed or forged landing gets a page saying so, never an account
    replay = client.get("/api/accounts/callback", params=back)
    assert replay.status_code == 400
    assert "could not be connected" in replay.text


def test_scheduled_refresher_refreshes_due_tokens_and_expires_unrefreshable_ones(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    x = connect(client, headers, user="katherine")  # 2 h tokens, refreshable
    linkedin = connect(client, headers, platform="linkedin", user="katherine")  # 60 days, not refreshable
    deps = container.account_deps()
    # An hour and a half later, the X token is within the horizon: refreshed
    clock.moment += timedelta(minutes=90)
    report = service.refresh_due(deps, horizon=timedelta(hours=1))
    assert (report.refreshed, report.expired) == (1, 0)
    refreshed = client.get(f"/api/accounts/{x['id']}", headers=headers).json()["data"]["account"]
    assert refreshed["expires_at"] > x["expires_at"]
    # 61 days later, LinkedIn's token has ended: the account is expired (the X one was refreshed on the way)
    clock.moment += timedelta(days=61)
    report = service.refresh_due(deps, horizon=timedelta(hours=1))
    assert report.expired == 1
    after = client.get(f"/api/accounts/{linkedin['id']}", headers=headers).json()["data"]["account"]
    assert after["status"] == "expired"


def test_a_token_near_expiry_is_refreshed_before_use(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="dorothy")
    ws = headers["X-Workspace-ID"]
    deps = container.account_deps()
    first = service.usable_access_token(deps, ws, account["id"])
    # Still fresh: the same token, no refresh
    assert service.usable_access_token(deps, ws, account["id"]) == first
    # Five minutes before its end (X tokens last 2 hours), it is refreshed first
    clock.moment += timedelta(hours=1, minutes=55)
    second = service.usable_access_token(deps, ws, account["id"])
    assert second != first
    assert emulator.state.family_of_access(second) is not None


def test_an_update_that_keeps_losing_the_race_is_a_409_and_changes_nothing(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, user="ida")
    real = container.accounts

    class AlwaysOutrun:
        """Another writer changes the account between every read and write."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def save(self, *args: Any, **kwargs: Any) -> bool:
            return False

    container.accounts = AlwaysOutrun()  # type: ignore[assignment]
    response = client.put(f"/api/accounts/{account['id']}", json={"name": "Lost"}, headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "CONCURRENT_MODIFICATION")
    container.accounts = real
    assert client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]["name"] == "Ida"


def test_the_same_identity_in_two_workspaces_gets_an_id_of_its_own_in_each(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given two tenants, each with a workspace
    first, second = new_workspace(client, keys), new_workspace(client, keys)
    # When both connect the same X account
    mine = connect(client, first, platform="twitter", user="ada")
    theirs = connect(client, second, platform="twitter", user="ada")
    # Then it is the same identity on the network, but the account ids differ: neither id tells a
    # tenant that another connected that account
    assert (mine["platform"], mine["username"]) == (theirs["platform"], theirs["username"])
    assert mine["id"] != theirs["id"]
    # And reconnecting in one workspace updates its account there, under the same id
    again = connect(client, first, platform="twitter", user="ada")
    assert again["id"] == mine["id"]
    assert [a["id"] for a in client.get("/api/accounts", headers=first).json()["data"]["accounts"]] == [mine["id"]]
    assert [a["id"] for a in client.get("/api/accounts", headers=second).json()["data"]["accounts"]] == [theirs["id"]]
    # And each tenant reaches only its own id
    assert client.get(f"/api/accounts/{theirs['id']}", headers=first).status_code == 404


def test_an_account_connected_before_ids_named_the_workspace_keeps_its_id_on_reconnect(
    client: TestClient, keys: Keys, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an account stored under the id made without the workspace (as earlier versions did)
    headers = new_workspace(client, keys)
    with monkeypatch.context() as old_code:
        old_code.setattr(service, "account_id", lambda _ws, platform, external: legacy_account_id(platform, external))
        old = connect(client, headers, platform="twitter", user="ada")
    # When it is reconnected
    again = connect(client, headers, platform="twitter", user="ada")
    # Then the same account is updated (its posts and schedules name that id), not a second one added
    assert again["id"] == old["id"]
    assert [a["id"] for a in client.get("/api/accounts", headers=headers).json()["data"]["accounts"]] == [old["id"]]
