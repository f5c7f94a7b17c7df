"""When a published post's figures are read again, and how figures add up (pure rules)."""

from datetime import UTC, datetime, timedelta

import pytest

from socialpub.domain.analytics import PostMetrics, delta, engagement_rate, next_collection, totals

PUBLISHED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "next_age"),
    [
        (timedelta(0), timedelta(hours=1)),
        (timedelta(minutes=59), timedelta(hours=1)),
        (timedelta(hours=1), timedelta(hours=6)),
        (timedelta(hours=7), timedelta(hours=24)),
        (timedelta(hours=30), timedelta(hours=72)),
        (timedelta(days=4), timedelta(days=7)),
        (timedelta(days=7), timedelta(days=8)),
        (timedelta(days=12, hours=3), timedelta(days=13)),
        (timedelta(days=29, hours=1), timedelta(days=30)),
    ],
)
def test_next_collection__decays_then_daily(age: timedelta, next_age: timedelta) -> None:
    # Given a post published at PUBLISHED and read at PUBLISHED + age
    # When the next reading is planned
    due = next_collection(PUBLISHED, PUBLISHED + age)

    # Then it follows the cadence (1 h, 6 h, 24 h, 72 h, 7 d), then every day
    assert due == PUBLISHED + next_age


def test_next_collection__after_thirty_days__never_again() -> None:
    # Given a post read 30 days after publishing, then when the next reading is planned, there is none
    assert next_collection(PUBLISHED, PUBLISHED + timedelta(days=30)) is None


def test_next_collection__a_configured_cadence_is_followed() -> None:
    # Given the local stack's short cadence (one and five minutes), then daily up to two days
    cadence = (timedelta(minutes=1), timedelta(minutes=5))

    # When read just after publishing, after two minutes, and after a day and a half
    # Then the next readings are at one minute, five minutes, then five minutes past the next day's mark
    assert next_collection(PUBLISHED, PUBLISHED, cadence=cadence, until=timedelta(days=2)) == PUBLISHED + cadence[0]
    assert next_collection(PUBLISHED, PUBLISHED + timedelta(minutes=2), cadence=cadence) == PUBLISHED + cadence[1]
    later = next_collection(PUBLISHED, PUBLISHED + timedelta(hours=36), cadence=cadence, until=timedelta(days=3))
    assert later == PUBLISHED + timedelta(days=2, minutes=5)


def test_engagement__the_networks_own_total_else_the_interactions() -> None:
    # Given a network that reports its own engagement, and one that reports only interactions
    own = PostMetrics(engagement=40, likes=10, comments=2).completed()
    summed = PostMetrics(likes=10, comments=2, shares=3).completed()
    none = PostMetrics(impressions=100).completed()

    # Then the own total stands, the interactions are summed, and nothing reported stays unknown
    assert own.engagement == 40
    assert summed.engagement == 15
    assert none.engagement is None


def test_engagement_rate__per_hundred_impressions__unknown_without_impressions() -> None:
    assert engagement_rate(892, 15420) == 5.78
    assert engagement_rate(10, 0) is None
    assert engagement_rate(10, None) is None


def test_totals_and_delta__unknown_figures_stay_unknown__a_figure_can_go_down() -> None:
    # Given two networks' figures, one without impressions
    a = PostMetrics(impressions=100, likes=5)
    b = PostMetrics(likes=3)

    # Then the sums cover what is reported, and None stays None
    assert totals([a, b]).figures() == {"impressions": 100, "likes": 8}
    assert totals([b]).impressions is None
    # And the delta from one reading to the next moves each figure, down as well as up
    assert delta(PostMetrics(impressions=120, likes=4), a) == {"impressions": 20, "likes": -1}
    assert delta(a, None) == {"impressions": 100, "likes": 5}
