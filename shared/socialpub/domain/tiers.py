"""Tiers: the one place their numbers live.

Rate limits: the app enforces ``requests_per_minute`` exactly (an atomic counter per key and minute).
API Gateway usage plans in template.yaml carry the same numbers as a coarse outer guard (tests/infra
checks they match): throttle rate = requests_per_minute / 60 with burst = requests_per_minute, and the
monthly quota of API calls.

Plan limits (domain/quotas.py, per workspace): ``max_channels`` connected accounts, and
``monthly_posts`` posts created per calendar month (UTC). The numbers sit where peers sell theirs
(2025-26): Postoria 10 accounts / 250 posts a month (free), 50 / 5,000 (pro), 500 / 50,000 (agency);
TryPost 5 to 100 accounts; Postiz cloud 5 channels and 400 posts a month on its smallest plan.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Tier(StrEnum):
    STARTER = "starter"
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


# Lowest first: where several tiers apply to one thing (a workspace's keys), the last one wins.
TIER_ORDER = (Tier.STARTER, Tier.PROFESSIONAL, Tier.ENTERPRISE)


class TierLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    requests_per_minute: int
    monthly_quota: int  # API calls a month (API Gateway usage plan)
    max_channels: int  # connected accounts per workspace
    monthly_posts: int  # posts created per workspace per calendar month (UTC)


TIER_LIMITS: dict[Tier, TierLimits] = {
    Tier.STARTER: TierLimits(requests_per_minute=60, monthly_quota=100_000, max_channels=10, monthly_posts=500),
    Tier.PROFESSIONAL: TierLimits(
        requests_per_minute=300, monthly_quota=1_000_000, max_channels=50, monthly_posts=5_000
    ),
    Tier.ENTERPRISE: TierLimits(
        requests_per_minute=1200, monthly_quota=10_000_000, max_channels=500, monthly_posts=50_000
    ),
}
