"""Media (workspace-scoped: X-Workspace-ID): files attached to posts.

Small files come as multipart on POST /api/posts/{id}/media; larger ones go straight to S3 through
a presigned upload (POST /api/posts/{id}/media/uploads, PUT the file, POST /api/media/{id}/confirm).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from socialpub.api.container import Container, ContainerDep
from socialpub.api.main.auth import workspace_scope
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.idempotency import IDEMPOTENT
from socialpub.api.main.schemas.posts import (
    MediaData,
    MediaView,
    MessageData,
    PendingMedia,
    UploadData,
    UploadInstructions,
    UploadRequestBody,
)
from socialpub.config import MediaSettings
from socialpub.domain.media import MAX_ALT_TEXT_LENGTH, Media
from socialpub.domain.permissions import Permission
from socialpub.domain.post_content import MediaKind
from socialpub.domain.services import media as service

SETTINGS = MediaSettings
PREFIXES = ("/api/media", "/api/posts/{post_id}/media")  # the seed nests uploads under their post
router = APIRouter(tags=["media"], responses=ERROR_RESPONSES)

Writer = Annotated[str, workspace_scope(Permission.MEDIA_WRITE)]


def media_view(media: Media, c: Container) -> MediaView:
    links = c.media_links()
    return MediaView.of(media, links.sign, links.expires_at)


@router.post("/api/posts/{post_id}/media", status_code=status.HTTP_201_CREATED, dependencies=[IDEMPOTENT])
def upload_media(
    post_id: str,
    workspace_id: Writer,
    c: ContainerDep,
    file: Annotated[UploadFile, File(description="The file; its type is read from its bytes")],
    type: Annotated[MediaKind | None, Form(description="image, video or document (checked)")] = None,
    alt_text: Annotated[str | None, Form(max_length=MAX_ALT_TEXT_LENGTH)] = None,
) -> Envelope[MediaData]:
    """Attach a file (multipart/form-data, up to about 4.5 MB; larger files use a presigned upload)."""
    media = service.upload_media(
        workspace_id,
        post_id,
        file.file.read(),
        filename=file.filename,
        declared=type,
        alt_text=alt_text,
        posts=c.posts,
        objects=c.media_objects,
        inspector=c.media_probe,
        clock=c.clock,
    )
    return ok(MediaData(media=media_view(media, c)))


@router.post("/api/posts/{post_id}/media/uploads", status_code=status.HTTP_201_CREATED, dependencies=[IDEMPOTENT])
def request_upload(
    post_id: str, body: UploadRequestBody, workspace_id: Writer, c: ContainerDep
) -> Envelope[UploadData]:
    """A presigned PUT URL for a large file; PUT it with the given headers, then confirm."""
    ticket = service.request_upload(
        workspace_id,
        post_id,
        service.UploadRequest.model_validate(body.model_dump()),
        posts=c.posts,
        objects=c.media_objects,
        clock=c.clock,
    )
    return ok(
        UploadData(
            media=PendingMedia.of(ticket.media),
            upload=UploadInstructions(url=ticket.url, headers=ticket.headers, expires_at=ticket.expires_at),
        )
    )


@router.post("/api/media/{media_id}/confirm")
def confirm_upload(media_id: str, workspace_id: Writer, c: ContainerDep) -> Envelope[MediaData]:
    """Inspect the uploaded file like a direct upload and attach it to its post."""
    media = service.confirm_upload(
        workspace_id,
        media_id,
        posts=c.posts,
        objects=c.media_objects,
        inspector=c.media_probe,
        clock=c.clock,
    )
    return ok(MediaData(media=media_view(media, c)))


@router.delete("/api/media/{media_id}")
def delete_media(media_id: str, workspace_id: Writer, c: ContainerDep) -> Envelope[MessageData]:
    """Delete a file (a post's, or one of the workspace's uploads, which the posts using it keep);
    refused (409) while it belongs to a published post."""
    service.delete_media(workspace_id, media_id, posts=c.posts, objects=c.media_objects, clock=c.clock, library=c.posts)
    return ok(MessageData(message="Media deleted successfully"))
