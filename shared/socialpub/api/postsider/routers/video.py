"""POST /public/v1/generate-video and /video/function: Postiz's AI video generation, which
postiz-agent exposes (wire contract 3, item 8). socialpub generates no videos: both answer 400
``{"msg": ...}`` saying so, after the usual auth, instead of a 404 that reads like a wrong URL."""

from __future__ import annotations

from fastapi import APIRouter

from socialpub.api.postsider.auth import OrganisationDep
from socialpub.domain.errors import InvalidInput

router = APIRouter(tags=["postsider"])

NOT_AVAILABLE = "Video generation is not available in socialpub"


@router.post("/generate-video")
def generate_video(org: OrganisationDep) -> None:
    raise InvalidInput(NOT_AVAILABLE)


@router.post("/video/function")
def video_function(org: OrganisationDep) -> None:
    raise InvalidInput(NOT_AVAILABLE)
