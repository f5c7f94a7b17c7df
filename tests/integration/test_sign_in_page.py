"""The hosted sign-in page of the networks that connect with credentials (app passwords, bot tokens,
passwords, API keys): a connect started without credentials answers the page's URL; the page asks for the
catalog's fields, connects as the API does, shows the network's refusal, never echoes a secret, and ends
as the hosted callback page does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import CALLBACK, consent, start
from tests.integration.test_posts import new_workspace

RETURN = "https://app.example/accounts?tab=networks"
PAGE = "/api/accounts/connect"


@dataclass(frozen=True)
class Case:
    platform: str
    fields: set[str]  # the inputs the page shows
    secret: str  # the field that must never come back in the page
    good: dict[str, str]
    bad: dict[str, str]


CASES = [
    Case(
        "bluesky",
        {"instance", "identifier", "app_password"},
        "app_password",
        {"identifier": "ada.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        {"identifier": "ada.bsky.social", "app_password": "my-password"},
    ),
    Case(
        "telegram",
        {"bot_token", "chat_id"},
        "bot_token",
        {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@news"},
        {"bot_token": "nope-not-a-token", "chat_id": "@news"},
    ),
    Case(
        "lemmy",
        {"instance", "username", "password", "totp_2fa_token"},
        "password",
        {"instance": "lemmy.example", "username": "ada", "password": "correct horse battery"},
        {"instance": "lemmy.example", "username": "ada", "password": "short"},
    ),
    Case(
        "devto",
        {"api_key"},
        "api_key",
        {"api_key": "x7Kq2mZp9LrT4vWb8NcY3hJd"},
        {"api_key": "not a key at all"},
    ),
    Case(
        "wordpress_selfhosted",
        {"instance", "identifier", "app_password"},
        "app_password",
        {"instance": "blog.example", "identifier": "ada", "app_password": "abcd EFGH 1234 ijkl MNOP 5678"},
        {"instance": "blog.example", "identifier": "ada", "app_password": "hunter2-login"},
    ),
]


def _inputs(page: str) -> dict[str, str]:
    """The visible inputs' names and their HTML (the hidden state aside)."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<input name="([^"]+)"[^>]*>', page)
        if 'type="hidden"' not in m.group(0)
    }


def _accounts(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.platform for c in CASES])
def test_sign_in_page__fields_of_the_network__bad_secret_shown_refused__good_one_connects(
    client: TestClient, keys: Keys, emulator: Emulator, case: Case
) -> None:
    headers = new_workspace(client, keys)
    # Given a connect started without credentials, for the hosted page
    started = client.post("/api/accounts", json={"platform": case.platform, "return_url": RETURN}, headers=headers)
    assert started.status_code == 200, started.text
    data = started.json()["data"]
    url = urlsplit(data["auth_url"])
    assert (url.path, parse_qs(url.query)["state"]) == (PAGE, [data["state"]])

    # When the user opens the page
    page = client.get(data["auth_url"])
    # Then it asks for exactly the network's fields, the secret as a password input, and may not be framed
    assert page.status_code == 200, page.text
    inputs = _inputs(page.text)
    assert set(inputs) == case.fields
    assert 'type="password"' in inputs[case.secret]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"

    # When a wrong secret is submitted
    refused_by_api = client.post(
        "/api/accounts",
        json={"platform": case.platform, "instance": case.bad.get("instance"), "credentials": _credentials(case.bad)},
        headers=headers,
    )
    wrong = client.post(PAGE, data={"state": data["state"], **case.bad})
    # Then the page shows the network's refusal (as the API says it), keeps what is not secret, not the secret
    assert wrong.status_code == 400
    assert refused_by_api.json()["error"]["code"] == "NETWORK_REJECTED"
    message = refused_by_api.json()["error"]["message"]
    assert re.sub(r"\s+", " ", message.replace("'", "&#x27;").replace('"', "&quot;")) in wrong.text
    assert case.bad[case.secret] not in wrong.text
    assert set(_inputs(wrong.text)) == case.fields
    # And nothing is stored
    assert _accounts(client, headers) == []

    # When the right one is submitted with the same state
    done = client.post(PAGE, data={"state": data["state"], **case.good}, follow_redirects=False)
    # Then the user goes on to the return_url with the account, connected as the API would
    assert done.status_code == 303, done.text
    location = urlsplit(done.headers["location"])
    assert location.netloc == "app.example"
    back = parse_qs(location.query)
    assert (back["tab"], back["status"]) == (["networks"], ["connected"])
    accounts = _accounts(client, headers)
    assert [(a["id"], a["platform"], a["status"]) for a in accounts] == [
        (back["account_id"][0], case.platform, "active")
    ]
    assert case.good[case.secret] not in done.text + str(accounts)

    # And the state is used up
    again = client.post(PAGE, data={"state": data["state"], **case.good})
    assert (again.status_code, "INVALID_STATE" in again.text or "already used" in again.text) == (400, True)


def _credentials(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k != "instance"}


def test_sign_in_page__without_return_url__a_done_page(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    headers = new_workspace(client, keys)
    # Given a Bluesky connect started for the hosted page without a return_url
    data = client.post("/api/accounts", json={"platform": "bluesky"}, headers=headers).json()["data"]
    # When the user signs in there
    done = client.post(PAGE, data={"state": data["state"], **CASES[0].good})
    # Then the page says the account is connected
    assert done.status_code == 200
    assert "Account connected" in done.text
    assert [a["platform"] for a in _accounts(client, headers)] == ["bluesky"]


def test_sign_in_page__unknown_or_oauth_state__refused_page_and_nothing_stored(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    # Given no state, a made-up one, and an OAuth connect's state
    oauth = start(client, headers, platform="twitter")
    for state in ("", "made-up-state", oauth["state"]):
        # When the form is shown or submitted with it
        shown = client.get(PAGE, params={"state": state})
        sent = client.post(PAGE, data={"state": state, **CASES[0].good})
        # Then both are refused, and nothing is connected
        assert (shown.status_code, sent.status_code) == (400, 400), state
        assert "<form" not in shown.text
    assert _accounts(client, headers) == []
    # And the OAuth state still finishes its own connect
    back = consent(oauth["auth_url"])
    done = client.post("/api/accounts/callback", json={"state": back["state"], "code": back["code"]}, headers=headers)
    assert done.status_code == 200, done.text
    assert CALLBACK


def test_sign_in_page_state_on_the_oauth_callback__refused_as_invalid_and_still_good_for_its_page(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    # Given a Lemmy connect started for the hosted sign-in page
    data = client.post("/api/accounts", json={"platform": "lemmy"}, headers=headers).json()["data"]
    # When its state is sent to the OAuth callback, by the API and on the hosted callback page
    api = client.post("/api/accounts/callback", json={"state": data["state"], "code": "abc"}, headers=headers)
    page = client.get("/api/accounts/callback", params={"state": data["state"], "code": "abc"})
    # Then both refuse the state (no 500), and nothing is stored
    assert (api.status_code, api.json()["error"]["code"]) == (400, "INVALID_STATE")
    assert page.status_code == 400
    assert _accounts(client, headers) == []
    # And the sign-in page still connects with it
    done = client.post(PAGE, data={"state": data["state"], **CASES[2].good}, follow_redirects=False)
    assert done.status_code == 200, done.text
    assert [a["platform"] for a in _accounts(client, headers)] == ["lemmy"]


def test_sign_in_page__ssrf_guarded_server__refused_on_the_page(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    # Given a Lemmy connect for the hosted page
    data = client.post("/api/accounts", json={"platform": "lemmy"}, headers=headers).json()["data"]
    # When the server typed is the cloud's metadata service
    sent = client.post(PAGE, data={"state": data["state"], **CASES[2].good, "instance": "169.254.169.254"})
    # Then the page refuses it, and nothing is stored
    assert sent.status_code == 400
    assert 'role="alert"' in sent.text
    assert _accounts(client, headers) == []


def test_sign_in_page__five_refused_sign_ins__the_state_is_used_up_with_too_many_attempts(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    headers = new_workspace(client, keys)
    bluesky = CASES[0]
    # Given a Bluesky connect for the hosted page, and four wrong app passwords sent with its state
    data = client.post("/api/accounts", json={"platform": "bluesky"}, headers=headers).json()["data"]
    for _ in range(4):
        wrong = client.post(PAGE, data={"state": data["state"], **bluesky.bad})
        assert (wrong.status_code, 'role="alert"' in wrong.text) == (400, True)

    # When a fifth wrong one is sent
    fifth = client.post(PAGE, data={"state": data["state"], **bluesky.bad})
    # Then the page says there were too many, with no form to try again
    assert fifth.status_code == 429, fifth.text
    assert "TOO_MANY_ATTEMPTS" in fifth.text
    assert "start the connect again" in fifth.text
    assert "<form" not in fifth.text

    # And the state is used up: the right app password, or opening the page again, are refused the same way
    right = client.post(PAGE, data={"state": data["state"], **bluesky.good}, follow_redirects=False)
    shown = client.get(PAGE, params={"state": data["state"]})
    assert (right.status_code, shown.status_code) == (429, 429)
    assert "TOO_MANY_ATTEMPTS" in right.text + shown.text
    assert "<form" not in shown.text
    assert _accounts(client, headers) == []

    # And a connect started again connects with the right one
    again = client.post("/api/accounts", json={"platform": "bluesky"}, headers=headers).json()["data"]
    done = client.post(PAGE, data={"state": again["state"], **bluesky.good})
    assert done.status_code == 200, done.text
    assert [a["platform"] for a in _accounts(client, headers)] == ["bluesky"]


def test_sign_in_page__names_the_workspace__its_name_escaped(
    client: TestClient, keys: Keys, emulator: Emulator
) -> None:
    # Given a workspace whose name holds markup, and a Dev.to connect started in it for the hosted page
    name = "<script>alert('x')</script> & Co"
    key = keys.headers()
    created = client.post("/api/workspaces", json={"name": name}, headers=key)
    assert created.status_code == 201, created.text
    headers = {**key, "X-Workspace-ID": created.json()["data"]["workspace"]["id"]}
    started = client.post("/api/accounts", json={"platform": "devto"}, headers=headers)
    assert started.status_code == 200, started.text
    data = started.json()["data"]

    # When the page is shown, and shown again after a refused key
    shown = client.get(PAGE, params={"state": data["state"]})
    refused = client.post(PAGE, data={"state": data["state"], **CASES[3].bad})

    # Then both name the workspace as text, never as markup
    assert (shown.status_code, refused.status_code) == (200, 400)
    for page in (shown.text, refused.text):
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page
        assert "<script>" not in page
