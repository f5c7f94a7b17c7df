"""Each log line names the function that wrote it, on AWS (from the Lambda context) and in the local
stack, where every function runs in one process: the API server's requests and the workers' threads
side by side."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.main.routers import platforms
from socialpub.local.template import ROOT, Template
from socialpub.local.workers import LambdaContext, load_handler
from socialpub.observability import logger, logs_lambda_context
from tests.integration.test_lambda_handlers import load_function

DEADLINE = 60  # seconds; only a broken test waits this long


class Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def __call__(self, message: str) -> list[dict[str, Any]]:
        found = [json.loads(line) for line in self.stream.getvalue().splitlines() if line.startswith("{")]
        return [line for line in found if line.get("message") == message]


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    """The JSON lines the product's logger writes, as it formats them."""
    stream = io.StringIO()
    handler = logger.registered_handler
    assert hasattr(handler, "setStream")
    previous = handler.setStream(stream)
    try:
        yield Lines(stream)
    finally:
        handler.setStream(previous)


def broken_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(platforms, "catalog", fail)


def test_local_api__an_error_names_the_function_of_its_route_not_the_last_worker_run(
    client: TestClient, keys: Any, log_lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a worker ran in this process just before (as the local stack's workers do)
    sweeper = load_handler("functions/schedule_sweeper")
    sweeper(
        json.loads((ROOT / "events/schedule/schedule-sweep.json").read_text()), LambdaContext("ScheduleSweeperFunction")
    )
    # And a route of the platforms router that fails
    broken_platforms(monkeypatch)

    # When the local API serves it
    answer = client.get("/api/platforms", headers=keys.headers())

    # Then the 500's log line names PlatformsFunction, with the request's id
    assert answer.status_code == 500
    (line,) = log_lines("Unhandled error")
    assert line["function_name"] == "PlatformsFunction"
    assert line["correlation_id"] == answer.headers["x-request-id"]


def test_lambda_api__an_error_names_the_function_of_the_lambda_context(
    container: Any, log_lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the platforms function as deployed, whose route fails
    handler = load_function("platforms")
    broken_platforms(monkeypatch)
    event = json.loads((ROOT / "events/api/platforms-list.json").read_text())

    # When Lambda invokes it
    result = handler(event, LambdaContext("socialpub-test-PlatformsFunction-A1B2"))

    # Then the log line names the function as Lambda does, with API Gateway's request id
    assert result["statusCode"] == 500
    (line,) = log_lines("Unhandled error")
    assert line["function_name"] == "socialpub-test-PlatformsFunction-A1B2"
    assert line["correlation_id"] == event["requestContext"]["requestId"]
    assert line["cold_start"] is True


def test_workers_in_threads__each_line_names_its_own_function(log_lines: Lines) -> None:
    # Given two functions' handlers, as the local stack runs them: each in its own thread
    relay_inside, refresher_done = threading.Event(), threading.Event()

    @logs_lambda_context
    def relay(event: Any, context: Any) -> None:
        relay_inside.set()
        assert refresher_done.wait(DEADLINE)
        logger.info("relayed")

    @logs_lambda_context
    def refresher(event: Any, context: Any) -> None:
        logger.info("refreshed")

    # When the refresher runs while the relay is in the middle of its invocation
    thread = threading.Thread(target=relay, args=({}, LambdaContext("EventRelayFunction")))
    thread.start()
    assert relay_inside.wait(DEADLINE)
    refresher({}, LambdaContext("AccountRefresherFunction"))
    refresher_done.set()
    thread.join(DEADLINE)

    # Then each line names the function that wrote it
    assert [line["function_name"] for line in log_lines("refreshed")] == ["AccountRefresherFunction"]
    assert [line["function_name"] for line in log_lines("relayed")] == ["EventRelayFunction"]
    # And nothing is left behind for lines written outside any invocation
    logger.info("between invocations")
    assert "function_name" not in log_lines("between invocations")[0]


def test_every_function_handler_logs_with_its_lambda_context(aws: dict[str, str], template: Template) -> None:
    # Every function of template.yaml that logs is wrapped so that its lines carry its own context
    # (not Logger.inject_lambda_context, whose keys are process-wide).
    for logical_id, props in template.of_type("AWS::Serverless::Function"):
        if logical_id == "AuthorizerFunction":
            continue  # it writes no log lines of its own
        handler = load_handler(props["CodeUri"], props.get("Handler", "app.handler"))
        assert getattr(handler, "logs_lambda_context", False), logical_id
