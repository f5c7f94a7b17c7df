"""Wall-clock rules: slot times across daylight-saving changes, scheduled_at parsing, and the
one-time schedule expressions written for EventBridge Scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialpub.adapters.scheduler import at_expression, due_time
from socialpub.domain.errors import InvalidInput
from socialpub.domain.schedules import Schedule, Slot, Weekday, check_due_time, parse_instant

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def weekly(zone: str, *slots: tuple[Weekday, str]) -> Schedule:
    return Schedule(
        id="sched_1",
        workspace_id="ws_1",
        name="Weekly",
        timezone=zone,
        slots=[
            Slot(id=f"slot_{i}", day=day, time=at, platforms=["mastodon"], networks=["mastodon"])
            for i, (day, at) in enumerate(slots, start=1)
        ],
        created_at=NOW,
        updated_at=NOW,
    )


def local_times(schedule: Schedule, after: datetime, count: int) -> list[str]:
    return [moment.isoformat() for moment, _ in schedule.next_slots(after, count)]


# ---------------------------------------------------------------------- slots across DST changes


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # Europe/Paris springs forward on 2026-03-29 (+01:00 -> +02:00) and falls back on 2026-10-25.
        (
            "Europe/Paris",
            datetime(2026, 3, 20, tzinfo=UTC),
            ["2026-03-22T09:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-04-05T09:00:00+02:00"],
        ),
        (
            "Europe/Paris",
            datetime(2026, 10, 15, tzinfo=UTC),
            ["2026-10-18T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-11-01T09:00:00+01:00"],
        ),
        # America/New_York springs forward on 2026-03-08 (-05:00 -> -04:00) and falls back on 2026-11-01.
        (
            "America/New_York",
            datetime(2026, 3, 1, 15, tzinfo=UTC),
            ["2026-03-08T09:00:00-04:00", "2026-03-15T09:00:00-04:00", "2026-03-22T09:00:00-04:00"],
        ),
        (
            "America/New_York",
            datetime(2026, 10, 20, tzinfo=UTC),
            ["2026-10-25T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "2026-11-08T09:00:00-05:00"],
        ),
    ],
)
def test_slots__stay_at_their_wall_clock_time_across_dst_changes(
    zone: str, after: datetime, expected: list[str]
) -> None:
    # Given a Sunday 09:00 slot
    schedule = weekly(zone, (Weekday.SUNDAY, "09:00"))

    # When the next three occurrences are listed across a change
    found = local_times(schedule, after, 3)

    # Then each is at 09:00 local, with that day's offset (so the UTC instant moves by an hour)
    assert found == expected


@pytest.mark.parametrize(
    ("zone", "after", "skipped_day_slot"),
    [
        ("Europe/Paris", datetime(2026, 3, 28, tzinfo=UTC), "2026-03-29T03:30:00+02:00"),
        ("America/New_York", datetime(2026, 3, 7, tzinfo=UTC), "2026-03-08T03:30:00-04:00"),
    ],
)
def test_slots__a_time_the_clocks_skip_happens_an_hour_later_that_day(
    zone: str, after: datetime, skipped_day_slot: str
) -> None:
    # Given a Sunday 02:30 slot, and the Sunday the clocks jump from 02:00 to 03:00
    schedule = weekly(zone, (Weekday.SUNDAY, "02:30"))

    # When the next occurrences are listed
    first, second = local_times(schedule, after, 2)

    # Then the slot still happens that day, just after the jump, and at 02:30 again a week later
    assert first == skipped_day_slot
    assert second.endswith("T02:30:00" + skipped_day_slot[-6:])


@pytest.mark.parametrize(
    ("zone", "after", "repeated"),
    [
        ("Europe/Paris", datetime(2026, 10, 24, tzinfo=UTC), "2026-10-25T02:30:00+02:00"),
        ("America/New_York", datetime(2026, 10, 31, tzinfo=UTC), "2026-11-01T01:30:00-04:00"),
    ],
)
def test_slots__a_time_the_clocks_repeat_happens_once_at_its_first_occurrence(
    zone: str, after: datetime, repeated: str
) -> None:
    # Given a Sunday slot inside the hour a fall-back change repeats
    schedule = weekly(zone, (Weekday.SUNDAY, repeated[11:16]))

    # When the next occurrences are listed
    first, second = local_times(schedule, after, 2)

    # Then it happens once that day, at the first (summer-time) occurrence, and next on the Sunday after
    assert first == repeated
    assert second[:10] != first[:10]


def test_slots__come_in_time_order_across_days_and_slots() -> None:
    # Given slots on Monday 09:00 and 17:30 and on Wednesday 09:00, in Paris
    schedule = weekly(
        "Europe/Paris", (Weekday.WEDNESDAY, "09:00"), (Weekday.MONDAY, "17:30"), (Weekday.MONDAY, "09:00")
    )

    # When listed from Monday 2026-03-02 at 10:00 Paris time
    found = local_times(schedule, datetime(2026, 3, 2, 9, tzinfo=UTC), 4)

    # Then the Monday 09:00 already passed and the rest follow in order
    assert found == [
        "2026-03-02T17:30:00+01:00",
        "2026-03-04T09:00:00+01:00",
        "2026-03-09T09:00:00+01:00",
        "2026-03-09T17:30:00+01:00",
    ]


def test_slot__refuses_a_time_that_is_not_hh_mm() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        Slot(id="slot_1", day=Weekday.MONDAY, time="25:00", platforms=["mastodon"])


# ---------------------------------------------------------------------- scheduled_at


def test_parse_instant__an_offset_wins_over_the_zone() -> None:
    assert parse_instant("2026-01-25T09:00:00+01:00", "America/New_York") == datetime(2026, 1, 25, 8, tzinfo=UTC)
    assert parse_instant("2026-01-25T09:00:00Z", "Europe/Paris") == datetime(2026, 1, 25, 9, tzinfo=UTC)


def test_parse_instant__without_an_offset_reads_wall_clock_time_in_the_zone() -> None:
    assert parse_instant("2026-01-25T09:00:00", "Europe/Paris") == datetime(2026, 1, 25, 8, tzinfo=UTC)
    assert parse_instant("2026-07-25T09:00:00", "Europe/Paris") == datetime(2026, 7, 25, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "zone", "says"),
    [
        ("2026-03-29T02:30:00", "Europe/Paris", "does not exist"),
        ("2026-10-25T02:30:00", "Europe/Paris", "happens twice"),
        ("2026-11-01T01:30:00", "America/New_York", "happens twice"),
        ("next tuesday", "Europe/Paris", "ISO 8601"),
    ],
)
def test_parse_instant__refuses_what_names_no_single_instant(value: str, zone: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says) as refused:
        parse_instant(value, zone)
    assert refused.value.details["field"] == "scheduled_at"


def test_check_due_time__refuses_the_past_and_the_far_future() -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        check_due_time(NOW, NOW)
    with pytest.raises(InvalidInput, match="two years"):
        check_due_time(datetime(2029, 1, 1, tzinfo=UTC), NOW)
    assert check_due_time(datetime(2026, 3, 1, 12, 0, 5, 500_000, tzinfo=UTC), NOW) == datetime(
        2026, 3, 1, 12, 0, 5, tzinfo=UTC
    )


# ---------------------------------------------------------------------- schedule expressions


def test_at_expression__is_wall_clock_time_in_the_posts_zone() -> None:
    moment = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    assert at_expression(moment, "Europe/Paris") == ("at(2026-03-05T09:00:00)", "Europe/Paris")
    assert due_time(*at_expression(moment, "Europe/Paris")) == moment


def test_at_expression__in_a_repeated_hour_is_written_in_utc() -> None:
    # Given the second 02:30 of Paris's fall-back night (01:30 UTC), which wall-clock time cannot name
    moment = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)

    # Then the schedule is written in UTC, and reads back as that instant
    assert at_expression(moment, "Europe/Paris") == ("at(2026-10-25T01:30:00)", "UTC")
    assert due_time(*at_expression(moment, "Europe/Paris")) == moment


def test_due_time__refuses_what_is_not_a_one_time_expression() -> None:
    with pytest.raises(ValueError, match="one-time"):
        due_time("rate(5 minutes)", "UTC")
