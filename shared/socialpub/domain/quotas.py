"""Plan limits of a workspace: how many channels (connected accounts) it may have, and how many
posts it may create in a calendar month (UTC). The numbers are per tier (domain/tiers.py).

Whose tier: tiers belong to API keys, and a workspace has keys (its ``member_keys``: the key that
created it and the keys granted it). Its plan is the highest tier among its active keys, read when
the limit is checked: so changing a key's tier (``PUT /admin/keys/{id}``, the admin's override)
changes its workspaces' limits at once, a revoked key no longer counts, and a workspace with no
active key left gets starter's.

Counting: both limits are workspace counters moved in the same transaction as the write they count
(``accounts_count``; ``posts_created_<YYYY>_<MM>``, one per month, never moved back: a deleted post
still counted as created). The store refuses the write when it would push the counter past the
limit (a ``Cap``), so concurrent writes never go past it; the services check it first as well, so
a refused request has written nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from socialpub.domain.errors import QuotaExceeded
from socialpub.domain.tiers import TIER_LIMITS, TIER_ORDER, Tier, TierLimits
from socialpub.domain.workspaces import Workspace

CHANNELS = "channels"
MONTHLY_POSTS = "monthly_posts"
POSTS_CREATED_PREFIX = "posts_created_"


class Plan(BaseModel):
    """The tier that applies to a workspace, and its limits."""

    model_config = ConfigDict(frozen=True)

    tier: Tier
    limits: TierLimits


def plan_of(tiers: Iterable[Tier]) -> Plan:
    """The highest of the tiers of a workspace's active keys (starter when there is none)."""
    tier = max(tiers, key=TIER_ORDER.index, default=Tier.STARTER)
    return Plan(tier=tier, limits=TIER_LIMITS[tier])


def month_of(moment: datetime) -> str:
    """A calendar month in UTC, ``YYYY-MM``."""
    return f"{moment.astimezone(UTC):%Y-%m}"


def posts_created_counter(month: str) -> str:
    """The workspace counter of the posts created in ``month`` (``YYYY-MM``)."""
    return POSTS_CREATED_PREFIX + month.replace("-", "_")


def _next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}"


class Cap(BaseModel):
    """A workspace counter a write moves up, and the most it may reach. The store makes the write
    only if the counter stays within ``limit`` (in the same transaction); else it raises ``error``."""

    model_config = ConfigDict(frozen=True)

    counter: str
    limit: int
    quota: str  # CHANNELS or MONTHLY_POSTS
    tier: Tier
    month: str | None = None  # MONTHLY_POSTS: the month counted

    def error(self) -> QuotaExceeded:
        details: dict[str, object] = {"quota": self.quota, "limit": self.limit, "tier": self.tier.value}
        if self.quota == CHANNELS:
            what = f"{self.limit} connected channels"
            advice = "disconnect one or move a key of this workspace to a higher tier"
        else:
            assert self.month is not None
            what = f"{self.limit} posts created per month"
            advice = f"the count starts again on {_next_month(self.month)}-01 (UTC)"
            details.update(month=self.month, resets_at=f"{_next_month(self.month)}-01T00:00:00Z")
        return QuotaExceeded(
            f"Plan limit reached: this workspace's {self.tier.value} plan allows {what}; {advice}", details=details
        )

    def require_room(self, current: int, adding: int = 1) -> None:
        """Refuse (before any write) when ``adding`` to ``current`` would go past the limit."""
        if adding > 0 and current + adding > self.limit:
            raise self.error()


def channels_cap(plan: Plan) -> Cap:
    return Cap(counter="accounts_count", limit=plan.limits.max_channels, quota=CHANNELS, tier=plan.tier)


def monthly_posts_cap(plan: Plan, moment: datetime) -> Cap:
    month = month_of(moment)
    return Cap(
        counter=posts_created_counter(month),
        limit=plan.limits.monthly_posts,
        quota=MONTHLY_POSTS,
        tier=plan.tier,
        month=month,
    )


def posts_created(workspace: Workspace, month: str) -> int:
    return workspace.posts_created.get(month, 0)
