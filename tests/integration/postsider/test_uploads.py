"""/public/v1/upload, /upload-from-url and the library's public paths; attach_images, which gives a
post the files its images name."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
import requests
from fastapi.testclient import TestClient
from PIL import Image
from starlette.requests import Request

from socialpub.api.container import Container
from socialpub.api.main.errors import status_of
from socialpub.api.postsider.media import attach_images, surface_base
from socialpub.config import PostsiderSettings
from socialpub.domain.errors import DomainError, InvalidInput
from socialpub.domain.media import MAX_BYTES
from socialpub.domain.permissions import Permission
from socialpub.domain.post_content import MediaKind
from socialpub.domain.posts import MediaNotFound
from tests import media_files
from tests.conftest import Keys
from tests.integration.postsider.test_foundation import PREFIXES, raw_key
from tests.integration.test_posts import create, new_workspace

MEDIA_KEYS = {"id", "name", "originalName", "path", "thumbnail", "alt"}
SSRF = ["URL must be a public HTTPS URL and cannot point to internal network addresses"]
PNG = media_files.image("PNG", (120, 80))
JPEG = media_files.image("JPEG", (90, 60))


# ---------------------------------------------------------------- a file server on loopback


@dataclass
class Served:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # no Content-Length: the size is only known by reading


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        served: Served = self.server.routes.get(self.path.split("?")[0], Served(404, b"not here"))  # type: ignore[attr-defined]
        self.send_response(served.status)
        for name, value in served.headers.items():
            self.send_header(name, value)
        if served.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(served.body), 1000):
                part = served.body[start : start + 1000]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(served.body)))
        self.end_headers()
        self.wfile.write(served.body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class FileServer:
    url: str
    routes: dict[str, Served]


@pytest.fixture
def files() -> Iterator[FileServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield FileServer(url=f"http://127.0.0.1:{server.server_address[1]}", routes=server.routes)  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def loopback(container: Container) -> Container:
    """Files by URL may come from loopback, as on the local stack (ALLOW_LOOPBACK_TARGETS)."""
    container.configure(ALLOW_LOOPBACK_TARGETS="true")
    return container


# ---------------------------------------------------------------- helpers


def upload(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "photo.png", prefix: str = "/public/v1"
) -> Any:
    return client.post(f"{prefix}/upload", files={"file": (name, data, "image/png")}, headers=headers)


def from_url(client: TestClient, headers: dict[str, str], url: Any) -> Any:
    return client.post("/public/v1/upload-from-url", json={"url": url}, headers=headers)


def served_file(client: TestClient, path: str) -> bytes:
    """What a network (or anyone) gets from an upload path: a redirect to a signed URL, then the file."""
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    assert answer.headers["cache-control"] == "no-store"
    fetched = requests.get(answer.headers["location"], timeout=5)
    assert fetched.status_code == 200
    return fetched.content


def stored_keys(container: Container, workspace_id: str) -> list[str]:
    bucket = container.settings(PostsiderSettings).media_bucket
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"workspaces/{workspace_id}/")
    return [o["Key"] for o in listing.get("Contents", [])]


# ---------------------------------------------------------------- POST /upload


@pytest.mark.parametrize("prefix", PREFIXES)
def test_an_upload_is_a_library_file_with_a_path_anyone_can_read(
    client: TestClient, keys: Keys, container: Container, prefix: str
) -> None:
    # Given a workspace key, as the postiz CLI sends it
    headers = new_workspace(client, keys)
    # When it uploads a PNG under a misleading name
    response = upload(client, raw_key(headers), PNG, name="photo.gif", prefix=prefix)
    # Then it is Postiz's Media, typed by its bytes: the path ends in .png, on the prefix the client used
    assert response.status_code == 201, response.text
    media = response.json()
    assert set(media) == MEDIA_KEYS
    assert media["id"].startswith("media_")
    assert media["name"] == f"{media['id']}.png"
    assert (media["originalName"], media["thumbnail"], media["alt"]) == ("photo.gif", None, None)
    assert media["path"] == f"http://testserver{prefix}/uploads/{media['id']}.png"
    # And the path, without any key, serves the very file
    assert served_file(client, media["path"]) == PNG
    assert client.head(media["path"], follow_redirects=False).status_code == 302
    # And the file is stored under the workspace's prefix (its original and a thumbnail), in no post
    assert len(stored_keys(container, headers["X-Workspace-ID"])) == 2
    assert client.get("/api/posts", headers=headers).json()["data"]["posts"] == []


def test_an_upload_over_the_json_cap_is_taken_and_one_over_the_upload_cap_is_the_edges_413(
    client: TestClient, keys: Keys
) -> None:
    # Given a workspace key, a 2 MB image (over the 1 MiB JSON cap) and a body over the ~4.5 MB upload cap
    headers = raw_key(new_workspace(client, keys))
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 700), os.urandom(2_100_000)).save(out, "PNG")
    big = out.getvalue()
    assert len(big) > 2_000_000
    # When both are uploaded
    taken = upload(client, headers, big)
    refused = upload(client, headers, b"\x89PNG\r\n\x1a\n" + b"\0" * 4_600_000, prefix="/api/public/v1")
    # Then the first is stored, and the second is a 413 in Nest's shape that says what to use instead
    assert taken.status_code == 201, taken.text
    assert refused.status_code == 413
    assert (refused.json()["statusCode"], refused.json()["error"]) == (413, "Payload Too Large")
    assert "/api/public/v1/upload-from-url" in refused.json()["message"]


def test_upload_errors_answer_as_postiz_does_and_store_nothing(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a workspace key
    workspace = new_workspace(client, keys)
    headers = raw_key(workspace)
    # When a file comes under another field name, or twice
    other_field = client.post("/public/v1/upload", files={"image": ("a.png", PNG)}, headers=headers)
    twice = client.post(
        "/public/v1/upload", files=[("file", ("a.png", PNG)), ("file", ("b.png", PNG))], headers=headers
    )
    # Then it is multer's 400
    unexpected = {"message": "Unexpected field", "error": "Bad Request", "statusCode": 400}
    assert (other_field.status_code, other_field.json()) == (400, unexpected)
    assert (twice.status_code, twice.json()) == (400, unexpected)
    # When there is no file: a text field only, a JSON body, or nothing at all
    text_only = client.post("/public/v1/upload", data={"file": "not a file"}, headers=headers)
    as_json = client.post("/public/v1/upload", json={"file": "x"}, headers=headers)
    empty = client.post("/public/v1/upload", headers=headers)
    # Then each is Postiz's msg
    for response in (text_only, as_json, empty):
        assert (response.status_code, response.json()) == (400, {"msg": "No file provided"})
    # When the bytes are not an image or video Postiz takes: a script named .png, a QuickTime movie, a PDF
    for data in (b"#!/bin/sh\necho hi\n", media_files.video(brand=b"qt  "), b"%PDF-1.7\n%..."):
        response = upload(client, headers, data)
        # Then it is Nest's string 400
        assert response.status_code == 400
        assert response.json() == {"statusCode": 400, "message": "Unsupported file type.", "error": "Bad Request"}
    # When an image is over the product's limit for images (made small here)
    monkeypatch.setitem(MAX_BYTES, MediaKind.IMAGE, 100)
    too_big = upload(client, headers, PNG)
    # Then the 400 says the limit
    assert too_big.status_code == 400
    assert too_big.json()["message"] == "File size exceeds the maximum allowed size of 100 bytes."
    # And nothing was stored
    assert stored_keys(container, workspace["X-Workspace-ID"]) == []


def test_uploads_need_a_key_with_the_media_permission(client: TestClient, keys: Keys) -> None:
    # Given no key, and a key that may not write media
    key = keys.issue(permissions=frozenset({Permission.WORKSPACES_WRITE}))
    assert client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": key}).status_code == 201
    # When each uploads
    anonymous = client.post("/public/v1/upload", files={"file": ("a.png", PNG)})
    read_only = client.post("/public/v1/upload", files={"file": ("a.png", PNG)}, headers={"Authorization": key})
    by_url = client.post("/public/v1/upload-from-url", json={"url": "https://cdn.example/a.png"})
    # Then Postiz's 401, and a 403 in the surface's shape
    assert (anonymous.status_code, anonymous.json()) == (401, {"msg": "No API Key found"})
    assert (by_url.status_code, by_url.json()) == (401, {"msg": "No API Key found"})
    assert read_only.status_code == 403
    assert set(read_only.json()) == {"msg"}


def test_postiz_agents_multipart_labelled_as_json_is_read_by_its_boundary(client: TestClient, keys: Keys) -> None:
    # Given the body postiz-agent 1.0.1 sends: multipart, but with Content-Type application/json
    headers = raw_key(new_workspace(client, keys))
    boundary = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\n\r\n'.encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    # When it uploads
    response = client.post("/public/v1/upload", content=body, headers={**headers, "Content-Type": "application/json"})
    # Then the file is taken as if the header had named the boundary
    assert response.status_code == 201, response.text
    assert served_file(client, response.json()["path"]) == PNG


def test_an_upload_path_that_names_no_file_is_a_404(client: TestClient, keys: Keys) -> None:
    # Given an uploaded file
    media = upload(client, raw_key(new_workspace(client, keys)), PNG).json()
    # When its path is asked for with another extension, or with an id that was never given, or none
    other_ext = client.get(media["path"].removesuffix(".png") + ".jpg", follow_redirects=False)
    unknown = client.get("/public/v1/uploads/media_00000000-0000-4000-8000-000000000000.png", follow_redirects=False)
    garbage = client.get("/api/public/v1/uploads/..%2F..%2Fetc.png", follow_redirects=False)
    # Then each is a 404 in the surface's shape
    for response in (other_ext, unknown, garbage):
        assert response.status_code == 404
        assert set(response.json()) <= {"msg", "message", "error", "statusCode"}


def test_the_path_keeps_the_stage_api_gateway_takes_off() -> None:
    # Given a request as API Gateway hands it over (the stage is in requestContext.path only)
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "server": ("abc123.execute-api.us-east-1.amazonaws.com", 443),
        "path": "/api/public/v1/upload",
        "root_path": "/api/public/v1",
        "query_string": b"",
        "headers": [(b"host", b"abc123.execute-api.us-east-1.amazonaws.com")],
        "aws.event": {"path": "/api/public/v1/upload", "requestContext": {"path": "/prod/api/public/v1/upload"}},
    }
    # When the surface's base URL is made
    base = surface_base(Request(scope))
    # Then it has the stage and the prefix the client used
    assert base == "https://abc123.execute-api.us-east-1.amazonaws.com/prod/api/public/v1"


# ---------------------------------------------------------------- POST /upload-from-url


def test_a_file_by_url_is_fetched_into_the_library(
    client: TestClient, keys: Keys, loopback: Container, files: FileServer
) -> None:
    # Given a workspace key, loopback allowed as on the local stack, and a JPEG served there behind a redirect
    headers = raw_key(new_workspace(client, keys))
    files.routes["/b.jpg"] = Served(body=JPEG, headers={"Content-Type": "image/jpeg"})
    files.routes["/moved.png"] = Served(302, headers={"Location": "/b.jpg"})
    # When it is asked for by URL (ending in .png, though it is a JPEG), with a query
    response = from_url(client, headers, f"{files.url}/moved.png?v=2")
    # Then it is stored as what its bytes are, in the same Media shape as an upload
    assert response.status_code == 201, response.text
    media = response.json()
    assert set(media) == MEDIA_KEYS
    assert media["path"] == f"http://testserver/public/v1/uploads/{media['id']}.jpg"
    assert media["originalName"] == "moved.png"
    assert served_file(client, media["path"]) == JPEG


def test_a_url_must_name_a_media_file(client: TestClient, keys: Keys) -> None:
    # Given a workspace key
    headers = raw_key(new_workspace(client, keys))
    # When the body has no url, a number, or a URL of another kind of file (an image name only in its query)
    missing = client.post("/public/v1/upload-from-url", json={}, headers=headers)
    number = from_url(client, headers, 5)
    text = from_url(client, headers, "https://cdn.example/notes.txt?name=a.png")
    # Then each is Nest's validation 400, an array naming the field
    for response in (missing, number, text):
        assert response.status_code == 400
        body = response.json()
        assert (body["statusCode"], body["error"]) == (400, "Bad Request")
        assert isinstance(body["message"], list)
        assert body["message"][0].startswith("url ")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/a.png",  # plain http
        "https://127.0.0.1:{port}/a.png",  # loopback
        "https://localhost:{port}/a.png",  # a name for loopback
        "https://169.254.169.254/latest/meta-data/a.png",  # cloud metadata
        "https://10.0.0.7/a.png",  # private
        "https://user:pw@cdn.example/a.png",  # user info
    ],
)
def test_internal_addresses_and_plain_http_are_refused(
    client: TestClient, keys: Keys, container: Container, files: FileServer, url: str
) -> None:
    # Given a workspace key, the default guard (no loopback), and a file that loopback would serve
    workspace = new_workspace(client, keys)
    files.routes["/a.png"] = Served(body=PNG)
    # When a URL on an internal address, or not https, is given
    response = from_url(client, raw_key(workspace), url.format(port=files.url.rsplit(":", 1)[1]))
    # Then it is refused as Postiz's validator words it, and nothing is stored
    assert response.status_code == 400, response.text
    assert response.json() == {"statusCode": 400, "message": SSRF, "error": "Bad Request"}
    assert stored_keys(container, workspace["X-Workspace-ID"]) == []


def test_where_loopback_is_allowed_metadata_private_addresses_and_redirects_to_them_are_not(
    client: TestClient, keys: Keys, loopback: Container, files: FileServer
) -> None:
    # Given loopback allowed, and a loopback file that redirects to a private address
    headers = raw_key(new_workspace(client, keys))
    files.routes["/inside.png"] = Served(302, headers={"Location": "http://10.1.2.3/a.png"})
    # When the metadata address, plain http to it, or the redirect is asked for
    responses = [
        from_url(client, headers, "https://169.254.169.254/latest/a.png"),
        from_url(client, headers, "http://169.254.169.254/latest/a.png"),
        from_url(client, headers, f"{files.url}/inside.png"),
    ]
    # Then each is refused
    for response in responses:
        assert (response.status_code, response.json()["message"]) == (400, SSRF), response.text


def test_fetch_failures_types_and_sizes_answer_postiz_msgs(
    client: TestClient, keys: Keys, loopback: Container, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given loopback allowed with a 2,000-byte cap on files by URL, and files of every kind of trouble
    loopback.configure(REMOTE_MEDIA_MAX_BYTES="2000")
    workspace = new_workspace(client, keys)
    headers = raw_key(workspace)
    files.routes["/gone.png"] = Served(404, b"no")
    files.routes["/broken.png"] = Served(500, b"oops")
    files.routes["/loop.png"] = Served(302, headers={"Location": "/loop.png"})
    files.routes["/script.png"] = Served(body=b"#!/bin/sh\necho hi\n")
    files.routes["/declared.png"] = Served(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 5000)
    files.routes["/streamed.png"] = Served(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 5000, chunked=True)
    closed_port = files.url.rsplit(":", 1)[0] + ":1"
    # When each is asked for
    failed = [from_url(client, headers, f"{files.url}/{name}") for name in ("gone.png", "broken.png", "loop.png")]
    failed.append(from_url(client, headers, f"{closed_port}/a.png"))
    unsupported = from_url(client, headers, f"{files.url}/script.png")
    declared = from_url(client, headers, f"{files.url}/declared.png")
    streamed = from_url(client, headers, f"{files.url}/streamed.png")
    # Then: Failed to fetch URL; Unsupported file type.; File is too large. (whether its size was
    # declared or only found while reading)
    for response in failed:
        assert (response.status_code, response.json()) == (400, {"msg": "Failed to fetch URL"}), response.text
    assert (unsupported.status_code, unsupported.json()) == (400, {"msg": "Unsupported file type."})
    assert (declared.status_code, declared.json()) == (400, {"msg": "File is too large."})
    assert (streamed.status_code, streamed.json()) == (400, {"msg": "File is too large."})
    # And an image within the fetch cap but over the product's image limit is too large as well
    files.routes["/p.png"] = Served(body=PNG)
    monkeypatch.setitem(MAX_BYTES, MediaKind.IMAGE, 100)
    assert from_url(client, headers, f"{files.url}/p.png").json() == {"msg": "File is too large."}
    # And nothing was stored
    assert stored_keys(loopback, workspace["X-Workspace-ID"]) == []


# ---------------------------------------------------------------- attach_images


def test_attach_images_gives_each_post_its_own_copy_of_an_upload_and_fetches_urls(
    client: TestClient, keys: Keys, loopback: Container, files: FileServer
) -> None:
    # Given a workspace with two draft posts, an uploaded PNG, and a JPEG served by URL
    headers = new_workspace(client, keys)
    workspace_id = headers["X-Workspace-ID"]
    first, second = create(client, headers), create(client, headers, content="Second")
    uploaded = upload(client, raw_key(headers), PNG).json()
    files.routes["/b.jpg"] = Served(body=JPEG)
    # When the first post gets the upload's path (on another host, as a proxy may show it) and the
    # URL, and the second the same upload's path
    other_host = uploaded["path"].replace("http://testserver", "https://social.example.com/api")
    attach_images(loopback, workspace_id, first["id"], [(other_host, "A red square"), (f"{files.url}/b.jpg", None)])
    attach_images(loopback, workspace_id, second["id"], [(uploaded["path"], None)])
    # Then GET /api/posts/{id} shows each post's media, in order, with their alt text
    one = client.get(f"/api/posts/{first['id']}", headers=headers).json()["data"]["post"]["media"]
    two = client.get(f"/api/posts/{second['id']}", headers=headers).json()["data"]["post"]["media"]
    assert [(m["mime_type"], m["alt_text"], m["dimensions"]) for m in one] == [
        ("image/png", "A red square", {"width": 120, "height": 80}),
        ("image/jpeg", None, {"width": 90, "height": 60}),
    ]
    assert [m["mime_type"] for m in two] == ["image/png"]
    # And each is a media item of its own, not the library file
    ids = {m["id"] for m in one + two}
    assert len(ids) == 3
    assert uploaded["id"] not in ids
    # When the first post is deleted
    assert client.delete(f"/api/posts/{first['id']}", headers=headers).status_code == 200
    # Then the library file and the second post's copy are still there
    assert served_file(client, uploaded["path"]) == PNG
    kept = client.get(f"/api/posts/{second['id']}", headers=headers).json()["data"]["post"]["media"][0]
    assert requests.get(kept["url"], timeout=5).content == PNG


def test_attach_images_refuses_other_workspaces_uploads_and_unsafe_urls_leaving_the_post_as_it_was(
    client: TestClient, keys: Keys, container: Container, files: FileServer
) -> None:
    # Given a post of one workspace, one of its uploads, and an upload of another workspace
    headers = new_workspace(client, keys)
    workspace_id = headers["X-Workspace-ID"]
    post = create(client, headers)
    mine = upload(client, raw_key(headers), PNG).json()
    theirs = upload(client, raw_key(new_workspace(client, keys)), PNG).json()
    files.routes["/a.png"] = Served(body=PNG)
    cases: list[tuple[list[tuple[str, str | None]], type[DomainError], int]] = [
        ([(mine["path"], None), (theirs["path"], None)], MediaNotFound, 404),
        ([(mine["path"].replace(mine["id"], "media_00000000-0000-4000-8000-000000000000"), None)], MediaNotFound, 404),
        ([(mine["path"], None), ("https://169.254.169.254/latest/a.png", None)], InvalidInput, 400),
        ([(f"{files.url}/a.png", None)], InvalidInput, 400),  # loopback is not allowed here
        ([(mine["path"], "x" * 5001)], InvalidInput, 400),
    ]
    for images, error, status in cases:
        # When the post is given these images
        with pytest.raises(error) as raised:
            attach_images(container, workspace_id, post["id"], images)
        # Then it is a domain error the surface answers with its status and {"msg"}
        assert status_of(raised.value) == status
    # And the post has no media, and only the two library files' objects are stored
    assert client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["media"] == []
    assert len(stored_keys(container, workspace_id)) == 2


def test_an_unsupported_or_too_large_file_by_url_is_a_400_for_attach_images(
    client: TestClient, keys: Keys, loopback: Container, files: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a post, and a script and an image served on loopback (allowed), with a small image limit
    headers = new_workspace(client, keys)
    post = create(client, headers)
    files.routes["/s.png"] = Served(body=b"#!/bin/sh\n")
    files.routes["/p.png"] = Served(body=PNG)
    monkeypatch.setitem(MAX_BYTES, MediaKind.IMAGE, 100)
    for name in ("s.png", "p.png"):
        # When the post is given it
        with pytest.raises(InvalidInput) as raised:
            attach_images(loopback, headers["X-Workspace-ID"], post["id"], [(f"{files.url}/{name}", None)])
        # Then it is a 400 in the surface's table, as Postiz answers (not the main API's 413/415)
        assert status_of(raised.value) == 400


def test_deleting_an_upload_through_the_main_api_keeps_the_posts_copies(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an upload used by a post
    headers = new_workspace(client, keys)
    post = create(client, headers)
    uploaded = upload(client, raw_key(headers), PNG).json()
    attach_images(container, headers["X-Workspace-ID"], post["id"], [(uploaded["path"], None)])
    # When the upload is deleted with DELETE /api/media/{id}
    response = client.delete(f"/api/media/{uploaded['id']}", headers=headers)
    # Then its path is gone, and the post keeps its own copy
    assert response.status_code == 200, response.text
    assert client.get(uploaded["path"], follow_redirects=False).status_code == 404
    kept = client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]["media"]
    assert requests.get(kept[0]["url"], timeout=5).content == PNG
