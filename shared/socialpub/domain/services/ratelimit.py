"""Per-key, per-tier rate limiting over an atomic counter."""

from __future__ import annotations

from socialpub.domain.errors import RateLimited
from socialpub.domain.ports import RequestCounter
from socialpub.domain.ratelimit import WINDOW_SECONDS, RateLimitStatus, retry_after, window_start
from socialpub.domain.tiers import TIER_LIMITS, Tier


def consume_request(
    key_id: str, tier: Tier, counter: RequestCounter, epoch_seconds: float, *, limit: int | None = None
) -> RateLimitStatus:
    """Count one request of ``key_id`` (an API key, or any other counted party) in this minute's
    window; ``limit`` replaces the tier's number where a deployment configures its own."""
    limit = limit or TIER_LIMITS[tier].requests_per_minute
    start = window_start(epoch_seconds)
    reset_at = start + WINDOW_SECONDS
    used = counter.consume(key_id, start, limit)
    if used is None:
        raise RateLimited(limit=limit, reset_at=reset_at, retry_after=retry_after(epoch_seconds))
    return RateLimitStatus(limit=limit, remaining=max(0, limit - used), reset_at=reset_at)
