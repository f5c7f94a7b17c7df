"""Rate-limit tiers: the one place their numbers live.

The app enforces ``requests_per_minute`` exactly (an atomic counter per key and minute). API Gateway
usage plans in template.yaml carry the same numbers as a coarse outer guard (tests/infra checks they
match): throttle rate = requests_per_minute / 60 with burst = requests_per_minute, and the monthly quota.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Tier(StrEnum):
    STARTER = "starter"
    PROFESSIONAL = "professional"
    ENTERPRISE = "enterprise"


class TierLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    requests_per_minute: int
    monthly_quota: int


TIER_LIMITS: dict[Tier, TierLimits] = {
    Tier.STARTER: TierLimits(requests_per_minute=60, monthly_quota=100_000),
    Tier.PROFESSIONAL: TierLimits(requests_per_minute=300, monthly_quota=1_000_000),
    Tier.ENTERPRISE: TierLimits(requests_per_minute=1200, monthly_quota=10_000_000),
}
