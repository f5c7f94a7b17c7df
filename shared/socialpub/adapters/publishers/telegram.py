"""Telegram Bot API (core.telegram.org/bots/api): ``https://api.telegram.org/bot<token>/<method>``,
the bot posting to the chat or channel whose id is the account's external id.

- text: ``sendMessage`` (``link_preview_options``: disabled by the ``disable_web_page_preview``
  setting, else pointed at the post's link);
- one image or video: ``sendPhoto`` / ``sendVideo``, the bytes uploaded as multipart, the text as
  caption; several: ``sendMediaGroup`` (an album of ``InputMediaPhoto`` / ``InputMediaVideo`` with
  ``attach://`` files, the caption on the first item);
- a text longer than a caption (1,024 characters) is sent as a message of its own, the media
  following as a reply to it;
- thread parts (and a first comment) are further messages replying (``reply_parameters``) to the
  message before; ``disable_notification`` applies to every message.

The Bot API has no way to read a channel's messages back, so visible steps have no finder
(``find=None``): an error answer counts as not sent, a lost answer (timeout) ends OutcomeUnknown.

Failures: 429 carries ``parameters.retry_after`` (RATE_LIMITED). 401 (the token was revoked in
BotFather) is TOKEN_REJECTED. A bot kicked from the channel, no longer a member or admin, or a chat
that is gone or migrated is NeedsReconnect ``ACCESS_REVOKED``: the token is fine but every later
post to this account would fail the same way until the user adds the bot back and reconnects.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import (
    MediaFile,
    NeedsReconnect,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

API = "https://api.telegram.org"
CAPTION_LIMIT = 1024
# Descriptions meaning the bot lost the chat itself, not just this message.
ACCESS_LOST = (
    "bot was kicked",
    "bot is not a member",
    "chat not found",
    "need administrator rights",
    "bot was blocked by the user",
    "user is deactivated",
    "group chat was upgraded",
    "chat_write_forbidden",
)
MEDIA_PROBLEMS = ("photo_", "image_process_failed", "wrong file", "file is too big", "failed to get http url")


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """Telegram's ``{"ok": false, "error_code", "description", "parameters"}``."""
    if not isinstance(body, dict) or body.get("ok") is not False:
        return None
    code = int(body.get("error_code") or response.status_code)
    description = str(body.get("description") or message)
    lowered = description.lower()
    given = body.get("parameters")
    parameters: dict[str, Any] = given if isinstance(given, dict) else {}
    said = f"Telegram answered {code}: {description}"
    status = response.status_code
    if code == 429 or "retry_after" in parameters:
        retry = parameters.get("retry_after")
        return Retryable(
            said,
            code="RATE_LIMITED",
            network_message=description,
            status=status,
            retry_after=float(retry) if retry is not None else None,
        )
    if code >= 500:
        return None
    # A malformed token reaches no bot: Telegram answers 404 "Not Found" for it.
    if code == 401 or (code == 404 and lowered == "not found"):
        return NeedsReconnect(said, network_message=description, status=status)
    if "migrate_to_chat_id" in parameters or any(hint in lowered for hint in ACCESS_LOST):
        return NeedsReconnect(
            f"{said}; add the bot to the chat as an admin again and reconnect the account",
            code="ACCESS_REVOKED",
            network_message=description,
            status=status,
        )
    if "not enough rights" in lowered or code == 403:
        return Rejected(said, code="PERMISSION_DENIED", network_message=description, status=status)
    if code == 413 or any(hint in lowered for hint in MEDIA_PROBLEMS):
        return Rejected(said, code="MEDIA_REJECTED", network_message=description, status=status)
    return Rejected(said, network_message=description, status=status)


def permalink(chat_id: str, username: str | None, message_id: int) -> str | None:
    """Public channels by username; private channels and supergroups (ids ``-100<id>``) by ``/c/``;
    basic groups and private chats have no link."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    if chat_id.startswith("-100"):
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return None


def link(account: PublishAccount, post_id: str) -> str | None:
    """The message's link from its id (a post id recorded by hand, services/releases.py)."""
    return permalink(account.external_id, account.username, int(post_id)) if post_id.isdigit() else None


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        base = f"{API}/bot{job.token}"
        chat_id = job.account.external_id
        common: dict[str, Any] = {"chat_id": chat_id}
        if job.settings.get("disable_notification"):
            common["disable_notification"] = True
        preview: dict[str, Any] | None = None
        if job.settings.get("disable_web_page_preview"):
            preview = {"is_disabled": True}
        elif job.link:
            preview = {"url": job.link}

        def text_message(text: str, reply_to: int | None) -> dict[str, Any]:
            body: dict[str, Any] = {**common, "text": text}
            if preview:
                body["link_preview_options"] = preview
            if reply_to is not None:
                body["reply_parameters"] = {"message_id": reply_to}
            return self._sent(self._http.json("POST", f"{base}/sendMessage", json=body, classify=classify))

        def media_message(caption: str, reply_to: int | None) -> dict[str, Any]:
            return self._send_media(base, common, job.media, caption, reply_to)

        replies = [*job.parts[1:], *([job.first_comment] if job.first_comment else [])]
        first: dict[str, Any]
        if not job.media:
            first = steps.visible("message.0", lambda: text_message(job.text, None), find=None)
        elif len(job.text) <= CAPTION_LIMIT:
            first = steps.visible("message.0", lambda: media_message(job.text, None), find=None)
        else:
            first = steps.visible("message.0", lambda: text_message(job.text, None), find=None)
            head = first["message_id"]
            steps.visible("message.0.media", lambda: media_message("", head), find=None)
        previous = int(first["message_id"])
        for index, text in enumerate(replies, start=1):
            sent = steps.visible(f"message.{index}", partial(text_message, text, previous), find=None)
            previous = int(sent["message_id"])
        username = first.get("username") or job.account.username
        return Published(post_id=str(first["message_id"]), url=permalink(chat_id, username, int(first["message_id"])))

    def _send_media(
        self, base: str, common: dict[str, Any], media: list[MediaFile], caption: str, reply_to: int | None
    ) -> dict[str, Any]:
        # Multipart fields are strings: flags and nested objects travel JSON-encoded.
        data = {k: json.dumps(v) if isinstance(v, bool) else str(v) for k, v in common.items()}
        if reply_to is not None:
            data["reply_parameters"] = json.dumps({"message_id": reply_to})
        if len(media) == 1:
            (item,) = media
            field, method = ("video", "sendVideo") if item.kind is MediaKind.VIDEO else ("photo", "sendPhoto")
            if caption:
                data["caption"] = caption
            if item.kind is MediaKind.VIDEO:
                data["supports_streaming"] = "true"
            files = {field: (item.filename, item.content(), item.mime_type)}
            answer = self._http.json("POST", f"{base}/{method}", data=data, files=files, classify=classify)
            return self._sent(answer)
        described = []
        uploads = {}
        for index, item in enumerate(media):
            name = f"file{index}"
            entry: dict[str, Any] = {
                "type": "video" if item.kind is MediaKind.VIDEO else "photo",
                "media": f"attach://{name}",
            }
            if item.kind is MediaKind.VIDEO:
                entry["supports_streaming"] = True
            if index == 0 and caption:
                entry["caption"] = caption
            described.append(entry)
            uploads[name] = (item.filename, item.content(), item.mime_type)
        data["media"] = json.dumps(described)
        answer = self._http.json("POST", f"{base}/sendMediaGroup", data=data, files=uploads, classify=classify)
        return self._sent(answer)

    @staticmethod
    def _sent(answer: Any) -> dict[str, Any]:
        """The message (the album's first) as stored: its id and the chat's public username."""
        result = answer.get("result") if isinstance(answer, dict) else None
        messages = result if isinstance(result, list) else [result]
        if not messages or not isinstance(messages[0], dict) or "message_id" not in messages[0]:
            raise Rejected("Telegram answered without a message", code="BAD_RESPONSE")
        chat = messages[0].get("chat") or {}
        return {
            "message_id": int(messages[0]["message_id"]),
            "message_ids": [int(m["message_id"]) for m in messages if isinstance(m, dict)],
            "username": chat.get("username"),
        }
