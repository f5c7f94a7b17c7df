"""Done-when of the PostSider issue, with the real client: the `postiz` CLI 2.1.0 from npm (installed by
`make postiz`, which `make test` runs) pointed at the local stack, as a user points it at Postiz
(contract: postsider-api-wire-contract.md, sections 1.1 and 4.2)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import TIMEOUT

pytestmark = pytest.mark.slow

POSTIZ = Path(__file__).resolve().parents[2] / ".tools" / "postiz" / "node_modules" / ".bin" / "postiz"
# How long one CLI command may take: node starting on a loaded 2-core box, then one HTTP request.
CLI_BUDGET = 120.0
# Both base URLs a user may give: socialpub's own, and the self-hosted Postiz form with its /api prefix.
# The CLI appends "/public/v1/..." to POSTIZ_API_URL as is, so neither ends with a slash.
PREFIXES = ["", "/api"]


@dataclass
class Workspace:
    """The module's stack, and a workspace with accounts connected, the only workspace of its key."""

    stack: harness.LocalStack
    key: str
    account_ids: list[str]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        """The CLI prints one status line and then the JSON (users run `| sed 1d`)."""
        return json.loads(self.stdout.split("\n", 1)[1])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    assert POSTIZ.exists(), f"{POSTIZ} is missing: run `make postiz` (make test does)"
    stack = harness.start(tmp_path_factory.mktemp("stack"))
    try:
        api, key = stack.creds["api_url"], stack.creds["api_key"]
        created = requests.post(
            f"{api}/api/workspaces", json={"name": "postiz"}, headers={"X-API-Key": key}, timeout=TIMEOUT
        )
        assert created.status_code == 201, created.text
        headers = {"X-API-Key": key, "X-Workspace-ID": created.json()["data"]["workspace"]["id"]}
        # Two accounts that connect with credentials alone (no consent page needed)
        for body in (
            {
                "platform": "bluesky",
                "credentials": {"identifier": "e2e.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
            },
            {"platform": "telegram", "credentials": {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@e2e"}},
        ):
            connected = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert connected.status_code == 201, connected.text
        accounts = requests.get(f"{api}/api/accounts", headers=headers, timeout=TIMEOUT).json()["data"]["accounts"]
        assert len(accounts) == 2
        yield Workspace(stack, key, [a["id"] for a in accounts])
    finally:
        stack.kill()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty HOME: a ~/.postiz/credentials.json would take priority over the environment."""
    return tmp_path_factory.mktemp("home")


def postiz(home: Path, base_url: str, key: str, *args: str) -> Run:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "POSTIZ_API_URL": base_url}
    env["POSTIZ_API_KEY"] = key
    done = subprocess.run(
        [str(POSTIZ), *args], env=env, capture_output=True, text=True, timeout=CLI_BUDGET, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["root", "api-prefix"])
def test_postiz_cli__auth_status_counts_the_connected_accounts(workspace: Workspace, home: Path, prefix: str) -> None:
    # Given a workspace with two connected accounts, its key, and the CLI pointed at the stack
    # When the user checks the credentials
    run = postiz(home, workspace.stack.url + prefix, workspace.key, "auth:status")
    # Then they are valid and the two accounts are counted
    assert run.code == 0, run
    assert f"Credentials are valid. {len(workspace.account_ids)} integration(s) connected." in run.stdout, run


@pytest.mark.parametrize("prefix", PREFIXES, ids=["root", "api-prefix"])
def test_postiz_cli__integrations_list_shows_the_accounts(workspace: Workspace, home: Path, prefix: str) -> None:
    # Given the same workspace
    # When the user lists the integrations
    run = postiz(home, workspace.stack.url + prefix, workspace.key, "integrations:list")
    # Then the JSON after the status line is an array of exactly the workspace's accounts
    assert run.code == 0, run
    listed = run.json()
    assert isinstance(listed, list), run
    assert sorted(i["id"] for i in listed) == sorted(workspace.account_ids)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["root", "api-prefix"])
def test_postiz_cli__a_wrong_key_fails_with_401(workspace: Workspace, home: Path, prefix: str) -> None:
    # Given a key the product never issued
    # When the user lists the integrations with it
    run = postiz(home, workspace.stack.url + prefix, "wrong", "integrations:list")
    # Then the CLI fails, showing the server's 401 and its {"msg": ...} body
    assert run.code == 1, run
    assert "API Error (401)" in run.stderr, run
    assert '"msg"' in run.stderr, run
