"""Media items: files attached to a post, stored privately and served only through signed URLs.

A media item with no post is a file of the workspace's media library (PostSider's uploads,
domain/services/media_library.py): posts use it by its path, each getting a copy of its own.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, model_validator

from socialpub.domain.errors import DomainError, InvalidInput
from socialpub.domain.post_content import MediaFacts, MediaKind

# What we can recognise from a file's first bytes, and what each is. A format outside this table is
# refused with 415 whatever its name or declared type says.
KIND_OF_MIME: dict[str, MediaKind] = {
    "image/jpeg": MediaKind.IMAGE,
    "image/png": MediaKind.IMAGE,
    "image/gif": MediaKind.IMAGE,
    "image/webp": MediaKind.IMAGE,
    "video/mp4": MediaKind.VIDEO,
    "video/quicktime": MediaKind.VIDEO,
    "video/webm": MediaKind.VIDEO,
    "video/x-matroska": MediaKind.VIDEO,
    "application/pdf": MediaKind.DOCUMENT,
}

# The largest file of each kind we accept at all; each network's own (smaller) caps are checked when
# the file is attached. Videos stop at S3's single-PUT maximum; documents at LinkedIn's 100 MB.
# The file name extension of each type, as a library file's path ends.
EXTENSION_OF_MIME: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "application/pdf": "pdf",
}

MAX_BYTES: dict[MediaKind, int] = {
    MediaKind.IMAGE: 50 * 1024 * 1024,
    MediaKind.VIDEO: 5 * 1024 * 1024 * 1024,
    MediaKind.DOCUMENT: 100 * 1024 * 1024,
}
MAX_IMAGE_PIXELS = 60_000_000  # decoding more would risk the function's memory (decompression bombs)
MAX_FILENAME_LENGTH = 255
MAX_ALT_TEXT_LENGTH = 5000  # above every network's own cap, which validation reports per network
UPLOAD_URL_TTL_SECONDS = 3600
PENDING_UPLOAD_TTL_SECONDS = 24 * 3600


class MediaTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The file is larger than accepted"


class UnsupportedMediaType(DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "The file's type is not supported"


class RemoteMediaUnavailable(InvalidInput):
    """A file asked for by URL could not be fetched (no answer, an error status, too slow)."""

    code = "MEDIA_FETCH_FAILED"
    default_message = "Failed to fetch URL"


class RemoteMediaRefused(InvalidInput):
    """A file asked for by URL is on an address the server must not reach (SSRF guard), or not https."""

    code = "MEDIA_URL_REFUSED"
    default_message = "URL must be a public HTTPS URL and cannot point to internal network addresses"


class MediaStatus(StrEnum):
    PENDING = "pending"  # an upload URL was issued; the file is not confirmed yet
    READY = "ready"


class Inspection(BaseModel):
    """What the bytes of a file say about it."""

    mime_type: str
    kind: MediaKind
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    thumbnail: bytes | None = None  # a JPEG preview, for images


class Media(BaseModel):
    id: str
    workspace_id: str
    post_id: str | None = None  # None: a file of the workspace's media library, attached to no post
    status: MediaStatus
    kind: MediaKind
    mime_type: str
    filename: str
    size: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    alt_text: str | None = None
    object_key: str
    thumbnail_key: str | None = None
    created_at: datetime

    @model_validator(mode="after")
    def _library_files_are_ready(self) -> Media:
        # A pending upload is always for a post; a library file is stored whole before it is recorded.
        if self.post_id is None and self.status is not MediaStatus.READY:
            raise ValueError("a media item without a post must be ready")
        return self

    @property
    def extension(self) -> str:
        return EXTENSION_OF_MIME.get(self.mime_type, "bin")

    def facts(self) -> MediaFacts:
        return MediaFacts(
            kind=self.kind,
            mime_type=self.mime_type,
            size=self.size,
            duration=self.duration,
            width=self.width,
            height=self.height,
            alt_text=self.alt_text,
        )


def object_key(workspace_id: str, media_id: str, name: str) -> str:
    """Where a confirmed file lives; everything of a workspace sits under ``workspaces/<id>/``."""
    return f"workspaces/{workspace_id}/media/{media_id}/{name}"


class BytesSource:
    """A file held in memory (a multipart upload), read like any other ByteSource."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.size = len(data)

    def read(self, offset: int, length: int) -> bytes:
        return self._data[offset : offset + length]


def check_size(kind: MediaKind, size: int) -> None:
    cap = MAX_BYTES[kind]
    if size > cap:
        raise MediaTooLarge(
            f"{kind.value.capitalize()}s are accepted up to {cap} bytes; this file has {size}",
            details={"max_bytes": cap, "size": size, "type": kind.value},
        )


def kind_of(mime_type: str) -> MediaKind:
    kind = KIND_OF_MIME.get(mime_type)
    if kind is None:
        raise UnsupportedMediaType(
            f"{mime_type} files are not supported",
            details={"mime_type": mime_type, "supported": sorted(KIND_OF_MIME)},
        )
    return kind


def check_declared_type(declared: MediaKind | None, found: MediaKind, mime_type: str) -> None:
    """The optional ``type`` field must agree with what the bytes are."""
    if declared is not None and declared is not found:
        raise UnsupportedMediaType(
            f"The file was declared as {declared.value} but its content is {mime_type}",
            details={"declared": declared.value, "detected": mime_type},
        )
