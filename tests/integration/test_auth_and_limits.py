"""Authentication, workspace scope, tier rate limits, and the error envelope for bad input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
from fastapi.testclient import TestClient

from socialpub.domain.tiers import Tier
from tests.conftest import FrozenClock, Keys


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_missing_key__401_in_envelope(client: TestClient) -> None:
    response = client.get("/api/workspaces")
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "UNAUTHORIZED",
        "message": "Missing API key: send it in the X-API-Key header",
        "details": {},
    }


def test_invalid_malformed_and_revoked_keys__401(client: TestClient, keys: Keys, container) -> None:
    # Given a real key, a forged key with a real id, garbage, and a revoked key
    real = keys.issue()
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    revoked = keys.issue()
    container.api_keys.revoke("key_" + revoked[len("pk_live_") :][:12])
    # When each is presented
    for presented in (forged, "pk_live_short", "not-a-key", revoked):
        response = client.get("/api/workspaces", headers={"X-API-Key": presented})
        # Then each is a 401 that says nothing about why
        assert response.status_code == 401
        assert error_of(response)["message"] == "Invalid, revoked or expired API key"
    assert client.get("/api/workspaces", headers={"X-API-Key": real}).status_code == 200


def test_workspace_header_required_on_scoped_routes(client: TestClient, keys: Keys) -> None:
    # Given a workspace-scoped route (GET /api/posts) and a key with one workspace
    headers = keys.headers()
    ws = client.post("/api/workspaces", json={"name": "a"}, headers=headers).json()["data"]["workspace"]["id"]
    # When it is called without the header, with someone else's workspace, and with its own
    missing = client.get("/api/posts", headers=headers)
    other = client.get("/api/posts", headers={**headers, "X-Workspace-ID": "ws_someone_else"})
    own = client.get("/api/posts", headers={**headers, "X-Workspace-ID": ws})
    # Then: 400 naming the header, 404 as if it did not exist, and success
    assert missing.status_code == 400
    assert error_of(missing)["details"] == {"header": "X-Workspace-ID"}
    assert other.status_code == 404
    assert error_of(other)["code"] == "WORKSPACE_NOT_FOUND"
    assert own.status_code == 200


def test_rate_limit_headers_on_every_response(client: TestClient, keys: Keys, clock: FrozenClock) -> None:
    # Given a starter key (60 requests per minute)
    headers = keys.headers(tier=Tier.STARTER)
    # When it makes two requests, one of which fails validation
    first = client.get("/api/platforms", headers=headers)
    second = client.post("/api/workspaces", json={"name": ""}, headers=headers)
    # Then both carry the seed's headers, counting down, with the window's end as reset
    reset = str((int(clock.epoch()) // 60 + 1) * 60)
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("60", "59")
    assert (second.headers["X-RateLimit-Remaining"], second.headers["X-RateLimit-Reset"]) == ("58", reset)
    assert second.status_code == 400


def test_61st_request_in_a_minute__429_with_retry_after(client: TestClient, keys: Keys, clock: FrozenClock) -> None:
    # Given a starter key that used 60 requests in this minute
    headers = keys.headers(tier=Tier.STARTER)
    for _ in range(60):
        assert client.get("/api/platforms", headers=headers).status_code == 200
    # When it sends the 61st
    response = client.get("/api/platforms", headers=headers)
    # Then 429 with Retry-After until the window ends (55 s: the clock is at :05)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "55"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert error_of(response)["code"] == "RATE_LIMIT_EXCEEDED"
    assert error_of(response)["details"]["retry_after"] == 55
    # And in the next minute it is allowed again
    clock.moment = clock.moment.replace(minute=clock.moment.minute + 1)
    assert client.get("/api/platforms", headers=headers).status_code == 200


def test_61_concurrent_requests__exactly_60_allowed(client: TestClient, keys: Keys) -> None:
    # Given a starter key
    headers = keys.headers(tier=Tier.STARTER)
    # When 75 requests arrive at once
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: client.get("/api/platforms", headers=headers).status_code, range(75)))
    # Then exactly 60 pass and 15 are refused
    assert statuses.count(200) == 60
    assert statuses.count(429) == 15


def test_tiers_are_counted_per_key(client: TestClient, keys: Keys) -> None:
    # Given two starter keys; one exhausts its minute
    a, b = keys.headers(tier=Tier.STARTER), keys.headers(tier=Tier.STARTER)
    for _ in range(60):
        client.get("/api/platforms", headers=a)
    # Then the other is unaffected, and a professional key has 300
    assert client.get("/api/platforms", headers=a).status_code == 429
    assert client.get("/api/platforms", headers=b).status_code == 200
    pro = client.get("/api/platforms", headers=keys.headers(tier=Tier.PROFESSIONAL))
    assert pro.headers["X-RateLimit-Limit"] == "300"


def test_malformed_json__400_invalid_json(client: TestClient, keys: Keys) -> None:
    headers = {**keys.headers(), "Content-Type": "application/json"}
    response = client.post("/api/workspaces", content=b'{"name": "x",', headers=headers)
    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_JSON"


def test_validation_errors_name_the_fields(client: TestClient, keys: Keys) -> None:
    headers = keys.headers()
    # When a body has a wrong type, an overlong name and an unknown timezone
    response = client.post(
        "/api/workspaces",
        json={"name": "x" * 101, "description": 5, "settings": {"timezone": "Mars/Olympus"}},
        headers=headers,
    )
    # Then one 400 lists every problem by field path
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    fields = {f["field"]: f["message"] for f in error["details"]["fields"]}
    assert set(fields) == {"name", "description", "settings.timezone"}
    assert fields["settings.timezone"] == "'Mars/Olympus' is not an IANA time zone (for example Europe/Paris)"
    # And nothing was stored
    assert client.get("/api/workspaces", headers=headers).json()["data"]["pagination"]["total_items"] == 0


def test_missing_body_and_blank_name__400(client: TestClient, keys: Keys) -> None:
    headers = keys.headers()
    assert error_of(client.post("/api/workspaces", headers=headers))["code"] == "VALIDATION_ERROR"
    blank = client.post("/api/workspaces", json={"name": "   "}, headers=headers)
    assert blank.status_code == 400
    assert error_of(blank)["details"]["fields"][0]["field"] == "name"


def test_bad_pagination_params__400(client: TestClient, keys: Keys) -> None:
    headers = keys.headers()
    for query in ("limit=101", "limit=0", "page=0", "page=abc"):
        response = client.get(f"/api/workspaces?{query}", headers=headers)
        assert response.status_code == 400, query
        assert error_of(response)["details"]["fields"][0]["location"] == "query"


def test_unknown_route_and_wrong_method(client: TestClient, keys: Keys) -> None:
    headers = keys.headers()
    unknown = client.get("/api/nothing/here", headers=headers)
    assert unknown.status_code == 404
    assert error_of(unknown) == {
        "code": "NOT_FOUND",
        "message": "No route matches GET /api/nothing/here",
        "details": {},
    }
    wrong = client.patch("/api/workspaces", headers=headers)
    assert wrong.status_code == 405
    assert error_of(wrong)["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in wrong.headers["Allow"]


def test_oversized_body__413_and_nothing_stored(client: TestClient, keys: Keys) -> None:
    headers = {**keys.headers(), "Content-Type": "application/json"}
    body = b'{"name": "big", "description": "' + b"x" * 1_100_000 + b'"}'
    response = client.post("/api/workspaces", content=body, headers=headers)
    assert response.status_code == 413
    assert error_of(response)["code"] == "PAYLOAD_TOO_LARGE"
    assert client.get("/api/workspaces", headers=headers).json()["data"]["pagination"]["total_items"] == 0


def test_unexpected_error__500_with_request_id_only(client: TestClient, keys: Keys, container) -> None:
    # Given the table vanishes under the running app (a bug, not a client mistake)
    headers = keys.headers()
    boto3.client("dynamodb").delete_table(TableName=container.settings.__self__._environ["WORKSPACES_TABLE"])
    # When a request needs it
    response = client.post("/api/workspaces", json={"name": "x"}, headers=headers)
    # Then a 500 envelope with only the request id; no stack trace, no AWS detail
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "INTERNAL_ERROR"
    assert error["details"] == {"request_id": response.headers["X-Request-ID"]}
    assert "Traceback" not in response.text
    assert "ResourceNotFound" not in response.text
