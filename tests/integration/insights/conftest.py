from collections.abc import Iterator

import httpx
import pytest

from socialpub.adapters.insights import insights_for
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import InsightsReader
from tests.conftest import Emulator
from tests.publishing import PublishHarness


@pytest.fixture
def harness(aws: dict[str, str], emulator_server: Emulator) -> Iterator[PublishHarness]:
    """A network insights reader's world: the emulator, the media bucket (moto), in-memory checkpoints."""
    yield PublishHarness(emulator_server, aws["MEDIA_BUCKET"])
    httpx.delete(f"{emulator_server.url}/_emulator/faults")
    httpx.delete(f"{emulator_server.url}/_emulator/posts")
    httpx.delete(f"{emulator_server.url}/_emulator/metrics")


@pytest.fixture
def sent() -> list[httpx.Request]:
    """Each request the ``reader`` makes to the network."""
    return []


@pytest.fixture
def reader(
    request: pytest.FixtureRequest, harness: PublishHarness, sent: list[httpx.Request]
) -> Iterator[InsightsReader]:
    """The insights reader of the test module's network (its ``NETWORK``), its requests kept in ``sent``."""
    client = httpx.Client(timeout=10.0, event_hooks={"request": [sent.append]})
    yield insights_for(request.module.NETWORK, NetworkHttp(client, emulator=harness.emulator.url))
    client.close()
