from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from socialpub.domain.platforms import Platform


class PlatformResponse(BaseModel):
    """The seed's fields first, then what the catalog adds (auth type, more capabilities, all limits)."""

    id: str
    name: str
    supports_images: bool
    supports_videos: bool
    supports_carousel: bool
    supports_stories: bool
    max_characters: int
    max_images: int
    max_video_duration: int | None
    oauth_supported: bool
    auth_type: str
    supports_text_only: bool
    supports_threads: bool
    supports_first_comment: bool
    supports_alt_text: bool
    limits: dict[str, Any]
    settings: dict[str, Any]  # what platform_content.<id>.settings may carry
    docs_url: str

    @classmethod
    def of(cls, p: Platform) -> PlatformResponse:
        caps, limits = p.capabilities, p.limits
        return cls(
            id=p.id,
            name=p.name,
            supports_images=caps.supports_images,
            supports_videos=caps.supports_videos,
            supports_carousel=caps.supports_carousel,
            supports_stories=caps.supports_stories,
            max_characters=limits.max_characters,
            max_images=limits.max_images,
            max_video_duration=limits.max_video_duration,
            oauth_supported=p.oauth_supported,
            auth_type=p.auth.auth_type.value,
            supports_text_only=caps.supports_text_only,
            supports_threads=caps.supports_threads,
            supports_first_comment=caps.supports_first_comment,
            supports_alt_text=caps.supports_alt_text,
            limits=limits.model_dump(mode="json"),
            settings={k: v.model_dump(mode="json") for k, v in p.settings.items()},
            docs_url=str(p.docs_url),
        )


class PlatformListData(BaseModel):
    platforms: list[PlatformResponse]


class PlatformData(BaseModel):
    platform: PlatformResponse
