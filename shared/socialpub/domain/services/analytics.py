"""Reading analytics: one post's figures per network, the workspace's over a period, one account's.

Everything here reads what the collector stored (domain/analytics.py, AnalyticsRepository): the
latest figures of each published target with their readings, per-workspace rollups of posts by the
hour or day they were published, the top posts of each day, and the accounts' follower counts. No
network is called on a read.

Engagement rate, one way everywhere: engagement / impressions x 100, two decimals, over what reports
impressions (domain.analytics.engagement_rate); None where nothing does. A figure no network reports
is None, never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from socialpub.domain.accounts import AccountNotFound
from socialpub.domain.analytics import (
    FIGURES,
    AccountMetrics,
    AnalyticsRepository,
    Demographics,
    FollowerPoint,
    PostMetrics,
    Rollup,
    Snapshot,
    TargetMetrics,
    engagement_rate,
    totals,
)
from socialpub.domain.dates import read_bound
from socialpub.domain.errors import InvalidInput
from socialpub.domain.platforms import catalog
from socialpub.domain.ports import AccountRepository, Clock, PostRepository
from socialpub.domain.posts import PostNotFound

DEFAULT_SPAN = timedelta(days=30)
MAX_SPAN = timedelta(days=366)
MAX_HOURLY_SPAN = timedelta(days=31)
TOP_POSTS = 10
TOP_LOCATIONS = 10
SUMMED = ("impressions", "reach", "engagement", "clicks")


class Granularity(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class AnalyticsDeps:
    analytics: AnalyticsRepository
    posts: PostRepository  # the post exists in this workspace (another tenant's id is a 404)
    accounts: AccountRepository
    clock: Clock


# ---------------------------------------------------------------------------- one post


class NetworkFigures(BaseModel):
    """One network's figures for a post, summed over the post's accounts on that network."""

    available: bool = True
    reason: str | None = None  # why the network gives no figures (available=False)
    status: str  # collected | pending (not read yet) | unavailable
    figures: dict[str, int] = Field(default_factory=dict)  # the normalised figures the network reports
    native: dict[str, int] = Field(default_factory=dict)  # the network's own names
    engagement_rate: float | None = None
    collected_at: datetime | None = None


class Totals(BaseModel):
    impressions: int | None = None
    reach: int | None = None
    engagement: int | None = None
    clicks: int | None = None
    engagement_rate: float | None = None


class PostPoint(BaseModel):
    timestamp: datetime
    impressions: int | None
    engagement: int | None


class PostAnalytics(BaseModel):
    post_id: str
    summary: Totals
    by_platform: dict[str, NetworkFigures]
    timeline: list[PostPoint]


def _rated(metrics: Iterable[PostMetrics]) -> float | None:
    """The rate over what reports impressions (a network without impressions cannot weigh in)."""
    with_impressions = [m for m in metrics if m.impressions is not None]
    return engagement_rate(totals(with_impressions).engagement, totals(with_impressions).impressions)


def _totals(metrics: Sequence[PostMetrics]) -> Totals:
    summed = totals(metrics)
    return Totals(
        impressions=summed.impressions,
        reach=summed.reach,
        engagement=summed.engagement,
        clicks=summed.clicks,
        engagement_rate=_rated(metrics),
    )


def _network(targets: list[TargetMetrics]) -> NetworkFigures:
    available = [t for t in targets if t.available]
    if not available:
        return NetworkFigures(available=False, reason=targets[0].reason, status="unavailable")
    read = [t for t in available if t.collected_at is not None]
    if not read:
        return NetworkFigures(status="pending")
    metrics = [t.metrics.completed() for t in read]
    native: dict[str, int] = defaultdict(int)
    for t in read:
        for name, value in t.native.items():
            native[name] += value
    return NetworkFigures(
        status="collected",
        figures=totals(metrics).figures(),
        native=dict(native),
        engagement_rate=_rated(metrics),
        collected_at=max(t.collected_at for t in read if t.collected_at is not None),
    )


def _post_timeline(snapshots: Sequence[Snapshot]) -> list[PostPoint]:
    """At each reading time, the sum over the post's targets of their latest reading by then (a
    target not read again carries its last figures forward). Readings of one collector run, a few
    seconds apart, make one point: times are taken to the minute."""
    latest: dict[tuple[str, str], PostMetrics] = {}
    points: list[PostPoint] = []
    ordered = sorted(snapshots, key=lambda s: s.at)
    for i, snapshot in enumerate(ordered):
        latest[(snapshot.platform, snapshot.account_id)] = snapshot.metrics.completed()
        minute = snapshot.at.astimezone(UTC).replace(second=0, microsecond=0)
        following = ordered[i + 1].at.astimezone(UTC).replace(second=0, microsecond=0) if i + 1 < len(ordered) else None
        if following == minute:
            continue  # the same minute goes on: one point when it is complete
        summed = totals(latest.values())
        points.append(PostPoint(timestamp=minute, impressions=summed.impressions, engagement=summed.engagement))
    return points


def post_analytics(deps: AnalyticsDeps, workspace_id: str, post_id: str) -> PostAnalytics:
    figures = deps.analytics.post_figures(workspace_id, post_id)
    # The post's marker, read with its figures, says it exists; a post created before the marker
    # (or none) is looked up itself, a second read.
    if not figures.marked and deps.posts.get(workspace_id, post_id) is None:
        raise PostNotFound(details={"post_id": post_id})
    targets, snapshots = figures.targets, figures.snapshots
    by_network: dict[str, list[TargetMetrics]] = defaultdict(list)
    for target in targets:
        by_network[target.platform].append(target)
    # A network that gives no figures for this kind of post is left out of the sums and the timeline.
    counted = [t for t in targets if t.available and t.collected_at is not None]
    unavailable = {(t.platform, t.account_id) for t in targets if not t.available}
    return PostAnalytics(
        post_id=post_id,
        summary=_totals([t.metrics.completed() for t in counted]),
        by_platform={network: _network(group) for network, group in sorted(by_network.items())},
        timeline=_post_timeline([s for s in snapshots if (s.platform, s.account_id) not in unavailable]),
    )


# ---------------------------------------------------------------------------- a period


class PeriodQuery(BaseModel):
    """The query of GET /api/analytics and GET /api/accounts/{id}/analytics, as sent."""

    start: str | None = None  # from
    end: str | None = None  # to
    platform: str | None = None
    granularity: str | None = None


class Period(BaseModel):
    start: datetime
    end: datetime


def _period(deps: AnalyticsDeps, query: PeriodQuery, granularity: Granularity) -> Period:
    end = read_bound(query.end, "to", end=True) or deps.clock()
    start = read_bound(query.start, "from", end=False) or end - DEFAULT_SPAN
    if end < start:
        raise InvalidInput("'to' must not be before 'from'", details={"field": "to"})
    if end - start > MAX_SPAN:
        raise InvalidInput(
            f"The period may cover at most {MAX_SPAN.days} days", details={"field": "from", "max_days": MAX_SPAN.days}
        )
    if granularity is Granularity.HOUR and end - start > MAX_HOURLY_SPAN:
        raise InvalidInput(
            f"Hourly figures cover at most {MAX_HOURLY_SPAN.days} days; ask for a day, week or month granularity",
            details={"field": "granularity", "max_days": MAX_HOURLY_SPAN.days},
        )
    return Period(start=start, end=end)


def _granularity(value: str | None) -> Granularity:
    if value is None:
        return Granularity.DAY
    try:
        return Granularity(value)
    except ValueError:
        allowed = [g.value for g in Granularity]
        raise InvalidInput(
            f"'granularity' must be one of {', '.join(allowed)}", details={"field": "granularity", "allowed": allowed}
        ) from None


def _platform(value: str | None) -> str | None:
    if value is not None and value not in catalog():
        raise InvalidInput(
            f"'{value}' is not a platform of the catalog (GET /api/platforms)",
            details={"field": "platform", "allowed": sorted(catalog())},
        )
    return value


class Figures(BaseModel):
    posts: int = 0
    impressions: int | None = None
    reach: int | None = None
    engagement: int | None = None
    clicks: int | None = None
    engagement_rate: float | None = None


class PeriodPoint(BaseModel):
    date: str
    impressions: int | None
    engagement: int | None
    posts: int


def _figures(rollups: Iterable[Rollup]) -> Figures:
    posts, rated = 0, 0
    sums: dict[str, int | None] = dict.fromkeys(SUMMED)
    for r in rollups:
        posts += r.posts
        for name in SUMMED:
            if name in r.figures:
                sums[name] = (sums[name] or 0) + r.figures[name]
        if "impressions" in r.figures:
            rated += r.figures.get("engagement", 0)
    # The rate, as for one post, over what reports impressions (a network without them cannot weigh in).
    rate = engagement_rate(rated, sums["impressions"]) if sums["engagement"] is not None else None
    return Figures(posts=posts, **sums, engagement_rate=rate)


def _rollup_start(period: str) -> datetime:
    """The first instant of a rollup's period (``2026-12-07`` or ``2026-12-07T10``)."""
    if "T" in period:
        return datetime.strptime(period, "%Y-%m-%dT%H").replace(tzinfo=UTC)
    return datetime.strptime(period, "%Y-%m-%d").replace(tzinfo=UTC)


def bucket(moment: datetime, granularity: Granularity) -> str:
    """The timeline label of the bucket holding ``moment``: an hour, a day, the ISO week's Monday, a month."""
    moment = moment.astimezone(UTC)
    if granularity is Granularity.HOUR:
        return moment.strftime("%Y-%m-%dT%H:00:00Z")
    if granularity is Granularity.WEEK:
        return (moment.date() - timedelta(days=moment.weekday())).isoformat()
    if granularity is Granularity.MONTH:
        return moment.strftime("%Y-%m")
    return moment.date().isoformat()


def _buckets(period: Period, granularity: Granularity) -> list[str]:
    """Every bucket the period touches, in order (empty ones too: a chart needs its zeros)."""
    step = timedelta(hours=1) if granularity is Granularity.HOUR else timedelta(days=1)
    moment = period.start.replace(minute=0, second=0, microsecond=0)
    if granularity is not Granularity.HOUR:
        moment = moment.replace(hour=0)
    labels: list[str] = []
    while moment <= period.end:
        label = bucket(moment, granularity)
        if not labels or labels[-1] != label:
            labels.append(label)
        moment += step
    return labels


def timeline(rollups: Sequence[Rollup], period: Period, granularity: Granularity) -> list[PeriodPoint]:
    grouped: dict[str, list[Rollup]] = defaultdict(list)
    for r in rollups:
        grouped[bucket(_rollup_start(r.period), granularity)].append(r)
    labels = _buckets(period, granularity)
    labels += sorted(set(grouped) - set(labels))  # rollups at the edges of the period
    points = []
    for label in labels:
        f = _figures(grouped.get(label, []))
        empty = not grouped.get(label)
        points.append(
            PeriodPoint(
                date=label,
                impressions=0 if empty else f.impressions,
                engagement=0 if empty else f.engagement,
                posts=f.posts,
            )
        )
    return points


class Summary(BaseModel):
    total_posts: int
    total_impressions: int | None
    total_reach: int | None
    total_engagement: int | None
    total_clicks: int | None
    avg_engagement_rate: float | None
    best_performing_platform: str | None


class TopPostView(BaseModel):
    id: str
    content: str
    platform: str
    impressions: int | None
    engagement: int | None
    published_at: datetime


class Audience(BaseModel):
    total_followers: int | None
    follower_growth: int | None
    growth_rate: float | None
    demographics: Demographics | None


class WorkspaceAnalytics(BaseModel):
    period: Period
    granularity: Granularity
    platform: str | None
    summary: Summary
    by_platform: dict[str, Figures]
    timeline: list[PeriodPoint]
    top_posts: list[TopPostView]
    audience: Audience


def best_platform(by_platform: dict[str, Figures]) -> str | None:
    """The highest engagement rate among networks with impressions; else the most engagement."""
    rated = [(f.engagement_rate, name) for name, f in by_platform.items() if f.engagement_rate is not None]
    if rated:
        return max(rated)[1]
    engaged = [(f.engagement, name) for name, f in by_platform.items() if f.engagement]
    return max(engaged)[1] if engaged else None


def _growth(histories: Sequence[list[FollowerPoint]]) -> tuple[int | None, float | None]:
    read = [h for h in histories if h]
    if not read:
        return None, None
    growth = sum(h[-1].followers - h[0].followers for h in read)
    first = sum(h[0].followers for h in read)
    return growth, (round(growth * 100 / first, 2) if first else None)


def merge_demographics(accounts: Sequence[AccountMetrics]) -> Demographics | None:
    """Each account's shares weighted by its followers, over the accounts that give that kind."""
    given = [(a.demographics, a.followers or 0) for a in accounts if a.demographics is not None]
    if not given:
        return None

    def weighted(shares: list[tuple[dict[str, float], int]]) -> dict[str, float]:
        weight = sum(w for _, w in shares)
        if not weight:
            weight, shares = len(shares), [(s, 1) for s, _ in shares]  # no follower counts: plain mean
        merged: dict[str, float] = defaultdict(float)
        for share, w in shares:
            for key, value in share.items():
                merged[key] += value * w
        return {key: round(value / weight, 2) for key, value in merged.items()}

    ages = weighted([(d.age_groups, w) for d, w in given if d.age_groups])
    genders = weighted([(d.genders, w) for d, w in given if d.genders])
    located = [
        ({str(loc["country"]): float(loc["percentage"]) for loc in d.top_locations if "country" in loc}, w)
        for d, w in given
        if d.top_locations
    ]
    countries = weighted([(shares, w) for shares, w in located if shares])
    top: list[dict[str, str | float]] = [
        {"country": country, "percentage": share}
        for country, share in sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_LOCATIONS]
    ]
    return Demographics(age_groups=ages, genders=genders, top_locations=top)


def _audience(accounts: Sequence[AccountMetrics], history: dict[str, list[FollowerPoint]]) -> Audience:
    read = [a for a in accounts if a.available]
    followers = [a.followers for a in read if a.followers is not None]
    histories = [history.get(a.account_id, []) for a in read]
    growth, rate = _growth(histories)
    return Audience(
        total_followers=sum(followers) if followers else None,
        follower_growth=growth,
        growth_rate=rate,
        demographics=merge_demographics(read),
    )


def workspace_analytics(deps: AnalyticsDeps, workspace_id: str, query: PeriodQuery) -> WorkspaceAnalytics:
    granularity = _granularity(query.granularity)
    platform = _platform(query.platform)
    period = _period(deps, query, granularity)
    # Rollups are kept by the hour and by the day; weeks and months are days grouped here.
    stored = Granularity.HOUR if granularity is Granularity.HOUR else Granularity.DAY
    rollups = [
        r
        for r in deps.analytics.rollups(workspace_id, stored.value, period.start, period.end)
        if platform is None or r.platform == platform
    ]
    grouped: dict[str, list[Rollup]] = defaultdict(list)
    for r in rollups:
        grouped[r.platform].append(r)
    by_platform = {name: _figures(group) for name, group in sorted(grouped.items())}
    overall = _figures(rollups)
    top = [
        TopPostView(
            id=p.post_id,
            content=p.content,
            platform=p.platform,
            impressions=p.impressions,
            engagement=p.engagement,
            published_at=p.published_at,
        )
        for p in sorted(
            deps.analytics.top_posts(workspace_id, period.start, period.end),
            key=lambda p: (-(p.impressions or 0), -(p.engagement or 0), p.post_id),
        )
        if platform is None or p.platform == platform
    ][:TOP_POSTS]
    every, history = deps.analytics.audience(workspace_id, period.start, period.end)
    accounts = [a for a in every if platform is None or a.platform == platform]
    return WorkspaceAnalytics(
        period=period,
        granularity=granularity,
        platform=platform,
        summary=Summary(
            total_posts=sum(f.posts for f in by_platform.values()),
            total_impressions=overall.impressions,
            total_reach=overall.reach,
            total_engagement=overall.engagement,
            total_clicks=overall.clicks,
            avg_engagement_rate=overall.engagement_rate,
            best_performing_platform=best_platform(by_platform),
        ),
        by_platform=by_platform,
        timeline=timeline(rollups, period, granularity),
        top_posts=top,
        audience=_audience(accounts, history),
    )


# ---------------------------------------------------------------------------- one account


class FollowerDay(BaseModel):
    date: str
    followers: int


class AccountAnalytics(BaseModel):
    account_id: str
    platform: str
    period: Period
    available: bool
    reason: str | None
    followers: int | None
    following: int | None
    collected_at: datetime | None
    follower_history: list[FollowerDay]
    follower_growth: int | None
    growth_rate: float | None
    demographics: Demographics | None
    posts: Figures
    timeline: list[PeriodPoint]


def account_analytics(deps: AnalyticsDeps, workspace_id: str, account_id: str, query: PeriodQuery) -> AccountAnalytics:
    account = deps.accounts.get(workspace_id, account_id)
    if account is None:
        raise AccountNotFound(details={"account_id": account_id})
    period = _period(deps, query, Granularity.DAY)
    metrics = next((m for m in deps.analytics.account_metrics(workspace_id) if m.account_id == account_id), None)
    history = deps.analytics.follower_history(workspace_id, account_id, period.start, period.end)
    growth, rate = _growth([history])
    rollups = [
        r
        for r in deps.analytics.rollups(workspace_id, Granularity.DAY.value, period.start, period.end)
        if r.account_id == account_id
    ]
    followers = metrics.followers if metrics is not None else None
    if followers is None and history:
        followers = history[-1].followers
    return AccountAnalytics(
        account_id=account_id,
        platform=account.platform,
        period=period,
        available=metrics.available if metrics is not None else True,
        reason=metrics.reason if metrics is not None else None,
        followers=followers,
        following=metrics.following if metrics is not None else None,
        collected_at=metrics.collected_at if metrics is not None else None,
        follower_history=[FollowerDay(date=p.day, followers=p.followers) for p in history],
        follower_growth=growth,
        growth_rate=rate,
        demographics=metrics.demographics if metrics is not None else None,
        posts=_figures(rollups),
        timeline=timeline(rollups, period, Granularity.DAY),
    )


# ---------------------------------------------------------------------------- daily series

MAX_DAYS = MAX_SPAN.days


class DayFigure(BaseModel):
    date: str  # yyyy-mm-dd (UTC)
    value: int


class Series(BaseModel):
    """One figure over days, oldest first: ``followers``, or a normalised figure (analytics.FIGURES)."""

    figure: str
    points: list[DayFigure]


def _first_day(deps: AnalyticsDeps, days: int) -> datetime:
    """The first instant of the last ``days`` UTC days, today included."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"'date' must be between 1 and {MAX_DAYS} days", details={"field": "date"})
    today = deps.clock().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days - 1)


def _series_of(days: dict[str, dict[str, int]]) -> list[Series]:
    """Per figure, its value on each day that has one (a figure a day lacks is not a zero)."""
    return [
        Series(figure=name, points=[DayFigure(date=day, value=f[name]) for day, f in sorted(days.items()) if name in f])
        for name in FIGURES
        if any(name in f for f in days.values())
    ]


def account_series(deps: AnalyticsDeps, workspace_id: str, account_id: str, days: int) -> list[Series]:
    """An account's figures over its last ``days`` days: its follower count on each day it was read,
    then each figure of its posts summed by the day they were published (the rollups). Empty for a
    network that gives no figures for the account."""
    if deps.accounts.get(workspace_id, account_id) is None:
        raise AccountNotFound(details={"account_id": account_id})
    start, end = _first_day(deps, days), deps.clock()
    metrics = next((m for m in deps.analytics.account_metrics(workspace_id) if m.account_id == account_id), None)
    if metrics is not None and not metrics.available:
        return []
    history = deps.analytics.follower_history(workspace_id, account_id, start, end)
    followers = [DayFigure(date=p.day, value=p.followers) for p in history]
    # One day rollup per account and day: the figures of its posts published that day.
    by_day = {
        r.period: r.figures
        for r in deps.analytics.rollups(workspace_id, Granularity.DAY.value, start, end)
        if r.account_id == account_id
    }
    return ([Series(figure="followers", points=followers)] if followers else []) + _series_of(by_day)


def post_series(deps: AnalyticsDeps, workspace_id: str, post_id: str, days: int) -> list[Series]:
    """A published post's figures on each of the last ``days`` days it was read: at each day's end,
    the sum over its networks of their latest reading by then. A post last read before those days
    shows its last reading's day. Empty for a post that is unknown, not published or not read yet."""
    start = _first_day(deps, days)
    if deps.posts.get(workspace_id, post_id) is None:
        return []
    targets, snapshots = deps.analytics.post_metrics(workspace_id, post_id)
    unavailable = {(t.platform, t.account_id) for t in targets if not t.available}
    readings = sorted((s for s in snapshots if (s.platform, s.account_id) not in unavailable), key=lambda s: s.at)
    latest: dict[tuple[str, str], PostMetrics] = {}
    by_day: dict[str, dict[str, int]] = {}
    for reading in readings:
        latest[(reading.platform, reading.account_id)] = reading.metrics.completed()
        by_day[reading.at.astimezone(UTC).date().isoformat()] = totals(latest.values()).figures()
    first = start.date().isoformat()
    shown = {day: f for day, f in by_day.items() if day >= first}
    if not shown and by_day:
        last = max(by_day)
        shown = {last: by_day[last]}
    return _series_of(shown)
