"""PostSider's media: uploads are files of the workspace's media library (no post yet), which posts
then name by ``path`` (domain/services/media_library.py).

A library file's path is ``<the surface's base URL>/uploads/<media id>.<ext>``, on the host and
prefix (/public/v1 or /api/public/v1) the client used. GET on it, without auth, redirects to a
short-lived signed URL of the file: the media id is random (122 bits), so the path is as hard to
guess as Postiz's own public upload paths, and it is the only thing that grants the read.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from socialpub.api.container import Container
from socialpub.domain.errors import InvalidInput
from socialpub.domain.media import Media, MediaTooLarge, UnsupportedMediaType
from socialpub.domain.services import media_library as library
from socialpub.domain.services.media_library import LibraryDeps

# What Postiz takes (its /upload allow-list, and the extensions a post's image path may end in),
# as far as the product recognises it: JPEG, PNG, GIF, WebP and MP4.
ACCEPTED_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"})
UPLOADS = "/uploads"  # under the surface's prefix


def library_deps(c: Container) -> LibraryDeps:
    return c.media_library_deps(ACCEPTED_TYPES)


def attach_images(c: Container, workspace_id: str, post_id: str, images: Sequence[tuple[str, str | None]]) -> None:
    """Give the post the files its images name, ``(path, alt)`` in order: one of this workspace's
    upload paths (any host) becomes a copy of that file; any other path must be a public https URL,
    fetched through the SSRF guard. Every image is checked before any is attached. Errors are domain
    errors: 404 for an upload path that is not this workspace's, 400 for the rest (Postiz answers
    400 for a file it cannot take, where the main API says 413 or 415)."""
    try:
        library.attach_images(workspace_id, post_id, images, library_deps(c))
    except (MediaTooLarge, UnsupportedMediaType) as exc:
        raise InvalidInput(exc.message, details=exc.details) from exc


def surface_base(request: Request) -> str:
    """The surface's base URL as the client reached it: its scheme and host, the part API Gateway
    takes off before the function sees the path (the stage, or a custom domain's base path), and
    the prefix used (/public/v1 or /api/public/v1, the sub-application's mount)."""
    event = request.scope.get("aws.event") or {}
    seen = str((event.get("requestContext") or {}).get("path") or "")
    own = str(event.get("path") or "")
    gateway = seen[: -len(own)] if own and seen.endswith(own) else ""
    # root_path: the mount (after any root path of the app itself), e.g. /api/public/v1
    return f"{request.url.scheme}://{request.url.netloc}{gateway}{request.scope.get('root_path', '')}"


def upload_path(request: Request, media: Media) -> str:
    return f"{surface_base(request)}{UPLOADS}/{library.upload_name(media)}"


class UploadedMedia(BaseModel):
    """Postiz's Media as /upload answers it; clients read ``id`` and ``path``."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    original_name: str | None = Field(serialization_alias="originalName")
    path: str
    thumbnail: str | None
    alt: str | None

    @classmethod
    def of(cls, media: Media, request: Request) -> UploadedMedia:
        return cls(
            id=media.id,
            name=library.upload_name(media),
            original_name=media.filename,
            path=upload_path(request, media),
            thumbnail=None,
            alt=media.alt_text,
        )
