"""The local stack killed and stopped for real: `python -m socialpub.local.stack` as a process.

Done-when of issue 15 §4: killed with SIGKILL at each step of a publish (before the network call,
after it but before its answer is stored, after a stored step and before the next) and started
again, every post ends published exactly once on the emulated network, and the API shows it. The
platform emulator holds the call at that step (``/_emulator/holds``) so the test knows when to
kill; it kills once a snapshot has been taken with the call held, so what comes back is that step.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import POLL_BUDGET, TIMEOUT
from tests.e2e.networks import consent_without_browser

pytestmark = pytest.mark.slow

# Short periods, so that a dead run's target is taken over within seconds (production keeps the
# template's: a 6-minute lease, a sweep every minute, 10 minutes before a lost message counts).
FAST = {
    "PUBLISH_LEASE_SECONDS": "20",
    "STALLED_AFTER_SECONDS": "10",
    "SOCIALPUB_SWEEP_SECONDS": "2",
    "SOCIALPUB_SNAPSHOT_SECONDS": "1",
    "PUBLISH_WAIT_SECONDS": "1",
}


def wait_until(check: Callable[[], Any], what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail after the (generous) poll budget."""
    deadline = time.monotonic() + POLL_BUDGET
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {POLL_BUDGET:.0f} s")


def snapshot_moment(home: Path) -> float:
    """The moment the last snapshot of the stack's state shows (0 if none yet)."""
    path = home / "state" / "snapshot.json"
    return float(json.loads(path.read_text())["saved_at"]) if path.exists() else 0.0


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def running(home: Path) -> Iterator[list[harness.LocalStack]]:
    """The stacks a test started (the last one is killed if the test did not stop it)."""
    stacks: list[harness.LocalStack] = []
    yield stacks
    if stacks:
        stacks[-1].kill()


def test_local_stack__killed_at_each_step_of_a_publish__every_post_published_once(
    home: Path, running: list[harness.LocalStack]
) -> None:
    # Given the local stack with an X account
    running.append(harness.start(home, FAST))
    creds = running[-1].creds
    api, emulator = creds["api_url"], creds["emulator_url"]
    workspace = requests.post(
        f"{api}/api/workspaces", json={"name": "Crashes"}, headers={"X-API-Key": creds["api_key"]}, timeout=TIMEOUT
    ).json()["data"]["workspace"]["id"]
    headers = {"X-API-Key": creds["api_key"], "X-Workspace-ID": workspace}
    body = {"platform": "twitter", "callback_url": "http://127.0.0.1:9/cb"}
    started = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT).json()["data"]
    query = consent_without_browser(started["auth_url"])
    connected = requests.post(f"{api}/api/accounts/callback", json=query, headers=headers, timeout=TIMEOUT)
    account_id = connected.json()["data"]["accounts"][0]["id"]

    steps: list[tuple[str, list[str], dict[str, Any]]] = [
        # before the network call: the tweet is not made
        ("Killed before the call", [], {"at": "before"}),
        # after the network call, before its answer is stored: the tweet is made, the target does not know
        ("Killed after the call", [], {"at": "after"}),
        # after the first part was posted and stored, before the second part's call
        ("Killed mid-thread, part one", ["Killed mid-thread, part two"], {"at": "before", "skip": 1}),
    ]
    posts: dict[str, list[str]] = {}  # post id -> the texts it must have made, once each
    for content, thread, hold in steps:
        api, emulator = running[-1].creds["api_url"], running[-1].creds["emulator_url"]
        post = {"content": content, "thread": thread, "platforms": [account_id]}
        created = requests.post(f"{api}/api/posts", json=post, headers=headers, timeout=TIMEOUT)
        assert created.status_code == 201, created.text
        post_id = created.json()["data"]["post"]["id"]
        posts[post_id] = [content, *thread]
        hold_at = {"network": "twitter", "endpoint": "tweets", **hold}
        assert requests.post(f"{emulator}/_emulator/holds", json=hold_at, timeout=TIMEOUT).status_code == 200

        # When it is published, the call is held at that step
        answer = requests.post(f"{api}/api/posts/{post_id}/publish", headers=headers, timeout=TIMEOUT)
        assert answer.status_code in (200, 202), answer.text

        def held(emulator: str = emulator) -> bool:
            holds = requests.get(f"{emulator}/_emulator/holds", timeout=TIMEOUT).json()["holds"]
            return any(h["held"] for h in holds)

        wait_until(held, f"{content!r}: the call to X was held")
        held_since = time.time()
        # (the API shows the target as stored: a run has it)
        shown = requests.get(f"{api}/api/posts/{post_id}", headers=headers, timeout=TIMEOUT).json()["data"]["post"]
        assert [p["status"] for p in shown["platform_posts"]] == ["publishing"]

        # And the stack is killed once a snapshot shows that moment
        def saved_since(moment: float = held_since) -> bool:
            return snapshot_moment(home) > moment

        wait_until(saved_since, f"{content!r}: a snapshot while held")
        running[-1].kill()

        # And started again
        running.append(harness.start(home, FAST))
        api, emulator = running[-1].creds["api_url"], running[-1].creds["emulator_url"]

        # Then every post so far ends published, each of its texts once on X, and the API shows it
        def settled(api: str = api) -> dict[str, dict[str, Any]] | None:
            found = {}
            for post_id in posts:
                got = requests.get(f"{api}/api/posts/{post_id}", headers=headers, timeout=TIMEOUT)
                found[post_id] = got.json()["data"]["post"]
            return found if all(p["status"] not in ("publishing", "draft") for p in found.values()) else None

        shown_posts = wait_until(settled, f"after the kill {content!r}: every post settled")
        tweets = requests.get(f"{emulator}/_emulator/posts", params={"network": "twitter"}, timeout=TIMEOUT)
        made = tweets.json()["posts"]
        for post_id, texts in posts.items():
            assert shown_posts[post_id]["status"] == "published", shown_posts[post_id]
            for text in texts:
                assert [t["text"] for t in made].count(text) == 1, (text, made)
            first = next(t for t in made if t["text"] == texts[0])
            assert shown_posts[post_id]["platform_posts"][0]["post_id"] == first["id"]
        assert len(made) == sum(len(texts) for texts in posts.values())

    running[-1].stop()


def test_local_stack__ctrl_c_and_sigterm_stop_cleanly_and_admin_tokens_survive_restarts(
    home: Path, running: list[harness.LocalStack]
) -> None:
    # Given the local stack and an admin signed in to it
    running.append(harness.start(home))
    creds = running[-1].creds
    login = {"email": creds["admin_email"], "password": creds["admin_password"]}
    token = requests.post(f"{creds['api_url']}/admin/login", json=login, timeout=TIMEOUT).json()["data"]["token"]
    admin = {"Authorization": f"Bearer {token}"}

    # When it is stopped with Ctrl-C
    output = running[-1].stop()
    # Then it says the data is saved, and nothing else follows (no traceback)
    assert running[-1].process.returncode == 0, output
    assert output.rstrip().endswith("socialpub local stack stopped; data saved."), output
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output

    # When it is started again, the token issued before still works
    running.append(harness.start(home))
    dashboard = requests.get(f"{running[-1].url}/admin/dashboard", headers=admin, timeout=TIMEOUT)
    assert dashboard.status_code == 200, dashboard.text

    # And SIGTERM stops it as cleanly
    running[-1].process.send_signal(signal.SIGTERM)
    running[-1].process.wait(timeout=harness.STOP_BUDGET)
    output = running[-1].kill()
    assert running[-1].process.returncode == 0, output
    assert output.rstrip().endswith("socialpub local stack stopped; data saved."), output
    assert "Traceback" not in output
