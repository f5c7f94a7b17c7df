"""GET /api/platforms: the catalog, with the seed's fields."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Keys

SEED_FIELDS = {
    "id",
    "name",
    "supports_images",
    "supports_videos",
    "supports_carousel",
    "supports_stories",
    "max_characters",
    "max_images",
    "max_video_duration",
    "oauth_supported",
}
NETWORKS = {
    "facebook", "instagram", "twitter", "linkedin", "tiktok", "youtube", "pinterest",
    "threads", "bluesky", "mastodon", "reddit", "telegram", "discord", "google_business",
    "devto", "hashnode", "vk",
    "lemmy", "tumblr", "wordpress", "wordpress_selfhosted",
    "farcaster",
    "instagram_standalone",
    "slack",
    "linkedin_page",
    "nostr",
}  # fmt: skip


def test_list_platforms__every_network_with_seed_fields(client: TestClient, keys: Keys) -> None:
    # Given a valid key (no workspace header: the catalog is not workspace data)
    headers = keys.headers()
    # When the platforms are listed
    response = client.get("/api/platforms", headers=headers)
    # Then all 26 networks come back in the seed's envelope with the seed's fields
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    platforms = {p["id"]: p for p in body["data"]["platforms"]}
    assert set(platforms) == NETWORKS
    for platform in platforms.values():
        assert set(platform) >= SEED_FIELDS
        assert platform["limits"]["max_characters"] == platform["max_characters"]


def test_list_platforms__seed_example_values(client: TestClient, keys: Keys) -> None:
    # Given the seed's example values for facebook, instagram and twitter
    expected = {
        "facebook": (63206, 10, 240, True, True, True),
        "instagram": (2200, 10, 60, True, True, True),
        "twitter": (280, 4, 140, False, False, True),
    }
    # When the catalog is read
    platforms = {p["id"]: p for p in client.get("/api/platforms", headers=keys.headers()).json()["data"]["platforms"]}
    # Then they match exactly
    for pid, (chars, images, duration, carousel, stories, oauth) in expected.items():
        p = platforms[pid]
        assert (
            p["max_characters"],
            p["max_images"],
            p["max_video_duration"],
            p["supports_carousel"],
            p["supports_stories"],
            p["oauth_supported"],
        ) == (chars, images, duration, carousel, stories, oauth)
    assert platforms["bluesky"]["limits"]["max_bytes"] == 3000
    assert platforms["bluesky"]["oauth_supported"] is False


def test_get_platform__one_and_unknown(client: TestClient, keys: Keys) -> None:
    headers = keys.headers()
    # When one known and one unknown platform are fetched
    known = client.get("/api/platforms/bluesky", headers=headers)
    unknown = client.get("/api/platforms/myspace", headers=headers)
    # Then the known one is returned and the unknown one is a 404 in the envelope
    assert known.status_code == 200
    assert known.json()["data"]["platform"]["max_characters"] == 300
    assert unknown.status_code == 404
    assert unknown.json() == {
        "success": False,
        "error": {
            "code": "NOT_FOUND",
            "message": "Unknown platform 'myspace'",
            "details": {"platforms": sorted(NETWORKS)},
        },
    }
