"""Media items: files attached to a post, stored privately and served only through signed URLs.

A media item with no post is a file of the workspace's media library (PostSider's uploads,
domain/services/media_library.py): posts use it by its path, each getting a copy of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, model_validator

from socialpub.domain.errors import Conflict, DomainError, InvalidInput
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
# A file PUT to a presigned URL with no confirm call after it (Publora's get-upload-url) lands under
# this name; the bucket notifies the media processor of each such object, which checks the file and
# attaches it to its post or deletes it (domain/services/media.py ``process_arrival``).
ARRIVAL_OBJECT_NAME = "upload"
JPEG_COPY_NAME = "converted.jpg"


class MediaTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The file is larger than accepted"


class UnsupportedMediaType(DomainError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "The file's type is not supported"


class DeclaredTypeMismatch(InvalidInput):
    """A declared MIME type of one kind for a file declared as another (``video/mp4`` as an image)."""

    code = "MEDIA_TYPE_MISMATCH"
    default_message = "The declared content type is not of the declared kind of file"


class TooManyMedia(Conflict):
    code = "TOO_MANY_MEDIA"
    default_message = "The post already has as many files as it can take"


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

    @property
    def jpeg_key(self) -> str:
        """Where the JPEG copy made for networks that take only JPEG is kept (made when a post first
        goes to one: domain/services/publishing.py), beside the original."""
        return object_key(self.workspace_id, self.id, JPEG_COPY_NAME)

    @property
    def stored_keys(self) -> list[str]:
        """Every object this file may have in the bucket: deleted with it."""
        copy = [self.jpeg_key] if self.kind is MediaKind.IMAGE and self.mime_type != "image/jpeg" else []
        return [k for k in (self.object_key, self.thumbnail_key, *copy) if k]

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


def arrival_of_key(key: str) -> tuple[str, str] | None:
    """(workspace id, media id) of the key where an upload checked on arrival lands (``object_key``
    with ARRIVAL_OBJECT_NAME); None for every other key."""
    parts = key.split("/")
    if len(parts) != 5 or (parts[0], parts[2], parts[4]) != ("workspaces", "media", ARRIVAL_OBJECT_NAME):
        return None
    return (parts[1], parts[3]) if parts[1] and parts[3] else None


@dataclass(frozen=True)
class MediaCap:
    """At most ``images`` images or ``videos`` videos on one post, never both (documents aside)."""

    images: int
    videos: int

    def check(self, existing: Sequence[MediaKind], adding: MediaKind) -> None:
        """Refuse (409) a file of kind ``adding`` on a post that has files of kinds ``existing``."""
        images, videos = existing.count(MediaKind.IMAGE), existing.count(MediaKind.VIDEO)
        either = f"A post takes up to {self.images} images or {self.videos} video, not both"
        if adding is MediaKind.VIDEO and images:
            raise TooManyMedia(f"{either}: this one has images", details={"images": images, "videos": videos})
        if adding is MediaKind.IMAGE and videos:
            raise TooManyMedia(f"{either}: this one has a video", details={"images": images, "videos": videos})
        if adding is MediaKind.VIDEO and videos >= self.videos:
            raise TooManyMedia(
                f"A post takes at most {self.videos} video, and this one has {videos} already",
                details={"max_videos": self.videos, "videos": videos},
            )
        if adding is MediaKind.IMAGE and images >= self.images:
            raise TooManyMedia(
                f"A post takes at most {self.images} images, and this one has {images} already",
                details={"max_images": self.images, "images": images},
            )


# Uploads checked on arrival (Publora's get-upload-url) follow the seed's "up to 4 images or 1 video
# per post", counting the uploads under way, so that a fifth image is refused when its URL is asked
# for rather than dropped once it lands.
ARRIVAL_UPLOAD_CAP = MediaCap(images=4, videos=1)


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


def check_declared_kind(declared: MediaKind, mime_type: str) -> MediaKind:
    """The kind of a declared MIME type (415 for a type we do not take), which must be the declared
    kind (400: the client contradicts itself)."""
    kind = kind_of(mime_type)
    if kind is not declared:
        raise DeclaredTypeMismatch(
            f"contentType {mime_type} is a {kind.value} type, but type is {declared.value}",
            details={"declared": declared.value, "mime_type": mime_type},
        )
    return kind


def check_declared_type(declared: MediaKind | None, found: MediaKind, mime_type: str) -> None:
    """The optional ``type`` field must agree with what the bytes are."""
    if declared is not None and declared is not found:
        raise UnsupportedMediaType(
            f"The file was declared as {declared.value} but its content is {mime_type}",
            details={"declared": declared.value, "detected": mime_type},
        )
