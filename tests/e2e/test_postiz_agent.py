"""Done-when of the PostSider issue, second client: postiz-agent 1.0.1 from PyPI (installed unmodified
into its own venv by `make postiz`, which `make test` runs) pointed at the local stack (contract:
postsider-api-wire-contract.md, sections 1.3 and 4.4). The client parses every answer with its own
pydantic models, so a call that returns is a call whose answer had the shape it needs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import TIMEOUT
from tests.media_files import image

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AGENT_PYTHON = ROOT / ".tools" / "postiz-agent" / "bin" / "python"
DRIVER = Path(__file__).with_name("postiz_agent_driver.py")
# The client's whole run: a Python start with its many imports on a loaded 2-core box, then ~15 requests.
RUN_BUDGET = 300.0


def run_agent(url: str, key: str, integration: str, upload: Path) -> dict[str, Any]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(upload.parent),
        "POSTIZ_URL": url,
        "POSTIZ_TOKEN": key,
        "INTEGRATION": integration,
        "IMAGE": str(upload),
    }
    done = subprocess.run(
        [str(AGENT_PYTHON), str(DRIVER)], env=env, capture_output=True, text=True, timeout=RUN_BUDGET, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, Any] = json.loads(done.stdout)
    return results


def test_postiz_agent__every_call_of_the_client_works_against_the_local_stack(tmp_path: Path) -> None:
    assert AGENT_PYTHON.exists(), f"{AGENT_PYTHON} is missing: run `make postiz` (make test does)"
    stack = harness.start(tmp_path / "stack")
    try:
        api, key = stack.creds["api_url"], stack.creds["api_key"]
        # Given a workspace, the only one of its key, with a Bluesky account, and a PNG on disk
        created = requests.post(
            f"{api}/api/workspaces", json={"name": "agent"}, headers={"X-API-Key": key}, timeout=TIMEOUT
        )
        assert created.status_code == 201, created.text
        headers = {"X-API-Key": key, "X-Workspace-ID": created.json()["data"]["workspace"]["id"]}
        credentials = {"identifier": "agent.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
        body = {"platform": "bluesky", "credentials": credentials}
        connected = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
        assert connected.status_code == 201, connected.text
        (account,) = requests.get(f"{api}/api/accounts", headers=headers, timeout=TIMEOUT).json()["data"]["accounts"]
        account_id = account["id"]
        png = tmp_path / "photo.png"
        png.write_bytes(image("PNG"))

        # When postiz-agent calls each of its methods with the workspace's key
        results = run_agent(stack.url, key, account_id, png)
    finally:
        stack.kill()

    def result(name: str) -> Any:
        assert results[name]["ok"], (name, results[name])
        return results[name]["result"]

    # Then the channel list, connection check, slot finder and connect URL parse as the client expects
    assert [i["id"] for i in result("get_integrations")] == [account_id]
    assert result("get_integrations")[0]["identifier"] == "bluesky"
    assert result("is_connected") is True
    assert "date" in result("find_slot")
    assert result("get_integration_url")["url"].startswith("http")
    # And the upload works despite the client's Content-Type bug (multipart sent as application/json)
    uploaded = result("upload_file")
    assert uploaded["id"], uploaded
    assert uploaded["path"].endswith(".png"), uploaded
    # And a post it creates is listed with its content, and deleted
    created_post = result("create_post")
    assert [entry["integration"] for entry in created_post] == [account_id]
    listed = [p for p in result("list_posts") if p["id"] == created_post[0]["postId"]]
    assert [(p["content"], p["state"]) for p in listed] == [("Hello from postiz-agent", "QUEUE")]
    assert result("get_missing_content") == []
    assert isinstance(result("delete_post"), dict)
    # And a release id is refused for a post whose network id is not missing (it was never published)
    release = results["update_release_id"]
    assert (release["ok"], release["status"]) == (False, 400), release
    # And a file fetched from a URL (here the upload's own path) lands in the library too
    fetched = result("upload_from_url")
    assert fetched["path"].endswith(".png"), fetched
    assert fetched["id"] != uploaded["id"]
    # And a group of posts is deleted by its name, after which none of its posts is listed
    (in_group,) = result("create_post_in_group")
    assert result("delete_post_by_group")["deleted"] == [in_group["postId"]]
    assert [p for p in result("list_posts_after_group_delete") if p["id"] == in_group["postId"]] == []
    # And analytics and notifications parse (totals as strings; every field of the page)
    assert isinstance(result("get_analytics"), list)
    assert result("get_post_analytics") == []  # not published: nothing to show
    notifications = result("list_notifications")
    assert notifications["limit"] == 100
    assert notifications["page"] == 0
    # And video generation, which socialpub does not offer, fails with a client error the client raises
    for name in ("generate_video", "video_function"):
        video = results[name]
        assert (video["ok"], video["error"], video["status"]) == (False, "HTTPError", 400), video
    # And the channel is disconnected last
    assert result("delete_channel") == {"id": account_id}
