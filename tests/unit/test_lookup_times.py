"""The time check every lost answer's lookup shares (publishers/http.py ``made_since``)."""

from datetime import UTC, datetime

import pytest

from socialpub.adapters.publishers.http import made_since

ARMED = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "made"),
    [
        ("2026-12-07T12:00:30Z", True),  # Forem, Neynar
        ("2026-12-07T12:00:30+0000", True),  # Graph
        ("2026-12-07T12:00:30.123456", True),  # Lemmy before 0.19: naive UTC
        ("2026-12-07T11:59:30+00:00", True),  # within the clock skew
        ("2026-12-07T11:50:00Z", False),  # before the attempt: an older post
        (None, False),  # a draft has no date: not what a published attempt made
        ("", False),
        ("yesterday", False),
    ],
)
def test_made_since__a_post_the_attempt_could_have_made(stamp: str | None, made: bool) -> None:
    # Given a network's timestamp, when it is checked against the step's arming, then only a time since counts
    assert made_since(stamp, ARMED) is made
