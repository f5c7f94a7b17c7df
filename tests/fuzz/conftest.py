"""The world the OpenAPI fuzz runs in, and its summary.

Each operation is fuzzed against a fresh moto stack that holds one of every resource (a workspace, a
post, a schedule, media, a connected account, a Pizzly configuration, an API key, an admin user, a
webhook and one of its deliveries), so that cases reach the handlers with real ids, not just 404s.
Nothing leaves the machine: networks are the platform emulator on loopback, and webhook receivers
are answered in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.api.container import Container
from socialpub.domain.services.users import create_admin_user
from socialpub.domain.users import Role
from socialpub.domain.webhooks import SendResult
from socialpub.local.app import create_local_app
from socialpub.local.stack import local_environment
from socialpub.local.template import LocalResolver, Template
from tests.conftest import MOCK_ENDPOINT, Emulator, Keys
from tests.integration.test_accounts import connect
from tests.integration.test_admin_auth import PASSWORD

FINDINGS = pytest.StashKey[list[str]]()
PUBLIC_ADDRESS = "93.184.215.14"  # any public address: the guard's rules run, nothing is dialled


def _local_app() -> FastAPI:
    """The local app, built once (building it reads settings only, so no AWS is needed yet); each
    operation's world puts its own container in it, as create_app does."""
    template = Template.load()
    environment = local_environment(template, LocalResolver(template, MOCK_ENDPOINT, stage="test"))
    return create_local_app(Container(environment))


APP = _local_app()
DOCUMENT: dict[str, Any] = APP.openapi()


class InProcessReceivers(HttpWebhookSender):
    """The real URL checks, with every name resolving to one public address; sends answer 200 here."""

    def __init__(self) -> None:
        super().__init__(resolver=lambda host, port: [PUBLIC_ADDRESS])

    def send(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        self.check(url)
        return SendResult(status_code=200, latency_ms=1)


@dataclass
class World:
    """Credentials for every surface, and a real id for each path parameter, made when first asked for."""

    client: TestClient
    api: dict[str, str]
    admin: dict[str, str]
    made: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {**self.api, **self.admin}

    def id_for(self, parameter: str) -> str | None:
        if parameter not in self.made:
            maker = getattr(self, f"_make_{parameter}", None)
            if maker is None:
                return None
            self.made[parameter] = maker()
        return self.made[parameter]

    def _created(self, path: str, body: dict[str, Any], *keys: str, headers: dict[str, str] | None = None) -> Any:
        answer = self.client.post(path, json=body, headers=headers or self.headers)
        assert answer.status_code in (200, 201), answer.text
        found: Any = answer.json()
        for key in keys:
            found = found[key]
        return found

    def _make_workspace_id(self) -> str:
        return self.api["X-Workspace-ID"]

    def _make_post_id(self) -> str:
        body = {"content": "Hello from the fuzzer", "platforms": ["twitter"]}
        return str(self._created("/api/posts", body, "data", "post", "id"))

    def _make_media_id(self) -> str:
        body = {"filename": "photo.jpg", "size": 1024, "mime_type": "image/jpeg"}
        path = f"/api/posts/{self.id_for('post_id')}/media/uploads"
        return str(self._created(path, body, "data", "media", "id"))

    def _make_schedule_id(self) -> str:
        slots = [{"day": "monday", "time": "09:00", "platforms": ["mastodon"]}]
        body = {"name": "Mornings", "timezone": "Europe/Paris", "slots": slots}
        return str(self._created("/api/schedules", body, "data", "schedule", "id"))

    def _make_account_id(self) -> str:
        return str(connect(self.client, self.headers, platform="twitter")["id"])

    def _make_authentication_id(self) -> str:
        return str(self.id_for("account_id"))

    def _make_integration_id(self) -> str:
        return "twitter"

    def _make_platform_id(self) -> str:
        return "twitter"

    def _make_configuration_id(self) -> str:
        body = {"credentials": {"clientId": "c" * 20, "clientSecret": "s" * 40}}
        return str(self._created("/api/twitter/configurations", body, "configuration", "id"))

    def _make_key_id(self) -> str:
        return str(self._created("/admin/keys", {"name": "Fuzzed key"}, "data", "key", "id"))

    def _make_user_id(self) -> str:
        body = {"email": "ed@example.com", "name": "Ed Itor", "password": PASSWORD, "role": "editor"}
        return str(self._created("/admin/users", body, "data", "user", "id"))

    def _make_webhook_id(self) -> str:
        body = {"url": "https://hooks.example.com/socialpub", "events": ["post.created"]}
        return str(self._created("/admin/webhooks", body, "data", "webhook", "id"))

    def _make_delivery_id(self) -> str:
        path = f"/admin/webhooks/{self.id_for('webhook_id')}/test"
        return str(self._created(path, {}, "data", "delivery", "id"))


@pytest.fixture
def world(container: Container, keys: Keys, emulator: Emulator) -> Iterator[World]:
    container.webhook_sender = InProcessReceivers()
    APP.state.container = container
    with TestClient(APP, raise_server_exceptions=False) as client:
        api = keys.headers()
        workspace = client.post("/api/workspaces", json={"name": "Fuzzed"}, headers=api)
        assert workspace.status_code == 201, workspace.text
        api["X-Workspace-ID"] = workspace.json()["data"]["workspace"]["id"]
        users = container.admin_auth_deps().users
        create_admin_user(
            email="ada@example.com", name="Ada", password=PASSWORD, role=Role.ADMIN, repo=users, clock=container.clock
        )
        login = client.post("/admin/login", json={"email": "ada@example.com", "password": PASSWORD})
        assert login.status_code == 200, login.text
        admin = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        yield World(client=client, api=api, admin=admin)


# ---------------------------------------------------------------------- findings and the summary


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """An operation fails with every finding of its run (not only the first, as Hypothesis would)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    findings = item.stash.get(FINDINGS, [])
    if report.when == "call" and report.passed and findings:
        report.outcome = "failed"
        report.longrepr = f"{len(findings)} finding(s):\n\n" + "\n\n".join(findings)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    totals = {"operations": 0, "cases": 0, "answered_2xx": 0, "server_errors": 0, "schema_violations": 0}
    seconds = 0.0
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == "openapi_fuzz":
                    totals["operations"] += 1
                    for key in ("cases", "answered_2xx", "server_errors", "schema_violations"):
                        totals[key] += value[key]
                    seconds += report.duration
                    lines.append(f"{report.head_line}: {value}")
    if totals["operations"]:
        terminalreporter.write_sep("-", "OpenAPI fuzz")
        if terminalreporter.verbosity > 0:
            for line in sorted(lines):
                terminalreporter.write_line(line)
        terminalreporter.write_line(
            f"{totals['operations']} operations, {totals['cases']} cases ({totals['answered_2xx']} answered 2xx), "
            f"{totals['server_errors']} server errors, {totals['schema_violations']} schema violations "
            f"({seconds:.0f} s sending cases)"
        )
