"""The workspace's media library: files uploaded on their own, before any post (PostSider's /upload
and /upload-from-url), which posts then use by their path.

A library file is a media item with no post (``post_id=None``), recorded in its workspace and stored
under the workspace's prefix like any other. A post that uses it gets a media item of its own, with
a copy of the object, so deleting the post (or the library file) never removes another's file, and
the same file may go into any number of posts. Its public path names it by a random id
(``ids.random_id``: 122 random bits), the only thing that grants a read of it.

Whichever way a file arrives, the same inspection decides what it is (from its bytes) and the same
size limits apply as for the main API's uploads.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from socialpub.domain.errors import InvalidInput
from socialpub.domain.ids import new_id, random_id
from socialpub.domain.media import (
    KIND_OF_MIME,
    MAX_ALT_TEXT_LENGTH,
    BytesSource,
    Inspection,
    Media,
    MediaStatus,
    UnsupportedMediaType,
    check_size,
    object_key,
)
from socialpub.domain.ports import (
    Clock,
    MediaInspector,
    MediaLibraryRepository,
    MediaObjectStore,
    PostRepository,
    RemoteMedia,
)
from socialpub.domain.posts import MediaNotFound
from socialpub.domain.services.media import attach_or_clean_up, check_attachable, safe_filename
from socialpub.domain.services.posts import get_post

# How a library file's path ends, on whichever host and prefix it was given: /uploads/<id>.<ext>.
UPLOAD_PATH = re.compile(r"/uploads/(media_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[a-z0-9]+$")


@dataclass(frozen=True)
class LibraryDeps:
    posts: PostRepository
    library: MediaLibraryRepository
    objects: MediaObjectStore
    inspector: MediaInspector
    remote: RemoteMedia
    clock: Clock
    accepted: Collection[str] = tuple(KIND_OF_MIME)  # the MIME types taken (a surface may take fewer)
    remote_max_bytes: int = 100 * 1024 * 1024  # the most read from a URL (held in memory while inspected)


def upload_name(media: Media) -> str:
    """The last segment of a library file's path: its id and its type's extension."""
    return f"{media.id}.{media.extension}"


def upload_id(path: str) -> str | None:
    """The library file a path names (``.../uploads/<id>.<ext>``, any host), or None."""
    try:
        found = UPLOAD_PATH.search(unquote(urlsplit(path.strip()).path))
    except ValueError:
        return None
    return found.group(1) if found else None


def add_file(workspace_id: str, data: bytes, filename: str | None, deps: LibraryDeps) -> Media:
    """Inspect, store and record a file of the library."""
    inspection = _inspect(data, deps)
    media_id = random_id("media")
    media = _media(workspace_id, None, media_id, inspection, len(data), safe_filename(filename), None, deps)
    keys = _store(media, data, inspection, deps)
    try:
        deps.library.add_library_media(media)
    except Exception:
        deps.objects.delete(keys)
        raise
    return media


def add_from_url(workspace_id: str, url: str, deps: LibraryDeps) -> Media:
    """Fetch a file (through the SSRF guard, within the size cap), then as ``add_file``."""
    data = deps.remote.fetch(url, deps.remote_max_bytes)
    return add_file(workspace_id, data, _name_in(url), deps)


def public_upload(media_id: str, library: MediaLibraryRepository) -> Media:
    """A library file as its public path serves it (whichever workspace holds it)."""
    media = library.find_upload(media_id)
    if media is None or media.post_id is not None:
        raise MediaNotFound(details={"media_id": media_id})
    return media


@dataclass
class _Prepared:
    media: Media
    keys: list[str]


def attach_images(
    workspace_id: str, post_id: str, images: Sequence[tuple[str, str | None]], deps: LibraryDeps
) -> list[Media]:
    """Give a post the files its images name, in order, each with its alt text: a path of this
    workspace's library becomes a copy of that file; any other path must be a public https URL,
    fetched and inspected as by ``add_from_url``. Every file is resolved, stored and checked against
    the post's networks before any is attached, so a bad one leaves the post as it was (the files
    stored meanwhile are deleted)."""
    post = get_post(workspace_id, post_id, deps.posts)
    post.require_editable()
    prepared: list[_Prepared] = []
    try:
        for path, alt in images:
            prepared.append(_prepare(workspace_id, post_id, path, alt, deps))
        check_attachable(post, [p.media for p in prepared])
    except Exception:
        deps.objects.delete([k for p in prepared for k in p.keys])
        raise
    attached: list[Media] = []
    for index, item in enumerate(prepared):
        try:
            post = attach_or_clean_up(post, item.media, deps.posts, deps.objects, deps.clock)
        except Exception:
            deps.objects.delete([k for p in prepared[index + 1 :] for k in p.keys])
            raise
        attached.append(item.media)
    return attached


def _prepare(workspace_id: str, post_id: str, path: str, alt: str | None, deps: LibraryDeps) -> _Prepared:
    if alt is not None and len(alt) > MAX_ALT_TEXT_LENGTH:
        raise InvalidInput(
            f"Alt text is accepted up to {MAX_ALT_TEXT_LENGTH} characters", details={"path": path, "field": "alt"}
        )
    library_id = upload_id(path)
    if library_id is not None:
        source = deps.library.get_media(workspace_id, library_id)
        if source is None or source.post_id is not None:  # another workspace's id is simply not here
            raise MediaNotFound(f"No uploaded file of this workspace has the path {path}", details={"path": path})
        media_id = new_id("media")
        media = source.model_copy(
            update={
                "id": media_id,
                "post_id": post_id,
                "alt_text": alt,
                "object_key": object_key(workspace_id, media_id, "original"),
                "thumbnail_key": object_key(workspace_id, media_id, "thumbnail.jpg") if source.thumbnail_key else None,
                "created_at": deps.clock(),
            }
        )
        keys: list[str] = []
        try:
            for old, new in ((source.object_key, media.object_key), (source.thumbnail_key, media.thumbnail_key)):
                if old and new:
                    deps.objects.copy(old, new)
                    keys.append(new)
        except Exception:
            deps.objects.delete(keys)
            raise
        return _Prepared(media, keys)
    data = deps.remote.fetch(path, deps.remote_max_bytes)
    inspection = _inspect(data, deps)
    media_id = new_id("media")
    media = _media(workspace_id, post_id, media_id, inspection, len(data), _name_in(path), alt, deps)
    return _Prepared(media, _store(media, data, inspection, deps))


def _inspect(data: bytes, deps: LibraryDeps) -> Inspection:
    inspection = deps.inspector.inspect(BytesSource(data))
    if inspection.mime_type not in deps.accepted:
        raise UnsupportedMediaType(
            f"{inspection.mime_type} files are not accepted here",
            details={"mime_type": inspection.mime_type, "supported": sorted(deps.accepted)},
        )
    check_size(inspection.kind, len(data))
    return inspection


def _media(
    workspace_id: str,
    post_id: str | None,
    media_id: str,
    inspection: Inspection,
    size: int,
    filename: str,
    alt: str | None,
    deps: LibraryDeps,
) -> Media:
    return Media(
        id=media_id,
        workspace_id=workspace_id,
        post_id=post_id,
        status=MediaStatus.READY,
        kind=inspection.kind,
        mime_type=inspection.mime_type,
        filename=filename,
        size=size,
        width=inspection.width,
        height=inspection.height,
        duration=inspection.duration,
        alt_text=alt,
        object_key=object_key(workspace_id, media_id, "original"),
        thumbnail_key=object_key(workspace_id, media_id, "thumbnail.jpg") if inspection.thumbnail else None,
        created_at=deps.clock(),
    )


def _store(media: Media, data: bytes, inspection: Inspection, deps: LibraryDeps) -> list[str]:
    """Put the file and its thumbnail; the keys written (deleted again if the second put fails)."""
    deps.objects.put(media.object_key, data, media.mime_type)
    if inspection.thumbnail and media.thumbnail_key:
        try:
            deps.objects.put(media.thumbnail_key, inspection.thumbnail, "image/jpeg")
        except Exception:
            deps.objects.delete([media.object_key])
            raise
        return [media.object_key, media.thumbnail_key]
    return [media.object_key]


def _name_in(url: str) -> str:
    """The file name a URL ends with (what the library shows as the original name)."""
    try:
        return safe_filename(unquote(urlsplit(url).path))
    except ValueError:
        return "upload"
