"""/api/v1/get-upload-url (Publora's media upload) and the media processor that checks each file as it
lands: the URL is signed for the declared Content-Type and expires; the file joins its post only if
its bytes are what was declared and the post can take it; at most 4 images or 1 video per post."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote_plus, unquote, urlsplit

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.posts import ConcurrentModification, PostStatus
from socialpub.local.workers import LambdaContext
from socialpub.workers import media_processor
from tests import media_files
from tests.conftest import FrozenClock, Keys
from tests.integration.publora.conftest import publora_key
from tests.integration.test_posts import create, new_workspace, set_status
from tests.integration.workers import drain

JPEG = media_files.image("JPEG", (64, 48))
PNG = media_files.image("PNG", (64, 48))


@pytest.fixture(autouse=True)
def _fresh_processor(aws: dict[str, str]) -> Iterator[None]:
    """The processor's adapters are built once per process: once per test here (each has its moto)."""
    media_processor.adapters.cache_clear()
    yield
    media_processor.adapters.cache_clear()


def upload_url(client: TestClient, headers: dict[str, str], post_id: str, **body: Any) -> Any:
    body = {"fileName": "photo.jpg", "contentType": "image/jpeg", "type": "image", "postGroupId": post_id, **body}
    return client.post("/api/v1/get-upload-url", json=body, headers=publora_key(headers))


def put_file(url: str, data: bytes) -> None:
    """PUT as the seed's client does: the file, with only the declared Content-Type."""
    requests.put(url, data=data, headers={"Content-Type": "image/jpeg"}, timeout=10).raise_for_status()


def key_of(url: str, bucket: str) -> str:
    path = unquote(urlsplit(url).path).lstrip("/")
    return path.removeprefix(f"{bucket}/")  # path-style URLs name the bucket first


def process(bucket: str, key: str) -> dict[str, Any]:
    """The processor's handler on the S3 notification of ``key``, as SQS hands it over."""
    notification = {
        "Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key)}}}
        ]
    }
    event = {"Records": [{"messageId": "m1", "receiptHandle": "r1", "body": json.dumps(notification)}]}
    result: dict[str, Any] = media_processor.handler(event, LambdaContext("MediaProcessorFunction"))
    return result


def attached(client: TestClient, headers: dict[str, str], post_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/posts/{post_id}", headers=headers)
    assert response.status_code == 200, response.text
    media: list[dict[str, Any]] = response.json()["data"]["post"]["media"]
    return media


def exists(bucket: str, key: str) -> bool:
    try:
        boto3.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


# ---------------------------------------------------------------------- the URL


def test_get_upload_url_signs_a_put_for_the_declared_content_type_that_expires_in_15_minutes(
    client: TestClient, keys: Keys, aws: dict[str, str]
) -> None:
    # Given a draft post group
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    # When a Publora client asks for an upload URL for a JPEG
    response = upload_url(client, headers, post["id"])
    # Then it gets the seed's answer
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"success", "uploadUrl", "fileUrl", "mediaId"}
    assert body["success"] is True
    assert body["mediaId"].startswith("media")
    # And the PUT URL is signed for the Content-Type (and nothing the seed's client does not send), for 900 s
    put = parse_qs(urlsplit(body["uploadUrl"]).query)
    assert put["X-Amz-Expires"] == ["900"]
    assert put["X-Amz-SignedHeaders"] == ["content-type;host"]
    # And fileUrl is a signed GET of the same object, valid as long as the product's media links
    get = parse_qs(urlsplit(body["fileUrl"]).query)
    assert urlsplit(body["fileUrl"]).path == urlsplit(body["uploadUrl"]).path
    assert (get["X-Amz-SignedHeaders"], get["X-Amz-Expires"]) == (["host"], ["3600"])
    # And a PUT with just the Content-Type stores the file, which fileUrl then serves
    stored = requests.put(body["uploadUrl"], data=JPEG, headers={"Content-Type": "image/jpeg"}, timeout=10)
    assert stored.status_code == 200, stored.text
    assert requests.get(body["fileUrl"], timeout=10).content == JPEG


def test_the_url_lifetime_is_a_setting(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a deployment with a shorter upload URL lifetime
    container.configure(PUBLORA_UPLOAD_URL_TTL_SECONDS="60")
    headers = new_workspace(client, keys)
    post = create(client, headers)
    # When an upload URL is asked for
    body = upload_url(client, headers, post["id"]).json()
    # Then it expires after that
    assert parse_qs(urlsplit(body["uploadUrl"]).query)["X-Amz-Expires"] == ["60"]


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"fileName": None}, 400, "fileName"),
        ({"contentType": None}, 400, "contentType"),
        ({"type": None}, 400, "type"),
        ({"postGroupId": None}, 400, "postGroupId"),
        ({"type": "audio"}, 400, "type"),
        ({"contentType": "video/mp4"}, 400, "contentType video/mp4 is a video type, but type is image"),
        ({"contentType": "application/zip"}, 415, "application/zip files are not supported"),
        ({"contentType": "image/heic"}, 415, "image/heic files are not supported"),
        ({"postGroupId": "post_unknown"}, 404, "Post not found"),
    ],
    ids=[
        "no-fileName",
        "no-contentType",
        "no-type",
        "no-postGroupId",
        "bad-type",
        "mismatch",
        "zip",
        "heic",
        "unknown",
    ],
)
def test_bad_requests_are_refused_in_publoras_envelope(
    client: TestClient, keys: Keys, change: dict[str, Any], status: int, says: str
) -> None:
    # Given a draft post group
    headers = new_workspace(client, keys)
    post = create(client, headers)
    body = {"fileName": "photo.jpg", "contentType": "image/jpeg", "type": "image", "postGroupId": post["id"]}
    # When the request lacks a field or has a wrong one
    for field, value in change.items():
        if value is None:
            body.pop(field)
        else:
            body[field] = value
    response = client.post("/api/v1/get-upload-url", json=body, headers=publora_key(headers))
    # Then it is refused with the right status, saying what is wrong, in Publora's shape
    assert response.status_code == status, response.text
    assert response.json()["success"] is False
    assert says in response.json()["error"]


def test_another_workspaces_post_is_404_and_a_published_one_409(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given two workspaces, each with a post, and one of them published
    mine, theirs = new_workspace(client, keys), new_workspace(client, keys)
    their_post = create(client, theirs)
    published = create(client, mine)
    set_status(container, mine, published["id"], PostStatus.PUBLISHED)
    # When a client asks for an upload URL for the other workspace's post, or for its published one
    foreign = upload_url(client, mine, their_post["id"])
    done = upload_url(client, mine, published["id"])
    # Then the first does not exist for it, and the second can no longer change
    assert (foreign.status_code, foreign.json()) == (404, {"success": False, "error": "Post not found"})
    assert done.status_code == 409, done.text
    assert "published" in done.json()["error"]


# ---------------------------------------------------------------------- 4 images or 1 video


def test_a_fifth_image_is_refused_until_an_unused_url_expires(
    client: TestClient, keys: Keys, clock: FrozenClock
) -> None:
    # Given a post group with four image uploads under way
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    for _ in range(4):
        assert upload_url(client, headers, post["id"]).status_code == 200
    # When a fifth image is asked for
    fifth = upload_url(client, headers, post["id"])
    # Then it is refused, saying why
    assert fifth.status_code == 409, fifth.text
    assert fifth.json() == {
        "success": False,
        "error": "A post takes at most 4 images, and this one has 4 already",
    }
    # And once those URLs have expired unused, they no longer count
    clock.moment += timedelta(seconds=901)
    assert upload_url(client, headers, post["id"]).status_code == 200


def test_a_second_video_or_a_video_beside_images_is_refused(client: TestClient, keys: Keys) -> None:
    # Given a post group with a video under way, and another with an image
    headers = new_workspace(client, keys)
    with_video = create(client, headers, platforms=["linkedin"])
    with_image = create(client, headers, platforms=["linkedin"])
    video = {"fileName": "clip.mp4", "contentType": "video/mp4", "type": "video"}
    assert upload_url(client, headers, with_video["id"], **video).status_code == 200
    assert upload_url(client, headers, with_image["id"]).status_code == 200
    # When a second video, an image beside the video, or a video beside the image is asked for
    second = upload_url(client, headers, with_video["id"], **video)
    image = upload_url(client, headers, with_video["id"])
    beside = upload_url(client, headers, with_image["id"], **video)
    # Then each is refused with a 409 that says why
    assert (second.status_code, second.json()["error"]) == (
        409,
        "A post takes at most 1 video, and this one has 1 already",
    )
    assert (image.status_code, image.json()["error"]) == (
        409,
        "A post takes up to 4 images or 1 video, not both: this one has a video",
    )
    assert (beside.status_code, beside.json()["error"]) == (
        409,
        "A post takes up to 4 images or 1 video, not both: this one has images",
    )


# ---------------------------------------------------------------------- the media processor


def test_a_jpeg_that_lands_is_attached_by_the_media_processor(
    client: TestClient, keys: Keys, aws: dict[str, str]
) -> None:
    # Given an upload URL for a post group
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    body = upload_url(client, headers, post["id"]).json()
    assert attached(client, headers, post["id"]) == []
    # When the client PUTs a real JPEG to it (S3 notifies the uploads queue) and the processor drains it
    put_file(body["uploadUrl"], JPEG)
    drain("MediaProcessorFunction")
    # Then the file is on the post, as the main API shows it, inspected from its bytes
    media = attached(client, headers, post["id"])
    assert [(m["id"], m["status"], m["mime_type"], m["size"]) for m in media] == [
        (body["mediaId"], "ready", "image/jpeg", len(JPEG))
    ]
    assert media[0]["dimensions"] == {"width": 64, "height": 48}
    assert media[0]["filename"] == "photo.jpg"
    assert requests.get(media[0]["url"], timeout=10).content == JPEG


@pytest.mark.parametrize(
    "content",
    [PNG, b"just some text, not an image\n"],
    ids=["png-declared-jpeg", "text-declared-jpeg"],
)
def test_a_file_that_is_not_what_was_declared_is_deleted_and_never_attached(
    client: TestClient, keys: Keys, container: Container, aws: dict[str, str], content: bytes
) -> None:
    # Given an upload URL for a JPEG
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    body = upload_url(client, headers, post["id"]).json()
    bucket = aws["MEDIA_BUCKET"]
    key = key_of(body["uploadUrl"], bucket)
    # When something else is PUT with the declared Content-Type, and the processor sees it land
    put_file(body["uploadUrl"], content)
    assert process(bucket, key) == {"batchItemFailures": []}
    # Then the post stays without it, and the object and its pending upload are gone
    assert attached(client, headers, post["id"]) == []
    assert not exists(bucket, key)
    assert container.posts.get_media(headers["X-Workspace-ID"], body["mediaId"]) is None
    # And the same URL used again lands a file the processor deletes too (nothing can attach it)
    put_file(body["uploadUrl"], JPEG)
    assert process(bucket, key) == {"batchItemFailures": []}
    assert not exists(bucket, key)
    assert attached(client, headers, post["id"]) == []


def test_the_same_event_twice_attaches_the_file_once(client: TestClient, keys: Keys, aws: dict[str, str]) -> None:
    # Given a JPEG PUT to its upload URL
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    body = upload_url(client, headers, post["id"]).json()
    put_file(body["uploadUrl"], JPEG)
    bucket = aws["MEDIA_BUCKET"]
    key = key_of(body["uploadUrl"], bucket)
    # When S3 delivers its event twice
    assert process(bucket, key) == {"batchItemFailures": []}
    assert process(bucket, key) == {"batchItemFailures": []}
    # Then the file is attached once, and still stored
    assert [m["id"] for m in attached(client, headers, post["id"])] == [body["mediaId"]]
    assert exists(bucket, key)


def test_a_file_past_the_cap_when_it_lands_is_dropped(
    client: TestClient, keys: Keys, clock: FrozenClock, aws: dict[str, str]
) -> None:
    # Given four image URLs, then (once they no longer count) a fifth, all five used late
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    first = [upload_url(client, headers, post["id"]).json() for _ in range(4)]
    clock.moment += timedelta(seconds=901)
    fifth = upload_url(client, headers, post["id"]).json()
    bucket = aws["MEDIA_BUCKET"]
    for body in [*first, fifth]:
        put_file(body["uploadUrl"], JPEG)
    # When the processor checks them as they land
    for body in [*first, fifth]:
        assert process(bucket, key_of(body["uploadUrl"], bucket)) == {"batchItemFailures": []}
    # Then the first four are on the post and the fifth is deleted
    assert [m["id"] for m in attached(client, headers, post["id"])] == [b["mediaId"] for b in first]
    assert not exists(bucket, key_of(fifth["uploadUrl"], bucket))


def test_a_post_changed_meanwhile_is_read_again_and_the_file_kept(
    client: TestClient, keys: Keys, aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a JPEG that landed, and a post another writer changes while the processor attaches the file
    headers = new_workspace(client, keys)
    post = create(client, headers, platforms=["linkedin"])
    body = upload_url(client, headers, post["id"]).json()
    put_file(body["uploadUrl"], JPEG)
    posts = media_processor.adapters().posts
    attach, calls = posts.attach_media, []

    def changed_once(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise ConcurrentModification()
        attach(*args)

    monkeypatch.setattr(posts, "attach_media", changed_once)
    # When the processor handles its event
    bucket = aws["MEDIA_BUCKET"]
    assert process(bucket, key_of(body["uploadUrl"], bucket)) == {"batchItemFailures": []}
    # Then it tried again on the post as it now is: the file (kept, not deleted) is attached
    assert len(calls) == 2
    assert [m["id"] for m in attached(client, headers, post["id"])] == [body["mediaId"]]
