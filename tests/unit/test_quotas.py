"""Plan limits: whose tier applies to a workspace, the month a post counts in, and the refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from socialpub.domain.errors import QuotaExceeded
from socialpub.domain.quotas import channels_cap, month_of, monthly_posts_cap, plan_of, posts_created_counter
from socialpub.domain.tiers import TIER_LIMITS, Tier


def test_plan_of__the_highest_tier_of_the_keys__starter_when_none() -> None:
    assert plan_of([Tier.STARTER, Tier.ENTERPRISE, Tier.PROFESSIONAL]).tier is Tier.ENTERPRISE
    assert plan_of([Tier.PROFESSIONAL, Tier.STARTER]).tier is Tier.PROFESSIONAL
    assert plan_of([]).tier is Tier.STARTER
    assert plan_of([]).limits == TIER_LIMITS[Tier.STARTER]


def test_every_tier_has_more_room_than_the_one_below() -> None:
    starter, professional, enterprise = (TIER_LIMITS[t] for t in (Tier.STARTER, Tier.PROFESSIONAL, Tier.ENTERPRISE))
    assert starter.max_channels < professional.max_channels < enterprise.max_channels
    assert starter.monthly_posts < professional.monthly_posts < enterprise.monthly_posts


def test_a_post_counts_in_its_calendar_month_in_utc() -> None:
    # 23:30 on 31 January in New York is already February in UTC
    evening = datetime(2026, 1, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert month_of(evening) == "2026-02"
    assert posts_created_counter("2026-02") == "posts_created_2026_02"


def test_monthly_posts_refusal__names_the_limit_and_the_next_month_across_a_year_end() -> None:
    cap = monthly_posts_cap(plan_of([Tier.STARTER]), datetime(2026, 12, 15, tzinfo=UTC))
    cap.require_room(cap.limit - 1)  # the last one still fits
    with pytest.raises(QuotaExceeded) as refused:
        cap.require_room(cap.limit)
    assert refused.value.code == "PLAN_LIMIT_REACHED"
    assert f"starter plan allows {cap.limit} posts created per month" in refused.value.message
    assert refused.value.details["resets_at"] == "2027-01-01T00:00:00Z"


def test_channels_refusal__counts_only_what_is_added() -> None:
    cap = channels_cap(plan_of([Tier.PROFESSIONAL]))
    cap.require_room(cap.limit + 5, adding=0)  # a reconnect adds nothing: allowed even past the limit
    cap.require_room(cap.limit - 2, adding=2)
    with pytest.raises(QuotaExceeded) as refused:
        cap.require_room(cap.limit - 2, adding=3)
    assert refused.value.details == {"quota": "channels", "limit": cap.limit, "tier": "professional"}
