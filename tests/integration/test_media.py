"""Media over HTTP: multipart uploads, presigned uploads, signed URLs, and the rules on attach and delete."""

from __future__ import annotations

import io
from typing import Any

import requests
from fastapi.testclient import TestClient
from PIL import Image

from socialpub.api.container import Container
from socialpub.config import ApiSettings
from socialpub.domain.posts import PostStatus
from tests import media_files
from tests.conftest import Keys
from tests.integration.test_posts import create, new_workspace, set_status


def upload(
    client: TestClient, headers: dict[str, str], post_id: str, data: bytes, name: str = "image.jpg", **form: str
) -> Any:
    return client.post(f"/api/posts/{post_id}/media", files={"file": (name, data)}, data=form, headers=headers)


def fetch(url: str) -> bytes:
    response = requests.get(url, timeout=5)
    assert response.status_code == 200, response.text
    return response.content


def test_multipart_image__inspected_stored_privately_and_signed(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["twitter", "linkedin"])
    png = media_files.image("PNG", (1200, 800))
    # When a PNG is uploaded under a misleading name, with alt text
    response = upload(client, headers, post["id"], png, name="photo.gif", alt_text="Product showcase image")
    # Then its type comes from its bytes, with its size, dimensions and a thumbnail
    assert response.status_code == 201, response.text
    media = response.json()["data"]["media"]
    assert media["id"].startswith("media_")
    assert (media["type"], media["mime_type"], media["filename"]) == ("image", "image/png", "photo.gif")
    assert media["size"] == len(png)
    assert media["dimensions"] == {"width": 1200, "height": 800}
    assert media["alt_text"] == "Product showcase image"
    assert media["url_expires_at"] == "2026-03-02T11:00:05Z"
    # And the signed URLs serve the file and a small JPEG preview
    assert fetch(media["url"]) == png
    thumbnail = Image.open(io.BytesIO(fetch(media["thumbnail_url"])))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (400, 267))
    # And the post lists it
    fetched = client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]
    assert [m["id"] for m in fetched["media"]] == [media["id"]]


def test_multipart_video__duration_and_frame_size(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["youtube"], title="Launch")
    response = upload(client, headers, post["id"], media_files.video(12.5, (1920, 1080)), name="clip.mp4", type="video")
    assert response.status_code == 201, response.text
    media = response.json()["data"]["media"]
    assert (media["type"], media["mime_type"], media["duration"]) == ("video", "video/mp4", 12.5)
    assert media["dimensions"] == {"width": 1920, "height": 1080}
    assert media["thumbnail_url"] is None
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["validation"]["ready"]


def test_wrong_file_type_by_content_is_415(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers)
    # A script named like an image
    named_jpg = upload(client, headers, post["id"], b"#!/bin/sh\necho hi\n", name="cat.jpg")
    assert named_jpg.status_code == 415
    assert named_jpg.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    # An image declared as a video
    declared = upload(client, headers, post["id"], media_files.image("PNG"), name="a.png", type="video")
    assert declared.status_code == 415
    assert declared.json()["error"]["details"] == {"declared": "video", "detected": "image/png"}
    # A truncated JPEG: right signature, unreadable content
    truncated = upload(client, headers, post["id"], media_files.image("JPEG")[:40])
    assert truncated.status_code == 415
    # A network's own type list: Instagram takes JPEG only (PNG and WebP are sent as JPEG copies; GIFs are not)
    insta = create(client, headers, platforms=["instagram"])
    gif = upload(client, headers, insta["id"], media_files.image("GIF"))
    assert gif.status_code == 415
    assert gif.json()["error"]["details"]["platforms"]["instagram"][0]["rule"] == "media_type_not_allowed"
    # Nothing was attached
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["media"] == []


def test_size_limits_are_413(client: TestClient, keys: Keys, container: Container) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["twitter"])
    # Above what a request may carry: the answer points to presigned uploads
    cap = container.settings(ApiSettings)
    too_big = upload(client, headers, post["id"], b"\xff\xd8\xff" + b"\0" * cap.max_upload_bytes)
    assert too_big.status_code == 413
    assert "presigned" in too_big.json()["error"]["message"]
    # Above a network's own cap: X takes images up to 5 MB
    ticket = client.post(
        f"/api/posts/{post['id']}/media/uploads",
        json={"filename": "big.jpg", "size": 6_000_000, "mime_type": "image/jpeg"},
        headers=headers,
    )
    assert ticket.status_code == 413
    assert ticket.json()["error"]["details"]["platforms"]["twitter"][0]["rule"] == "image_too_large"
    # Above what we take at all
    huge = client.post(
        f"/api/posts/{post['id']}/media/uploads",
        json={"filename": "huge.mp4", "size": 6 * 1024**3, "mime_type": "video/mp4"},
        headers=headers,
    )
    assert (huge.status_code, huge.json()["error"]["details"]["max_bytes"]) == (413, 5 * 1024**3)


def test_attaching_more_than_a_network_takes_is_refused(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["twitter", "linkedin"])
    jpeg = media_files.image("JPEG", (64, 64))
    for _ in range(4):
        assert upload(client, headers, post["id"], jpeg).status_code == 201
    # X takes four images; the fifth is refused naming X, and not stored
    fifth = upload(client, headers, post["id"], jpeg)
    assert fifth.status_code == 400
    assert fifth.json()["error"]["details"]["platforms"] == {
        "twitter": [
            {
                "rule": "too_many_images",
                "field": "media",
                "message": "Twitter/X takes at most 4 images; 5 attached",
                "limit": 4.0,
                "actual": 5.0,
            }
        ]
    }
    assert len(client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["media"]) == 4
    # Mixing a video into X's images is refused too
    mixed = upload(client, headers, post["id"], media_files.video(), name="v.mp4")
    assert mixed.status_code == 400


def test_presigned_upload__request_put_confirm(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["youtube", "tiktok"], title="Demo")
    movie = media_files.video(42.0, (1280, 720), brand=b"qt  ", padding=200_000)
    # When an upload URL is requested for a large file
    ticket = client.post(
        f"/api/posts/{post['id']}/media/uploads",
        json={"filename": "demo.mov", "size": len(movie), "mime_type": "video/quicktime", "alt_text": "Demo"},
        headers=headers,
    )
    assert ticket.status_code == 201, ticket.text
    data = ticket.json()["data"]
    assert data["media"]["status"] == "pending"
    assert data["upload"]["method"] == "PUT"
    assert data["upload"]["expires_at"] == "2026-03-02T11:00:05Z"
    # Confirming before the file is there says so
    early = client.post(f"/api/media/{data['media']['id']}/confirm", headers=headers)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "UPLOAD_MISSING")
    # And the file is PUT to S3 directly, then confirmed
    put = requests.put(data["upload"]["url"], data=movie, headers=data["upload"]["headers"], timeout=5)
    assert put.status_code == 200, put.text
    confirmed = client.post(f"/api/media/{data['media']['id']}/confirm", headers=headers)
    # Then it was inspected like a direct upload and is attached
    assert confirmed.status_code == 200, confirmed.text
    media = confirmed.json()["data"]["media"]
    assert (media["status"], media["mime_type"], media["duration"]) == ("ready", "video/quicktime", 42.0)
    assert media["alt_text"] == "Demo"
    assert fetch(media["url"]) == movie
    again = client.post(f"/api/media/{data['media']['id']}/confirm", headers=headers)
    assert again.json()["data"]["media"]["id"] == media["id"]
    attached = client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["media"]
    assert [m["id"] for m in attached] == [media["id"]]


def test_presigned_upload__content_that_is_not_what_was_declared_is_415_and_dropped(
    client: TestClient, keys: Keys
) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    fake = b"MZ\x90\x00" + b"\0" * 5000  # an executable, declared as a video
    data = client.post(
        f"/api/posts/{post['id']}/media/uploads",
        json={"filename": "v.mp4", "size": len(fake), "mime_type": "video/mp4"},
        headers=headers,
    ).json()["data"]
    requests.put(data["upload"]["url"], data=fake, headers=data["upload"]["headers"], timeout=5)
    refused = client.post(f"/api/media/{data['media']['id']}/confirm", headers=headers)
    assert refused.status_code == 415
    assert client.post(f"/api/media/{data['media']['id']}/confirm", headers=headers).status_code == 404


def test_presigned_upload__unsupported_declared_type_is_415(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers)
    response = client.post(
        f"/api/posts/{post['id']}/media/uploads",
        json={"filename": "a.tiff", "size": 10, "mime_type": "image/tiff"},
        headers=headers,
    )
    assert response.status_code == 415
    bad = client.post(f"/api/posts/{post['id']}/media/uploads", json={"filename": "a"}, headers=headers)
    assert bad.status_code == 400


def test_delete_media__detaches_unless_the_post_is_published(
    client: TestClient, keys: Keys, container: Container
) -> None:
    headers = new_workspace(client, keys)
    draft = create(client, headers)
    published = create(client, headers)
    jpeg = media_files.image("JPEG", (32, 32))
    on_draft = upload(client, headers, draft["id"], jpeg).json()["data"]["media"]
    on_published = upload(client, headers, published["id"], jpeg).json()["data"]["media"]
    set_status(container, headers, published["id"], PostStatus.PUBLISHED)
    # Media of a published post stays
    refused = client.delete(f"/api/media/{on_published['id']}", headers=headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "MEDIA_IN_USE")
    assert fetch(on_published["url"]) == jpeg
    # Media of a draft goes, from the post and from storage
    deleted = client.delete(f"/api/media/{on_draft['id']}", headers=headers)
    assert deleted.json() == {"success": True, "data": {"message": "Media deleted successfully"}}
    assert client.get(f"/api/posts/{draft['id']}", headers=headers).json()["data"]["post"]["media"] == []
    assert requests.get(on_draft["url"], timeout=5).status_code == 404
    assert client.delete(f"/api/media/{on_draft['id']}", headers=headers).status_code == 404
    # Uploading to a published post is refused as well
    assert upload(client, headers, published["id"], jpeg).status_code == 409


def test_media_of_other_workspaces_is_404(client: TestClient, keys: Keys) -> None:
    mine = new_workspace(client, keys)
    theirs = new_workspace(client, keys)
    post = create(client, theirs)
    media = upload(client, theirs, post["id"], media_files.image("JPEG", (32, 32))).json()["data"]["media"]
    assert client.delete(f"/api/media/{media['id']}", headers=mine).status_code == 404
    assert client.post(f"/api/media/{media['id']}/confirm", headers=mine).status_code == 404
    assert upload(client, mine, post["id"], media_files.image("JPEG")).status_code == 404


def test_deleting_a_post_deletes_its_files(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers)
    media = upload(client, headers, post["id"], media_files.image("PNG", (32, 32))).json()["data"]["media"]
    assert client.delete(f"/api/posts/{post['id']}", headers=headers).status_code == 200
    assert requests.get(media["url"], timeout=5).status_code == 404
    assert client.delete(f"/api/media/{media['id']}", headers=headers).status_code == 404


def test_idempotent_upload__replay_attaches_once(client: TestClient, keys: Keys) -> None:
    headers = {**new_workspace(client, keys), "Idempotency-Key": "upload-1"}
    post = create(client, headers | {"Idempotency-Key": "post-1"})
    jpeg = media_files.image("JPEG", (32, 32))
    first = upload(client, headers, post["id"], jpeg)
    again = upload(client, headers, post["id"], jpeg)  # a new multipart boundary, the same request
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert len(client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["media"]) == 1


def test_multipart_without_a_file_or_with_a_bad_type_is_400(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers)
    no_file = client.post(f"/api/posts/{post['id']}/media", data={"alt_text": "x"}, headers=headers)
    assert no_file.status_code == 400
    assert no_file.json()["error"]["details"]["fields"][0]["field"] == "file"
    bad_type = upload(client, headers, post["id"], media_files.image("JPEG", (8, 8)), type="hologram")
    assert (bad_type.status_code, bad_type.json()["error"]["details"]["fields"][0]["field"]) == (400, "type")
    unknown_post = upload(client, headers, "post_nope", media_files.image("JPEG", (8, 8)))
    assert unknown_post.status_code == 404


def test_presigned_image__gets_its_thumbnail_on_confirm(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    jpeg = media_files.image("JPEG", (2000, 1000))
    data = client.post(
        f"/api/posts/{post['id']}/media/uploads",
        json={"filename": "wide.jpg", "size": len(jpeg), "mime_type": "image/jpeg", "type": "image"},
        headers=headers,
    ).json()["data"]
    requests.put(data["upload"]["url"], data=jpeg, headers=data["upload"]["headers"], timeout=5)
    media = client.post(f"/api/media/{data['media']['id']}/confirm", headers=headers).json()["data"]["media"]
    assert media["dimensions"] == {"width": 2000, "height": 1000}
    assert Image.open(io.BytesIO(fetch(media["thumbnail_url"]))).size == (400, 200)
