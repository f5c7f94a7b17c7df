"""Publora's media upload: POST /api/v1/get-upload-url (seeds/003, "Upload Media").

The client asks for a URL, PUTs the file to it with only ``Content-Type``, and never confirms. So:
- ``uploadUrl`` is a presigned S3 PUT signed for the declared ``contentType`` alone (S3 refuses a
  PUT with another Content-Type), valid PUBLORA_UPLOAD_URL_TTL_SECONDS (the seed's 15 minutes);
- ``fileUrl`` is a presigned GET of the same object, valid as long as the product's media links
  (MEDIA_URL_TTL_SECONDS); ``mediaId`` is the product's media id (``GET /api/posts/{id}`` shows it);
- the file is checked when it lands, by the media processor (workers/media_processor.py): attached
  to the post if its bytes are of the declared type and the post's networks take it, else deleted,
  and the post publishes without it.

Refused at once: a ``contentType`` the product does not take (415) or of the other ``type`` (400);
an unknown or another workspace's ``postGroupId`` (404); a post that is no longer a draft or
scheduled (409); a fifth image, a second video, or a video beside images (409), counting the uploads
whose URL is still valid. The rules are the domain's (domain/services/media.py).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictStr

from socialpub.api.container import ContainerDep
from socialpub.api.publora.auth import Caller, requires
from socialpub.config import PubloraSettings
from socialpub.domain.permissions import Permission
from socialpub.domain.post_content import MediaKind
from socialpub.domain.services import media as service

router = APIRouter(tags=["publora"])


class UploadUrlRequest(BaseModel):
    fileName: StrictStr = Field(min_length=1, max_length=1024)
    contentType: StrictStr = Field(min_length=1, max_length=255)
    type: Literal["image", "video"]
    postGroupId: StrictStr = Field(min_length=1, max_length=200)


class UploadUrl(BaseModel):
    success: bool = True
    uploadUrl: str
    fileUrl: str
    mediaId: str


@router.post("/get-upload-url")
def get_upload_url(
    body: UploadUrlRequest, c: ContainerDep, caller: Caller = requires(Permission.MEDIA_WRITE)
) -> UploadUrl:
    """A URL to PUT one file of the post group to; the file joins the post once it is checked."""
    ticket = service.request_arrival_upload(
        caller.workspace_id,
        body.postGroupId,
        service.ArrivalUploadRequest(filename=body.fileName, mime_type=body.contentType, type=MediaKind(body.type)),
        ttl_seconds=c.settings(PubloraSettings).upload_url_ttl_seconds,
        posts=c.posts,
        objects=c.media_objects,
        clock=c.clock,
    )
    return UploadUrl(
        uploadUrl=ticket.url, fileUrl=c.media_links().sign(ticket.media.object_key), mediaId=ticket.media.id
    )
