"""Every date a client sends, read one way: ISO 8601 text only, turned into an aware UTC instant,
or refused with InvalidInput naming the field.

One reader, so that no input can reach the rest of the code as something it cannot compute with:
a number (``0.5``) is not a date here, and a date-time whose conversion to UTC leaves the years
0001-9999 that Python represents (``0001-01-01T00:00:00+05:00``) is refused rather than left to
overflow later in a comparison or a key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from socialpub.domain.errors import InvalidInput


def read_instant(
    value: str,
    field: str,
    *,
    zone: str = "UTC",
    whole_day: bool | None = None,
    example: str = "2026-01-25T09:00:00+01:00",
) -> datetime:
    """``value`` as an aware UTC instant.

    Without an offset it is wall-clock time in ``zone``; an hour that the zone's clocks skip or
    repeat names no single instant, so it is refused. A bare date (``2026-01-25``) is its first
    instant, or its last with ``whole_day=True`` (an inclusive "to").
    """
    text = value.strip()
    try:
        if whole_day is not None and len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if whole_day else time.min)
        else:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        kind = "date or date-time" if whole_day is not None else "date-time"
        raise InvalidInput(
            f"'{field}' must be an ISO 8601 {kind}, such as {example}", details={"field": field}
        ) from exc
    try:
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
        return _wall_clock(moment, field, zone)
    except OverflowError as exc:
        raise InvalidInput(
            f"'{field}' is out of range: in UTC it must fall between the years 0001 and 9999",
            details={"field": field},
        ) from exc


def _wall_clock(moment: datetime, field: str, zone_name: str) -> datetime:
    zone = ZoneInfo(zone_name)
    first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        skipped = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment
        what = "does not exist (the clocks skip it)" if skipped else "happens twice (the clocks go back)"
        raise InvalidInput(
            f"{moment.isoformat()} {what} in {zone_name}; give the time with its UTC offset",
            details={"field": field, "timezone": zone_name},
        )
    return first.astimezone(UTC)


def read_bound(value: str | None, field: str, *, end: bool) -> datetime | None:
    """A ``from`` (``end=False``) or inclusive ``to`` (``end=True``) filter of a listing: a bare date
    covers its whole day, a date-time without an offset is UTC."""
    return None if value is None else read_instant(value, field, whole_day=end, example="2026-01-25")
