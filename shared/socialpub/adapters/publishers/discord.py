"""Discord (discord.com/developers/docs/resources/message#create-message), API v10, as the app's bot
installed in the guild (``Authorization: Bot <job.token>``: the publishing service hands Discord's jobs
the app's bot token, never the user's OAuth token), posting to a text or announcement channel:
the post's ``channel_id`` setting (required), else ``job.account.metadata["channel_id"]``.

- ``GET /channels/{channel.id}`` once: the channel's guild, for the permalink (unless the account's
  metadata already holds ``guild_id``);
- ``POST /channels/{channel.id}/messages``: ``content`` (2,000 characters), an embed (the post's
  title, and its link when the text does not already show it), files as multipart
  (``payload_json`` + ``files[n]``, ``attachments[n].description`` carrying alt text);
- thread parts: a thread is started from the first message
  (``POST /channels/{channel.id}/messages/{message.id}/threads``, named after ``job.title`` or the
  text's first line) and each part is a message in it; a first comment is one more message there.

Every message carries a ``nonce`` with ``enforce_nonce``, so a resend within Discord's few minutes
returns the message already made; beyond that a lost answer is looked up in
``GET /channels/{id}/messages?limit=50`` (the bot's message with the same content, made since the
call). A thread's id is its starter message's id: ``GET /channels/{message.id}`` finds it.

Failures (``{"code", "message", "errors"}``): 429 carries ``retry_after`` (RATE_LIMITED); 401 is
TOKEN_REJECTED (the bot token was reset: the app's ``botToken`` credential must be replaced);
Missing Access (50001), Unknown Channel (10003) or Unknown Guild (10004) mean the bot lost the channel:
NeedsReconnect ``ACCESS_REVOKED``; Missing Permissions (50013) is PERMISSION_DENIED; Request entity too
large (40005) MEDIA_REJECTED; Invalid Form Body (50035) VALIDATION_FAILED with the fields' messages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, retry_after
from socialpub.domain.publishing import (
    MediaFile,
    NeedsReconnect,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

API = "https://discord.com/api/v10"
SKEW = timedelta(seconds=60)
THREAD_NAME_LIMIT = 100
EMBED_TITLE_LIMIT = 256
ACCESS_LOST = {50001, 10003, 10004}


def _field_errors(errors: Any, path: str = "") -> list[str]:
    """Discord's nested ``errors`` object flattened to ``content: Must be 2000 or fewer in length.``"""
    if not isinstance(errors, dict):
        return []
    found = [f"{path or 'body'}: {e.get('message')}" for e in errors.get("_errors", []) if isinstance(e, dict)]
    for key, value in errors.items():
        if key != "_errors":
            found.extend(_field_errors(value, f"{path}.{key}" if path else key))
    return found


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    if not isinstance(body, dict):
        return None
    status = response.status_code
    code = body.get("code")
    text = str(body.get("message") or message)
    details = _field_errors(body.get("errors"))
    if details:
        text = f"{text}: {'; '.join(details)}"
    said = f"Discord answered {status}: {text}"
    if status == 429:
        delay = body.get("retry_after")
        return Retryable(
            said,
            code="RATE_LIMITED",
            network_message=text,
            status=status,
            retry_after=float(delay) if delay is not None else retry_after(response),
        )
    if status >= 500:
        return None
    if status == 401:  # the bot token (an app credential) was reset or is not the app's
        return NeedsReconnect(
            f"{said}; the app's bot token was refused: replace botToken in the app's credentials",
            network_message=text,
            status=status,
        )
    if code in ACCESS_LOST:
        return NeedsReconnect(
            f"{said}; add the bot to the channel again and reconnect the account",
            code="ACCESS_REVOKED",
            network_message=text,
            status=status,
        )
    if code == 50013 or status == 403:
        return Rejected(said, code="PERMISSION_DENIED", network_message=text, status=status)
    if code == 40005 or status == 413:
        return Rejected(said, code="MEDIA_REJECTED", network_message=text, status=status)
    return Rejected(said, network_message=text, status=status)


def _when(timestamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        headers = {"Authorization": f"Bot {job.token}"}
        # The channel is the post's setting (the connect adds the bot to a guild, not to a channel).
        channel_id = str(job.settings.get("channel_id") or job.account.metadata.get("channel_id") or "")
        if not channel_id:
            raise Rejected("Name the Discord channel to post in: settings.channel_id", code="VALIDATION_FAILED")
        guild_id = job.account.metadata.get("guild_id")
        if not guild_id:
            channel = steps.once("channel", lambda: self._channel(headers, channel_id))
            guild_id = channel.get("guild_id")
        thread_parts = [*job.parts[1:], *([job.first_comment] if job.first_comment else [])]
        nonce = hashlib.sha256(job.key.encode()).hexdigest()[:22]

        embed: dict[str, Any] = {}
        if job.title and not thread_parts:
            embed["title"] = job.title[:EMBED_TITLE_LIMIT]
        if job.link and job.link not in job.text:
            embed.update(title=(job.title or job.link)[:EMBED_TITLE_LIMIT], url=job.link)
        first_payload: dict[str, Any] = {"content": job.text, "nonce": f"{nonce}:0"}
        if embed:
            first_payload["embeds"] = [embed]
        first = steps.visible(
            "message.0",
            lambda: self._send(headers, channel_id, first_payload, job.media),
            find=self._finder(headers, channel_id, job.text, len(job.media)),
        )
        if thread_parts:
            lines = job.text.strip().splitlines()
            name = (job.title or (lines[0] if lines else "") or "Thread")[:THREAD_NAME_LIMIT]
            thread = steps.visible(
                "thread",
                lambda: self._start_thread(headers, channel_id, first["id"], name),
                find=lambda _armed_at: self._thread(headers, first["id"]),
            )
            for index, text in enumerate(thread_parts, start=1):
                payload = {"content": text, "nonce": f"{nonce}:{index}"}
                steps.visible(
                    f"message.{index}",
                    partial(self._send, headers, thread["id"], payload, []),
                    find=self._finder(headers, thread["id"], text, 0),
                )
        return Published(
            post_id=first["id"], url=f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{first['id']}"
        )

    def _channel(self, headers: dict[str, str], channel_id: str) -> dict[str, Any]:
        answer = self._http.json("GET", f"{API}/channels/{channel_id}", headers=headers, classify=classify)
        return {"id": str(answer["id"]), "guild_id": answer.get("guild_id"), "type": answer.get("type")}

    def _send(
        self, headers: dict[str, str], channel_id: str, payload: dict[str, Any], media: list[MediaFile]
    ) -> dict[str, Any]:
        url = f"{API}/channels/{channel_id}/messages"
        payload = {**payload, "enforce_nonce": True}
        if media:
            payload["attachments"] = [
                {"id": index, "filename": m.filename, **({"description": m.alt_text} if m.alt_text else {})}
                for index, m in enumerate(media)
            ]
            files = [(f"files[{i}]", (m.filename, m.content(), m.mime_type)) for i, m in enumerate(media)]
            answer = self._http.json(
                "POST",
                url,
                headers=headers,
                data={"payload_json": json.dumps(payload)},
                files=files,
                classify=classify,
            )
        else:
            answer = self._http.json("POST", url, headers=headers, json=payload, classify=classify)
        return {"id": str(answer["id"]), "channel_id": str(answer.get("channel_id") or channel_id)}

    def _finder(
        self, headers: dict[str, str], channel_id: str, text: str, files: int
    ) -> Callable[[datetime], dict[str, Any] | None]:
        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._http.json(
                "GET", f"{API}/channels/{channel_id}/messages", headers=headers, params={"limit": 50}, classify=classify
            )
            matches = []
            for message in answer if isinstance(answer, list) else []:
                made = _when(str(message.get("timestamp")))
                if (
                    (message.get("author") or {}).get("bot")
                    and message.get("content") == text
                    and len(message.get("attachments") or []) == files
                    and made is not None
                    and made >= armed_at - SKEW
                ):
                    matches.append((made, message))
            if not matches:
                return None
            _, message = min(matches, key=lambda m: m[0])
            return {"id": str(message["id"]), "channel_id": str(message.get("channel_id") or channel_id)}

        return find

    def _start_thread(self, headers: dict[str, str], channel_id: str, message_id: str, name: str) -> dict[str, Any]:
        try:
            answer = self._http.json(
                "POST",
                f"{API}/channels/{channel_id}/messages/{message_id}/threads",
                headers=headers,
                json={"name": name},
                classify=classify,
            )
        except Rejected as refused:
            # An earlier call made it: the thread exists, under the starter message's id.
            if refused.network_message and "already been created" in refused.network_message:
                existing = self._thread(headers, message_id)
                if existing is not None:
                    return existing
            raise
        return {"id": str(answer["id"])}

    def _thread(self, headers: dict[str, str], message_id: str) -> dict[str, Any] | None:
        try:
            answer = self._http.json("GET", f"{API}/channels/{message_id}", headers=headers, classify=classify)
        except NeedsReconnect as missing:
            if missing.code == "ACCESS_REVOKED" and missing.status == 404:
                return None  # Unknown Channel: no thread was started
            raise
        return {"id": str(answer["id"])}
