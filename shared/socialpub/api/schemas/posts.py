from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from socialpub.domain.platforms import catalog
from socialpub.domain.post_content import MediaFacts, PlatformOverride, PostContent
from socialpub.domain.validation import PlatformReport
from socialpub.domain.workspaces import normalize_hashtag

MAX_CONTENT_LENGTH = 100_000  # far above any network's limit; keeps a body from growing unbounded


class PostContentRequest(BaseModel):
    """The content fields shared by creating, updating and validating a post."""

    model_config = ConfigDict(extra="ignore")

    content: str = Field(max_length=MAX_CONTENT_LENGTH)
    platforms: list[str] = Field(min_length=1, max_length=50)
    title: str | None = Field(None, max_length=1000)
    link: str | None = Field(None, max_length=2048, pattern=r"^https?://\S+$")
    hashtags: list[str] = Field(default_factory=list, max_length=100)
    thread: list[str] = Field(default_factory=list, max_length=50)
    first_comment: str | None = Field(None, max_length=MAX_CONTENT_LENGTH)
    media: list[MediaFacts] = Field(default_factory=list, max_length=50)
    platform_content: dict[str, PlatformOverride] = Field(default_factory=dict)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in catalog()]
        if unknown:
            raise ValueError(f"unknown platform(s) {', '.join(unknown)}; see GET /api/platforms")
        return list(dict.fromkeys(value))

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        return [normalize_hashtag(tag) for tag in value]

    def to_content(self) -> PostContent:
        return PostContent.model_validate(self.model_dump(exclude={"platforms"}))


class ValidationData(BaseModel):
    valid: bool
    platforms: list[PlatformReport]
