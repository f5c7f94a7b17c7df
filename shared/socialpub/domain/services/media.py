"""Media use-cases: attach a file to a post (directly, or through a presigned upload), and delete it.

Whichever way a file arrives, the same inspection decides what it is (from its bytes, never its
name), and the same per-network rules decide whether the post can take it. A presigned upload is
confirmed by its client (``confirm_upload``), or, for clients that never confirm (Publora's
get-upload-url), by the media processor when the object lands (``process_arrival``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from socialpub.domain.errors import Conflict, InvalidInput, NotFound
from socialpub.domain.ids import new_id
from socialpub.domain.media import (
    ARRIVAL_OBJECT_NAME,
    ARRIVAL_UPLOAD_CAP,
    PENDING_UPLOAD_TTL_SECONDS,
    UPLOAD_URL_TTL_SECONDS,
    BytesSource,
    Media,
    MediaCap,
    MediaStatus,
    MediaTooLarge,
    TooManyMedia,
    UnsupportedMediaType,
    arrival_of_key,
    check_declared_kind,
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
from socialpub.domain.posts import ConcurrentModification, MediaNotFound, Post, PostNotEditable
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


class ArrivalUploadRequest(BaseModel):
    """An upload whose client PUTs the file and never confirms it: no size is known in advance."""

    filename: str
    mime_type: str
    type: MediaKind


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
    media = _pending_media(
        workspace_id,
        post_id,
        kind,
        request.mime_type,
        request.filename,
        "original",
        now,
        request.size,
        request.alt_text,
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


def request_arrival_upload(
    workspace_id: str,
    post_id: str,
    request: ArrivalUploadRequest,
    *,
    ttl_seconds: int,
    posts: PostRepository,
    objects: MediaObjectStore,
    clock: Clock,
) -> UploadTicket:
    """A presigned PUT URL, valid ``ttl_seconds``, bound to the declared content type alone, for a
    client that PUTs the file and never confirms it (Publora). The file is checked when it lands
    (``process_arrival``): attached if it is what was declared and the post can take it, else deleted.
    Until then it is a pending upload, counted against ARRIVAL_UPLOAD_CAP while its URL is valid."""
    post = get_post(workspace_id, post_id, posts)
    post.require_editable()
    kind = check_declared_kind(request.type, request.mime_type)
    now = clock()
    under_way = [
        m.kind
        for m in posts.pending_media(workspace_id, post_id)
        if m.created_at + timedelta(seconds=ttl_seconds) > now
    ]
    ARRIVAL_UPLOAD_CAP.check([*(m.kind for m in post.media), *under_way], kind)
    media = _pending_media(workspace_id, post_id, kind, request.mime_type, request.filename, ARRIVAL_OBJECT_NAME, now)
    check_attachable(post, [media])  # a network that takes no such file refuses it now, not once it lands
    posts.add_pending_media(media, expires_at=int(now.timestamp()) + PENDING_UPLOAD_TTL_SECONDS)
    url = objects.arrival_upload_url(media.object_key, content_type=media.mime_type, ttl_seconds=ttl_seconds)
    return UploadTicket(
        media=media,
        url=url,
        expires_at=now + timedelta(seconds=ttl_seconds),
        headers={"Content-Type": media.mime_type},
    )


def confirm_upload(
    workspace_id: str,
    media_id: str,
    *,
    posts: PostRepository,
    objects: MediaObjectStore,
    inspector: MediaInspector,
    clock: Clock,
    cap: MediaCap | None = None,
    exact_type: bool = False,
) -> Media:
    """Inspect the uploaded object like a direct upload and attach it. Confirming twice is harmless.

    ``cap``: how many files of each kind the post may hold; ``exact_type``: the bytes must be of the
    declared MIME type itself, not only of its kind (an object served with the Content-Type its URL
    was signed for)."""
    pending = _get_media(workspace_id, media_id, posts)
    if pending.status is MediaStatus.READY or pending.post_id is None:  # (a library file is always ready)
        return pending
    post = get_post(workspace_id, pending.post_id, posts)
    post.require_editable()
    source = objects.source(pending.object_key)
    if source is None:
        raise UploadMissing(details={"media_id": media_id})
    try:
        media, thumbnail = _inspected(pending, source, inspector, exact_type=exact_type)
    except (MediaTooLarge, UnsupportedMediaType):
        # The file is of no use to any network: drop it, so a new upload starts clean.
        drop_upload(pending, posts, objects)
        raise
    if cap is not None:
        cap.check([m.kind for m in post.media], media.kind)
    check_attachable(post, [media])  # a network refusing it leaves the upload pending: change the post, confirm again
    if thumbnail and media.thumbnail_key:
        objects.put(media.thumbnail_key, thumbnail, "image/jpeg")
    # On a failed attach only the thumbnail goes: the uploaded file stays, to be confirmed again.
    attach_or_clean_up(post, media, posts, objects, clock, created=[media.thumbnail_key])
    objects.keep(media.object_key)
    return media


class Arrival(StrEnum):
    ATTACHED = "attached"
    DROPPED = "dropped"  # refused: the object and its pending upload are deleted
    IGNORED = "ignored"  # not a pending upload (already attached, or another object)


class ArrivalResult(BaseModel):
    outcome: Arrival
    reason: str | None = None
    workspace_id: str | None = None
    media_id: str | None = None


# What no retry changes: the file is not what was declared, no network or cap takes it, its post
# is gone or published. (ConcurrentModification is a Conflict too, but a retry may pass.)
_FINAL_REFUSALS = (InvalidInput, NotFound, PostNotEditable, TooManyMedia, MediaTooLarge, UnsupportedMediaType)
ARRIVAL_ATTEMPTS = 3


def process_arrival(
    key: str,
    *,
    posts: PostRepository,
    objects: MediaObjectStore,
    inspector: MediaInspector,
    clock: Clock,
) -> ArrivalResult:
    """What the media processor does when an object lands (S3 delivers each event at least once):
    confirm a pending upload checked on arrival, with ARRIVAL_UPLOAD_CAP and the exact declared
    type, or drop it (object and pending item) with the reason. A file that never passes is never
    attached, so it never publishes. Any other key is ignored; a repeated event changes nothing."""
    found = arrival_of_key(key)
    if found is None:
        return ArrivalResult(outcome=Arrival.IGNORED, reason="not an upload checked on arrival")
    workspace_id, media_id = found
    ids = {"workspace_id": workspace_id, "media_id": media_id}
    pending = posts.get_media(workspace_id, media_id)
    if pending is None:
        # Its upload was refused, or its post deleted, and the URL used again: nothing can attach it.
        objects.delete([key])
        return ArrivalResult(outcome=Arrival.IGNORED, reason="no pending upload: the object is deleted", **ids)
    if pending.status is not MediaStatus.PENDING or pending.object_key != key:
        return ArrivalResult(outcome=Arrival.IGNORED, reason="already attached", **ids)
    for attempt in range(1, ARRIVAL_ATTEMPTS + 1):
        try:
            confirm_upload(
                workspace_id,
                media_id,
                posts=posts,
                objects=objects,
                inspector=inspector,
                clock=clock,
                cap=ARRIVAL_UPLOAD_CAP,
                exact_type=True,
            )
        except ConcurrentModification:
            # Another file of the same post attached meanwhile: read the post again (and its cap).
            if attempt == ARRIVAL_ATTEMPTS:
                raise
        except UploadMissing:
            return ArrivalResult(outcome=Arrival.IGNORED, reason="the object is gone", **ids)
        except _FINAL_REFUSALS as refusal:
            drop_upload(pending, posts, objects)
            return ArrivalResult(outcome=Arrival.DROPPED, reason=refusal.message, **ids)
        else:
            return ArrivalResult(outcome=Arrival.ATTACHED, **ids)
    raise AssertionError("unreachable")  # pragma: no cover


def drop_upload(pending: Media, posts: PostRepository, objects: MediaObjectStore) -> None:
    """Delete a pending upload's object and item (both idempotent)."""
    objects.delete([pending.object_key])
    posts.forget_media(pending)


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
    objects.delete(media.stored_keys)


def _get_media(workspace_id: str, media_id: str, posts: PostRepository) -> Media:
    media = posts.get_media(workspace_id, media_id)
    if media is None:
        raise MediaNotFound(details={"media_id": media_id})
    return media


def _pending_media(
    workspace_id: str,
    post_id: str,
    kind: MediaKind,
    mime_type: str,
    filename: str,
    name: str,
    now: datetime,
    size: int = 0,
    alt_text: str | None = None,
) -> Media:
    """A pending upload for a post, its object at ``name`` (``size`` 0: not known until it lands)."""
    media_id = new_id("media")
    return Media(
        id=media_id,
        workspace_id=workspace_id,
        post_id=post_id,
        status=MediaStatus.PENDING,
        kind=kind,
        mime_type=mime_type,
        filename=safe_filename(filename),
        size=size,
        alt_text=alt_text,
        object_key=object_key(workspace_id, media_id, name),
        created_at=now,
    )


def _inspected(
    pending: Media, source: ByteSource, inspector: MediaInspector, *, exact_type: bool = False
) -> tuple[Media, bytes | None]:
    """The pending media as its uploaded bytes describe it, and its thumbnail to store."""
    inspection = inspector.inspect(source)
    check_declared_type(pending.kind, inspection.kind, inspection.mime_type)
    if exact_type and inspection.mime_type != pending.mime_type:
        raise UnsupportedMediaType(
            f"The file was declared as {pending.mime_type} but its content is {inspection.mime_type}",
            details={"declared": pending.mime_type, "detected": inspection.mime_type},
        )
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
    post: Post,
    media: Media,
    posts: PostRepository,
    objects: MediaObjectStore,
    clock: Clock,
    *,
    created: Sequence[str | None] | None = None,
) -> Post:
    """Attach a stored file to the post (one transaction); if that fails, the objects stored for it
    (``created``; by default the file and its thumbnail) are deleted."""
    updated = post.model_copy(
        update={"media": [*post.media, media], "updated_at": clock(), "version": post.version + 1}
    )
    try:
        posts.attach_media(updated, post, media)
    except Exception:
        stored = (media.object_key, media.thumbnail_key) if created is None else created
        objects.delete([k for k in stored if k])
        raise
    return updated
