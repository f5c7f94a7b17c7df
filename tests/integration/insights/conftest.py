from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Emulator
from tests.publishing import PublishHarness


@pytest.fixture
def harness(aws: dict[str, str], emulator_server: Emulator) -> Iterator[PublishHarness]:
    """A network insights reader's world: the emulator, the media bucket (moto), in-memory checkpoints."""
    yield PublishHarness(emulator_server, aws["MEDIA_BUCKET"])
    httpx.delete(f"{emulator_server.url}/_emulator/faults")
    httpx.delete(f"{emulator_server.url}/_emulator/posts")
    httpx.delete(f"{emulator_server.url}/_emulator/metrics")
