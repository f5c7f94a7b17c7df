"""The one reader of client dates: ISO 8601 text to an aware UTC instant, or InvalidInput naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialpub.domain.dates import read_bound, read_instant
from socialpub.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("0001-01-01T00:00:00", "Asia/Tokyo"),
        ("9999-12-31T23:00:00", "America/New_York"),
        ("0001-01-01T00:00:00+05:00", "UTC"),
        ("9999-12-31T23:59:59-00:01", "UTC"),
    ],
)
def test_read_instant__refuses_what_overflows_in_utc(value: str, zone: str) -> None:
    with pytest.raises(InvalidInput, match="out of range") as refused:
        read_instant(value, "scheduled_at", zone=zone)
    assert refused.value.details == {"field": "scheduled_at"}


@pytest.mark.parametrize("value", ["0.5", "1772701200", "next tuesday", ""])
def test_read_bound__refuses_what_is_not_iso_8601_text(value: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 8601") as refused:
        read_bound(value, "to", end=True)
    assert refused.value.details == {"field": "to"}


def test_read_instant__the_extremes_that_fit_are_kept() -> None:
    assert read_instant("0001-01-01T00:00:00Z", "f") == datetime(1, 1, 1, tzinfo=UTC)
    assert read_instant("9999-12-31T14:00:00", "f", zone="Pacific/Kiritimati") == datetime(9999, 12, 31, tzinfo=UTC)
    assert read_bound("9999-12-31", "to", end=True) == datetime.max.replace(tzinfo=UTC)
    assert read_bound("0001-01-01", "from", end=False) == datetime.min.replace(tzinfo=UTC)


def test_read_bound__a_time_without_offset_is_utc_and_none_is_no_bound() -> None:
    assert read_bound("2026-01-25T09:00:00", "from", end=False) == datetime(2026, 1, 25, 9, tzinfo=UTC)
    assert read_bound(None, "from", end=False) is None
