"""/api/posts (workspace-scoped: X-Workspace-ID)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from socialpub.api.auth import workspace_scope
from socialpub.api.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.schemas.posts import PostContentRequest, ValidationData
from socialpub.config import PostsSettings
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import catalog
from socialpub.domain.validation import validate

SETTINGS = PostsSettings
router = APIRouter(prefix="/api/posts", tags=["posts"], responses=ERROR_RESPONSES)

Writer = Annotated[str, workspace_scope(Permission.POSTS_WRITE)]


@router.post("/validate")
def validate_post(body: PostContentRequest, workspace_id: Writer) -> Envelope[ValidationData]:
    """Dry run: every network's rules on this content, with errors and warnings; nothing is stored."""
    reports = validate(body.to_content(), [catalog()[p] for p in body.platforms])
    return ok(ValidationData(valid=all(r.valid for r in reports.values()), platforms=list(reports.values())))
