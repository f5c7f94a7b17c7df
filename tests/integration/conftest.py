"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialpub.api.container import Container
from tests.conftest import Emulator, FrozenClock
from tests.integration.pipeline import Pipeline, running_pipeline


@pytest.fixture
def pipeline(
    container: Container, emulator: Emulator, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pipeline]:
    """The publisher over the publish queue, deliveries driven by the test."""
    yield from running_pipeline(container, emulator, clock, monkeypatch)
