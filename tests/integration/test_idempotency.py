"""Idempotency-Key on creating requests (POST /api/workspaces here; every creating POST uses it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from socialpub.domain.idempotency import fingerprint, record_id
from tests.conftest import FrozenClock, Keys


def total(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/workspaces", headers=headers).json()["data"]["pagination"]["total_items"]


def test_replay_returns_the_original_and_creates_nothing(client: TestClient, keys: Keys) -> None:
    # Given a create sent with an Idempotency-Key
    headers = {**keys.headers(), "Idempotency-Key": "create-marketing-1"}
    first = client.post("/api/workspaces", json={"name": "Marketing"}, headers=headers)
    # When the very same request is sent again (a client retry)
    again = client.post("/api/workspaces", json={"name": "Marketing"}, headers=headers)
    # Then the original response comes back, marked as a replay, and one workspace exists
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert total(client, headers) == 1


def test_same_key_different_body__422_and_nothing_created(client: TestClient, keys: Keys) -> None:
    headers = {**keys.headers(), "Idempotency-Key": "k1"}
    client.post("/api/workspaces", json={"name": "A"}, headers=headers)
    response = client.post("/api/workspaces", json={"name": "B"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert total(client, headers) == 1


def test_keys_are_scoped_to_the_api_key(client: TestClient, keys: Keys) -> None:
    alice, bob = {**keys.headers(), "Idempotency-Key": "same"}, {**keys.headers(), "Idempotency-Key": "same"}
    a = client.post("/api/workspaces", json={"name": "A"}, headers=alice)
    b = client.post("/api/workspaces", json={"name": "B"}, headers=bob)
    assert a.status_code == b.status_code == 201
    assert a.json()["data"]["workspace"]["id"] != b.json()["data"]["workspace"]["id"]


def test_after_24_hours_the_key_creates_again(client: TestClient, keys: Keys, clock: FrozenClock) -> None:
    headers = {**keys.headers(), "Idempotency-Key": "daily"}
    client.post("/api/workspaces", json={"name": "A"}, headers=headers)
    clock.moment += timedelta(hours=24, seconds=1)
    again = client.post("/api/workspaces", json={"name": "A"}, headers=headers)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert total(client, headers) == 2


def test_a_failed_attempt_releases_the_key(client: TestClient, keys: Keys, container, monkeypatch) -> None:
    # Given the store fails once while creating
    headers = {**keys.headers(), "Idempotency-Key": "retry-me"}
    real_create = container.workspaces.create

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(container.workspaces, "create", broken)
    failed = client.post("/api/workspaces", json={"name": "A"}, headers=headers)
    monkeypatch.setattr(container.workspaces, "create", real_create)
    # When the client retries with the same key
    retried = client.post("/api/workspaces", json={"name": "A"}, headers=headers)
    # Then the 500 was not stored: the retry runs and creates
    assert failed.status_code == 500
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert total(client, headers) == 1


def test_concurrent_duplicate_in_flight__409(client: TestClient, keys: Keys, container) -> None:
    # Given a request with this key is being processed (its reservation exists, not completed)
    plaintext = keys.issue()
    key_id = "key_" + plaintext[8:20]
    body = b'{"name": "A"}'
    container.idempotency.reserve(
        record_id(key_id, "POST", "/api/workspaces", "k"), fingerprint(body), int(container.epoch())
    )
    # When the duplicate arrives
    response = client.post(
        "/api/workspaces",
        content=body,
        headers={"X-API-Key": plaintext, "Idempotency-Key": "k", "Content-Type": "application/json"},
    )
    # Then it is told to retry later, and nothing is created
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert total(client, {"X-API-Key": plaintext}) == 0


@pytest.mark.parametrize("value", ["", "x" * 256])
def test_malformed_idempotency_key__400(client: TestClient, keys: Keys, value: str) -> None:
    response = client.post("/api/workspaces", json={"name": "A"}, headers={**keys.headers(), "Idempotency-Key": value})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"header": "Idempotency-Key"}
