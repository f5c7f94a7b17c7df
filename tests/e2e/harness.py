"""The local stack as a process, for end-to-end tests: start it, wait until it answers, stop or kill it.

Built for a slow, shared machine: readiness retries every transport error (refused, reset, read
timeout...) until a generous deadline, so only a stack that never answers, or exits, fails a test.
The budgets are long because they bound waiting, not what a test asserts.

    stack = harness.start(tmp_path, {"SOME_SETTING": "x"})
    requests.get(f"{stack.url}/api/platforms", headers={"X-API-Key": stack.creds["api_key"]}, timeout=harness.TIMEOUT)
    stack.kill()                      # SIGKILL, as a crash would
    stack = harness.start(tmp_path)   # same SOCIALPUB_HOME: the saved data comes back
    output = stack.stop()             # SIGINT, as Ctrl-C; returns what the process printed
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests

# How long the stack may take to answer after it is started (a cold interpreter on a loaded 2-core box).
START_BUDGET = 300.0
# How long a clean stop (Ctrl-C: save the data, stop the servers) may take.
STOP_BUDGET = 120.0
# Timeout of one HTTP request to the stack in a test: generous, since a slow answer is not a wrong one.
TIMEOUT = 60.0
# How long tests poll for something asynchronous (a publish, a webhook delivery) before giving up.
POLL_BUDGET = 300.0


def poll(what: str, read: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    """Read until `done` holds (up to POLL_BUDGET); the last reading."""
    deadline = time.monotonic() + POLL_BUDGET
    while True:
        last = read()
        if done(last):
            return last
        assert time.monotonic() < deadline, f"{what} within {POLL_BUDGET:.0f} s; last: {last}"
        time.sleep(1.0)


class StackExited(AssertionError):
    """The stack's process ended while we waited for it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, deadline: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Until time.monotonic() reaches `deadline`, GET `url` until it gives any HTTP answer.

    Every transport error is retried (the server may be bound but too busy to answer in time);
    if `process` is given and exits, it fails at once instead of waiting out the deadline."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackExited(f"the local stack exited with {process.returncode} before {url} answered")
        try:
            requests.get(url, timeout=min(10.0, max(1.0, deadline - time.monotonic())))
            return
        except requests.RequestException as error:
            last = error
        time.sleep(0.25)
    raise AssertionError(f"{url} did not answer before the deadline (last error: {last!r})")


@dataclass
class LocalStack:
    """A running `python -m socialpub.local.stack`; `creds` is its local.json (api_url, api_key,
    admin_email, admin_password, aws_endpoint_url, emulator_url)."""

    home: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    url: str
    creds: dict[str, str] = field(default_factory=dict)
    log_path: Path = field(default=Path())
    log_offset: int = 0
    _log: IO[bytes] | None = None

    def output(self) -> str:
        """What this run of the process has printed so far (stdout and stderr)."""
        with self.log_path.open("rb") as f:
            f.seek(self.log_offset)
            return f.read().decode(errors="replace")

    def stop(self) -> str:
        """Ctrl-C (SIGINT), wait for a clean exit; returns the output. Kills it if it will not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_BUDGET)
            except subprocess.TimeoutExpired as error:
                self.kill()
                raise AssertionError(
                    f"the local stack did not stop within {STOP_BUDGET:.0f} s:\n{self.output()}"
                ) from error
        self._close()
        return self.output()

    def kill(self) -> str:
        """SIGKILL, as a crash would; returns the output."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=STOP_BUDGET)
        self._close()
        return self.output()

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def start(home: Path, env: dict[str, str] | None = None, budget: float = START_BUDGET) -> LocalStack:
    """Start the local stack with SOCIALPUB_HOME=`home` on free ports (unless `env` sets PORT,
    MOTO_PORT or EMULATOR_PORT) and wait until its API and platform emulator answer and its
    local.json names this run's API. `env` overrides or adds environment variables."""
    home.mkdir(parents=True, exist_ok=True)
    full_env = {
        **os.environ,
        "PORT": str(free_port()),
        "MOTO_PORT": str(free_port()),
        "EMULATOR_PORT": str(free_port()),
        **(env or {}),
        "SOCIALPUB_HOME": str(home),
    }
    # The output goes to a file, not a pipe: a pipe nobody reads fills up and blocks the stack.
    log_path = home / "stack.log"
    log = log_path.open("ab")
    offset = log.tell()
    process = subprocess.Popen(
        [sys.executable, "-m", "socialpub.local.stack"], env=full_env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{full_env['PORT']}"
    stack = LocalStack(home, full_env, process, url, log_path=log_path, log_offset=offset, _log=log)
    deadline = time.monotonic() + budget
    try:
        # local.json is written before the API server starts, so once the API answers it is this run's.
        wait_ready(f"{url}/api/platforms", deadline, process)
        stack.creds = dict(json.loads((home / "local.json").read_text()))
        assert stack.creds["api_url"] == url, (stack.creds, url)
        # The emulator is started in a thread just before the API: wait for it too.
        wait_ready(f"{stack.creds['emulator_url']}/", deadline, process)
    except BaseException as error:
        stack.kill()
        raise AssertionError(f"the local stack did not become ready: {error}\n{stack.output()}") from error
    return stack
