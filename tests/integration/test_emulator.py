"""The platform emulator plays each network's OAuth 2 endpoints as the network does."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from socialpub.local.emulator import create_emulator

X_AUTHORIZE = "/x.com/i/oauth2/authorize"
X_TOKEN = "/api.x.com/2/oauth2/token"
X_REVOKE = "/api.x.com/2/oauth2/revoke"
CALLBACK = "https://app.example/callback"
VERIFIER = "a" * 43 + "-verifier"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def authorize(emulator: TestClient, decision: str = "allow", **extra: str) -> dict[str, list[str]]:
    params = {
        "client_id": "app-1",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "tweet.read tweet.write users.read offline.access",  # what posting needs (X answers 403 without)
        "state": "st-1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **extra,
    }
    page = emulator.get(X_AUTHORIZE, params=params)
    assert page.status_code == 200
    assert 'id="allow"' in page.text
    # The consent form posts back every parameter
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    approved = emulator.post(X_AUTHORIZE, data={**fields, "decision": decision}, follow_redirects=False)
    assert approved.status_code == 302
    location = approved.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return parse_qs(urlsplit(location).query)


def exchange(emulator: TestClient, code: str, verifier: str = VERIFIER) -> dict:
    response = emulator.post(
        X_TOKEN,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier},
        auth=("app-1", "secret-1"),
    )
    return {"status": response.status_code, **response.json()}


def test_consent_then_code_exchange_with_pkce() -> None:
    emulator = TestClient(create_emulator())
    query = authorize(emulator)
    assert query["state"] == ["st-1"]
    tokens = exchange(emulator, query["code"][0])
    assert tokens["status"] == 200
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 7200
    assert tokens["access_token"]
    assert tokens["refresh_token"]
    # A code works once
    assert exchange(emulator, query["code"][0])["error"] == "invalid_grant"


def test_pkce_verifier_is_checked_and_required() -> None:
    emulator = TestClient(create_emulator())
    wrong = exchange(emulator, authorize(emulator)["code"][0], verifier="b" * 43)
    assert (wrong["status"], wrong["error"]) == (400, "invalid_grant")
    assert "code_verifier" in wrong["error_description"]
    no_pkce = emulator.get(X_AUTHORIZE, params={"client_id": "app-1", "redirect_uri": CALLBACK, "state": "s"})
    assert no_pkce.status_code == 400


def test_denied_consent_redirects_with_the_error() -> None:
    emulator = TestClient(create_emulator())
    query = authorize(emulator, decision="deny")
    assert query["error"] == ["access_denied"]
    assert "code" not in query


def test_refresh_rotates_and_the_old_token_dies() -> None:
    emulator = TestClient(create_emulator())
    first = exchange(emulator, authorize(emulator)["code"][0])

    def refresh(token: str) -> dict:
        response = emulator.post(
            X_TOKEN, data={"grant_type": "refresh_token", "refresh_token": token}, auth=("app-1", "secret-1")
        )
        return {"status": response.status_code, **response.json()}

    second = refresh(first["refresh_token"])
    assert second["status"] == 200
    assert second["refresh_token"] != first["refresh_token"]
    stale = refresh(first["refresh_token"])
    assert (stale["status"], stale["error"]) == (400, "invalid_grant")
    # Revoking ends the family
    assert emulator.post(X_REVOKE, data={"token": second["refresh_token"], "client_id": "app-1"}).status_code == 200
    assert refresh(second["refresh_token"])["error"] == "invalid_grant"


def test_faults_make_the_next_calls_fail_then_recover() -> None:
    emulator = TestClient(create_emulator())
    code = authorize(emulator)["code"][0]
    emulator.post("/_emulator/faults", json={"network": "twitter", "endpoint": "token", "status": 503, "count": 1})
    failed = exchange(emulator, code)
    assert (failed["status"], failed["error"]) == (503, "temporarily_unavailable")
    # The code was not consumed by the outage
    assert exchange(emulator, code)["status"] == 200


def test_holds_keep_one_call_before_or_after_it_takes_effect_until_released() -> None:
    emulator = TestClient(create_emulator())
    token = exchange(emulator, authorize(emulator)["code"][0])["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for at, made_while_held in (("before", 0), ("after", 1)):
        # Given a hold on X's tweets endpoint, and a call to it
        emulator.delete("/_emulator/posts")
        emulator.post("/_emulator/holds", json={"network": "twitter", "endpoint": "tweets", "at": at})
        answers: list[Any] = []
        body = {"text": f"Held {at}"}
        caller = threading.Thread(
            target=lambda body=body, answers=answers: answers.append(
                emulator.post("/api.x.com/2/tweets", json=body, headers=bearer)
            )
        )
        caller.start()
        # When the call is held, it is shown held; the tweet exists only if held after taking effect
        deadline = time.monotonic() + 60
        while not any(h["held"] for h in emulator.get("/_emulator/holds").json()["holds"]):
            assert time.monotonic() < deadline, "the call was never held"
            time.sleep(0.05)
        assert len(emulator.get("/_emulator/posts").json()["posts"]) == made_while_held
        assert answers == []
        # Then, released, it completes: one tweet
        emulator.delete("/_emulator/holds")
        caller.join(60)
        assert answers[0].status_code == 201
        assert [p["text"] for p in emulator.get("/_emulator/posts").json()["posts"]] == [f"Held {at}"]


def test_client_authentication_and_unknown_endpoints() -> None:
    emulator = TestClient(create_emulator())
    code = authorize(emulator)["code"][0]
    anonymous = emulator.post(X_TOKEN, data={"grant_type": "authorization_code", "code": code})
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_client")
    assert emulator.get("/example.com/nothing").status_code == 404
    # Google (YouTube) does not rotate: its refresh token stays; LinkedIn grants none at all
    assert _refresh_twice("/accounts.google.com/o/oauth2/v2/auth", "/oauth2.googleapis.com/token") == "same"
    assert (
        _refresh_twice("/www.linkedin.com/oauth/v2/authorization", "/www.linkedin.com/oauth/v2/accessToken") == "none"
    )


def _refresh_twice(authorize_path: str, token_path: str) -> str:
    emulator = TestClient(create_emulator())
    page = emulator.get(authorize_path, params={"client_id": "c", "redirect_uri": CALLBACK, "state": "s"})
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    location = emulator.post(authorize_path, data={**fields, "decision": "allow"}, follow_redirects=False)
    code = parse_qs(urlsplit(location.headers["location"]).query)["code"][0]
    client = {"client_id": "c", "client_secret": "s"}
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, **client}
    tokens = emulator.post(token_path, data=form).json()
    if "refresh_token" not in tokens:
        return "none"
    again = emulator.post(
        token_path, data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **client}
    ).json()
    return "same" if again["refresh_token"] == tokens["refresh_token"] else "rotated"


def test_network_urls_point_at_the_emulator_only_when_configured() -> None:
    from socialpub.adapters.network_urls import network_url

    url = "https://api.x.com/2/oauth2/token?x=1"
    assert network_url(url, emulator="") == url
    assert network_url(url, emulator="http://127.0.0.1:4567") == "http://127.0.0.1:4567/api.x.com/2/oauth2/token?x=1"
    # And what it produces is what the emulator answers
    emulator = TestClient(create_emulator())
    rewritten = network_url("https://x.com/i/oauth2/authorize", emulator="http://testserver")
    page = emulator.get(rewritten, params={"client_id": "c", "redirect_uri": CALLBACK, "code_challenge": "x"})
    assert page.status_code == 200
