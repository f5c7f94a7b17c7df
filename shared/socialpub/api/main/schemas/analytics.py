"""Responses of the analytics routes: GET /api/posts/{id}/analytics, GET /api/analytics and
GET /api/accounts/{id}/analytics, in the seed's shapes (domain/services/analytics.py computes them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from socialpub.api.main.envelope import Timestamp
from socialpub.domain.analytics import Demographics
from socialpub.domain.services import analytics as service


class NetworkView(BaseModel):
    """One network's figures for a post: the normalised figures it reports and its own figures under
    its own names (Facebook's ``reactions``, X's ``retweets``), or ``available: false`` with the reason
    where the network gives no figures for this kind of post. A figure it does not report is left out."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": {"type": "integer"}})

    available: bool | None = Field(None, description="false: the network gives no figures for this post")
    reason: str | None = None
    status: str | None = Field(None, description="collected, pending (not read yet) or unavailable")
    impressions: int | None = None
    reach: int | None = None
    engagement: int | None = None
    clicks: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    video_views: int | None = None
    engagement_rate: float | None = Field(None, description="engagement / impressions x 100, two decimals")
    collected_at: Timestamp | None = Field(None, description="when the network was last read")

    # No return annotation on purpose: pydantic would document the answer as that type instead of
    # this model's fields.
    @model_serializer(mode="wrap")
    def _reported_only(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        return {name: value for name, value in handler(self).items() if value is not None}

    @classmethod
    def of(cls, n: service.NetworkFigures) -> NetworkView:
        if not n.available:
            return cls(
                available=False, status=n.status, reason=n.reason or "The network gives no figures for this post"
            )
        # The network's own names after the normalised ones: where a name is both (Threads' ``shares``,
        # which its normalised ``shares`` adds to reposts and quotes), the network's own figure is shown.
        figures: dict[str, int] = {**n.figures, **n.native}
        return cls.model_validate(
            {**figures, "status": n.status, "engagement_rate": n.engagement_rate, "collected_at": n.collected_at}
        )


class PostSummaryView(BaseModel):
    total_impressions: int | None
    total_reach: int | None
    total_engagement: int | None
    total_clicks: int | None
    engagement_rate: float | None


class PostPointView(BaseModel):
    timestamp: Timestamp
    impressions: int | None
    engagement: int | None


class PostAnalyticsView(BaseModel):
    summary: PostSummaryView
    by_platform: dict[str, NetworkView]
    timeline: list[PostPointView]


class PostAnalyticsData(BaseModel):
    post_id: str
    analytics: PostAnalyticsView

    @classmethod
    def of(cls, a: service.PostAnalytics) -> PostAnalyticsData:
        s = a.summary
        return cls(
            post_id=a.post_id,
            analytics=PostAnalyticsView(
                summary=PostSummaryView(
                    total_impressions=s.impressions,
                    total_reach=s.reach,
                    total_engagement=s.engagement,
                    total_clicks=s.clicks,
                    engagement_rate=s.engagement_rate,
                ),
                by_platform={name: NetworkView.of(n) for name, n in a.by_platform.items()},
                timeline=[PostPointView.model_validate(p.model_dump()) for p in a.timeline],
            ),
        )


class PeriodView(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: Timestamp = Field(alias="from", serialization_alias="from")
    to: Timestamp

    @classmethod
    def of(cls, p: service.Period) -> PeriodView:
        return cls(from_=p.start, to=p.end)


class SummaryView(BaseModel):
    total_posts: int
    total_impressions: int | None
    total_reach: int | None
    total_engagement: int | None
    total_clicks: int | None
    avg_engagement_rate: float | None = Field(description="total engagement / total impressions x 100")
    best_performing_platform: str | None = Field(
        description="the highest engagement rate among networks with impressions, else the most engagement"
    )


class FiguresView(BaseModel):
    posts: int
    impressions: int | None
    reach: int | None
    engagement: int | None
    clicks: int | None
    engagement_rate: float | None


class PeriodPointView(BaseModel):
    date: str = Field(description="yyyy-mm-dd; hour: yyyy-mm-ddTHH:00:00Z; week: its Monday; month: yyyy-mm")
    impressions: int | None
    engagement: int | None
    posts: int


class TopPostItem(BaseModel):
    id: str
    content: str
    platform: str
    impressions: int | None = Field(description="null: the network reports no impressions")
    engagement: int | None
    published_at: Timestamp


class AudienceView(BaseModel):
    total_followers: int | None
    follower_growth: int | None
    growth_rate: float | None
    demographics: Demographics | None


class WorkspaceAnalyticsData(BaseModel):
    period: PeriodView
    granularity: service.Granularity
    platform: str | None
    summary: SummaryView
    by_platform: dict[str, FiguresView]
    timeline: list[PeriodPointView]
    top_posts: list[TopPostItem]
    audience: AudienceView

    @classmethod
    def of(cls, a: service.WorkspaceAnalytics) -> WorkspaceAnalyticsData:
        return cls(
            period=PeriodView.of(a.period),
            granularity=a.granularity,
            platform=a.platform,
            summary=SummaryView.model_validate(a.summary.model_dump()),
            by_platform={name: FiguresView.model_validate(f.model_dump()) for name, f in a.by_platform.items()},
            timeline=[PeriodPointView.model_validate(p.model_dump()) for p in a.timeline],
            top_posts=[TopPostItem.model_validate(p.model_dump()) for p in a.top_posts],
            audience=AudienceView.model_validate(a.audience.model_dump()),
        )


class FollowerDayView(BaseModel):
    date: str
    followers: int


class AccountAnalyticsData(BaseModel):
    account_id: str
    platform: str
    period: PeriodView
    available: bool = Field(description="false: the network gives no account figures (see reason)")
    reason: str | None
    followers: int | None = Field(description="the latest count read")
    following: int | None
    collected_at: Timestamp | None
    follower_history: list[FollowerDayView]
    follower_growth: int | None
    growth_rate: float | None
    demographics: Demographics | None
    posts: FiguresView = Field(description="the account's posts published in the period")
    timeline: list[PeriodPointView] = Field(description="by the day the posts were published")

    @classmethod
    def of(cls, a: service.AccountAnalytics) -> AccountAnalyticsData:
        data = a.model_dump()
        data["period"] = PeriodView.of(a.period)
        return cls.model_validate(data)
