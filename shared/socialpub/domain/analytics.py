"""Analytics: what each network reports about a published post and about an account, normalised.

Every network names its figures its own way (X's ``retweet_count``, Facebook's reactions, YouTube's
``viewCount``). An insights reader (``socialpub.adapters.insights.<network>``) reads the network's
documented metrics endpoint and answers both: the network's own figures (``native``, kept as the
network names them, e.g. ``reactions``, ``retweets``, ``replies``) and the normalised set below.

A figure the network does not report is ``None``, never 0: zeros are only ever the network's. A
kind of post the network gives no figures for at all (a Telegram bot's channel message) is
``available=False`` with the reason, and the collector stops asking for it.

Engagement, one way for every network: the network's own engagement total where it reports one
(e.g. ``total_interactions`` on Instagram), else likes + comments + shares + saves as far as the
network reports them. The engagement rate is engagement / impressions x 100, two decimals, and
``None`` where there are no impressions to divide by.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, Field

from socialpub.domain.publishing import PublishAccount

FIGURES = ("impressions", "reach", "engagement", "clicks", "likes", "comments", "shares", "saves", "video_views")
INTERACTIONS = ("likes", "comments", "shares", "saves")


class PostMetrics(BaseModel):
    """The normalised figures of one post on one network; None: the network does not report it."""

    impressions: int | None = None
    reach: int | None = None
    engagement: int | None = None
    clicks: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    video_views: int | None = None

    def completed(self) -> PostMetrics:
        """With ``engagement`` filled the documented way when the network gave no total of its own."""
        if self.engagement is not None:
            return self
        parts = [getattr(self, name) for name in INTERACTIONS if getattr(self, name) is not None]
        return self.model_copy(update={"engagement": sum(parts)}) if parts else self

    def figures(self) -> dict[str, int]:
        """The figures the network reports (the others left out)."""
        return {name: value for name in FIGURES if (value := getattr(self, name)) is not None}


class PostInsight(BaseModel):
    """What a network says about one published post."""

    available: bool = True
    reason: str | None = None  # why there are no figures (available=False)
    metrics: PostMetrics = Field(default_factory=PostMetrics)
    native: dict[str, int] = Field(default_factory=dict)  # the network's own names and figures

    @classmethod
    def unavailable(cls, reason: str) -> PostInsight:
        return cls(available=False, reason=reason)


class Demographics(BaseModel):
    """Audience shares in percent, where the network provides them."""

    age_groups: dict[str, float] = Field(default_factory=dict)  # "18-24" -> 15.0
    genders: dict[str, float] = Field(default_factory=dict)  # "female" -> 52.0
    top_locations: list[dict[str, str | float]] = Field(default_factory=list)  # {"country", "percentage"}


class AccountInsight(BaseModel):
    """What a network says about an account (profile, page, channel, chat) today."""

    available: bool = True
    reason: str | None = None
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    native: dict[str, int] = Field(default_factory=dict)
    demographics: Demographics | None = None  # None: the network gives none for this account

    @classmethod
    def unavailable(cls, reason: str) -> AccountInsight:
        return cls(available=False, reason=reason)


class InsightsReader(Protocol):
    """A network's metrics endpoints (one module per catalog network under socialpub.adapters.insights).

    Failures are the publishing failures (socialpub.domain.publishing): Retryable (429 with its
    ``retry_after``, 5xx, timeouts), NeedsReconnect (the token was refused), Rejected (anything else).
    """

    batch_size: int  # how many post ids one call may carry (1: one call per post)

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        """Each post id's insight; a post the network no longer has is ``available=False``."""
        ...

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight: ...


# ---------------------------------------------------------------------- when to collect

# After publishing, a post's figures move fast, then settle: it is read again after each of these
# ages, then daily until DAILY_UNTIL. (One place: the collector and the docs read it from here.)
CADENCE = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(hours=72),
    timedelta(days=7),
)
DAILY = timedelta(days=1)
DAILY_UNTIL = timedelta(days=30)


def next_collection(
    published_at: datetime, now: datetime, *, cadence: Sequence[timedelta] = CADENCE, until: timedelta = DAILY_UNTIL
) -> datetime | None:
    """When a post published at ``published_at`` and read at ``now`` is read next (None: never again)."""
    age = now - published_at
    for step in cadence:
        if step > age:
            return published_at + step
    last = cadence[-1] if cadence else timedelta(0)
    days = int((age - last) / DAILY) + 1
    due = published_at + last + days * DAILY
    return due if due - published_at <= until else None


def engagement_rate(engagement: int | None, impressions: int | None) -> float | None:
    if not impressions or engagement is None:
        return None
    return round(engagement * 100 / impressions, 2)


def totals(metrics: Iterable[PostMetrics]) -> PostMetrics:
    """Figure by figure, the sum over what reports it (None where nothing does)."""
    sums: dict[str, int | None] = dict.fromkeys(FIGURES)
    for m in metrics:
        for name, value in m.figures().items():
            sums[name] = (sums[name] or 0) + value
    return PostMetrics(**sums)


def delta(new: PostMetrics, old: PostMetrics | None) -> dict[str, int]:
    """What to add to rollups so they hold ``new`` where they held ``old`` (figures can go down)."""
    before = old.figures() if old else {}
    after = new.figures()
    moved = {name: after.get(name, 0) - before.get(name, 0) for name in after.keys() | before.keys()}
    return {name: value for name, value in moved.items() if value}


# ---------------------------------------------------------------------- what is stored


class TargetMetrics(BaseModel):
    """The latest figures of one published target (post, account), and when they are read next."""

    workspace_id: str
    post_id: str
    account_id: str
    platform: str
    network_post_id: str
    published_at: datetime
    content: str = ""  # the start of the post's text (top posts show it)
    available: bool = True
    reason: str | None = None
    metrics: PostMetrics = Field(default_factory=PostMetrics)
    native: dict[str, int] = Field(default_factory=dict)
    collected_at: datetime | None = None
    collections: int = 0
    next_at: datetime | None = None  # None: never read again
    last_error: str | None = None
    version: int = 0  # every write asserts the version it read


class Snapshot(BaseModel):
    """One reading of a target's figures (the post's timeline is made of these)."""

    account_id: str
    platform: str
    at: datetime
    metrics: PostMetrics
    native: dict[str, int] = Field(default_factory=dict)


class AccountMetrics(BaseModel):
    """The latest figures of one account, read daily."""

    workspace_id: str
    account_id: str
    platform: str
    available: bool = True
    reason: str | None = None
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    native: dict[str, int] = Field(default_factory=dict)
    demographics: Demographics | None = None
    collected_at: datetime | None = None
    next_at: datetime | None = None
    last_error: str | None = None
    version: int = 0


class FollowerPoint(BaseModel):
    """An account's follower count as read on one UTC day."""

    day: str  # yyyy-mm-dd
    followers: int


class Rollup(BaseModel):
    """The summed latest figures of one account's posts published in one UTC hour or day
    (``period``: ``2026-12-07`` or ``2026-12-07T10``), moved by each reading's delta."""

    period: str
    account_id: str
    platform: str
    posts: int = 0
    figures: dict[str, int] = Field(default_factory=dict)  # normalised figure -> sum


class TopPost(BaseModel):
    """A post's best network by impressions, kept on the day it was published (the top ten of a day)."""

    post_id: str
    platform: str
    content: str
    impressions: int | None  # None: the network reports no impressions
    engagement: int | None
    published_at: datetime


class PostFigures(BaseModel):
    """A post's figures as one Query of its range finds them, and whether the post's marker was
    there (it is, for every post created since the marker exists; see docs/data-model.md)."""

    marked: bool
    targets: list[TargetMetrics]
    snapshots: list[Snapshot]


class AnalyticsRepository(Protocol):
    """Where analytics live (WorkspacesTable; see docs/data-model.md)."""

    # read side (the API)
    def post_metrics(self, workspace_id: str, post_id: str) -> tuple[list[TargetMetrics], list[Snapshot]]:
        """The post's targets' latest figures and every reading of them (oldest first): one Query."""
        ...

    def post_figures(self, workspace_id: str, post_id: str) -> PostFigures:
        """The same, with whether the post's marker was found by that Query (``marked``: the post
        exists; not marked: it does not, or it was created before the marker)."""
        ...

    def rollups(self, workspace_id: str, granularity: str, start: datetime, end: datetime) -> list[Rollup]:
        """Rollups of posts published between start and end; granularity ``hour`` or ``day``."""
        ...

    def top_posts(self, workspace_id: str, start: datetime, end: datetime) -> list[TopPost]: ...

    def account_metrics(self, workspace_id: str) -> list[AccountMetrics]: ...

    def follower_history(
        self, workspace_id: str, account_id: str, start: datetime, end: datetime
    ) -> list[FollowerPoint]:
        """One point per day read, oldest first."""
        ...

    def audience(
        self, workspace_id: str, start: datetime, end: datetime
    ) -> tuple[list[AccountMetrics], dict[str, list[FollowerPoint]]]:
        """account_metrics, and each account's follower_history from start to end: one Query."""
        ...

    # write side (the collector)
    def due_targets(self, now: datetime, limit: int) -> list[TargetMetrics]: ...

    def due_accounts(self, now: datetime, limit: int) -> list[AccountMetrics]: ...

    def record_target(self, previous: TargetMetrics, current: TargetMetrics, snapshot: Snapshot | None) -> None:
        """The new latest figures and their reading, the rollups moved by the delta, the post's
        figures and the day's top posts, in one transaction (ConcurrentModification if ``previous``
        is no longer what is stored)."""
        ...

    def record_account(self, previous: AccountMetrics, current: AccountMetrics) -> None: ...
