"""Schemathesis over the whole OpenAPI of the local app: the main API (/api), the admin plane (/admin)
and Pizzly's API (/api/{integration}), every operation in-process against moto.

Each case is sent authenticated (an enterprise key with a real workspace, an admin's bearer token),
with the real ids of the world's resources in its path on every other case, and its response must
be no server error and must match what the OpenAPI documents for it: status code, content type and
body. After a write that succeeded, the resource and its listing are read back, and must still not
be a server error (a write that stores what later breaks reads is the worst kind of 500).

Bounded and deterministic: a fixed seed, derandomized generation, no shrinking, and FUZZ_EXAMPLES
generated cases per operation on top of schemathesis' coverage cases (the same on every run).
`make fuzz` runs it alone and prints the figures; `make test` runs it with everything else.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import FrozenClock
from tests.fuzz.conftest import APP, DOCUMENT, FINDINGS, World

SEED = 20260302
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
TRACE = bool(os.environ.get("FUZZ_TRACE"))  # print every case and its answer (with pytest -s)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {"seed": SEED, "generation": {"max-examples": EXAMPLES, "no-shrink": True, "deterministic": True}}
    ),
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The world is made per operation on purpose (each operation starts from the same stored state),
    # and a slow, loaded machine must not fail a run whose cases are fixed: no health check applies.
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, world: World, clock: FrozenClock, request: pytest.FixtureRequest
) -> None:
    stats = _stats(request)
    stats["cases"] += 1
    # Time moves on (a second a case), so the key's per-minute limit is not what every case meets.
    clock.moment += timedelta(seconds=1)
    if stats["cases"] % 2:
        # Every other case reaches a real resource, with an Idempotency-Key of its own where it sends
        # one (the generated keys repeat, and a repeated key with another body is refused first).
        for name in case.path_parameters or {}:
            real = world.id_for(name)
            if real is not None:
                case.path_parameters[name] = real
        for name in list(case.headers or {}):
            if name.lower() == "idempotency-key":
                case.headers[name] = f"fuzz-{stats['cases']}"
    findings = request.node.stash.setdefault(FINDINGS, [])
    try:
        response = case.call(app=APP, headers=world.headers)
    except Exception as exc:  # the app raised instead of answering: a server error all the same
        stats["server_errors"] += 1
        findings.append(f"{_request(case)}\n  raised {exc!r}")
        return
    try:
        case.validate_response(response, checks=CHECKS, headers=world.headers)
    except FailureGroup as group:
        _record(stats, findings, case, response, group.exceptions)
    except Failure as failure:
        _record(stats, findings, case, response, [failure])
    if TRACE:
        print(f"{_request(case)}\n  -> {response.status_code} {response.text[:300]}")
    if response.status_code < 300:
        stats["answered_2xx"] += 1
    if case.method.upper() in WRITES and response.status_code < 300:
        _read_back(case, world, stats, findings)


def _read_back(case: schemathesis.Case, world: World, stats: dict[str, int], findings: list[str]) -> None:
    """GET the written resource and its listing (where the API has them): neither may be a 5xx now."""
    path = case.formatted_path
    templates = [case.operation.path, case.operation.path.rsplit("/", 1)[0]]
    for template, concrete in zip(templates, [path, path.rsplit("/", 1)[0]], strict=True):
        if "get" not in DOCUMENT["paths"].get(template, {}):
            continue
        answer = world.client.get(concrete, headers=world.headers)
        if answer.status_code >= 500:
            stats["server_errors"] += 1
            findings.append(f"{_request(case)}\n  then GET {concrete} -> {answer.status_code} {answer.text[:300]}")


def _record(stats: dict[str, int], findings: list[str], case: schemathesis.Case, response: Any, failures: Any) -> None:
    for failure in failures:
        kind = "server_errors" if "server error" in failure.title.lower() else "schema_violations"
        stats[kind] += 1
        message = re.sub(r"\s+", " ", str(getattr(failure, "message", "")))[:300]
        findings.append(
            f"{_request(case)}\n  -> {response.status_code} {response.text[:300]}\n  {failure.title}: {message}"
        )


def _request(case: schemathesis.Case) -> str:
    query = f" query={case.query}" if case.query else ""
    body = "" if case.body is None or isinstance(case.body, NotSet) else f" body={str(case.body)[:300]}"
    return f"{case.method.upper()} {case.formatted_path}{query}{body}"


def _stats(request: pytest.FixtureRequest) -> dict[str, int]:
    for name, value in request.node.user_properties:
        if name == "openapi_fuzz":
            return value
    stats = {"cases": 0, "answered_2xx": 0, "server_errors": 0, "schema_violations": 0}
    request.node.user_properties.append(("openapi_fuzz", stats))
    return stats
