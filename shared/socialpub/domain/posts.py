"""Posts: what is said, to which networks, and where it stands in its lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from socialpub.domain.errors import Conflict, InvalidInput, NotFound
from socialpub.domain.media import Media
from socialpub.domain.post_content import PlatformOverride, PostContent
from socialpub.domain.quotas import month_of, posts_created_counter
from socialpub.domain.workspaces import counter_moves


class PostStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"  # some targets published, the others failed
    FAILED = "failed"


EDITABLE = frozenset({PostStatus.DRAFT, PostStatus.SCHEDULED})
# Publishing again retries the targets that did not publish; a post that is out (or going) is refused.
PUBLISHABLE = frozenset({PostStatus.DRAFT, PostStatus.SCHEDULED, PostStatus.FAILED, PostStatus.PARTIALLY_PUBLISHED})
# Scheduling a failed post tries it again later; a partially published one is published again instead.
SCHEDULABLE = frozenset({PostStatus.DRAFT, PostStatus.SCHEDULED, PostStatus.FAILED})
PUBLISHED_STATUSES = frozenset({PostStatus.PUBLISHED, PostStatus.PARTIALLY_PUBLISHED})
# A post is one DynamoDB item (400 KB at most, keys and indexes included): text beyond this is refused.
MAX_STORED_BYTES = 350_000


class PostNotFound(NotFound):
    code = "POST_NOT_FOUND"
    default_message = "Post not found"


class MediaNotFound(NotFound):
    code = "MEDIA_NOT_FOUND"
    default_message = "Media not found"


class PostNotEditable(Conflict):
    code = "POST_NOT_EDITABLE"
    default_message = "Only draft and scheduled posts can be changed"


class ConcurrentModification(Conflict):
    code = "CONCURRENT_MODIFICATION"
    default_message = "The post was changed by another request meanwhile; read it again and retry"


class PlatformPost(BaseModel):
    """The post on one account: its progress while publishing, then the network's copy or the error."""

    platform: str
    account_id: str | None = None
    post_id: str | None = None
    url: str | None = None
    status: str  # pending, publishing, published, failed
    error: str | None = None
    error_code: str | None = None
    error_kind: str | None = None  # retryable, needs_reconnect, permanent
    attempts: int = 0
    published_at: datetime | None = None


class Metrics(BaseModel):
    """A post's latest figures on one account (the analytics collector keeps them; None: the network
    does not report that figure)."""

    platform: str
    impressions: int | None = None
    reach: int | None = None
    engagement: int | None = None
    clicks: int | None = None


class Post(BaseModel):
    id: str
    workspace_id: str
    status: PostStatus = PostStatus.DRAFT
    content: str
    title: str | None = None
    link: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    thread: list[str] = Field(default_factory=list)
    first_comment: str | None = None
    platform_content: dict[str, PlatformOverride] = Field(default_factory=dict)
    platforms: list[str]  # network ids, in the order asked
    account_ids: list[str] = Field(default_factory=list)  # accounts named instead of a network
    media: list[Media] = Field(default_factory=list)  # attached (confirmed) media, in order
    scheduled_at: datetime | None = None
    scheduled_timezone: str | None = None
    # The date a draft is meant for, which lists sort and filter it by: PostSider's drafts carry one,
    # and a post taken back to draft keeps its time here. Never a schedule: nothing fires at it.
    planned_at: datetime | None = None
    # Counts every schedule, reschedule and unschedule. The post's one-time schedule carries the
    # number it was made for, so a firing for anything but the post's current schedule does nothing.
    schedule_version: int = 0
    queue_schedule_id: str | None = None  # the slot set (schedule) the post was queued into, if any
    queue_slot_id: str | None = None
    published_at: datetime | None = None
    platform_posts: list[PlatformPost] = Field(default_factory=list)
    analytics: dict[str, Metrics] = Field(default_factory=dict)  # by account id, kept by the analytics collector
    # PostSider's group: the posts one request created together (api/postsider/); None elsewhere.
    group: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1  # optimistic lock: every write asserts the version it read
    publish_run: int = 0  # how many times publishing was started (targets carry the run they belong to)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def composition(self) -> PostContent:
        """What validation checks and publishers send."""
        return PostContent(
            content=self.content,
            title=self.title,
            link=self.link,
            hashtags=self.hashtags,
            thread=self.thread,
            first_comment=self.first_comment,
            media=[m.facts() for m in self.media],
            platform_content=self.platform_content,
        )

    @property
    def listed_at(self) -> datetime:
        """The date lists sort and filter on: when it went out, or is due to, or is meant for, or was
        written."""
        return self.published_at or self.scheduled_at or self.planned_at or self.created_at

    def require_storable(self) -> None:
        size = len(self.model_dump_json().encode())
        if size > MAX_STORED_BYTES:
            raise InvalidInput(
                f"The post is too large to store ({size} bytes of text and settings; at most {MAX_STORED_BYTES})",
                details={"size": size, "max_bytes": MAX_STORED_BYTES},
            )

    def unscheduled(self, now: datetime) -> Post:
        """Back to draft: no time, no slot, and a new schedule version (its schedule is void)."""
        return self.model_copy(
            update={
                "status": PostStatus.DRAFT,
                "planned_at": self.scheduled_at or self.planned_at,
                "scheduled_at": None,
                "scheduled_timezone": None,
                "schedule_version": self.schedule_version + 1,
                "queue_schedule_id": None,
                "queue_slot_id": None,
                "updated_at": now,
                "version": self.version + 1,
            }
        )

    def require_editable(self) -> None:
        if not self.editable:
            raise PostNotEditable(
                f"This post is {self.status.value}; only draft and scheduled posts can be changed",
                details={"post_id": self.id, "status": self.status.value},
            )


class PostFilter(BaseModel):
    status: PostStatus | None = None
    platform: str | None = None
    start: datetime | None = None  # "from", inclusive
    end: datetime | None = None  # "to", inclusive


def sort_key(moment: datetime, post_id: str) -> str:
    """Fixed-width UTC time then id, so string order is time order (and ties stay stable)."""
    return f"{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{post_id}"


def post_counters(post: Post | None) -> dict[str, int]:
    """What one post adds to its workspace's counters: in all, by status, by network, media bytes."""
    if post is None:
        return {}
    counts = {"posts_count": 1, f"posts_{post.status.value}": 1}
    if post.status is PostStatus.SCHEDULED:
        counts["scheduled_posts"] = 1
    if post.status in PUBLISHED_STATUSES:
        counts["published_posts"] = 1
    for network in post.platforms:
        counts[f"posts_on_{network}"] = 1
    media_bytes = sum(m.size for m in post.media)
    if media_bytes:
        counts["media_bytes"] = media_bytes
    return counts


def counter_deltas(before: Post | None, after: Post | None) -> dict[str, int]:
    """How the workspace's counters move when a post changes (None: not existing). A new post is
    also counted as created in its month (UTC), against the plan; that count never goes back."""
    moves = counter_moves(post_counters(before), post_counters(after))
    if before is None and after is not None:
        moves[posts_created_counter(month_of(after.created_at))] = 1
    return moves
