"""Runs the real postiz-agent client (PyPI, unmodified) against a server, one call per method of
its API client, and prints one JSON object: for each call, its result or the error it raised.

Run with the client's own venv (`.tools/postiz-agent/bin/python`, made by `make postiz`), never the
product's: tests/e2e/test_postiz_agent.py does. Input from the environment: POSTIZ_URL (the server,
without /public/v1: the client adds it), POSTIZ_TOKEN (the key), INTEGRATION (a channel id) and
IMAGE (a PNG file to upload).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from postiz_agent.api_client import PostizApi
from postiz_agent.postiz_models import PostizCreatePostRequest


def plain(value: Any) -> Any:
    """Pydantic models (what the client returns) as JSON values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def main() -> None:
    env = os.environ
    results: dict[str, Any] = {}

    def call(name: str, run: Callable[[], Any]) -> Any:
        try:
            value = run()
        except Exception as exc:  # what a user of the client would see: the exception and its status
            status = getattr(getattr(exc, "response", None), "status_code", None)
            results[name] = {"ok": False, "error": type(exc).__name__, "status": status, "text": str(exc)[:300]}
            return None
        results[name] = {"ok": True, "result": plain(value)}
        return value

    api = PostizApi(base_url=env["POSTIZ_URL"], token=env["POSTIZ_TOKEN"], verify=False)
    integration = env["INTEGRATION"]
    start = datetime.now(UTC) - timedelta(days=1)
    date = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    call("get_integrations", api.get_integrations)
    call("is_connected", api.is_connected)
    call("find_slot", lambda: api.find_slot(integration))
    call("get_integration_url", lambda: api.get_integration_url("x"))
    uploaded = call("upload_file", lambda: api.upload_file(env["IMAGE"]))
    request = PostizCreatePostRequest.model_validate(
        {
            "type": "schedule",
            "date": date.isoformat().replace("+00:00", "Z"),
            "posts": [{"integration": {"id": integration}, "value": [{"content": "Hello from postiz-agent"}]}],
        }
    )
    created = call("create_post", lambda: api.create_post(request))
    post_id = created[0]["postId"] if created else "none"
    end = (date + timedelta(days=1)).isoformat()
    call("list_posts", lambda: api.list_posts(start.isoformat(), end))
    call("get_missing_content", lambda: api.get_missing_content(post_id))
    call("get_analytics", lambda: api.get_analytics(integration))
    call("get_post_analytics", lambda: api.get_post_analytics(post_id))
    call("list_notifications", api.list_notifications)
    call("update_release_id", lambda: api.update_release_id(post_id, "1234567890"))
    call("delete_post", lambda: api.delete_post(post_id))
    # The upload's own path as a URL to fetch (the local stack lets the server fetch from loopback).
    call("upload_from_url", lambda: api.upload_from_url(uploaded.path if uploaded else "none"))
    in_group = request.model_copy(deep=True)
    assert in_group.posts is not None
    in_group.posts[0].group = "agent-group"
    call("create_post_in_group", lambda: api.create_post(in_group))
    call("delete_post_by_group", lambda: api.delete_post_by_group("agent-group"))
    call("list_posts_after_group_delete", lambda: api.list_posts(start.isoformat(), end))
    video = {"type": "image-text-slides", "output": "vertical", "customParams": {}}
    call("generate_video", lambda: api.generate_video(video))
    call("video_function", lambda: api.video_function({"functionName": "loadVoices", "identifier": "heygen"}))
    call("delete_channel", lambda: api.delete_channel(integration))
    results["uploaded_path"] = getattr(uploaded, "path", None)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
