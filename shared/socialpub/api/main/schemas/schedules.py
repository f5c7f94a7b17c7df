from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from socialpub.api.main.envelope import Timestamp
from socialpub.api.main.schemas.common import PartialUpdate, RequestBody
from socialpub.domain.schedules import MAX_SLOTS, Schedule, Slot, Weekday
from socialpub.domain.services.schedules import ScheduleOverview, SlotOccurrence
from socialpub.domain.workspaces import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH

# Slot times are wall-clock times in the schedule's zone, written with their offset, as in the seed:
# 2024-01-29T09:00:00+01:00.
LocalTime = Annotated[datetime, PlainSerializer(lambda d: d.replace(microsecond=0).isoformat(), return_type=str)]


def _name(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value.strip() if value is not None else None


class SlotRequest(RequestBody):
    day: Weekday
    time: str = Field(max_length=5, description="24-hour HH:MM in the schedule's time zone")
    platforms: list[str] = Field(min_length=1, max_length=50, description="Network ids or connected account ids")


class CreateScheduleRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Morning posts",
                    "timezone": "Europe/Paris",
                    "slots": [{"day": "monday", "time": "09:00", "platforms": ["mastodon"]}],
                }
            ]
        }
    )

    name: str = Field(max_length=MAX_NAME_LENGTH)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    timezone: str | None = Field(None, max_length=64, description="IANA zone; default: the workspace's")
    is_active: bool = True
    slots: list[SlotRequest] = Field(max_length=MAX_SLOTS)

    _name = field_validator("name")(_name)


class UpdateScheduleRequest(PartialUpdate):
    """Only the fields sent are changed; ``slots`` replaces all slots; ``null`` clears ``description``."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"description"})

    name: str | None = Field(None, max_length=MAX_NAME_LENGTH)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    timezone: str | None = Field(None, max_length=64)
    is_active: bool | None = None
    slots: list[SlotRequest] | None = Field(None, max_length=MAX_SLOTS)

    _name = field_validator("name")(_name)


class SlotView(BaseModel):
    id: str
    day: Weekday
    time: str
    platforms: list[str]

    @classmethod
    def of(cls, slot: Slot) -> SlotView:
        return cls(id=slot.id, day=slot.day, time=slot.time, platforms=slot.platforms)


class ScheduleSummary(BaseModel):
    id: str
    name: str
    description: str | None
    timezone: str
    is_active: bool
    slots: list[SlotView]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, s: Schedule) -> ScheduleSummary:
        return cls(
            id=s.id,
            name=s.name,
            description=s.description,
            timezone=s.timezone,
            is_active=s.is_active,
            slots=[SlotView.of(slot) for slot in s.slots],
            created_at=s.created_at,
            updated_at=s.updated_at,
        )


class UpcomingPostView(BaseModel):
    slot_time: LocalTime
    post_id: str
    platforms: list[str]


class ScheduleStats(BaseModel):
    total_published: int
    this_week: int
    next_slot: LocalTime | None


class ScheduleDetail(ScheduleSummary):
    upcoming_posts: list[UpcomingPostView]
    stats: ScheduleStats

    @classmethod
    def of_overview(cls, o: ScheduleOverview) -> ScheduleDetail:
        return cls(
            **ScheduleSummary.of(o.schedule).model_dump(),
            upcoming_posts=[
                UpcomingPostView(slot_time=u.at, post_id=u.post_id, platforms=u.networks) for u in o.upcoming
            ],
            stats=ScheduleStats(total_published=o.total_published, this_week=o.this_week, next_slot=o.next_slot),
        )


class NextSlotView(BaseModel):
    slot_id: str
    day: Weekday
    time: str
    slot_time: LocalTime
    platforms: list[str]
    taken: list[str] = Field(description="Networks a queued post already holds in this slot")

    @classmethod
    def of(cls, o: SlotOccurrence) -> NextSlotView:
        return cls(
            slot_id=o.slot.id,
            day=o.slot.day,
            time=o.slot.time,
            slot_time=o.at,
            platforms=o.slot.platforms,
            taken=o.taken,
        )


class ScheduleListData(BaseModel):
    schedules: list[ScheduleSummary]


class ScheduleData(BaseModel):
    schedule: ScheduleSummary


class ScheduleDetailData(BaseModel):
    schedule: ScheduleDetail


class NextSlotsData(BaseModel):
    schedule_id: str
    timezone: str
    slots: list[NextSlotView]


class MessageData(BaseModel):
    message: str
