"""Schedules: named sets of weekly slots that the queue fills (services/scheduling.py queue_post)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field

from socialpub.domain.errors import InvalidInput, WorkspaceNotFound
from socialpub.domain.ids import new_id
from socialpub.domain.ports import Clock, ScheduleRepository, WorkspaceRepository
from socialpub.domain.records import changed
from socialpub.domain.schedules import (
    MAX_SCHEDULES,
    Schedule,
    ScheduleNotFound,
    Slot,
    Weekday,
    checked_zone,
    week_key,
)
from socialpub.domain.services.posts import resolve_platforms
from socialpub.domain.workspaces import AccountRef

UPCOMING_LIMIT = 50


class SlotInput(BaseModel):
    day: Weekday
    time: str
    platforms: list[str] = Field(min_length=1)


class NewSchedule(BaseModel):
    name: str
    description: str | None = None
    timezone: str | None = None  # None: the workspace's
    is_active: bool = True
    slots: list[SlotInput]


class ScheduleChanges(BaseModel):
    """A partial update: only the fields set are changed; ``slots`` replaces them all."""

    name: str | None = None
    description: str | None = None
    timezone: str | None = None
    is_active: bool | None = None
    slots: list[SlotInput] | None = None


@dataclass
class ScheduleDeps:
    schedules: ScheduleRepository
    workspaces: WorkspaceRepository
    clock: Clock


@dataclass(frozen=True)
class SlotOccurrence:
    at: datetime  # in the schedule's zone
    slot: Slot
    taken: list[str]  # the networks queued posts already hold in it


@dataclass(frozen=True)
class UpcomingPost:
    at: datetime  # in the schedule's zone
    post_id: str
    networks: list[str]


@dataclass(frozen=True)
class ScheduleOverview:
    schedule: Schedule
    upcoming: list[UpcomingPost]
    total_published: int
    this_week: int
    next_slot: datetime | None


# ---------------------------------------------------------------------- CRUD


def create_schedule(deps: ScheduleDeps, workspace_id: str, new: NewSchedule) -> Schedule:
    workspace = deps.workspaces.get(workspace_id)
    if workspace is None:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})
    if len(deps.schedules.of_workspace(workspace_id)) >= MAX_SCHEDULES:
        raise InvalidInput(
            f"A workspace can have at most {MAX_SCHEDULES} schedules", details={"max_schedules": MAX_SCHEDULES}
        )
    now = deps.clock()
    schedule = Schedule(
        id=new_id("sched"),
        workspace_id=workspace_id,
        name=new.name,
        description=new.description,
        timezone=checked_zone(new.timezone, workspace.settings.timezone),
        is_active=new.is_active,
        slots=_slots(deps, workspace_id, new.slots),
        created_at=now,
        updated_at=now,
    )
    deps.schedules.create(schedule)
    return schedule


def get_schedule(deps: ScheduleDeps, workspace_id: str, schedule_id: str) -> Schedule:
    schedule = deps.schedules.get(workspace_id, schedule_id)
    if schedule is None:
        raise ScheduleNotFound(details={"schedule_id": schedule_id})
    return schedule


def update_schedule(deps: ScheduleDeps, workspace_id: str, schedule_id: str, changes: ScheduleChanges) -> Schedule:
    """Posts already queued keep their times; new slots serve the posts queued from now on."""
    previous = get_schedule(deps, workspace_id, schedule_id)
    update = changes.model_dump(exclude_unset=True)
    if changes.timezone is not None:
        update["timezone"] = checked_zone(changes.timezone, previous.timezone)
    if changes.slots is not None:
        update["slots"] = _slots(deps, workspace_id, changes.slots)
    schedule = changed(previous, {**update, "updated_at": deps.clock(), "version": previous.version + 1})
    deps.schedules.save(schedule, previous)
    return schedule


def delete_schedule(deps: ScheduleDeps, workspace_id: str, schedule_id: str) -> None:
    """Posts queued in it stay scheduled at their times."""
    deps.schedules.delete(get_schedule(deps, workspace_id, schedule_id))


def _slots(deps: ScheduleDeps, workspace_id: str, slots: list[SlotInput]) -> list[Slot]:
    accounts: list[AccountRef] | None = None

    def workspace_accounts() -> list[AccountRef]:
        nonlocal accounts
        if accounts is None:
            accounts = deps.workspaces.accounts(workspace_id)
        return accounts

    resolved = []
    for position, given in enumerate(slots, start=1):
        try:
            networks, account_ids = resolve_platforms(given.platforms, workspace_accounts)
        except InvalidInput as exc:
            raise InvalidInput(
                exc.message, details={**exc.details, "field": f"slots[{position - 1}].platforms"}
            ) from exc
        try:
            slot = Slot(
                id=f"slot_{position}",
                day=given.day,
                time=given.time,
                platforms=list(dict.fromkeys(given.platforms)),
                networks=networks,
                account_ids=account_ids,
            )
        except ValueError as exc:
            raise InvalidInput(
                f"slots[{position - 1}].time must be a 24-hour time HH:MM, such as 09:00",
                details={"field": f"slots[{position - 1}].time"},
            ) from exc
        resolved.append(slot)
    return resolved


def remove_account(schedules: ScheduleRepository, workspace_id: str, account_id: str, now: datetime) -> int:
    """A disconnected account leaves every slot that named it; a slot left with nothing goes."""
    count = 0
    for schedule in schedules.of_workspace(workspace_id):
        if not any(account_id in s.account_ids for s in schedule.slots):
            continue
        slots = []
        for s in schedule.slots:
            if account_id in s.account_ids:
                s = s.model_copy(
                    update={
                        "platforms": [p for p in s.platforms if p != account_id],
                        "account_ids": [a for a in s.account_ids if a != account_id],
                    }
                )
            if s.platforms:
                slots.append(s)
        schedules.save(
            schedule.model_copy(update={"slots": slots, "updated_at": now, "version": schedule.version + 1}), schedule
        )
        count += 1
    return count


# ---------------------------------------------------------------------- reading


def overview(deps: ScheduleDeps, workspace_id: str, schedule_id: str) -> ScheduleOverview:
    schedule, counts = deps.schedules.get_with_counts(workspace_id, schedule_id)
    if schedule is None:
        raise ScheduleNotFound(details={"schedule_id": schedule_id})
    now = deps.clock()
    by_post: dict[tuple[datetime, str], list[str]] = {}
    for claim in deps.schedules.claims(workspace_id, schedule_id, now, limit=UPCOMING_LIMIT * 10):
        by_post.setdefault((claim.at, claim.post_id), []).append(claim.network)
    upcoming = [
        UpcomingPost(at=at.astimezone(schedule.zone), post_id=post_id, networks=networks)
        for (at, post_id), networks in sorted(by_post.items())[:UPCOMING_LIMIT]
    ]
    following = schedule.next_slots(now, 1)
    return ScheduleOverview(
        schedule=schedule,
        upcoming=upcoming,
        total_published=counts.get("total", 0),
        this_week=counts.get(week_key(now, schedule.timezone), 0),
        next_slot=following[0][0] if following and schedule.is_active else None,
    )


def next_slots(
    deps: ScheduleDeps, workspace_id: str, schedule_id: str, count: int
) -> tuple[Schedule, list[SlotOccurrence]]:
    schedule = get_schedule(deps, workspace_id, schedule_id)
    now = deps.clock()
    occurrences = schedule.next_slots(now, count)
    held = taken(deps.schedules, schedule, now)
    return schedule, [
        SlotOccurrence(at=at, slot=slot, taken=[n for n in slot.networks if (instant(at), n) in held])
        for at, slot in occurrences
    ]


def taken(
    schedules: ScheduleRepository, schedule: Schedule, now: datetime, but: str | None = None
) -> set[tuple[int, str]]:
    """(UTC instant, network) pairs held by queued posts other than ``but``."""
    return {
        (instant(c.at), c.network)
        for c in schedules.claims(schedule.workspace_id, schedule.id, now)
        if c.post_id != but
    }


def instant(moment: datetime) -> int:
    """The same instant compares equal whatever zone it is written in."""
    return int(moment.timestamp())
