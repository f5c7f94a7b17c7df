"""Notifications: the workspace's lifecycle events (domain/events.py) of the last 30 days, newest
first, each told as one readable sentence, with the post's address on its network when it has one.

Events are what webhooks deliver too; nothing is recorded for notifications alone. The sentences
name networks as the catalog does ("Your post to Bluesky was published successfully").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from socialpub.domain.events import RETENTION, Event, EventType
from socialpub.domain.platforms import catalog
from socialpub.domain.ports import Clock, EventLog

PER_PAGE = 100


@dataclass(frozen=True)
class NotificationDeps:
    events: EventLog
    clock: Clock


class Notification(BaseModel):
    id: str  # the event's id
    content: str
    link: str | None  # the post's address on its network, where the event has one
    created_at: datetime


class NotificationPage(BaseModel):
    notifications: list[Notification]
    total: int
    page: int
    limit: int
    has_more: bool


def notifications(deps: NotificationDeps, workspace_id: str, page: int) -> NotificationPage:
    """Page ``page`` (from 0) of the workspace's notifications, PER_PAGE to a page."""
    events, total = deps.events.page(workspace_id, deps.clock() - RETENTION, page=page, per_page=PER_PAGE)
    return NotificationPage(
        notifications=[notification(e) for e in events],
        total=total,
        page=page,
        limit=PER_PAGE,
        has_more=(page + 1) * PER_PAGE < total,
    )


# ---------------------------------------------------------------------------- the sentences


def _network(platform: object) -> str:
    known = catalog().get(str(platform))
    return known.name if known is not None else str(platform)


def _listed(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else f"{', '.join(unique[:-1])} and {unique[-1]}"


def _results(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in data.get("platform_results") or [] if isinstance(r, dict)]


def _networks(data: dict[str, Any], status: str | None = None) -> list[str]:
    """The networks a post event names: its platforms, or those of its results (of ``status``)."""
    results = _results(data)
    if status is not None or not data.get("platforms"):
        return [_network(r.get("platform")) for r in results if status is None or r.get("status") == status]
    return [_network(p) for p in data.get("platforms") or []]


def _to(networks: list[str]) -> str:
    return f" to {_listed(networks)}" if networks else ""


def _first_error(data: dict[str, Any]) -> str | None:
    error = data.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return next((str(r["error"]) for r in _results(data) if r.get("error")), None)


def _scheduled_for(data: dict[str, Any]) -> str:
    try:
        moment = datetime.fromisoformat(str(data.get("scheduled_at")))
    except ValueError:
        return ""
    return f" for {moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _channel(data: dict[str, Any]) -> str:
    name = data.get("name") or data.get("username")
    return f"Your {_network(data.get('platform'))} channel" + (f" {name}" if name else "")


def _failed(data: dict[str, Any]) -> str:
    error = _first_error(data)
    return f"Your post{_to(_networks(data))} failed to publish" + (f": {error}" if error else "")


def _partial(data: dict[str, Any]) -> str:
    published, failed = _networks(data, "published"), _networks(data, "failed")
    text = f"Your post was published{_to(published)}"
    return text + (f" but failed on {_listed(failed)}" if failed else " but not to every channel")


def _connected(data: dict[str, Any]) -> str:
    return f"{_channel(data)} was {'reconnected' if data.get('reconnected') else 'connected'}"


def _expired(data: dict[str, Any]) -> str:
    return f"{_channel(data)} must be reconnected: the network no longer accepts its access"


SENTENCES: dict[EventType, Callable[[dict[str, Any]], str]] = {
    EventType.POST_CREATED: lambda d: f"A post{_to(_networks(d))} was created",
    EventType.POST_SCHEDULED: lambda d: f"Your post{_to(_networks(d))} was scheduled{_scheduled_for(d)}",
    EventType.POST_PUBLISHED: lambda d: f"Your post{_to(_networks(d, 'published'))} was published successfully",
    EventType.POST_PARTIALLY_PUBLISHED: _partial,
    EventType.POST_FAILED: _failed,
    EventType.POST_DELETED: lambda d: f"Your post{_to(_networks(d))} was deleted",
    EventType.ACCOUNT_CONNECTED: lambda d: (
        f"{_channel(d)} was {'reconnected' if d.get('reconnected') else 'connected'}"
    ),
    EventType.ACCOUNT_DISCONNECTED: lambda d: f"{_channel(d)} was disconnected",
    EventType.ACCOUNT_EXPIRED: _expired,
}


def notification(event: Event) -> Notification:
    link = next((str(r["url"]) for r in _results(event.data) if r.get("status") == "published" and r.get("url")), None)
    return Notification(id=event.id, content=SENTENCES[event.type](event.data), link=link, created_at=event.occurred_at)
