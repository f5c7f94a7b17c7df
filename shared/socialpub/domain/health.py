"""Health of the deployment and of each network, as the admin plane shows it.

A network's health comes from the publishing counters kept per network and UTC day (added when a
target finishes): error rate and average time of the targets finished today and yesterday, and
the last successful post.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

DEGRADED_ERROR_RATE = 5.0  # percent of finished targets
DOWN_ERROR_RATE = 50.0


class NetworkHealth(BaseModel):
    status: str  # operational, degraded, down, idle (nothing published lately)
    api_status: str  # healthy, partial_outage, major_outage, unknown
    last_successful_post: datetime | None
    error_rate_24h: float  # percent, over today and yesterday (UTC)
    avg_response_time_ms: int | None
    published: int
    failed: int
    issues: list[str] = []


def network_health(days: list[dict[str, Any]]) -> NetworkHealth:
    """From a network's day counters (``published``, ``failed``, ``latency_ms_total``, ``finished``,
    ``last_success_at``, ``error_<CODE>``)."""
    published = sum(int(d.get("published", 0)) for d in days)
    failed = sum(int(d.get("failed", 0)) for d in days)
    finished = sum(int(d.get("finished", 0)) for d in days)
    latency = sum(int(d.get("latency_ms_total", 0)) for d in days)
    successes = [str(d["last_success_at"]) for d in days if d.get("last_success_at")]
    errors: dict[str, int] = {}
    for d in days:
        for name, count in d.items():
            if name.startswith("error_"):
                errors[name.removeprefix("error_")] = errors.get(name.removeprefix("error_"), 0) + int(count)
    rate = round(100.0 * failed / finished, 1) if finished else 0.0
    if not finished:
        status, api = "idle", "unknown"
    elif rate >= DOWN_ERROR_RATE:
        status, api = "down", "major_outage"
    elif rate >= DEGRADED_ERROR_RATE:
        status, api = "degraded", "partial_outage"
    else:
        status, api = "operational", "healthy"
    issues = [f"{code}: {count} failed target(s)" for code, count in sorted(errors.items(), key=lambda e: -e[1])]
    return NetworkHealth(
        status=status,
        api_status=api,
        last_successful_post=datetime.fromisoformat(max(successes).replace("Z", "+00:00")) if successes else None,
        error_rate_24h=rate,
        avg_response_time_ms=latency // finished if finished else None,
        published=published,
        failed=failed,
        issues=issues,
    )


def overall(statuses: list[str]) -> str:
    if "down" in statuses or "degraded" in statuses:
        return "degraded"
    return "operational"
