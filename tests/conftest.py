"""Shared fixtures: moto stands in for AWS, with every resource created from template.yaml."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from moto import mock_aws

from socialpub.adapters.aws import reset_clients
from socialpub.adapters.aws import session as aws_session
from socialpub.adapters.host_guard import PublicHostGuard
from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.api.container import Container
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from socialpub.domain.services.keys import create_api_key
from socialpub.domain.tiers import Tier
from socialpub.local.app import create_local_app
from socialpub.local.emulator import EmulatorState, create_emulator
from socialpub.local.moto_fidelity import make_dynamodb_writes_atomic
from socialpub.local.resources import create_resources, fill_integration_defaults
from socialpub.local.stack import local_environment
from socialpub.local.template import LocalResolver, Template

MOCK_ENDPOINT = "https://sqs.us-east-1.amazonaws.com"


@pytest.fixture(autouse=True)
def _aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "socialpub",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _atomic_dynamodb_writes() -> None:
    make_dynamodb_writes_atomic()


@pytest.fixture(scope="session")
def template() -> Template:
    return Template.load()


@pytest.fixture
def aws(template: Template) -> Iterator[dict[str, str]]:
    """moto with the stack's resources; yields the merged environment of every function."""
    reset_clients()
    with mock_aws():
        resolver = LocalResolver(template, MOCK_ENDPOINT, stage="test")
        create_resources(template, resolver, aws_session())
        env = local_environment(template, resolver)
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            yield env
        finally:
            os.environ.clear()
            os.environ.update(saved)
            reset_clients()


class FrozenClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def epoch(self) -> float:
        return self.moment.timestamp()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC))


@pytest.fixture
def container(aws: dict[str, str], clock: FrozenClock) -> Container:
    c = Container(aws)
    c.clock = clock
    c.epoch = clock.epoch
    return c


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_local_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Keys:
    """Issues real API keys into the moto-backed keys table."""

    container: Container
    issued: list[str] = field(default_factory=list)

    def issue(
        self,
        tier: Tier = Tier.ENTERPRISE,
        permissions: frozenset[Permission] = ALL_PERMISSIONS,
        workspaces: tuple[str, ...] = (),
        name: str = "test key",
    ) -> str:
        _, plaintext = create_api_key(
            name=name,
            tier=tier,
            permissions=permissions,
            workspaces=workspaces,
            repo=self.container.key_management,
            clock=self.container.clock,
        )
        return plaintext

    def headers(self, **kwargs: object) -> dict[str, str]:
        return {"X-API-Key": self.issue(**kwargs)}  # type: ignore[arg-type]


@pytest.fixture
def keys(container: Container) -> Keys:
    return Keys(container)


@dataclass
class Emulator:
    """The platform emulator, served on loopback for the test session (the product calls it over HTTP)."""

    url: str
    state: EmulatorState

    def fault(self, network: str, endpoint: str, status: int, count: int = 1, body: dict | None = None) -> None:
        httpx.post(
            f"{self.url}/_emulator/faults",
            json={"network": network, "endpoint": endpoint, "status": status, "count": count, "body": body},
        ).raise_for_status()

    def current_refresh_token(self, network: str, user: str) -> str | None:
        family = next(f for f in reversed(self.state.families) if f.network == network and f.user == user)
        return family.refresh_token


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    state = EmulatorState()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_emulator(state), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield Emulator(url=f"http://127.0.0.1:{port}", state=state)
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def emulator(emulator_server: Emulator, container: Container, template: Template) -> Iterator[Emulator]:
    """The container reaches every network through the emulator, and the deployment has its default apps."""
    container.network_auth = HttpNetworkAuth(emulator=emulator_server.url, sleep=lambda _: None)
    container.host_guard = PublicHostGuard(resolve=False)
    fill_integration_defaults(LocalResolver(template, MOCK_ENDPOINT, stage="test"), aws_session())
    yield emulator_server
    httpx.delete(f"{emulator_server.url}/_emulator/faults")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
