"""Media use-cases: attach a file to a post (directly, or through a presigned upload), and delete it.

Whichever way a file arrives, the same inspection decides what it is (from its bytes, never its
name), and the same per-network rules decide whether the post can take it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel

from socialpub.domain.errors import Conflict
from socialpub.domain.ids import new_id
from socialpub.domain.media import (
    PENDING_UPLOAD_TTL_SECONDS,
    UPLOAD_URL_TTL_SECONDS,
    BytesSource,
    Media,
    MediaStatus,
    MediaTooLarge,
    UnsupportedMediaType,
    check_declared_type,
    check_size,
    kind_of,
    object_key,
)
from socialpub.domain.ports import (
    ByteSource,
    Clock,
    MediaInspector,
    MediaLibraryRepository,
    MediaObjectStore,
    PostRepository,
)
from socialpub.domain.post_content import MediaKind
from socialpub.domain.posts import MediaNotFound, Post
from socialpub.domain.services.posts import check_content, get_post


class MediaInUse(Conflict):
    code = "MEDIA_IN_USE"
    default_message = "The media is attached to a post that can no longer change"


class UploadMissing(Conflict):
    code = "UPLOAD_MISSING"
    default_message = "Nothing was uploaded for this media yet; PUT the file to its upload URL first"


class UploadRequest(BaseModel):
    filename: str
    size: int
    mime_type: str
    type: MediaKind | None = None
    alt_text: str | None = None


class UploadTicket(BaseModel):
    media: Media
    url: str
    expires_at: datetime
    headers: dict[str, str]


def safe_filename(name: str | None) -> str:
    """The last path segment, without control characters; what we show, never a storage key."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "upload"


def upload_media(
    workspace_id: str,
    post_id: str,
    data: bytes,
    *,
    filename: str | None,
    declared: MediaKind | None,
    alt_text: str | None,
    posts: PostRepository,
    objects: MediaObjectStore,
    inspector: MediaInspector,
    clock: Clock,
) -> Media:
    """Inspect, store and attach a file sent in the request itself."""
    post = get_post(workspace_id, post_id, posts)
    post.require_editable()
    inspection = inspector.inspect(BytesSource(data))
    check_declared_type(declared, inspection.kind, inspection.mime_type)
    check_size(inspection.kind, len(data))
    media_id = new_id("media")
    media = Media(
        id=media_id,
        workspace_id=workspace_id,
        post_id=post_id,
        status=MediaStatus.READY,
        kind=inspection.kind,
        mime_type=inspection.mime_type,
        filename=safe_filename(filename),
        size=len(data),
        width=inspection.width,
        height=inspection.height,
        duration=inspection.duration,
        alt_text=alt_text,
        object_key=object_key(workspace_id, media_id, "original"),
        thumbnail_key=object_key(workspace_id, media_id, "thumbnail.jpg") if inspection.thumbnail else None,
        created_at=clock(),
    )
    check_attachable(post, [media])
    objects.put(media.object_key, data, media.mime_type)
    if inspection.thumbnail and media.thumbnail_key:
        objects.put(media.thumbnail_key, inspection.thumbnail, "image/jpeg")
    attach_or_clean_up(post, media, posts, objects, clock)
    return media


def request_upload(
    workspace_id: str,
    post_id: str,
    request: UploadRequest,
    *,
    posts: PostRepository,
    objects: MediaObjectStore,
    clock: Clock,
) -> UploadTicket:
    """A presigned PUT URL for a file too large to send through the API; confirm it afterwards."""
    post = get_post(workspace_id, post_id, posts)
    post.require_editable()
    kind = kind_of(request.mime_type)
    check_declared_type(request.type, kind, request.mime_type)
    check_size(kind, request.size)
    now = clock()
    media_id = new_id("media")
    media = Media(
        id=media_id,
        workspace_id=workspace_id,
        post_id=post_id,
        status=MediaStatus.PENDING,
        kind=kind,
        mime_type=request.mime_type,
        filename=safe_filename(request.filename),
        size=request.size,
        alt_text=request.alt_text,
        object_key=object_key(workspace_id, media_id, "original"),
        created_at=now,
    )
    check_attachable(post, [media])  # fail now on what is declared, rather than after a long upload
    posts.add_pending_media(media, expires_at=int(now.timestamp()) + PENDING_UPLOAD_TTL_SECONDS)
    url = objects.upload_url(
        media.object_key, content_type=media.mime_type, size=media.size, ttl_seconds=UPLOAD_URL_TTL_SECONDS
    )
    return UploadTicket(
        media=media,
        url=url,
        expires_at=now + timedelta(seconds=UPLOAD_URL_TTL_SECONDS),
        headers=objects.upload_headers(media.mime_type),
    )


def confirm_upload(
    workspace_id: str,
    media_id: str,
    *,
    posts: PostRepository,
    objects: MediaObjectStore,
    inspector: MediaInspector,
    clock: Clock,
) -> Media:
    """Inspect the uploaded object like a direct upload and attach it. Confirming twice is harmless."""
    pending = _get_media(workspace_id, media_id, posts)
    if pending.status is MediaStatus.READY or pending.post_id is None:  # (a library file is always ready)
        return pending
    post = get_post(workspace_id, pending.post_id, posts)
    post.require_editable()
    source = objects.source(pending.object_key)
    if source is None:
        raise UploadMissing(details={"media_id": media_id})
    try:
        media, thumbnail = _inspected(pending, source, inspector)
    except (MediaTooLarge, UnsupportedMediaType):
        # The file is of no use to any network: drop it, so a new upload starts clean.
        objects.delete([pending.object_key])
        posts.forget_media(pending)
        raise
    check_attachable(post, [media])  # a network refusing it leaves the upload pending: change the post, confirm again
    if thumbnail and media.thumbnail_key:
        objects.put(media.thumbnail_key, thumbnail, "image/jpeg")
    attach_or_clean_up(post, media, posts, objects, clock)
    objects.keep(media.object_key)
    return media


def delete_media(
    workspace_id: str,
    media_id: str,
    *,
    posts: PostRepository,
    objects: MediaObjectStore,
    clock: Clock,
    library: MediaLibraryRepository | None = None,
) -> None:
    """Delete a post's file, a pending upload, or (given ``library``) a file of the media library;
    the posts that use a library file keep their own copies."""
    media = _get_media(workspace_id, media_id, posts)
    if media.status is MediaStatus.PENDING:
        posts.forget_media(media)
        objects.delete([media.object_key])
        return
    if media.post_id is None:
        if library is None:
            raise MediaNotFound(details={"media_id": media_id})
        library.remove_library_media(media)
        objects.delete([k for k in (media.object_key, media.thumbnail_key) if k])
        return
    previous = get_post(workspace_id, media.post_id, posts)
    if not previous.editable:
        raise MediaInUse(
            f"This media is attached to a {previous.status.value} post and cannot be deleted",
            details={"media_id": media_id, "post_id": previous.id, "status": previous.status.value},
        )
    post = previous.model_copy(
        update={
            "media": [m for m in previous.media if m.id != media_id],
            "updated_at": clock(),
            "version": previous.version + 1,
        }
    )
    posts.detach_media(post, previous, media)
    objects.delete([k for k in (media.object_key, media.thumbnail_key) if k])


def _get_media(workspace_id: str, media_id: str, posts: PostRepository) -> Media:
    media = posts.get_media(workspace_id, media_id)
    if media is None:
        raise MediaNotFound(details={"media_id": media_id})
    return media


def _inspected(pending: Media, source: ByteSource, inspector: MediaInspector) -> tuple[Media, bytes | None]:
    """The pending media as its uploaded bytes describe it, and its thumbnail to store."""
    inspection = inspector.inspect(source)
    check_declared_type(pending.kind, inspection.kind, inspection.mime_type)
    check_size(inspection.kind, source.size)
    thumbnail_key = object_key(pending.workspace_id, pending.id, "thumbnail.jpg") if inspection.thumbnail else None
    media = pending.model_copy(
        update={
            "status": MediaStatus.READY,
            "kind": inspection.kind,
            "mime_type": inspection.mime_type,
            "size": source.size,
            "width": inspection.width,
            "height": inspection.height,
            "duration": inspection.duration,
            "thumbnail_key": thumbnail_key,
        }
    )
    return media, inspection.thumbnail


def check_attachable(post: Post, media: list[Media]) -> None:
    """The post with these files added must still meet every target network's limits."""
    with_media = post.model_copy(update={"media": [*post.media, *media]})
    check_content(with_media.composition(), post.platforms, attaching=True)


def attach_or_clean_up(
    post: Post, media: Media, posts: PostRepository, objects: MediaObjectStore, clock: Clock
) -> Post:
    """Attach a stored file to the post (one transaction); if that fails, its objects are deleted."""
    updated = post.model_copy(
        update={"media": [*post.media, media], "updated_at": clock(), "version": post.version + 1}
    )
    try:
        posts.attach_media(updated, post, media)
    except Exception:
        objects.delete([k for k in (media.object_key, media.thumbnail_key) if k])
        raise
    return updated
