"""SnapStart hooks (socialpub.snapstart) and the API functions' clients made on first use."""

from __future__ import annotations

import importlib
import random
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from socialpub import snapstart
from socialpub.adapters import aws
from socialpub.api.lambda_entry import lambda_entry


@pytest.fixture(autouse=True)
def _no_clients() -> Iterator[None]:
    aws.reset_clients()
    yield
    aws.reset_clients()


class FakeRuntime:
    """What the Lambda runtime's snapshot_restore_py does: keep the hooks, run them at snapshot and restore."""

    def __init__(self) -> None:
        self.before: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self.after: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def module(self) -> types.ModuleType:
        def before(func: Callable[..., Any], *args: Any) -> Callable[..., Any]:
            self.before.append((func, args))
            return func

        def after(func: Callable[..., Any], *args: Any) -> Callable[..., Any]:
            self.after.append((func, args))
            return func

        module = types.ModuleType("snapshot_restore_py")
        module.register_before_snapshot = before  # type: ignore[attr-defined]
        module.register_after_restore = after  # type: ignore[attr-defined]
        return module

    def snapshot(self) -> None:
        for func, args in reversed(self.before):
            func(*args)

    def restore(self) -> None:
        for func, args in self.after:
            func(*args)


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRuntime]:
    fake = FakeRuntime()
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", fake.module())
    importlib.reload(snapstart)
    yield fake
    monkeypatch.delitem(sys.modules, "snapshot_restore_py")
    importlib.reload(snapstart)


def test_an_api_function_makes_no_aws_client_at_import() -> None:
    # Given no SnapStart runtime (locally and in tests the module is absent)
    # When an API function wraps its app, as its app.py does at import
    handler = lambda_entry(FastAPI(), clients=("dynamodb", "s3", "sqs", "scheduler"))

    # Then it is ready, and no client was built: each is made by the first request that needs it
    assert callable(handler)
    assert aws._clients == {}


def test_snapstart_primes_the_clients_and_remakes_them_after_a_restore(runtime: FakeRuntime) -> None:
    # Given an API function initialised under SnapStart
    forgotten: list[str] = []
    snapstart.prime(("dynamodb", "s3"), after_restore=(lambda: forgotten.append("repository"),))

    # When Lambda takes the snapshot
    runtime.snapshot()
    # Then the clients were built into it (their models parsed once, for every environment)
    primed = dict(aws._clients)
    assert set(primed) == {"dynamodb", "s3"}

    # When an environment resumes from the snapshot, with the random state every sibling shares
    shared_state = random.getstate()
    runtime.restore()

    # Then its random state is its own, its clients are gone (made again on first use, on a new session),
    # and what held a client was forgotten
    assert random.getstate() != shared_state
    assert aws._clients == {}
    assert forgotten == ["repository"]
    assert aws.client("dynamodb") is not primed["dynamodb"]
