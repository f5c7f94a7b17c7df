"""POST /public/v1/upload and /upload-from-url: files into the workspace's media library, answered
with Postiz's Media (``path`` is what a post then names); GET /public/v1/uploads/<id>.<ext>, without
auth, redirects to a short-lived signed URL of the file (api/postsider/media.py).

Bodies follow the real Postiz server (wire contract 2.9): multer's 400 for a file under another
field name, ``{"msg"}`` for no file and for upload-from-url's failures, Nest's string 400s for an
unsupported or too large /upload. The type is read from the bytes, whatever the name or part type.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, field_validator
from starlette.datastructures import UploadFile

from socialpub.api.container import ContainerDep
from socialpub.api.postsider.auth import Organisation, requires
from socialpub.api.postsider.errors import BadRequest
from socialpub.api.postsider.media import UPLOADS, UploadedMedia, library_deps
from socialpub.domain.errors import InvalidInput
from socialpub.domain.media import MediaTooLarge, RemoteMediaRefused, UnsupportedMediaType
from socialpub.domain.permissions import Permission
from socialpub.domain.posts import MediaNotFound
from socialpub.domain.services import media_library as library

router = APIRouter(tags=["postsider"])

FIELD = "file"  # multer's single("file")
URL_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4")
LINK_TTL_SECONDS = 300  # the redirect is followed at once; the signed URL need not outlive that
# A multipart body's first line: "--" and a boundary (RFC 2046's characters, 1 to 70 of them).
_LEADING_BOUNDARY = re.compile(rb"--([0-9A-Za-z'()+_,\-./:=?]{1,70})\r\n")


class FromUrl(BaseModel):
    url: str

    @field_validator("url")
    @classmethod
    def _a_media_file(cls, url: str) -> str:
        if not url.split("?", 1)[0].lower().endswith(URL_EXTENSIONS):
            raise ValueError(f"must be a URL ending in {', '.join(URL_EXTENSIONS)}")
        return url


@router.post("/upload", status_code=status.HTTP_201_CREATED)
async def upload(
    request: Request, c: ContainerDep, org: Organisation = requires(Permission.MEDIA_WRITE)
) -> UploadedMedia:
    """Multipart, one file in the field ``file`` (about 4.5 MB at most through API Gateway and
    Lambda; larger files: upload-from-url)."""
    filename, data = await _the_file(request)
    try:
        media = await run_in_threadpool(library.add_file, org.workspace_id, data, filename, library_deps(c))
    except UnsupportedMediaType as exc:
        raise BadRequest("Unsupported file type.") from exc
    except MediaTooLarge as exc:
        cap = exc.details.get("max_bytes")
        raise BadRequest(f"File size exceeds the maximum allowed size of {cap} bytes.") from exc
    return UploadedMedia.of(media, request)


@router.post("/upload-from-url", status_code=status.HTTP_201_CREATED)
def upload_from_url(
    body: FromUrl, request: Request, c: ContainerDep, org: Organisation = requires(Permission.MEDIA_WRITE)
) -> UploadedMedia:
    """Fetch a public https file into the library, through the SSRF guard (adapters/remote_media.py)."""
    try:
        media = library.add_from_url(org.workspace_id, body.url, library_deps(c))
    except RemoteMediaRefused as exc:
        # Postiz refuses such a URL in its DTO: a validation error, worded as its validator words it.
        raise RequestValidationError([{"type": "value_error", "loc": ("body",), "msg": exc.message}]) from exc
    except MediaTooLarge as exc:
        raise InvalidInput("File is too large.", details=exc.details) from exc
    except UnsupportedMediaType as exc:
        raise InvalidInput("Unsupported file type.", details=exc.details) from exc
    return UploadedMedia.of(media, request)


@router.api_route(UPLOADS + "/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def serve_upload(name: str, c: ContainerDep) -> RedirectResponse:
    """No auth: the path's random media id is what grants the read (api/postsider/media.py)."""
    media_id = library.upload_id(f"{UPLOADS}/{name}")
    if media_id is None:
        raise MediaNotFound(details={"name": name})
    media = library.public_upload(media_id, library_deps(c).library)
    if name != library.upload_name(media):
        raise MediaNotFound(details={"name": name})
    url = c.postsider_media.download_url(media.object_key, LINK_TTL_SECONDS)
    return RedirectResponse(url, status_code=status.HTTP_302_FOUND, headers={"Cache-Control": "no-store"})


async def _the_file(request: Request) -> tuple[str | None, bytes]:
    """The one file of the field ``file``, as multer's single() takes it: a file under another
    name (or a second one) is an unexpected field; text fields are ignored."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        body = await request.body()
        found = _LEADING_BOUNDARY.match(body)
        if found is None:
            raise InvalidInput("No file provided")
        # postiz-agent 1.0.1 sends its multipart body labelled application/json (its session's
        # header wins over requests' own): the body's first line names the boundary.
        request = _relabelled(request, body, found.group(1))
    form = await request.form()
    try:
        files = [(key, value) for key, value in form.multi_items() if isinstance(value, UploadFile)]
        if any(key != FIELD for key, _ in files) or len(files) > 1:
            raise BadRequest("Unexpected field")
        if not files:
            raise InvalidInput("No file provided")
        (_, file), *_ = files
        return file.filename, await file.read()
    finally:
        await form.close()


def _relabelled(request: Request, body: bytes, boundary: bytes) -> Request:
    """The same request, its body given again, as multipart/form-data with ``boundary``."""
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != b"content-type"]
    headers.append((b"content-type", b"multipart/form-data; boundary=" + boundary))
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if given:
            return {"type": "http.disconnect"}
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({**request.scope, "headers": headers}, receive)
