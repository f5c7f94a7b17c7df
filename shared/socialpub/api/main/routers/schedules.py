"""/api/schedules (workspace-scoped: X-Workspace-ID): recurring weekly slot sets that the queue
(POST /api/posts/{id}/queue, in routers/posts.py) fills."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from socialpub.api.container import ContainerDep
from socialpub.api.main.auth import workspace_scope
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.idempotency import IDEMPOTENT
from socialpub.api.main.schemas.schedules import (
    CreateScheduleRequest,
    MessageData,
    NextSlotsData,
    NextSlotView,
    ScheduleData,
    ScheduleDetail,
    ScheduleDetailData,
    ScheduleListData,
    ScheduleSummary,
    UpdateScheduleRequest,
)
from socialpub.config import SchedulesSettings
from socialpub.domain.permissions import Permission
from socialpub.domain.services import schedules as service

SETTINGS = SchedulesSettings
MAX_NEXT_SLOTS = 100
router = APIRouter(prefix="/api/schedules", tags=["schedules"], responses=ERROR_RESPONSES)

Reader = Annotated[str, workspace_scope(Permission.SCHEDULES_READ)]
Writer = Annotated[str, workspace_scope(Permission.SCHEDULES_WRITE)]


@router.get("")
def list_schedules(workspace_id: Reader, c: ContainerDep) -> Envelope[ScheduleListData]:
    """The workspace's schedules, oldest first."""
    found = c.schedules.of_workspace(workspace_id)
    return ok(ScheduleListData(schedules=[ScheduleSummary.of(s) for s in found]))


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[IDEMPOTENT])
def create_schedule(body: CreateScheduleRequest, workspace_id: Writer, c: ContainerDep) -> Envelope[ScheduleData]:
    """A named set of weekly slots (day, HH:MM, platforms) in a time zone (default: the workspace's)."""
    new = service.NewSchedule.model_validate(body.model_dump())
    schedule = service.create_schedule(c.schedule_deps(), workspace_id, new)
    return ok(ScheduleData(schedule=ScheduleSummary.of(schedule)))


@router.get("/{schedule_id}")
def get_schedule(schedule_id: str, workspace_id: Reader, c: ContainerDep) -> Envelope[ScheduleDetailData]:
    """The schedule with the posts queued in it from now on, and its figures."""
    overview = service.overview(c.schedule_deps(), workspace_id, schedule_id)
    return ok(ScheduleDetailData(schedule=ScheduleDetail.of_overview(overview)))


@router.put("/{schedule_id}")
def update_schedule(
    schedule_id: str, body: UpdateScheduleRequest, workspace_id: Writer, c: ContainerDep
) -> Envelope[ScheduleData]:
    """Change the fields sent. Posts already queued keep their times."""
    changes = service.ScheduleChanges.model_validate(body.model_dump(exclude_unset=True))
    schedule = service.update_schedule(c.schedule_deps(), workspace_id, schedule_id, changes)
    return ok(ScheduleData(schedule=ScheduleSummary.of(schedule)))


@router.delete("/{schedule_id}")
def delete_schedule(schedule_id: str, workspace_id: Writer, c: ContainerDep) -> Envelope[MessageData]:
    """Remove the schedule. Posts queued in it stay scheduled at their times."""
    service.delete_schedule(c.schedule_deps(), workspace_id, schedule_id)
    return ok(MessageData(message="Schedule deleted successfully"))


@router.get("/{schedule_id}/next-slots")
def next_slots(
    schedule_id: str,
    workspace_id: Reader,
    c: ContainerDep,
    count: Annotated[int, Query(ge=1, le=MAX_NEXT_SLOTS)] = 10,
) -> Envelope[NextSlotsData]:
    """The next ``count`` slot times, in the schedule's zone, with the networks already taken in each."""
    schedule, found = service.next_slots(c.schedule_deps(), workspace_id, schedule_id, count)
    return ok(
        NextSlotsData(schedule_id=schedule.id, timezone=schedule.timezone, slots=[NextSlotView.of(o) for o in found])
    )
