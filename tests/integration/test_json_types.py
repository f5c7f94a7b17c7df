"""JSON has booleans and numbers of its own: a body that sends ``0`` for a boolean, ``false`` for a
number or ``"5"`` for a number gets a 400 naming the field, instead of pydantic's lax mode quietly
converting it into something the client did not mean."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.integration.test_posts import new_workspace

SCHEDULE = {"name": "Weekdays", "slots": [{"day": "monday", "time": "09:00", "platforms": ["twitter"]}]}
MEDIA = {"kind": "video", "mime_type": "video/mp4", "size": 1000, "duration": 10}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/schedules", {**SCHEDULE, "is_active": 0}, "is_active"),
        ("/api/schedules", {**SCHEDULE, "is_active": "true"}, "is_active"),
        (
            "/api/posts/validate",
            {"content": "Hi", "platforms": ["twitter"], "media": [{**MEDIA, "duration": False}]},
            "media.0.duration",
        ),
        (
            "/api/posts/validate",
            {"content": "Hi", "platforms": ["twitter"], "media": [{**MEDIA, "size": "5"}]},
            "media.0.size",
        ),
    ],
)
def test_a_boolean_or_number_of_the_wrong_json_type_is_refused_naming_the_field(
    client: TestClient, keys: Keys, path: str, body: dict[str, Any], field: str
) -> None:
    # Given a workspace
    headers = new_workspace(client, keys)

    # When a body sends a boolean as a number, or a number as a boolean or a string
    answer = client.post(path, json=body, headers=headers)

    # Then it is a 400 in the envelope naming that field
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [f["field"] for f in error["details"]["fields"]] == [field]


def test_the_right_json_types_are_still_taken(client: TestClient, keys: Keys) -> None:
    # Given a workspace
    headers = new_workspace(client, keys)

    # When the same bodies send a real boolean and real numbers (an integer for a float too)
    schedule = client.post("/api/schedules", json={**SCHEDULE, "is_active": False}, headers=headers)
    dry_run = client.post(
        "/api/posts/validate", json={"content": "Hi", "platforms": ["twitter"], "media": [MEDIA]}, headers=headers
    )

    # Then both are taken as sent
    assert schedule.status_code == 201, schedule.text
    assert schedule.json()["data"]["schedule"]["is_active"] is False
    assert dry_run.status_code == 200, dry_run.text
