from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from socialpub.api.main.envelope import Timestamp
from socialpub.api.main.schemas.common import PartialUpdate, RequestBody
from socialpub.domain.media import Media
from socialpub.domain.pagination import Pagination
from socialpub.domain.platforms import catalog
from socialpub.domain.post_content import MediaFacts, PlatformOverride, PostContent
from socialpub.domain.posts import PlatformPost, Post, PostStatus
from socialpub.domain.validation import PlatformReport, validate
from socialpub.domain.workspaces import normalize_hashtag

MAX_CONTENT_LENGTH = 100_000  # far above any network's limit; keeps a body from growing unbounded
MAX_THREAD_PARTS = 50

Signer = Callable[[str], str]  # object key -> presigned GET URL


class PlatformOverrideBody(PlatformOverride):
    """A network's overrides as sent: a field it does not define (``board_id`` beside ``settings``) is
    refused, naming it, not dropped."""

    model_config = ConfigDict(extra="forbid")


class MediaFactsBody(MediaFacts, RequestBody):
    pass


def _known_overrides(value: dict[str, PlatformOverrideBody] | None) -> dict[str, PlatformOverrideBody] | None:
    unknown = [p for p in value or {} if p not in catalog()]
    if unknown:
        raise ValueError(f"unknown platform(s) {', '.join(unknown)}; see GET /api/platforms")
    return value


def _hashtags(value: list[str] | None) -> list[str] | None:
    return None if value is None else list(dict.fromkeys(normalize_hashtag(tag) for tag in value))


Text = Field(max_length=MAX_CONTENT_LENGTH)
Platforms = Field(min_length=1, max_length=50)
Title = Field(None, max_length=1000)
Link = Field(None, max_length=2048, pattern=r"^https?://\S+$")
Hashtags = Field(None, max_length=100)
Thread = Field(max_length=MAX_THREAD_PARTS)
Comment = Field(None, max_length=MAX_CONTENT_LENGTH)


class CreatePostRequest(RequestBody):
    """``platforms`` takes network ids (``twitter``) or ids of the workspace's connected accounts."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"content": "Hello world", "platforms": ["twitter"]}]})

    content: str = Text
    platforms: list[str] = Platforms
    title: str | None = Title
    link: str | None = Link
    hashtags: list[str] | None = Hashtags  # left out: the workspace's default hashtags
    thread: list[str] = Field(default_factory=list, max_length=MAX_THREAD_PARTS)
    first_comment: str | None = Comment
    platform_content: dict[str, PlatformOverrideBody] = Field(default_factory=dict)

    _tags = field_validator("hashtags")(_hashtags)
    _overrides = field_validator("platform_content")(_known_overrides)


class UpdatePostRequest(PartialUpdate):
    """Only the fields sent are changed; ``null`` clears ``title``, ``link`` or ``first_comment``."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"title", "link", "first_comment"})

    content: str | None = Field(None, max_length=MAX_CONTENT_LENGTH)
    platforms: list[str] | None = Field(None, min_length=1, max_length=50)
    title: str | None = Title
    link: str | None = Link
    hashtags: list[str] | None = Hashtags
    thread: list[str] | None = Field(None, max_length=MAX_THREAD_PARTS)
    first_comment: str | None = Comment
    platform_content: dict[str, PlatformOverrideBody] | None = None

    _tags = field_validator("hashtags")(_hashtags)
    _overrides = field_validator("platform_content")(_known_overrides)


class SchedulePostRequest(RequestBody):
    """``scheduled_at`` without an offset is wall-clock time in ``timezone`` (default: the workspace's)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"scheduled_at": "2026-06-01T09:00:00", "timezone": "Europe/Paris"}]}
    )

    scheduled_at: str = Field(max_length=64)
    timezone: str | None = Field(None, max_length=64)


class QueuePostRequest(RequestBody):
    """Without ``schedule_id``: the earliest free slot among the workspace's active schedules."""

    schedule_id: str | None = Field(None, max_length=100)


class ValidatePostRequest(CreatePostRequest):
    """A dry run may also declare the media it will attach."""

    media: list[MediaFactsBody] = Field(default_factory=list, max_length=50)

    def to_content(self) -> PostContent:
        return PostContent.model_validate(self.model_dump(exclude={"platforms"}, exclude_none=True))


class ValidationData(BaseModel):
    valid: bool
    platforms: list[PlatformReport]


class Dimensions(BaseModel):
    width: int
    height: int


class MediaView(BaseModel):
    id: str
    type: str
    status: str
    filename: str
    size: int
    mime_type: str
    dimensions: Dimensions | None
    duration: float | None
    url: str
    thumbnail_url: str | None
    url_expires_at: Timestamp
    alt_text: str | None
    created_at: Timestamp

    @classmethod
    def of(cls, m: Media, sign: Signer, expires_at: datetime) -> MediaView:
        return cls(
            id=m.id,
            type=m.kind.value,
            status=m.status.value,
            filename=m.filename,
            size=m.size,
            mime_type=m.mime_type,
            dimensions=Dimensions(width=m.width, height=m.height) if m.width and m.height else None,
            duration=m.duration,
            url=sign(m.object_key),
            thumbnail_url=sign(m.thumbnail_key) if m.thumbnail_key else None,
            url_expires_at=expires_at,
            alt_text=m.alt_text,
            created_at=m.created_at,
        )


class MediaData(BaseModel):
    media: MediaView


class UploadInstructions(BaseModel):
    url: str
    method: str = "PUT"
    headers: dict[str, str]
    expires_at: Timestamp


class UploadRequestBody(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"filename": "photo.jpg", "size": 204800, "mime_type": "image/jpeg"}]}
    )

    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(gt=0)
    mime_type: str = Field(max_length=100)
    type: str | None = Field(None, pattern="^(image|video|document)$")
    alt_text: str | None = Field(None, max_length=5000)


class PendingMedia(BaseModel):
    id: str
    status: str
    type: str
    filename: str
    size: int
    mime_type: str
    created_at: Timestamp

    @classmethod
    def of(cls, m: Media) -> PendingMedia:
        return cls.model_validate({**m.model_dump(), "type": m.kind.value, "status": m.status.value})


class UploadData(BaseModel):
    media: PendingMedia
    upload: UploadInstructions


class Finding(BaseModel):
    platform: str
    rule: str
    field: str
    message: str


class Readiness(BaseModel):
    """What still stands between this post and publishing, and what is close to a limit."""

    ready: bool
    pending: list[Finding]
    warnings: list[Finding]

    @classmethod
    def of(cls, post: Post) -> Readiness:
        reports = validate(post.composition(), [catalog()[p] for p in post.platforms])
        pending = [
            Finding(platform=p, rule=f.rule, field=f.field, message=f.message)
            for p, r in reports.items()
            for f in r.errors
        ]
        warnings = [
            Finding(platform=p, rule=f.rule, field=f.field, message=f.message)
            for p, r in reports.items()
            for f in r.warnings
        ]
        return cls(ready=not pending, pending=pending, warnings=warnings)


class Metrics(BaseModel):
    impressions: int
    engagement: int
    clicks: int


class PostAnalytics(BaseModel):
    total_impressions: int
    total_engagement: int
    total_clicks: int
    by_platform: dict[str, Metrics]

    @classmethod
    def of(cls, post: Post) -> PostAnalytics:
        """Per network, the sum over its accounts of what they report (0 until figures are read)."""
        by: dict[str, Metrics] = {}
        for m in post.analytics.values():
            before = by.get(m.platform) or Metrics(impressions=0, engagement=0, clicks=0)
            by[m.platform] = Metrics(
                impressions=before.impressions + (m.impressions or 0),
                engagement=before.engagement + (m.engagement or 0),
                clicks=before.clicks + (m.clicks or 0),
            )
        return cls(
            total_impressions=sum(m.impressions for m in by.values()),
            total_engagement=sum(m.engagement for m in by.values()),
            total_clicks=sum(m.clicks for m in by.values()),
            by_platform=by,
        )


class PlatformPostView(BaseModel):
    platform: str
    account_id: str | None
    post_id: str | None
    url: str | None
    status: str  # pending, publishing, published, failed
    error: str | None
    error_code: str | None
    error_kind: str | None  # retryable (still trying), needs_reconnect, permanent
    attempts: int
    published_at: Timestamp | None

    @classmethod
    def of(cls, p: PlatformPost) -> PlatformPostView:
        return cls.model_validate(p.model_dump())


class QueuePlace(BaseModel):
    """The schedule slot a queued post holds."""

    schedule_id: str
    slot_id: str | None


class PostView(BaseModel):
    id: str
    content: str
    title: str | None
    link: str | None
    hashtags: list[str]
    thread: list[str]
    first_comment: str | None
    platform_content: dict[str, PlatformOverride]
    status: PostStatus
    platforms: list[str]
    account_ids: list[str]
    media: list[MediaView]
    scheduled_at: Timestamp | None
    scheduled_timezone: str | None
    queue: QueuePlace | None
    published_at: Timestamp | None
    platform_posts: list[PlatformPostView]
    analytics: PostAnalytics
    validation: Readiness
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, post: Post, sign: Signer, expires_at: datetime) -> PostView:
        return cls(
            **post.model_dump(
                include={
                    "id",
                    "content",
                    "title",
                    "link",
                    "hashtags",
                    "thread",
                    "first_comment",
                    "status",
                    "platforms",
                    "account_ids",
                    "scheduled_at",
                    "scheduled_timezone",
                    "published_at",
                    "created_at",
                    "updated_at",
                }
            ),
            platform_content=post.platform_content,
            queue=QueuePlace(schedule_id=post.queue_schedule_id, slot_id=post.queue_slot_id)
            if post.queue_schedule_id
            else None,
            media=[MediaView.of(m, sign, expires_at) for m in post.media],
            platform_posts=[PlatformPostView.of(p) for p in post.platform_posts],
            analytics=PostAnalytics.of(post),
            validation=Readiness.of(post),
        )


class PostListItem(BaseModel):
    id: str
    content: str
    title: str | None
    status: PostStatus
    platforms: list[str]
    media: list[MediaView]
    scheduled_at: Timestamp | None
    published_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    analytics: Metrics

    @classmethod
    def of(cls, post: Post, sign: Signer, expires_at: datetime) -> PostListItem:
        totals = PostAnalytics.of(post)
        return cls(
            **post.model_dump(
                include={"id", "content", "title", "status", "platforms", "scheduled_at", "published_at"}
                | {"created_at", "updated_at"}
            ),
            media=[MediaView.of(m, sign, expires_at) for m in post.media],
            analytics=Metrics(
                impressions=totals.total_impressions,
                engagement=totals.total_engagement,
                clicks=totals.total_clicks,
            ),
        )


class PostData(BaseModel):
    post: PostView


class CursorInfo(BaseModel):
    per_page: int
    next_cursor: str | None


class PostListData(BaseModel):
    posts: list[PostListItem]
    pagination: Pagination | CursorInfo


class MessageData(BaseModel):
    message: str


class PublishError(BaseModel):
    code: str
    kind: str
    message: str | None


class PlatformResult(BaseModel):
    """One target's outcome, in the seed's shape (``status``: success, failed, pending, publishing)."""

    platform: str
    account_id: str | None
    status: str
    post_id: str | None
    url: str | None
    error: PublishError | None
    attempts: int

    @classmethod
    def of(cls, p: PlatformPost) -> PlatformResult:
        return cls(
            platform=p.platform,
            account_id=p.account_id,
            status="success" if p.status == "published" else p.status,
            post_id=p.post_id,
            url=p.url,
            error=PublishError(code=p.error_code, kind=p.error_kind or "permanent", message=p.error)
            if p.error_code
            else None,
            attempts=p.attempts,
        )


class PublishProgress(BaseModel):
    total: int
    published: int
    failed: int
    in_progress: int


class PublishedPostView(BaseModel):
    id: str
    status: PostStatus
    published_at: Timestamp | None
    platform_results: list[PlatformResult]
    progress: PublishProgress

    @classmethod
    def of(cls, post: Post) -> PublishedPostView:
        statuses = [p.status for p in post.platform_posts]
        published, failed = statuses.count("published"), statuses.count("failed")
        return cls(
            id=post.id,
            status=post.status,
            published_at=post.published_at,
            platform_results=[PlatformResult.of(p) for p in post.platform_posts],
            progress=PublishProgress(
                total=len(statuses), published=published, failed=failed, in_progress=len(statuses) - published - failed
            ),
        )


class PublishData(BaseModel):
    post: PublishedPostView
