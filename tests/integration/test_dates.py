"""Every date a client sends to /api and /admin is read by one reader (socialpub.domain.dates): ISO 8601
text only, and a date whose conversion to UTC leaves the years 0001-9999 is a 400 naming the field,
never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Keys
from tests.integration.test_admin_auth import add_user, bearer, log_in
from tests.integration.test_posts import create, new_workspace

# Instants that overflow when converted to UTC, as a time with an offset or a wall-clock time in a zone.
OUT_OF_RANGE = [
    ("0001-01-01T00:00:00", "Asia/Tokyo"),
    ("9999-12-31T23:00:00", "America/New_York"),
    ("0001-01-01T00:00:00+05:00", None),
    ("9999-12-31T23:00:00-05:00", None),
]
FILTER_OUT_OF_RANGE = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]
NOT_DATES = ["0.5", "1772701200", "yesterday", ""]


def refused(answer: Any, field: str) -> dict[str, Any]:
    assert answer.status_code == 400, (answer.request.url, answer.text)
    body = answer.json()
    assert body["success"] is False
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert body["error"]["details"]["field"] == field
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.parametrize(("at", "zone"), OUT_OF_RANGE)
def test_schedule__a_time_outside_utcs_range_is_400_and_the_post_stays_a_draft(
    client: TestClient, keys: Keys, at: str, zone: str | None
) -> None:
    # Given a draft
    headers = new_workspace(client, keys)
    post = create(client, headers)

    # When it is scheduled at a time that has no UTC instant Python can hold
    body = {"scheduled_at": at} | ({"timezone": zone} if zone else {})
    answer = client.post(f"/api/posts/{post['id']}/schedule", json=body, headers=headers)

    # Then 400 names scheduled_at and says why, and the post is unchanged
    assert "out of range" in refused(answer, "scheduled_at")["message"]
    stored = client.get(f"/api/posts/{post['id']}", headers=headers).json()["data"]["post"]
    assert (stored["status"], stored["scheduled_at"]) == ("draft", None)


def test_list_posts__a_bound_that_is_not_a_representable_date_is_400(client: TestClient, keys: Keys) -> None:
    # Given a workspace with a post
    headers = new_workspace(client, keys)
    create(client, headers)

    for field in ("from", "to"):
        for value in FILTER_OUT_OF_RANGE + NOT_DATES:
            # When posts are listed from or to a date out of range, or something that is not a date
            answer = client.get("/api/posts", params={field: value}, headers=headers)

            # Then 400 names the filter
            refused(answer, field)


def test_list_posts__the_extreme_dates_that_are_in_range_still_filter(client: TestClient, keys: Keys) -> None:
    # Given a workspace with a post
    headers = new_workspace(client, keys)
    made = create(client, headers)

    # When posts are listed over the widest range there is
    answer = client.get("/api/posts", params={"from": "0001-01-01", "to": "9999-12-31"}, headers=headers)

    # Then the post is in it
    assert answer.status_code == 200, answer.text
    assert [p["id"] for p in answer.json()["data"]["posts"]] == [made["id"]]


@pytest.fixture
def auditor(client: TestClient, container: Container) -> dict[str, str]:
    """An admin's bearer header; signing in leaves one audit entry (auth.login)."""
    add_user(container, "ada@example.com")
    return bearer(log_in(client, "ada@example.com").json()["data"]["token"])


def test_audit__a_bound_that_is_not_a_representable_date_is_400(client: TestClient, auditor: dict[str, str]) -> None:
    for field in ("from", "to"):
        for value in FILTER_OUT_OF_RANGE + NOT_DATES:
            # When the audit log is read from or to a date out of range, or a number such as 0.5
            answer = client.get("/admin/audit", params={field: value}, headers=auditor)

            # Then 400 names the filter (a number is not read as seconds since 1970)
            refused(answer, field)


def test_audit__dates_filter_by_whole_days_and_a_far_end_is_fine(client: TestClient, auditor: dict[str, str]) -> None:
    # Given the sign-in's audit entry, written on the test clock's day (2026-03-02)
    def actions(**params: str) -> list[str]:
        answer = client.get("/admin/audit", params=params, headers=auditor)
        assert answer.status_code == 200, answer.text
        return [entry["action"] for entry in answer.json()["data"]["logs"]]

    # Then a bare date as "to" covers that whole day, a range up to year 9999 finds it too,
    # and a range that ends the day before does not
    assert actions(**{"from": "2026-03-02", "to": "2026-03-02"}) == ["auth.login"]
    assert actions(**{"from": "0001-01-01T00:00:00Z", "to": "9999-12-31"}) == ["auth.login"]
    assert actions(to="2026-03-01T23:59:59+00:00") == []
