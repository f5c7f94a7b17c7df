"""The admin plane's figures: dashboard, stats and analytics, from counters kept as things change.

- Current state (posts by status and network, accounts by status, media bytes): each workspace's
  counters, moved in the same transaction as each change, summed over the workspaces.
- Activity over time (posts created, published, failed, accounts connected... per day): day
  counters added once per lifecycle event by the event relay.
- API usage: each key's request counters of the day (requests today; this month: its days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from socialpub.domain.api_keys import ApiKey
from socialpub.domain.errors import InvalidInput
from socialpub.domain.ports import AdminUserRepository, Clock
from socialpub.domain.posts import PostStatus

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "1y": 365}
STORAGE_LIMIT_MB = None  # S3 has no limit; the seed's storage_limit_mb is shown as null
TOP_NETWORKS = 4  # the dashboard's distribution names the biggest four, then "other"


class WorkspaceCounters(Protocol):
    def all_counters(self) -> list[dict[str, Any]]: ...


class Activity(Protocol):
    def days(self, first: date, last: date) -> dict[date, dict[str, int]]: ...


class KeyList(Protocol):
    def list(self) -> list[ApiKey]: ...


@dataclass
class StatsDeps:
    workspaces: WorkspaceCounters
    users: AdminUserRepository
    keys: KeyList
    usage: Callable[[str, date], tuple[int, int]]  # key id, day -> (that day, its month)
    activity: Activity
    clock: Clock


def _totals(deps: StatsDeps) -> tuple[int, dict[str, int]]:
    active = [c for c in deps.workspaces.all_counters() if c.get("status") == "active"]
    summed: dict[str, int] = {}
    for counters in active:
        for name, number in counters.items():
            if name != "status":
                summed[name] = summed.get(name, 0) + int(number)
    return len(active), summed


def _prefixed(summed: dict[str, int], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(summed.items()) if k.startswith(prefix) and v}


def _usage(deps: StatsDeps, today: date) -> tuple[int, int, int]:
    """(requests today, requests this month, active keys) over every key."""
    keys = [k for k in deps.keys.list() if k.is_active]
    counted = [deps.usage(k.id, today) for k in keys]
    return sum(c[0] for c in counted), sum(c[1] for c in counted), len(keys)


def stats(deps: StatsDeps) -> dict[str, Any]:
    _, summed = _totals(deps)
    by_status = {s.value: summed.get(f"posts_{s.value}", 0) for s in PostStatus}
    _, month, _ = _usage(deps, deps.clock().date())
    return {
        "posts": {
            "total": summed.get("posts_count", 0),
            "by_status": by_status,
            "by_platform": _prefixed(summed, "posts_on_"),
        },
        "accounts": {
            "total": summed.get("accounts_count", 0),
            "by_status": {k: v for k, v in _prefixed(summed, "accounts_").items() if k != "count"},
        },
        "usage": {
            "storage_used_mb": round(summed.get("media_bytes", 0) / 1_048_576, 1),
            "storage_limit_mb": STORAGE_LIMIT_MB,
            "api_calls_this_month": month,
        },
    }


def dashboard(deps: StatsDeps) -> dict[str, Any]:
    workspaces, summed = _totals(deps)
    today = deps.clock().date()
    week = deps.activity.days(today - timedelta(days=6), today)
    requests_today, requests_month, active_keys = _usage(deps, today)
    networks = sorted(_prefixed(summed, "posts_on_").items(), key=lambda item: -item[1])
    distribution = dict(networks[:TOP_NETWORKS])
    if len(networks) > TOP_NETWORKS:
        distribution["other"] = sum(n for _, n in networks[TOP_NETWORKS:])
    return {
        "overview": {
            "total_workspaces": workspaces,
            "total_posts": summed.get("posts_count", 0),
            "total_accounts": summed.get("accounts_count", 0),
            "total_users": len(deps.users.all()),
        },
        "activity": {
            "posts_today": week.get(today, {}).get("post_created", 0),
            "posts_this_week": sum(day.get("post_created", 0) for day in week.values()),
            "scheduled_posts": summed.get("posts_scheduled", 0),
            "failed_posts": summed.get("posts_failed", 0),
        },
        "api_usage": {
            "requests_today": requests_today,
            "requests_this_month": requests_month,
            "active_keys": active_keys,
        },
        "platform_distribution": distribution,
    }


def analytics(deps: StatsDeps, period: str) -> dict[str, Any]:
    """Lifecycle events per day over the period, with totals; days without any are shown as zeros."""
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}", details={"field": "period"})
    today = deps.clock().date()
    first = today - timedelta(days=PERIODS[period] - 1)
    found = deps.activity.days(first, today)
    names = sorted({name for day in found.values() for name in day})
    timeline = []
    for offset in range(PERIODS[period]):
        day = first + timedelta(days=offset)
        timeline.append({"date": day.isoformat(), **{n: found.get(day, {}).get(n, 0) for n in names}})
    totals = {n: sum(entry[n] for entry in timeline) for n in names}  # type: ignore[misc]
    return {
        "period": period,
        "from": first.isoformat(),
        "to": today.isoformat(),
        "totals": totals,
        "timeline": timeline,
    }
