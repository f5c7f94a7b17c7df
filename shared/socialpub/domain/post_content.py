"""What a post says, per network: the text parts each network will receive, its media and settings.

The same composition feeds validation now and the publishers later, so what is checked is what is
sent.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    DOCUMENT = "document"


class MediaFacts(BaseModel):
    """What is known of a media item (from its bytes once uploaded; declared for a dry run)."""

    kind: MediaKind
    mime_type: str
    size: int | None = Field(None, ge=0)
    duration: float | None = Field(None, ge=0)  # seconds, videos
    width: int | None = Field(None, ge=1)
    height: int | None = Field(None, ge=1)
    alt_text: str | None = None


class PlatformOverride(BaseModel):
    """Per-network replacements; anything left out falls back to the post's own value."""

    content: str | None = None
    title: str | None = None
    thread: list[str] | None = None
    first_comment: str | None = None
    settings: dict[str, object] = Field(default_factory=dict)


class PostContent(BaseModel):
    content: str
    title: str | None = None
    link: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    thread: list[str] = Field(default_factory=list)  # further parts after ``content``
    first_comment: str | None = None
    media: list[MediaFacts] = Field(default_factory=list)
    platform_content: dict[str, PlatformOverride] = Field(default_factory=dict)

    def override(self, platform: str) -> PlatformOverride:
        return self.platform_content.get(platform) or PlatformOverride()

    def parts_for(self, platform: str, *, threads: bool = True) -> list[str]:
        """The texts a network receives: the first part with the link and hashtags appended (unless
        already present), then any thread parts. A network without threads (``threads=False``) gets
        the first part alone, as a single post."""
        override = self.override(platform)
        first = override.content if override.content is not None else self.content
        if self.link and self.link not in first:
            first = f"{first} {self.link}".strip()
        tags = [t for t in self.hashtags if t not in first]
        if tags:
            first = f"{first}\n\n{' '.join(tags)}".strip()
        thread = override.thread if override.thread is not None else self.thread
        return [first, *thread] if threads else [first]

    def thread_given_for(self, platform: str) -> bool:
        """Whether ``platform_content.<platform>.thread`` names thread parts for this network itself."""
        return bool(self.override(platform).thread)

    def title_for(self, platform: str) -> str | None:
        return self.override(platform).title or self.title

    def first_comment_for(self, platform: str) -> str | None:
        return self.override(platform).first_comment or self.first_comment

    def settings_for(self, platform: str) -> dict[str, object]:
        return self.override(platform).settings
