"""Tumblr (tumblr.com/docs/en/api/v2, NPF: tumblr.com/docs/npf): an NPF post on the connected blog.

- ``POST /v2/blog/{uuid}/posts`` with ``content`` blocks: the title as a ``heading1`` text block, the
  text as a text block, each image an ``image`` block (``alt_text``), a video a ``video`` block, the link
  a ``link`` block; ``tags`` (the setting, a comma-separated string as NPF takes it), ``state``
  (published by default, draft, queue, private) and ``source_url``.
- Media go in the same request: multipart/form-data with the JSON as part ``json`` and each file as a
  part named by the ``identifier`` its block's ``media`` names. Tumblr answers 201 with the post's id.

Tumblr has no idempotency key: a lost answer is looked up in the blog's posts of that state
(``GET /v2/blog/{uuid}/posts?npf=true``; ``/posts/draft``, ``/posts/queue``): the newest posts made
since the attempt with the same text blocks. The result is the post's id and
``https://{blog}.tumblr.com/post/{id}``.

Errors are ``{"meta": {"status", "msg"}, "errors": [{"title", "code", "detail"}]}``: the detail is
kept as the network's message; 401 needs a reconnect, 403 PERMISSION_DENIED, 429 RATE_LIMITED.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, default_failure
from socialpub.domain.publishing import (
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Steps,
)

BASE = "https://api.tumblr.com/v2"
CLOCK_SKEW = timedelta(seconds=60)
LIST_LIMIT = 20
LISTS = {"draft": "/draft", "queue": "/queue"}


def message_of(body: Any) -> str:
    """The detail of Tumblr's first error, else its meta message."""
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("detail") or errors[0].get("title") or "")
    meta = body.get("meta")
    return str(meta.get("msg") or "") if isinstance(meta, dict) else ""


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    said = message_of(body)
    return default_failure(response, "api.tumblr.com", said or message) if said else None


def link(account: PublishAccount, post_id: str) -> str | None:
    return f"https://{account.username}.tumblr.com/post/{post_id}" if account.username else None


def _blocks(job: PublishJob) -> list[dict[str, Any]]:
    """The NPF content blocks, and where media go, ``media`` naming each file's part."""
    blocks: list[dict[str, Any]] = []
    if job.title:
        blocks.append({"type": "text", "subtype": "heading1", "text": job.title})
    if job.text.strip():
        blocks.append({"type": "text", "text": job.text})
    for index, media in enumerate(job.media):
        kind = "video" if media.mime_type.startswith("video/") else "image"
        block: dict[str, Any] = {"type": kind, "media": [{"type": media.mime_type, "identifier": f"media-{index}"}]}
        if kind == "video":
            block["media"] = block["media"][0]  # a video block names one media object, not a list
        if media.alt_text and kind == "image":
            block["alt_text"] = media.alt_text
        blocks.append(block)
    if job.link:
        blocks.append({"type": "link", "url": job.link})
    return blocks


def _shape(content: list[Any]) -> list[str]:
    """What identifies a post among the blog's newest: its blocks' types and texts in order."""
    return [f"{b.get('type')}:{b.get('text') or ''}" for b in content if isinstance(b, dict)]


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        blog = job.account.external_id
        headers = {"Authorization": f"Bearer {job.token}"}
        settings = job.settings
        post_state = str(settings.get("state") or "published")
        body: dict[str, Any] = {"content": _blocks(job), "state": post_state}
        if settings.get("tags"):
            body["tags"] = ",".join(t.strip().lstrip("#") for t in str(settings["tags"]).split(",") if t.strip())
        if settings.get("source_url"):
            body["source_url"] = str(settings["source_url"])
        shape = _shape(body["content"])

        def send() -> dict[str, Any]:
            url = f"{BASE}/blog/{blog}/posts"
            if job.media:
                files: list[tuple[str, tuple[str | None, bytes | str, str]]] = [
                    ("json", (None, json.dumps(body), "application/json"))
                ]
                files += [(f"media-{i}", (m.filename, m.content(), m.mime_type)) for i, m in enumerate(job.media)]
                answer = self._http.json("POST", url, files=files, headers=headers, classify=classify)
            else:
                answer = self._http.json("POST", url, json=body, headers=headers, classify=classify)
            post_id = str(answer["response"]["id"])
            return {"id": post_id, "url": link(job.account, post_id)}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._http.json(
                "GET",
                f"{BASE}/blog/{blog}/posts{LISTS.get(post_state, '')}",
                params={"npf": "true", "limit": LIST_LIMIT},
                headers=headers,
                classify=classify,
            )
            since = (armed_at - CLOCK_SKEW).timestamp()
            for post in (answer.get("response") or {}).get("posts") or []:
                if int(post.get("timestamp") or 0) >= since and _shape(post.get("content") or []) == shape:
                    post_id = str(post.get("id_string") or post["id"])
                    return {"id": post_id, "url": post.get("post_url") or link(job.account, post_id)}
            return None

        post = steps.visible("post", send, find)
        return Published(post_id=post["id"], url=post.get("url"))
