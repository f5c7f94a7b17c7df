"""VK through the API: a VK ID connect against the emulated id.vk.com, and a photo post published
through the pipeline reaching the user's wall once."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_accounts import consent, start
from tests.integration.test_media import upload
from tests.integration.test_posts import create, new_workspace
from tests.media_files import image


def test_vk__oauth_connect_then_a_photo_post__one_wall_post_with_the_photo(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    # Given a VK account connected through VK ID (the callback passes on the device_id VK sent back)
    back = consent(start(client, headers, platform="vk")["auth_url"], user="emulated-user")
    done = client.post(
        "/api/accounts/callback",
        json={"state": back["state"], "code": back["code"], "device_id": back["device_id"]},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    (account,) = done.json()["data"]["accounts"]
    assert account["platform"] == "vk"
    assert account["username"]
    # And a post with a photo to it
    picture = image("JPEG", (1200, 800))
    post = create(client, headers, content="Launch day on VK", platforms=[account["id"]])
    upload(client, headers, post["id"], picture, "launch.jpg")

    # When it is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then the wall holds one post with the text and the photo, and the post links to it
    (held,) = pipeline.posts_on("vk")
    assert held.text == "Launch day on VK"
    assert [m["sha256"] for m in held.media] == [hashlib.sha256(picture).hexdigest()]
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["url"] == f"https://vk.com/wall{held.id}"


def test_vk__an_owner_id_that_is_not_a_wall__400_naming_the_setting(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    # When a post names a VK wall by something other than its numeric id
    response = client.post(
        "/api/posts",
        json={"content": "Hi", "platforms": ["vk"], "platform_content": {"vk": {"settings": {"owner_id": "club42"}}}},
        headers=headers,
    )
    # Then it is refused in the envelope, naming the setting
    assert response.status_code == 400
    (finding,) = response.json()["error"]["details"]["platforms"]["vk"]
    assert (finding["rule"], finding["field"]) == ("invalid_setting", "platform_content.vk.settings.owner_id")
