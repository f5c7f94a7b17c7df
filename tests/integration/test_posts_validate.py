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


def test_validate__a_video_for_reddit_is_refused_at_validation(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    # Given a titled Reddit post that declares an MP4 (Reddit's publisher cannot upload videos)
    body = {
        "content": "Watch this",
        "title": "Our launch video",
        "platforms": ["reddit"],
        "platform_content": {"reddit": {"settings": {"subreddit": "socialpub"}}},
        "media": [{"kind": "video", "mime_type": "video/mp4", "size": 5_000_000, "duration": 30}],
    }
    # When it is validated
    response = client.post("/api/posts/validate", json=body, headers=headers)
    # Then the dry run refuses it for Reddit, saying so, instead of the publish failing later
    assert response.status_code == 200
    (reddit,) = response.json()["data"]["platforms"]
    assert reddit["valid"] is False
    assert [(e["rule"], e["message"]) for e in reddit["errors"]] == [
        ("videos_not_supported", "Reddit does not take videos")
    ]
    # And the catalog says the same
    platform = client.get("/api/platforms/reddit", headers=keys.headers()).json()["data"]["platform"]
    assert (platform["supports_videos"], platform["limits"]["max_videos"]) == (False, 0)


def test_validate__a_thread_goes_where_threads_exist_and_warns_for_the_others(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    # Given a thread for X and LinkedIn (LinkedIn has no threads)
    body = {"content": "Part one", "thread": ["Part two", "Part three"], "platforms": ["twitter", "linkedin"]}
    # When it is validated
    response = client.post("/api/posts/validate", json=body, headers=headers)
    # Then it is valid: X gets three parts, LinkedIn the first part alone, with a warning saying so
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["valid"] is True
    by_platform = {p["platform"]: p for p in data["platforms"]}
    assert by_platform["twitter"]["characters"] == [8, 8, 10]
    assert by_platform["twitter"]["warnings"] == []
    linkedin = by_platform["linkedin"]
    assert (linkedin["valid"], linkedin["characters"], linkedin["errors"]) == (True, [8], [])
    assert [(w["rule"], w["field"]) for w in linkedin["warnings"]] == [("thread_first_part_only", "thread")]
    assert "first part only" in linkedin["warnings"][0]["message"]


def test_create__a_thread_also_for_a_network_without_threads_is_saved_with_the_warning(
    client: TestClient, keys: Keys
) -> None:
    headers = workspace_headers(client, keys)
    # Given a thread for Bluesky and Telegram (Telegram has no threads)
    body = {"content": "Part one", "thread": ["Part two"], "platforms": ["bluesky", "telegram"]}
    # When the post is created
    response = client.post("/api/posts", json=body, headers=headers)
    # Then it is saved (not refused whole), and the post shows the warning for Telegram
    assert response.status_code == 201, response.text
    validation = response.json()["data"]["post"]["validation"]
    assert validation["ready"] is True
    assert [(w["platform"], w["rule"]) for w in validation["warnings"]] == [("telegram", "thread_first_part_only")]
    # And a thread written for Telegram itself is still refused, naming the field
    own = {**body, "platform_content": {"telegram": {"thread": ["Only for Telegram"]}}}
    refused = client.post("/api/posts", json=own, headers=headers)
    assert refused.status_code == 400
    finding = refused.json()["error"]["details"]["platforms"]["telegram"][0]
    assert (finding["rule"], finding["field"]) == ("threads_not_supported", "platform_content.telegram.thread")


def test_mastodon__a_bare_domain_counts_in_full_and_a_family_emoji_counts_one(client: TestClient, keys: Keys) -> None:
    headers = workspace_headers(client, keys)
    # Given 470 letters and a bare domain: Mastodon links only http(s) URLs, so this counts 510
    too_long = {"content": "a" * 470 + " averyveryverylongdomainname.example.com", "platforms": ["mastodon"]}
    # When it is validated, then Mastodon's report says 510 of 500
    report = client.post("/api/posts/validate", json=too_long, headers=headers).json()["data"]["platforms"][0]
    assert (report["valid"], report["characters"]) == (False, [510])
    error = report["errors"][0]
    assert (error["rule"], error["limit"], error["actual"]) == ("text_too_long", 500, 510)
    assert error["message"].startswith("Mastodon allows 500 characters")
    # And creating it is a 400 naming Mastodon's rule, not a refusal at publish time
    refused = client.post("/api/posts", json=too_long, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["success"] is False
    assert [f["rule"] for f in refused.json()["error"]["details"]["platforms"]["mastodon"]] == ["text_too_long"]
    # Given 500 family emoji (one grapheme each), then Mastodon accepts them
    emoji = {"content": "👨‍👩‍👧‍👦" * 500, "platforms": ["mastodon"]}
    accepted = client.post("/api/posts/validate", json=emoji, headers=headers).json()["data"]["platforms"][0]
    assert (accepted["valid"], accepted["characters"], accepted["errors"]) == (True, [500], [])
    assert client.post("/api/posts", json=emoji, headers=headers).status_code == 201
