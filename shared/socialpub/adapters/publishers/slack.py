"""Slack (docs.slack.dev/reference/methods): a message in the channel the post names (the ``channel``
setting), sent with the workspace's bot token.

- text alone: ``POST /api/chat.postMessage`` ``{channel, text}`` -> ``{ok, channel, ts}``;
- files (docs.slack.dev/messaging/working-with-files): for each, ``files.getUploadURLExternal`` (filename,
  length, ``alt_txt``) -> ``upload_url`` and ``file_id``, the bytes POSTed to ``upload_url``; then one
  ``files.completeUploadExternal`` with the files, ``channel_id`` and the text as ``initial_comment`` shares
  them in one message. Its answer names the files, not the message: the message's ``ts`` is read from
  ``conversations.history`` (the bot's message carrying the files).

Slack answers most errors with HTTP 200 and ``{"ok": false, "error": "<code>"}``: each answer is checked
and classified (``failure``), as are the HTTP 429 (``ratelimited``, Retry-After) and 5xx answers.

Slack has no idempotency key: a lost answer is looked up in ``conversations.history`` since the attempt:
the bot user's message with the same text (text alone) or with the uploaded files. The result is
``<channel>:<ts>`` and the message's permalink ``<workspace url>archives/<channel>/p<ts without the dot>``.

``channels`` lists the workspace's public channels for the user to pick a post's ``channel`` from
(``conversations.list``, the ``channels:read`` scope, archived ones left out), a page at a time with
Slack's cursor.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, decoded, retry_after
from socialpub.domain.channels import Channel, ChannelPage
from socialpub.domain.publishing import (
    NeedsReconnect,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

BASE = "https://slack.com/api"
CLOCK_SKEW = timedelta(seconds=60)
HISTORY_LIMIT = 50
SHARE_POLLS = 5
SHARE_POLL_SECONDS = 2.0

RECONNECT = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
    }
)
CHANNEL_REFUSED = {
    "channel_not_found": "VALIDATION_FAILED",
    "not_in_channel": "PERMISSION_DENIED",
    "is_archived": "PERMISSION_DENIED",
    "restricted_action": "PERMISSION_DENIED",
    "ekm_access_denied": "PERMISSION_DENIED",
}
TEXT_REFUSED = frozenset({"msg_too_long", "no_text", "invalid_blocks", "too_many_attachments", "invalid_arguments"})
MEDIA_REFUSED = frozenset({"file_not_found", "file_upload_size_restricted", "upload_failed", "file_uploads_disabled"})
# Slack's own "try again" answers; request_timeout may come after the message was posted.
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def failure(response: httpx.Response, error: str) -> PublishFailure:
    """What Slack's ``error`` code means for the post (``ok: false`` comes with HTTP 200 or 429)."""
    said = f"Slack refused the call: {error}"
    status = response.status_code
    if error == "ratelimited" or status == 429:
        return Retryable(
            said, code="RATE_LIMITED", network_message=error, status=status, retry_after=retry_after(response)
        )
    if error in RECONNECT:
        return NeedsReconnect(said, network_message=error, status=status)
    if error in CHANNEL_REFUSED:
        return Rejected(said, code=CHANNEL_REFUSED[error], network_message=error, status=status)
    if error in TEXT_REFUSED:
        return Rejected(said, code="VALIDATION_FAILED", network_message=error, status=status)
    if error in MEDIA_REFUSED:
        return Rejected(said, code="MEDIA_REJECTED", network_message=error, status=status)
    if error in TRANSIENT or status >= 500:
        return Retryable(said, network_message=error, status=status, sent=None, retry_after=retry_after(response))
    return Rejected(said, network_message=error, status=status)


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """Slack's error body on a non-2xx answer (a 429, a 5xx)."""
    if isinstance(body, dict) and body.get("ok") is False and body.get("error"):
        return failure(response, str(body["error"]))
    return None


def call(http: NetworkHttp, token: str, method: str, api_method: str, **kwargs: Any) -> dict[str, Any]:
    """One Web API method; ``ok: false`` (HTTP 200 included) raised as its failure."""
    response = http.call(
        method, f"{BASE}/{api_method}", headers={"Authorization": f"Bearer {token}"}, classify=classify, **kwargs
    )
    body = decoded(response)
    if not isinstance(body, dict):
        raise Rejected(f"Slack answered {api_method} with something that is not JSON", code="BAD_RESPONSE")
    if body.get("ok") is not True:
        raise failure(response, str(body.get("error") or "unknown_error"))
    return body


def channels(http: NetworkHttp, token: str, cursor: str | None, limit: int) -> ChannelPage:
    """One page of ``conversations.list`` (docs.slack.dev/reference/methods/conversations.list)."""
    params: dict[str, Any] = {"types": "public_channel", "exclude_archived": "true", "limit": limit}
    if cursor:
        params["cursor"] = cursor
    answer = call(http, token, "GET", "conversations.list", params=params)
    found = [
        Channel(
            id=str(c["id"]),
            name=str(c.get("name") or c["id"]),
            is_member=bool(c.get("is_member")),
            is_private=bool(c.get("is_private")),
        )
        for c in answer.get("channels") or []
        if isinstance(c, dict) and c.get("id")
    ]
    metadata = answer.get("response_metadata")
    following = str(metadata.get("next_cursor") or "") if isinstance(metadata, dict) else ""
    return ChannelPage(channels=found, next_cursor=following or None)


def split_id(post_id: str) -> tuple[str, str]:
    """``<channel>:<ts>`` -> (channel, ts)."""
    channel, _, ts = post_id.partition(":")
    return channel, ts


def link(account: PublishAccount, post_id: str) -> str | None:
    base = account.metadata.get("workspace_url")
    channel, ts = split_id(post_id)
    if not base or not ts:
        return None
    return f"{base.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        channel = str(job.settings.get("channel") or "")
        if not channel:
            raise Rejected("A Slack post needs the channel setting (a channel id)", code="VALIDATION_FAILED")
        text = job.text
        if job.link and job.link not in text:
            text = f"{text}\n{job.link}".strip()
        bot = job.account.metadata.get("bot_user_id")
        token = job.token

        def history(since: datetime) -> list[dict[str, Any]]:
            params = {"channel": channel, "oldest": f"{(since - CLOCK_SKEW).timestamp():.6f}", "limit": HISTORY_LIMIT}
            answer = call(self._http, token, "GET", "conversations.history", params=params)
            messages = [m for m in answer.get("messages") or [] if isinstance(m, dict)]
            return [m for m in messages if bot is None or m.get("user") == bot]

        def result(ts: str) -> dict[str, Any]:
            post_id = f"{channel}:{ts}"
            return {"id": post_id, "url": link(job.account, post_id)}

        if not job.media:

            def send() -> dict[str, Any]:
                answer = call(self._http, token, "POST", "chat.postMessage", json={"channel": channel, "text": text})
                return result(str(answer["ts"]))

            def find(armed_at: datetime) -> dict[str, Any] | None:
                found = next((m for m in history(armed_at) if m.get("text") == text and not m.get("files")), None)
                return result(str(found["ts"])) if found else None

            post = steps.visible("post", send, find)
            return Published(post_id=post["id"], url=post.get("url"))

        file_ids = [
            steps.once(f"media.{index}", lambda m=media: self._upload(token, m))  # type: ignore[misc]
            for index, media in enumerate(job.media)
        ]

        def carrying(armed_at: datetime) -> dict[str, Any] | None:
            for message in history(armed_at):
                shown = {str(f.get("id")) for f in message.get("files") or [] if isinstance(f, dict)}
                if set(file_ids) <= shown:
                    return result(str(message["ts"]))
            return None

        def share() -> dict[str, Any]:
            files = [
                {"id": file_id, "title": media.filename} for file_id, media in zip(file_ids, job.media, strict=True)
            ]
            body: dict[str, Any] = {"files": json.dumps(files), "channel_id": channel}
            if text:
                body["initial_comment"] = text
            started = datetime.now(UTC)
            call(self._http, token, "POST", "files.completeUploadExternal", data=body)
            # The answer names the files, not the message Slack shares them in, which may show a moment later.
            for poll in range(SHARE_POLLS):
                found = carrying(started)
                if found is not None:
                    return found
                if poll < SHARE_POLLS - 1:
                    steps.wait(SHARE_POLL_SECONDS)
            # Shared but not shown yet: the rerun finds the message by its files (find), never shares twice
            # unless Slack shows no message carrying them.
            raise Retryable(
                "Slack took the files but does not show their message yet", code="MEDIA_PROCESSING", sent=None
            )

        post = steps.visible("post", share, carrying)
        return Published(post_id=post["id"], url=post.get("url"))

    def _upload(self, token: str, media: Any) -> str:
        params: dict[str, Any] = {"filename": media.filename, "length": media.size}
        if media.alt_text and media.mime_type.startswith("image/"):
            params["alt_txt"] = media.alt_text
        answer = call(self._http, token, "GET", "files.getUploadURLExternal", params=params)
        upload = self._http.call(
            "POST", str(answer["upload_url"]), content=media.content(), headers={"Content-Type": media.mime_type}
        )
        if upload.status_code != 200:
            raise Rejected(f"Slack did not take the file {media.filename}", code="MEDIA_REJECTED")
        return str(answer["file_id"])
