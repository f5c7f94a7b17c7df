"""POST /api/posts/validate: the dry run, over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Keys


def workspace_headers(client: TestClient, keys: Keys) -> dict[str, str]:
    headers = keys.headers()
    ws = client.post("/api/workspaces", json={"name": "w"}, headers=headers).json()["data"]["workspace"]["id"]
    return {**headers, "X-Workspace-ID": ws}


def test_validate__reports_every_network_at_once(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    # Given a 300-character text with a long URL, for X, Bluesky and Instagram
    text = "a" * 250 + " https://example.com/" + "p" * 29
    response = client.post(
        "/api/posts/validate", json={"content": text, "platforms": ["twitter", "bluesky", "instagram"]}, headers=headers
    )
    # Then X passes (the URL counts 23), Instagram fails for lack of media, Bluesky is at 300 (a warning)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["valid"] is False
    by_platform = {p["platform"]: p for p in data["platforms"]}
    assert by_platform["twitter"]["valid"] is True
    assert by_platform["twitter"]["characters"] == [274]
    assert [e["rule"] for e in by_platform["instagram"]["errors"]] == ["media_required"]
    assert [w["rule"] for w in by_platform["bluesky"]["warnings"]] == ["text_near_limit"]


def test_validate__301_grapheme_bluesky_post_fails_naming_bluesky(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    response = client.post(
        "/api/posts/validate", json={"content": "é" * 301, "platforms": ["bluesky"]}, headers=headers
    )
    error = response.json()["data"]["platforms"][0]["errors"][0]
    assert error["rule"] == "text_too_long"
    assert error["message"].startswith("Bluesky allows 300 characters (graphemes)")
    assert (error["limit"], error["actual"]) == (300, 301)


def test_validate__bad_input(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    unknown = client.post("/api/posts/validate", json={"content": "x", "platforms": ["myspace"]}, headers=headers)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"] == {"field": "platforms", "unknown": ["myspace"]}
    empty = client.post("/api/posts/validate", json={"content": "x", "platforms": []}, headers=headers)
    assert empty.status_code == 400
    bad_media = client.post(
        "/api/posts/validate",
        json={"content": "x", "platforms": ["twitter"], "media": [{"kind": "hologram", "mime_type": "x/y"}]},
        headers=headers,
    )
    assert bad_media.status_code == 400
    assert bad_media.json()["error"]["details"]["fields"][0]["field"] == "media.0.kind"


def test_validate__needs_the_workspace_header_and_scope(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    body = {"content": "x", "platforms": ["twitter"]}
    no_header = {k: v for k, v in headers.items() if k != "X-Workspace-ID"}
    assert client.post("/api/posts/validate", json=body, headers=no_header).status_code == 400
    other = {**keys.headers(), "X-Workspace-ID": headers["X-Workspace-ID"]}
    response = client.post("/api/posts/validate", json=body, headers=other)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "WORKSPACE_NOT_FOUND"
