"""Networks that take only JPEG (Instagram) get a JPEG copy of a PNG or WebP image, made once when a
post first goes to one and kept beside the original, which the other networks get; the post and the
dry run say so in a note instead of refusing the file."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
from fastapi.testclient import TestClient

from socialpub.config import PublisherSettings, load
from tests.conftest import Keys
from tests.integration.pipeline import INSTANCE, Pipeline, get, publish
from tests.integration.test_accounts import connect
from tests.integration.test_media import upload
from tests.integration.test_posts import create, new_workspace
from tests.media_files import image


def stored(key: str) -> bytes | None:
    s3 = boto3.client("s3")
    try:
        data: bytes = s3.get_object(Bucket=load(PublisherSettings).media_bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return data


def notes(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in post["validation"]["warnings"] if w["rule"] == "media_converted_to_jpeg"]


def test_a_png_post_to_instagram_and_mastodon__instagram_gets_a_jpeg_copy_mastodon_the_original(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a post to Instagram (JPEG only) and Mastodon (takes PNG) with a PNG image
    headers = new_workspace(client, keys)
    instagram = connect(client, headers, platform="instagram")
    mastodon = connect(client, headers, platform="mastodon", instance=INSTANCE)
    post = create(client, headers, content="Pixel art", platforms=[instagram["id"], mastodon["id"]])
    picture = image("PNG")
    attached = upload(client, headers, post["id"], picture, name="art.png")

    # Then the file is accepted, and the post says Instagram will get it as a JPEG
    assert attached.status_code == 201, attached.text
    media = attached.json()["data"]["media"]
    shown = get(client, headers, post["id"])
    assert shown["validation"]["ready"] is True
    (note,) = notes(shown)
    assert (note["platform"], note["field"]) == ("instagram", "media.0")
    assert note["message"].startswith("converted image/png to image/jpeg for instagram")

    # When it is published
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then Instagram holds exactly one post, whose image is the JPEG copy kept beside the original
    (on_instagram,) = pipeline.posts_on("instagram")
    copy = stored(f"workspaces/{headers['X-Workspace-ID']}/media/{media['id']}/converted.jpg")
    assert copy is not None
    assert copy.startswith(b"\xff\xd8\xff")
    assert on_instagram.media[0]["sha256"] == hashlib.sha256(copy).hexdigest()
    assert on_instagram.media[0]["size"] == len(copy)
    # And Mastodon holds the original PNG, which is unchanged
    (on_mastodon,) = pipeline.posts_on("mastodon")
    assert on_mastodon.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    # And the post is published everywhere, the note still shown
    published = get(client, headers, post["id"])
    assert published["status"] == "published"
    assert [p["status"] for p in published["platform_posts"]] == ["published", "published"]
    assert len(notes(published)) == 1


def test_a_retried_instagram_post__the_same_copy_is_sent_and_one_post_made(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a WebP image to Instagram, and Instagram failing its first publish call with a 500
    headers = new_workspace(client, keys)
    instagram = connect(client, headers, platform="instagram")
    post = create(client, headers, content="Retried", platforms=[instagram["id"]])
    attached = upload(client, headers, post["id"], image("WEBP"), name="a.webp")
    assert attached.status_code == 201, attached.text
    pipeline.emulator.fault("instagram", "media_publish", 500, count=1)

    # When it is published (the run retries)
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then one post went out, with the JPEG copy
    (on_instagram,) = pipeline.posts_on("instagram")
    media = attached.json()["data"]["media"]
    copy = stored(f"workspaces/{headers['X-Workspace-ID']}/media/{media['id']}/converted.jpg")
    assert copy is not None
    assert on_instagram.media[0]["sha256"] == hashlib.sha256(copy).hexdigest()
    assert get(client, headers, post["id"])["status"] == "published"


def test_deleting_the_post__its_jpeg_copy_goes_with_the_original(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a PNG post published to Instagram, so a JPEG copy was made (a published post may be
    # deleted: it stays on the network)
    headers = new_workspace(client, keys)
    instagram = connect(client, headers, platform="instagram")
    post = create(client, headers, content="Short-lived", platforms=[instagram["id"]])
    media = upload(client, headers, post["id"], image("PNG"), name="a.png").json()["data"]["media"]
    publish(client, headers, post["id"])
    pipeline.drain()
    prefix = f"workspaces/{headers['X-Workspace-ID']}/media/{media['id']}"
    assert stored(f"{prefix}/converted.jpg") is not None

    # When the post is deleted
    assert client.delete(f"/api/posts/{post['id']}", headers=headers).status_code == 200

    # Then neither the original nor its copy is left in the bucket
    assert stored(f"{prefix}/original") is None
    assert stored(f"{prefix}/converted.jpg") is None


def test_validate__a_png_for_instagram__valid_with_the_conversion_note(client: TestClient, keys: Keys) -> None:
    # Given a dry run of a post with a PNG for Instagram and X
    headers = new_workspace(client, keys)
    body = {
        "content": "Pixel art",
        "platforms": ["instagram", "twitter"],
        "media": [{"kind": "image", "mime_type": "image/png"}],
    }

    # When it is validated
    answer = client.post("/api/posts/validate", json=body, headers=headers)

    # Then both networks take it; Instagram with the note that it gets a JPEG copy
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["valid"] is True
    by_platform = {p["platform"]: p for p in data["platforms"]}
    (note,) = by_platform["instagram"]["warnings"]
    assert note["rule"] == "media_converted_to_jpeg"
    assert note["message"].startswith("converted image/png to image/jpeg for instagram")
    assert by_platform["twitter"]["warnings"] == []
