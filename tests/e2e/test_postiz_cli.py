"""Done-when of the PostSider issue, with the real client: the `postiz` CLI 2.1.0 from npm (installed by
`make postiz`, which `make test` runs) pointed at the local stack, as a user points it at Postiz
(contract: postsider-api-wire-contract.md, sections 1.1 and 4.2)."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import POLL_BUDGET, TIMEOUT
from tests.e2e.networks import wait_until_published

pytestmark = pytest.mark.slow

POSTIZ = Path(__file__).resolve().parents[2] / ".tools" / "postiz" / "node_modules" / ".bin" / "postiz"
# How long one CLI command may take: node starting on a loaded 2-core box, then one HTTP request.
CLI_BUDGET = 120.0
# Both base URLs a user may give: socialpub's own, and the self-hosted Postiz form with its /api prefix.
# The CLI appends "/public/v1/..." to POSTIZ_API_URL as is, so neither ends with a slash.
PREFIXES = ["", "/api"]
# The contract's dates are in 2030; socialpub refuses a schedule more than two years ahead (a typo
# more likely than a plan), so the same days are taken in the coming year.
YEAR = datetime.now(UTC).year + 1
# The contract's 1x1 PNG (section 4.2, step 3).
ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@dataclass
class Workspace:
    """The module's stack, and a workspace with accounts connected, the only workspace of its key."""

    stack: harness.LocalStack
    key: str
    id: str
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
        yield Workspace(stack, *scoped_workspace(stack, "postiz", tier="professional"))
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


# Two accounts that connect with credentials alone (no consent page needed).
CONNECTIONS = (
    {"platform": "bluesky", "credentials": {"identifier": "e2e.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}},
    {"platform": "telegram", "credentials": {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@e2e"}},
)


def scoped_workspace(stack: harness.LocalStack, name: str, tier: str = "starter") -> tuple[str, str, list[str]]:
    """A new workspace with a Bluesky and a Telegram account, and a key (from the admin API) scoped to
    it alone, as a PostSider client needs one: (key, workspace id, account ids, Bluesky's first)."""
    api, root = stack.creds["api_url"], {"X-API-Key": stack.creds["api_key"]}
    made = requests.post(f"{api}/api/workspaces", json={"name": name}, headers=root, timeout=TIMEOUT)
    assert made.status_code == 201, made.text
    ws = made.json()["data"]["workspace"]["id"]
    login = {"email": stack.creds["admin_email"], "password": stack.creds["admin_password"]}
    token = requests.post(f"{api}/admin/login", json=login, timeout=TIMEOUT).json()["data"]["token"]
    body = {"name": name, "tier": tier, "workspaces": [ws]}
    admin = {"Authorization": f"Bearer {token}"}
    issued = requests.post(f"{api}/admin/keys", json=body, headers=admin, timeout=TIMEOUT)
    assert issued.status_code == 201, issued.text
    key = issued.json()["data"]["key"]["api_key"]
    headers = {"X-API-Key": key, "X-Workspace-ID": ws}
    for connection in CONNECTIONS:
        connected = requests.post(f"{api}/api/accounts", json=connection, headers=headers, timeout=TIMEOUT)
        assert connected.status_code == 201, connected.text
    accounts = requests.get(f"{api}/api/accounts", headers=headers, timeout=TIMEOUT).json()["data"]["accounts"]
    accounts.sort(key=lambda a: a["platform"] != "bluesky")
    return key, ws, [a["id"] for a in accounts]


def listed(run: Run, post_id: str) -> list[dict[str, Any]]:
    assert run.code == 0, run
    posts = run.json()
    assert isinstance(posts, dict), run
    return [p for p in posts["posts"] if p["id"] == post_id]


def test_postiz_cli__the_whole_command_sequence_of_a_user(workspace: Workspace, home: Path, tmp_path: Path) -> None:
    """Contract 4.2, steps 2 to 12, in order, as a user's script runs them."""
    url, key = workspace.stack.url, workspace.key

    def cli(*args: str) -> Run:
        return postiz(home, url, key, *args)

    week = ("--startDate", f"{YEAR}-01-13T00:00:00.000Z", "--endDate", f"{YEAR}-01-20T00:00:00.000Z")
    # Given the first integration of the list, and a valid 1x1 PNG on disk
    integrations = cli("integrations:list")
    assert integrations.code == 0, integrations
    bluesky = next(i for i in cast(list[dict[str, Any]], integrations.json()) if i["identifier"] == "bluesky")
    png = tmp_path / "p.png"
    png.write_bytes(base64.b64decode(ONE_PIXEL_PNG))
    # When the user uploads it
    upload = cli("upload", str(png))
    # Then the CLI shows its id and a path ending in .png
    assert upload.code == 0, upload
    uploaded = cast(dict[str, Any], upload.json())
    assert isinstance(uploaded["id"], str), uploaded
    assert uploaded["path"].endswith(".png"), uploaded

    # When a post with that image and a first comment is scheduled for January 15th 10:00 UTC
    create = cli(
        "posts:create", "-c", "Black-box hello", "-m", uploaded["path"], "-c", "first comment",
        "-s", f"{YEAR}-01-15T10:00:00.000Z", "-i", bluesky["id"],
    )  # fmt: skip
    # Then it is created for that integration
    assert create.code == 0, create
    (entry,) = cast(list[dict[str, Any]], create.json())
    assert entry["integration"] == bluesky["id"]
    post_id = entry["postId"]
    # And it is listed once in its week, queued, at that instant (the comment is not listed apart)
    (shown,) = listed(cli("posts:list", *week), post_id)
    assert (shown["state"], shown["content"]) == ("QUEUE", "Black-box hello")
    assert shown["publishDate"].startswith(f"{YEAR}-01-15T10:00:00")
    # And it is the post the main API shows, with its image and its thread
    post = requests.get(
        f"{url}/api/posts/{post_id}", headers={"X-API-Key": key, "X-Workspace-ID": workspace.id},
        timeout=TIMEOUT,
    ).json()["data"]["post"]  # fmt: skip
    assert (post["status"], post["content"], len(post["media"])) == ("scheduled", "Black-box hello", 1)
    # And it is absent from another week
    assert listed(cli("posts:list", "--startDate", f"{YEAR}-02-01T00:00:00.000Z",
                      "--endDate", f"{YEAR}-02-07T00:00:00.000Z"), post_id) == []  # fmt: skip

    # When a draft is created
    draft = cli(
        "posts:create", "-c", "Draft post", "-s", f"{YEAR}-01-16T09:30:00.000Z", "-t", "draft", "-i", bluesky["id"]
    )
    assert draft.code == 0, draft
    draft_id = cast(list[dict[str, Any]], draft.json())[0]["postId"]
    # Then it is listed as a draft
    assert [p["state"] for p in listed(cli("posts:list", *week), draft_id)] == ["DRAFT"]

    # When the user reads the channel's analytics, the post's missing list and the channel's settings
    analytics = cli("analytics:platform", bluesky["id"])
    missing = cli("posts:missing", post_id)
    settings = cli("integrations:settings", bluesky["id"])
    # Then each answers JSON
    assert analytics.code == 0, analytics
    assert isinstance(analytics.json(), list)
    assert missing.code == 0, missing
    assert json.loads(missing.stdout) == []  # posts:missing prints only the JSON
    assert settings.code == 0, settings
    assert cast(dict[str, Any], settings.json())["output"]["maxLength"] == 300  # Bluesky's limit

    # When both posts are deleted
    for deleted in (post_id, draft_id):
        run = cli("posts:delete", deleted)
        # Then each deletion succeeds
        assert run.code == 0, run
        assert f"Post {deleted} deleted successfully" in run.stdout
    # And neither is listed any more
    week_list = cli("posts:list", *week)
    assert listed(week_list, post_id) == listed(week_list, draft_id) == []


def test_postiz_cli__posts_published_now_and_on_schedule_reach_the_network_and_show_its_figures(
    workspace: Workspace, home: Path, tmp_path: Path
) -> None:
    stack = workspace.stack
    api, emulator = stack.url, stack.creds["emulator_url"]
    headers = {"X-API-Key": workspace.key, "X-Workspace-ID": workspace.id}
    bluesky = workspace.account_ids[0]
    # Given a post for now, written as a JSON file (the CLI's only way to send type "now")
    body = {
        "type": "now",
        "date": datetime.now(UTC).isoformat(),
        "shortLink": False,
        "tags": [],
        "posts": [{"integration": {"id": bluesky}, "value": [{"content": "Out right now", "image": []}]}],
    }
    now_file = tmp_path / "now.json"
    now_file.write_text(json.dumps(body))
    # And a post scheduled a few seconds ahead through the CLI's flags
    soon = (datetime.now(UTC) + timedelta(seconds=20)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    # When the user creates both with the CLI
    now_run = postiz(home, api, workspace.key, "posts:create", "--json", str(now_file))
    later_run = postiz(home, api, workspace.key, "posts:create", "-c", "Out on time", "-s", soon, "-i", bluesky)
    assert now_run.code == 0, now_run
    assert later_run.code == 0, later_run
    now_id = cast(list[dict[str, Any]], now_run.json())[0]["postId"]
    later_id = cast(list[dict[str, Any]], later_run.json())[0]["postId"]
    # Then the pipeline publishes the first at once and the scheduler the second at its time
    shown = wait_until_published(api, headers, [now_id])
    due = datetime.now(UTC) + timedelta(seconds=POLL_BUDGET)
    while requests.get(f"{api}/api/posts/{later_id}", headers=headers, timeout=TIMEOUT).json()["data"]["post"][
        "status"
    ] in ("scheduled", "publishing"):
        assert datetime.now(UTC) < due, "the scheduled post was not published in time"
        time.sleep(1.0)
    shown |= wait_until_published(api, headers, [later_id])
    assert [shown[i]["status"] for i in (now_id, later_id)] == ["published", "published"]
    # And the network holds both texts
    held = requests.get(f"{emulator}/_emulator/posts", timeout=TIMEOUT).json()["posts"]
    texts = {p["text"]: p["id"] for p in held if p["network"] == "bluesky"}
    assert {"Out right now", "Out on time"} <= set(texts), texts

    # When the network's figures for the first post are frozen and its analytics are read again
    where = {"network": "bluesky", "id": texts["Out right now"]}
    names = sorted(requests.get(f"{emulator}/_emulator/metrics", params=where, timeout=TIMEOUT).json()["figures"])
    figures = {name: 10 * (i + 1) + 1 for i, name in enumerate(names)}
    frozen = requests.post(f"{emulator}/_emulator/metrics", json={**where, "figures": figures}, timeout=TIMEOUT)
    assert frozen.status_code == 200, frozen.text
    # Bluesky's figures under the names docs/analytics.md gives them: likes, replies as comments, and
    # reposts with quotes as shares.
    expected = {
        "Likes": str(figures["likeCount"]),
        "Comments": str(figures["replyCount"]),
        "Shares": str(figures["repostCount"] + figures["quoteCount"]),
    }

    def latest_totals() -> dict[str, str]:
        """Ask for a reading now (at most once a minute a post; a 429 means one was just made), then
        read the post's analytics with the CLI: each series' latest total, by label."""
        refreshed = requests.post(f"{api}/api/posts/{now_id}/analytics/refresh", headers=headers, timeout=TIMEOUT)
        assert refreshed.status_code in (200, 429), refreshed.text
        run = postiz(home, api, workspace.key, "analytics:post", now_id)
        assert run.code == 0, run
        return {s["label"]: s["data"][-1]["total"] for s in cast(list[dict[str, Any]], run.json())}

    deadline = time.monotonic() + POLL_BUDGET
    latest = latest_totals()
    while {label: latest.get(label) for label in expected} != expected:
        assert time.monotonic() < deadline, f"the CLI did not show {expected}; last: {latest}"
        time.sleep(5.0)
        latest = latest_totals()
    # Then the CLI shows the network's figures, as strings, as the latest point of each series
    assert all(isinstance(total, str) for total in latest.values()), latest


def test_postsider_http__what_the_cli_cannot_reach_answers_as_the_contract_says(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Contract 4.3, as its curl lines: the routes CLI 2.1.0 has no command for, and the errors."""
    base = f"{workspace.stack.url}/public/v1"
    auth = {"Authorization": workspace.key}
    bluesky = workspace.account_ids[0]

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{base}{path}", headers=auth, timeout=TIMEOUT, **kwargs)

    # Given a scheduled post made through the surface
    body = {
        "type": "schedule",
        "date": f"{YEAR}-03-01T10:00:00.000Z",
        "shortLink": False,
        "tags": [],
        "posts": [{"integration": {"id": bluesky}, "value": [{"content": "curl me", "image": []}]}],
    }
    created = call("POST", "/posts", json=body)
    assert created.status_code == 201, created.text
    post_id = created.json()[0]["postId"]
    # Then without a key the list is a 401 with Postiz's body
    anonymous = requests.get(f"{base}/integrations", timeout=TIMEOUT)
    assert (anonymous.status_code, anonymous.json()) == (401, {"msg": "No API Key found"})
    # And groups, the next free slot and the connection check answer in their shapes
    assert call("GET", "/groups").json() == []
    slot = call("GET", f"/find-slot/{bluesky}")
    assert slot.status_code == 200, slot.text
    assert datetime.fromisoformat(slot.json()["date"]) > datetime.now()  # UTC, no zone
    # And the post's status can be set to draft, and a made-up status is refused
    to_draft = call("PUT", f"/posts/{post_id}/status", json={"status": "draft"})
    assert (to_draft.status_code, to_draft.json()) == (200, {"id": post_id, "state": "DRAFT"})
    bogus = call("PUT", f"/posts/{post_id}/status", json={"status": "bogus"})
    assert bogus.status_code == 400, bogus.text
    # And a post group can be deleted, after which the post is gone
    listing = {"startDate": f"{YEAR}-02-28T00:00:00.000Z", "endDate": f"{YEAR}-03-02T00:00:00.000Z"}
    (entry,) = [p for p in call("GET", "/posts", params=listing).json()["posts"] if p["id"] == post_id]
    group_deleted = call("DELETE", f"/posts/group/{entry['group']}")
    assert group_deleted.status_code == 200, group_deleted.text
    assert [p for p in call("GET", "/posts", params=listing).json()["posts"] if p["id"] == post_id] == []
    # And notifications come as a page, listing the post's lifecycle
    page = call("GET", "/notifications", params={"page": 0})
    assert page.status_code == 200, page.text
    assert {"notifications", "total", "page", "limit", "hasMore"} <= set(page.json())
    assert page.json()["limit"] == 100
    # And listing without dates is a 400 in Nest's shape
    undated = call("GET", "/posts")
    assert (undated.status_code, undated.json()["error"]) == (400, "Bad Request")
    # And a multipart upload (curl -F) is stored, and a URL the server cannot reach is refused
    png = base64.b64decode(ONE_PIXEL_PNG)
    upload = call("POST", "/upload", files={"file": ("p.png", png, "image/png")})
    assert upload.status_code == 201, upload.text
    assert upload.json()["path"].endswith(".png")
    from_url = call("POST", "/upload-from-url", json={"url": "https://example.invalid/a.png"})
    assert from_url.status_code == 400, from_url.text
    assert "msg" in from_url.json() or "message" in from_url.json()
    # And the connect URL of a network is the product's own
    social = call("GET", "/social/bluesky")
    assert social.status_code in (200, 400), social.text
    assert set(social.json()) <= {"url", "msg"}


def test_postsider_http__the_61st_request_of_a_minute_gets_429_with_retry_after(workspace: Workspace) -> None:
    # Given a new workspace whose key has the starter tier (60 requests a minute per organisation)
    key, _, _ = scoped_workspace(workspace.stack, "ratelimit")
    answers: list[requests.Response] = []
    # When a client calls until it is refused (at most two minutes' worth, should a minute turn)
    for _ in range(121):
        answer = requests.get(
            f"{workspace.stack.url}/public/v1/is-connected", headers={"Authorization": key}, timeout=TIMEOUT
        )
        answers.append(answer)
        if answer.status_code == 429:
            break
    # Then each answer before the refusal carried the limit and what remains of it
    *allowed, refused = answers
    assert all(a.status_code == 200 for a in allowed)
    assert {a.headers["X-RateLimit-Limit"] for a in allowed} == {"60"}
    assert int(allowed[-1].headers["X-RateLimit-Remaining"]) == 0
    # And the refusal is a 429 saying when to come back
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert "msg" in refused.json()
