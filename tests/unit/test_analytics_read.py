"""Reading analytics (domain/services/analytics.py) over an in-memory store: sums per network and in
total, the post's timeline carried forward, the period's buckets, the best network, the audience."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from socialpub.domain.accounts import AccountNotFound
from socialpub.domain.analytics import (
    AccountMetrics,
    Demographics,
    FollowerPoint,
    PostFigures,
    PostMetrics,
    Rollup,
    Snapshot,
    TargetMetrics,
    TopPost,
)
from socialpub.domain.errors import InvalidInput
from socialpub.domain.posts import PostNotFound
from socialpub.domain.services.analytics import (
    AnalyticsDeps,
    Figures,
    Granularity,
    PeriodQuery,
    account_analytics,
    best_platform,
    bucket,
    post_analytics,
    workspace_analytics,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PUBLISHED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class MemoryAnalytics:
    targets: list[TargetMetrics] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    stored_rollups: dict[str, list[Rollup]] = field(default_factory=dict)
    tops: list[TopPost] = field(default_factory=list)
    accounts: list[AccountMetrics] = field(default_factory=list)
    history: dict[str, list[FollowerPoint]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def post_metrics(self, workspace_id: str, post_id: str) -> tuple[list[TargetMetrics], list[Snapshot]]:
        return [t for t in self.targets if (t.workspace_id, t.post_id) == (workspace_id, post_id)], self.snapshots

    def post_figures(self, workspace_id: str, post_id: str) -> PostFigures:
        # No marker here: the service looks the post up itself (Present below)
        targets, snapshots = self.post_metrics(workspace_id, post_id)
        return PostFigures(marked=False, targets=targets, snapshots=snapshots)

    def rollups(self, workspace_id: str, granularity: str, start: datetime, end: datetime) -> list[Rollup]:
        self.asked.append(granularity)
        return self.stored_rollups.get(granularity, [])

    def top_posts(self, workspace_id: str, start: datetime, end: datetime) -> list[TopPost]:
        return self.tops

    def account_metrics(self, workspace_id: str) -> list[AccountMetrics]:
        return self.accounts

    def follower_history(
        self, workspace_id: str, account_id: str, start: datetime, end: datetime
    ) -> list[FollowerPoint]:
        return self.history.get(account_id, [])

    def audience(
        self, workspace_id: str, start: datetime, end: datetime
    ) -> tuple[list[AccountMetrics], dict[str, list[FollowerPoint]]]:
        return self.accounts, {a.account_id: self.history.get(a.account_id, []) for a in self.accounts}


class Present:
    """Posts and accounts repositories that know one workspace's ids."""

    def __init__(self, workspace_id: str, *ids: str) -> None:
        self.workspace_id, self.ids = workspace_id, set(ids)

    def get(self, workspace_id: str, item_id: str) -> Any:
        if workspace_id == self.workspace_id and item_id in self.ids:
            return _Item(platform="mastodon")
        return None


@dataclass
class _Item:
    platform: str


def deps(store: MemoryAnalytics, *ids: str) -> AnalyticsDeps:
    return AnalyticsDeps(
        analytics=store,  # type: ignore[arg-type]
        posts=Present("ws_1", *ids),  # type: ignore[arg-type]
        accounts=Present("ws_1", *ids),  # type: ignore[arg-type]
        clock=lambda: NOW,
    )


def target(platform: str, account: str, *, native: dict[str, int] | None = None, **figures: int) -> TargetMetrics:
    return TargetMetrics(
        workspace_id="ws_1",
        post_id="post_1",
        account_id=account,
        platform=platform,
        network_post_id=f"{platform}-1",
        published_at=PUBLISHED,
        metrics=PostMetrics(**figures),
        native=native or {},
        collected_at=NOW,
    )


def reading(platform: str, account: str, at: datetime, **figures: int) -> Snapshot:
    return Snapshot(account_id=account, platform=platform, at=at, metrics=PostMetrics(**figures))


# ---------------------------------------------------------------------------- one post


def test_post__sums_per_network_and_in_total_with_native_names() -> None:
    # Given the seed's post: Facebook reports reactions, X retweets and replies, and X has two accounts
    store = MemoryAnalytics(
        targets=[
            target(
                "facebook",
                "acc_fb",
                native={"reactions": 380, "comments": 85, "shares": 55},
                impressions=8500,
                reach=7200,
                engagement=520,
                clicks=145,
                comments=85,
                shares=55,
            ),
            target("twitter", "acc_x1", native={"retweets": 40, "replies": 20}, impressions=4000, likes=180, clicks=50),
            target("twitter", "acc_x2", native={"retweets": 22, "replies": 10}, impressions=2920, likes=100, clicks=39),
        ]
    )
    # When the post's analytics are read
    result = post_analytics(deps(store, "post_1"), "ws_1", "post_1")
    # Then each network shows its figures, its own names, and the two X accounts summed
    assert result.by_platform["twitter"].figures == {"impressions": 6920, "engagement": 280, "clicks": 89, "likes": 280}
    assert result.by_platform["twitter"].native == {"retweets": 62, "replies": 30}
    assert result.by_platform["facebook"].native["reactions"] == 380
    # And the summary sums them; reach only Facebook reports; the rate is engagement / impressions
    assert result.summary.impressions == 15420
    assert result.summary.engagement == 800
    assert result.summary.clicks == 234
    assert result.summary.reach == 7200
    assert result.summary.engagement_rate == round(800 * 100 / 15420, 2)


def test_post__a_total_no_network_reports_is_null_and_an_unavailable_network_says_why() -> None:
    # Given Mastodon (likes only) and a Telegram channel message, for which Telegram gives no figures
    telegram = target("telegram", "acc_tg").model_copy(
        update={"available": False, "reason": "Telegram gives bots no figures for channel messages"}
    )
    store = MemoryAnalytics(
        targets=[target("mastodon", "acc_m", likes=3), telegram],
        snapshots=[reading("telegram", "acc_tg", NOW, impressions=99)],
    )
    result = post_analytics(deps(store, "post_1"), "ws_1", "post_1")
    # Then no impressions, reach or clicks are claimed: null, not 0; engagement is the likes
    assert (result.summary.impressions, result.summary.reach, result.summary.clicks) == (None, None, None)
    assert (result.summary.engagement, result.summary.engagement_rate) == (3, None)
    # And Telegram is not available, with its reason, and counts nowhere
    assert result.by_platform["telegram"].available is False
    assert result.by_platform["telegram"].reason == "Telegram gives bots no figures for channel messages"
    assert result.timeline == []


def test_post__timeline_carries_each_targets_latest_reading_forward() -> None:
    t0 = PUBLISHED + timedelta(hours=1)
    store = MemoryAnalytics(
        targets=[target("mastodon", "acc_m", likes=1), target("bluesky", "acc_b", likes=1)],
        snapshots=[
            reading("mastodon", "acc_m", t0, impressions=100, likes=5),
            reading("bluesky", "acc_b", t0 + timedelta(seconds=20), impressions=50, likes=2),  # same run
            reading("mastodon", "acc_m", t0 + timedelta(hours=5), impressions=300, likes=9),
        ],
    )
    result = post_analytics(deps(store, "post_1"), "ws_1", "post_1")
    # Then one point per collector run; Bluesky's figures carry into the second point
    assert [(p.timestamp, p.impressions, p.engagement) for p in result.timeline] == [
        (t0, 150, 7),
        (t0 + timedelta(hours=5), 350, 11),
    ]


def test_post__another_workspaces_post_is_not_found() -> None:
    store = MemoryAnalytics(targets=[target("mastodon", "acc_m", likes=1)])
    with pytest.raises(PostNotFound):
        post_analytics(deps(store, "post_1"), "ws_2", "post_1")


# ---------------------------------------------------------------------------- a period


@pytest.mark.parametrize(
    ("granularity", "moment", "label"),
    [
        (Granularity.HOUR, datetime(2026, 3, 4, 13, 59, tzinfo=UTC), "2026-03-04T13:00:00Z"),
        (Granularity.DAY, datetime(2026, 3, 4, 23, 59, tzinfo=UTC), "2026-03-04"),
        (Granularity.WEEK, datetime(2026, 3, 8, 23, 0, tzinfo=UTC), "2026-03-02"),  # a Sunday: its Monday
        (Granularity.WEEK, datetime(2026, 1, 1, tzinfo=UTC), "2025-12-29"),  # ISO week across the new year
        (Granularity.MONTH, datetime(2026, 2, 28, tzinfo=UTC), "2026-02"),
    ],
)
def test_bucket_labels(granularity: Granularity, moment: datetime, label: str) -> None:
    assert bucket(moment, granularity) == label


def rollup(period: str, platform: str, posts: int, account: str | None = None, **figures: int) -> Rollup:
    return Rollup(
        period=period, account_id=account or f"acc_{platform}", platform=platform, posts=posts, figures=figures
    )


def days_store() -> MemoryAnalytics:
    return MemoryAnalytics(
        stored_rollups={
            "day": [
                rollup("2026-02-23", "facebook", 2, impressions=1000, engagement=50, reach=800, clicks=10),
                rollup("2026-02-24", "facebook", 1, impressions=500, engagement=40),
                rollup("2026-02-24", "instagram", 3, impressions=1000, engagement=90),
                rollup("2026-03-02", "mastodon", 1, engagement=30),
            ]
        }
    )


def test_period__weeks_group_days_and_every_week_is_shown() -> None:
    store = days_store()
    query = PeriodQuery(start="2026-02-16", end="2026-03-02", granularity="week")
    result = workspace_analytics(deps(store), "ws_1", query)
    # Then days are read (no weekly rollups exist) and grouped by ISO week, empty weeks as zeros
    assert store.asked == ["day"]
    assert [(p.date, p.posts, p.impressions, p.engagement) for p in result.timeline] == [
        ("2026-02-16", 0, 0, 0),
        ("2026-02-23", 6, 2500, 180),
        ("2026-03-02", 1, None, 30),  # posts whose network reports no impressions: null, not 0
    ]
    # And the summary sums the networks; posts are the sum of each network's posts
    assert result.summary.total_posts == 7
    assert (result.summary.total_impressions, result.summary.total_engagement) == (2500, 210)
    assert result.summary.total_reach == 800
    # And the best network is the best rate among those with impressions (Instagram 9 % > Facebook 6 %)
    assert result.by_platform["instagram"].engagement_rate == 9.0
    assert result.by_platform["facebook"].engagement_rate == 6.0
    assert result.summary.best_performing_platform == "instagram"


def test_period__months_and_the_platform_filter() -> None:
    query = PeriodQuery(start="2026-02-01", end="2026-03-31", granularity="month", platform="facebook")
    result = workspace_analytics(deps(days_store()), "ws_1", query)
    assert [(p.date, p.posts, p.impressions) for p in result.timeline] == [("2026-02", 3, 1500), ("2026-03", 0, 0)]
    assert list(result.by_platform) == ["facebook"]
    assert result.summary.total_posts == 3


def test_period__hours_read_hourly_rollups() -> None:
    store = MemoryAnalytics(stored_rollups={"hour": [rollup("2026-03-02T09", "bluesky", 1, impressions=7)]})
    query = PeriodQuery(start="2026-03-02T08:00:00Z", end="2026-03-02T10:30:00Z", granularity="hour")
    result = workspace_analytics(deps(store), "ws_1", query)
    assert store.asked == ["hour"]
    assert [(p.date, p.impressions) for p in result.timeline] == [
        ("2026-03-02T08:00:00Z", 0),
        ("2026-03-02T09:00:00Z", 7),
        ("2026-03-02T10:00:00Z", 0),
    ]


def test_best_platform_without_impressions_is_the_most_engagement() -> None:
    assert best_platform({"mastodon": Figures(engagement=5), "bluesky": Figures(engagement=9)}) == "bluesky"
    assert best_platform({"mastodon": Figures()}) is None


def test_period__defaults_to_the_last_30_days_by_day() -> None:
    result = workspace_analytics(deps(MemoryAnalytics()), "ws_1", PeriodQuery())
    assert (result.period.start, result.period.end, result.granularity) == (NOW - timedelta(days=30), NOW, "day")
    assert len(result.timeline) == 31
    assert result.summary.total_impressions is None
    assert result.audience.total_followers is None


@pytest.mark.parametrize(
    ("query", "field_name"),
    [
        (PeriodQuery(start="2026-03-02", end="2026-03-01"), "to"),
        (PeriodQuery(start="2025-01-01", end="2026-03-01"), "from"),
        (PeriodQuery(start="2026-01-01", end="2026-03-01", granularity="hour"), "granularity"),
        (PeriodQuery(granularity="fortnight"), "granularity"),
        (PeriodQuery(platform="myspace"), "platform"),
        (PeriodQuery(start="yesterday"), "from"),
        (PeriodQuery(end="2026-13-01"), "to"),
    ],
)
def test_period__bad_queries_name_the_field(query: PeriodQuery, field_name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        workspace_analytics(deps(MemoryAnalytics()), "ws_1", query)
    assert refused.value.details["field"] == field_name


def test_period__top_posts_and_audience() -> None:
    def top(post: str, platform: str, impressions: int) -> TopPost:
        return TopPost(
            post_id=post, platform=platform, content="c", impressions=impressions, engagement=1, published_at=NOW
        )

    store = MemoryAnalytics(
        tops=[top(f"post_{i}", "facebook", i * 10) for i in range(12)] + [top("post_ig", "instagram", 1000)],
        accounts=[
            AccountMetrics(
                workspace_id="ws_1",
                account_id="acc_fb",
                platform="facebook",
                followers=300,
                demographics=Demographics(
                    age_groups={"18-24": 10.0, "25-34": 90.0}, top_locations=[{"country": "FR", "percentage": 50.0}]
                ),
            ),
            AccountMetrics(
                workspace_id="ws_1",
                account_id="acc_ig",
                platform="instagram",
                followers=100,
                demographics=Demographics(
                    age_groups={"18-24": 50.0, "25-34": 50.0}, top_locations=[{"country": "BE", "percentage": 90.0}]
                ),
            ),
            AccountMetrics(workspace_id="ws_1", account_id="acc_m", platform="mastodon", followers=600),
        ],
        history={
            "acc_fb": [FollowerPoint(day="2026-02-01", followers=250), FollowerPoint(day="2026-03-01", followers=300)],
            "acc_m": [FollowerPoint(day="2026-02-01", followers=650), FollowerPoint(day="2026-03-01", followers=600)],
        },
    )
    result = workspace_analytics(deps(store), "ws_1", PeriodQuery())
    # Then the ten best by impressions
    assert [p.id for p in result.top_posts][:3] == ["post_ig", "post_11", "post_10"]
    assert len(result.top_posts) == 10
    # And followers summed; growth over the accounts read, in % of the first count
    assert result.audience.total_followers == 1000
    assert result.audience.follower_growth == 0
    assert result.audience.growth_rate == 0.0
    # And demographics weighed by followers over the accounts that give them (300 and 100)
    demographics = result.audience.demographics
    assert demographics is not None
    assert demographics.age_groups == {"18-24": 20.0, "25-34": 80.0}
    assert demographics.top_locations == [{"country": "FR", "percentage": 37.5}, {"country": "BE", "percentage": 22.5}]
    # And filtered by platform, only that network's posts and accounts
    only = workspace_analytics(deps(store), "ws_1", PeriodQuery(platform="instagram"))
    assert [p.id for p in only.top_posts] == ["post_ig"]
    assert only.audience.total_followers == 100


# ---------------------------------------------------------------------------- one account


def test_account__followers_history_growth_and_its_posts() -> None:
    store = MemoryAnalytics(
        stored_rollups={
            "day": [
                rollup("2026-02-24", "mastodon", 2, account="acc_m", impressions=100, engagement=10),
                rollup("2026-02-24", "mastodon", 5, account="acc_other", impressions=999),
            ]
        },
        accounts=[AccountMetrics(workspace_id="ws_1", account_id="acc_m", platform="mastodon", followers=120)],
        history={
            "acc_m": [FollowerPoint(day="2026-02-20", followers=100), FollowerPoint(day="2026-03-01", followers=120)]
        },
    )
    result = account_analytics(deps(store, "acc_m"), "ws_1", "acc_m", PeriodQuery(start="2026-02-20", end="2026-03-01"))
    assert (result.followers, result.follower_growth, result.growth_rate) == (120, 20, 20.0)
    assert [d.date for d in result.follower_history] == ["2026-02-20", "2026-03-01"]
    assert (result.posts.posts, result.posts.impressions, result.posts.engagement_rate) == (2, 100, 10.0)
    assert len(result.timeline) == 10
    assert next(p for p in result.timeline if p.date == "2026-02-24").posts == 2


def test_account__another_workspaces_account_is_not_found() -> None:
    with pytest.raises(AccountNotFound):
        account_analytics(deps(MemoryAnalytics(), "acc_m"), "ws_2", "acc_m", PeriodQuery())
