"""Time: when a scheduled post is due, and recurring slot sets (schedules) that a queue fills.

Instants are stored in UTC; the IANA zone is stored beside them, because "every Monday 09:00 in
Paris" is a wall-clock rule, not a fixed offset. Slot times are turned into instants here, with
two rules for the hours a daylight-saving change creates or removes:

- a slot time the clocks jump over (02:30 on a spring-forward night) is kept at the same distance
  after the jump (03:30), as PEP 495 resolves it: the slot still happens that day;
- a slot time that happens twice (02:30 on a fall-back night) happens once, at its first occurrence.

A single ``scheduled_at`` written without an offset in such an hour is refused instead: a person
chose that instant, and only they know which one they meant (domain/dates.py, which reads every
date a client sends).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as WallTime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator

from socialpub.domain.dates import read_instant
from socialpub.domain.errors import Conflict, InvalidInput, NotFound
from socialpub.domain.workspaces import validate_timezone

MAX_SCHEDULE_AHEAD = timedelta(days=731)  # two years: further is more likely a typo than a plan
MAX_SLOTS = 100
MAX_SCHEDULES = 50  # per workspace
QUEUE_HORIZON_DAYS = 366  # how far a queue looks for a free slot


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        return list(Weekday).index(self)


class ScheduleNotFound(NotFound):
    code = "SCHEDULE_NOT_FOUND"
    default_message = "Schedule not found"


class NoFreeSlot(Conflict):
    code = "NO_FREE_SLOT"
    default_message = "No schedule has a free slot for this post's platforms"


class PostNotSchedulable(Conflict):
    code = "POST_NOT_SCHEDULABLE"
    default_message = "Only draft, scheduled and failed posts can be scheduled"


class Slot(BaseModel):
    """A weekly time: ``day`` at ``time`` (HH:MM, the schedule's zone) for some platforms.

    ``platforms`` is what the client wrote (network ids or account ids); ``networks`` and
    ``account_ids`` are what it resolved to when saved.
    """

    id: str
    day: Weekday
    time: str
    platforms: list[str]
    networks: list[str] = Field(default_factory=list)
    account_ids: list[str] = Field(default_factory=list)

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("must be a 24-hour time HH:MM, such as 09:00")
        return value

    @property
    def clock_time(self) -> WallTime:
        hours, minutes = self.time.split(":")
        return WallTime(int(hours), int(minutes))

    def covers(self, networks: Iterable[str], accounts_by_network: dict[str, str]) -> bool:
        """Whether a post to these networks (with these named accounts) may take this slot: every
        one of its networks is in the slot, by network or by the very account the post names."""
        return all(
            n in self.networks or accounts_by_network.get(n) in self.account_ids
            for n in networks  # an empty slot list is no wildcard: a slot says where it publishes
        )


class Schedule(BaseModel):
    id: str
    workspace_id: str
    name: str
    description: str | None = None
    timezone: str
    is_active: bool = True
    slots: list[Slot]
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def occurrences(self, after: datetime) -> Iterator[tuple[datetime, Slot]]:
        """Every slot occurrence strictly after ``after``, in time order, as aware local times."""
        zone = self.zone
        day = after.astimezone(zone).date() - timedelta(days=1)  # a slot late yesterday may fall after
        for _ in range(QUEUE_HORIZON_DAYS + 2):
            for moment, slot in sorted(
                ((wall_clock(day, s.clock_time, zone), s) for s in self.slots if s.day.number == day.weekday()),
                key=lambda pair: (pair[0], pair[1].id),
            ):
                if moment > after:
                    yield moment, slot
            day += timedelta(days=1)

    def next_slots(self, after: datetime, count: int) -> list[tuple[datetime, Slot]]:
        found: list[tuple[datetime, Slot]] = []
        for occurrence in self.occurrences(after):
            found.append(occurrence)
            if len(found) == count:
                break
        return found


class Claim(BaseModel):
    """A slot occurrence taken by a queued post, for one of its networks."""

    at: datetime
    network: str
    post_id: str


def wall_clock(day: date, at: WallTime, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``zone`` as an instant (see the module's rules for DST changes)."""
    local = datetime.combine(day, at, zone)  # fold=0: the first of two, or the pre-change offset
    return local.astimezone(UTC).astimezone(zone)  # normalises a skipped time past the jump


def parse_instant(value: str, zone_name: str) -> datetime:
    """``scheduled_at``: an ISO 8601 date-time; one without an offset is wall-clock time in ``zone_name``."""
    return read_instant(value, "scheduled_at", zone=zone_name)


def checked_zone(value: str | None, default: str) -> str:
    name = default if value is None else value
    try:
        return validate_timezone(name)
    except ValueError as exc:
        raise InvalidInput(str(exc), details={"field": "timezone"}) from exc


def check_due_time(at: datetime, now: datetime) -> datetime:
    """A time to publish at: in the future, within two years; whole seconds (what a schedule holds)."""
    at = at.replace(microsecond=0)
    if at <= now:
        raise InvalidInput(
            f"'scheduled_at' must be in the future ({at.isoformat()} has passed)",
            details={"field": "scheduled_at"},
        )
    if at - now > MAX_SCHEDULE_AHEAD:
        raise InvalidInput("'scheduled_at' may be at most two years ahead", details={"field": "scheduled_at"})
    return at


def week_key(moment: datetime, zone_name: str) -> str:
    """The ISO week a moment falls in, in a zone: ``2026-W05``."""
    year, week, _ = moment.astimezone(ZoneInfo(zone_name)).isocalendar()
    return f"{year}-W{week:02d}"
