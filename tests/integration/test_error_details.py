"""Error details always serialise: whatever a domain error carries in ``details`` (datetimes, enums,
sets, models), the error table answers its status with the envelope as valid JSON, never a 500."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

import socialpub
from socialpub.api.main.errors import STATUS_BY_ERROR, install_error_handlers, status_of
from socialpub.domain.accounts import AccountStatus
from socialpub.domain.errors import DomainError, RateLimited
from socialpub.domain.publishing import PublishFailure
from tests.conftest import Emulator, Keys
from tests.integration.test_accounts import connect
from tests.integration.test_posts import new_workspace

AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


class Window(BaseModel):
    start: datetime


# What raisers have put, or might put, in details: none of it is JSON as it stands.
AWKWARD_DETAILS: dict[Any, Any] = {
    "expires_at": AT,
    "day": date(2026, 5, 1),
    "status": AccountStatus.EXPIRED,
    "networks": {"linkedin"},
    "ratio": Decimal("0.5"),
    "window": Window(start=AT),
    "score": float("nan"),
    7: "a key that is not a string",
}


def every_domain_error() -> list[type[DomainError]]:
    """Every DomainError subclass of the product (its modules imported so that all are defined)."""
    for module in pkgutil.walk_packages(socialpub.__path__, "socialpub."):
        importlib.import_module(module.name)

    def below(cls: type[DomainError]) -> Iterator[type[DomainError]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted({DomainError, *below(DomainError)}, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def raised_with_awkward_details(cls: type[DomainError]) -> DomainError:
    if issubclass(cls, RateLimited):  # its answer also reads the limits it carries
        error: DomainError = cls(limit=60, reset_at=1_780_000_000, retry_after=3)
    else:  # whatever its own constructor takes: the table only reads code, message and details
        error = cls.__new__(cls)
        DomainError.__init__(error, None)
    error.details.update(AWKWARD_DETAILS)
    return error


def table_answer(error: DomainError) -> Any:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/raise")
    def raise_it() -> None:
        raise error

    with TestClient(app, raise_server_exceptions=True) as client:
        return client.get("/raise")


MAPPED = [cls for cls in every_domain_error() if any(issubclass(cls, base) for base, _ in STATUS_BY_ERROR)]


@pytest.mark.parametrize("cls", MAPPED, ids=lambda c: c.__name__)
def test_every_domain_error_answers_its_status_with_details_as_json(cls: type[DomainError]) -> None:
    # Given the error, carrying details that are not JSON as they stand
    error = raised_with_awkward_details(cls)

    # When a route raises it
    answer = table_answer(error)

    # Then the table answers its own status with the envelope, the details turned into JSON values
    assert answer.status_code == status_of(error)
    body = json.loads(answer.text)
    assert body["success"] is False
    assert body["error"]["code"] == error.code
    details = body["error"]["details"]
    assert details["expires_at"] == "2026-05-01T09:30:00Z"
    assert (details["day"], details["status"], details["networks"]) == ("2026-05-01", "expired", ["linkedin"])
    assert details["window"] == {"start": "2026-05-01T09:30:00Z"}
    assert (details["score"], details["7"]) == (None, "a key that is not a string")


def test_the_only_domain_errors_without_a_status_are_the_publishers_own() -> None:
    # Publishing failures are raised by the publishers in the workers, never through the API's
    # error table; every other domain error has a status there.
    unmapped = {cls for cls in every_domain_error() if cls not in MAPPED}
    assert unmapped == {DomainError} | {cls for cls in every_domain_error() if issubclass(cls, PublishFailure)}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_refresh__a_linkedin_token_that_cannot_be_refreshed_is_400_with_its_expiry(
    client: TestClient, keys: Keys, emulator: Emulator, method: str
) -> None:
    # Given a connected LinkedIn account: its token expires and LinkedIn does not refresh for such apps
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="linkedin")
    assert account["expires_at"] is not None

    # When Pizzly's refresh route is called for it
    answer = client.request(method, f"/api/linkedin/authentications/{account['id']}/refresh", headers=headers)

    # Then it answers 400 in the envelope, with the account and its expiry as JSON
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "TOKEN_NOT_REFRESHABLE"
    assert "reconnect the account before expires_at" in error["message"]
    assert error["details"]["account_id"] == account["id"]
    assert datetime.fromisoformat(error["details"]["expires_at"]) == datetime.fromisoformat(account["expires_at"])
    # And the account is still connected
    listed = client.get(f"/api/linkedin/authentications/{account['id']}", headers=headers)
    assert listed.status_code == 200, listed.text
