"""Telegram's Bot API for sending (core.telegram.org/bots/api#available-methods), at
``/api.telegram.org/bot<token>/<method>``; parameters as JSON, urlencoded or multipart, as there.

- ``sendMessage`` (``chat_id``, ``text`` up to 4,096 characters, ``link_preview_options``,
  ``disable_notification``, ``reply_parameters``);
- ``sendPhoto`` / ``sendVideo`` (``photo`` / ``video``: a file uploaded under that field or named by
  ``attach://<field>``, or an HTTP URL the server pulls; ``caption`` up to 1,024 characters);
- ``sendMediaGroup`` (``media``: a JSON array of 2-10 ``InputMediaPhoto`` / ``InputMediaVideo``
  whose ``media`` is ``attach://<field>`` or a URL): one album, held as one post with every file.

Answers ``{"ok": true, "result": Message}`` (an array of them for an album); errors
``{"ok": false, "error_code", "description"}``. The bot token must look like one (``<bot id>:<secret>``,
else 401). A chat is addressed by ``@username`` or by a channel id (``-100...``); any other id is
"chat not found". Message ids count up per chat. There is no endpoint to read a chat back, nor
any figure of a message (views, reactions): no post figures are registered.

- ``getChatMemberCount`` (``chat_id``): ``{"ok": true, "result": <members>}``, the count growing with
  time or set through ``/_emulator/metrics`` (``member_count``, keyed by the chat's id).

Fault endpoints: ``sendMessage``, ``sendPhoto``, ``sendVideo``, ``sendMediaGroup``, ``account_insights``
(getChatMemberCount).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, fetch, number_of, unauthorized

NETWORK = "telegram"
BOT_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")  # as the sign-in emulation accepts it
# Limits (the emulator's own, never the product's catalog), from core.telegram.org/bots/api#sendmessage
# (text 1-4096 characters), #sendphoto (caption 0-1024) and #sending-files (uploads up to 50 MB).
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD = 50 * 1024 * 1024
ACCOUNT_FIGURES = ("member_count",)

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Telegram",
    docs="https://core.telegram.org/bots/api#getme",
    api="https://api.telegram.org",
    bot_token=True,
    profile=Profile(
        url="https://api.telegram.org/bot{bot_token}/getChat?chat_id={chat_id}",
        credential_in_url=True,
        fields={"id": "result.id", "name": "result.title", "username": "result.username"},
    ),
    unauthorized={"ok": False, "error_code": 401, "description": "Unauthorized"},
)


def _error(description: str, code: int = 400, **parameters: Any) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def _chat(chat_id: str) -> dict[str, Any] | None:
    """The channel a chat id names, as the sign-in emulation's getChat reports it."""
    if chat_id.startswith("@") and len(chat_id) > 1:
        name = chat_id[1:]
        return {
            "id": -int("100" + number_of(NETWORK, chat_id)[:10]),
            "title": f"{name} channel",
            "username": name,
            "type": "channel",
        }
    if re.fullmatch(r"-100\d{5,}", chat_id):
        return {"id": int(chat_id), "title": "channel", "type": "channel"}
    return None


class _Params:
    """A method's parameters, whichever way they were sent."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadFile]) -> None:
        self.values = values
        self.files = files

    @classmethod
    async def of(cls, request: Request) -> _Params:
        values: dict[str, Any] = dict(request.query_params)
        files: dict[str, UploadFile] = {}
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            payload = await request.json()
            values.update(payload if isinstance(payload, dict) else {})
        elif content_type:
            form = await request.form()
            for key, value in form.multi_items():
                if isinstance(value, str):
                    values[key] = value
                else:
                    files[key] = value
        return cls(values, files)

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return "" if value is None else str(value)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or str(value).lower() == "true"

    def object(self, name: str) -> Any:
        """A JSON-serialised parameter (objects arrive as strings in forms)."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return None
        return value


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN
    last_ids: dict[int, int] = {}  # chat id -> last message id

    def next_ids(chat_id: int, count: int) -> list[int]:
        with state.lock:
            first = last_ids.get(chat_id, 0) + 1
            last_ids[chat_id] = first + count - 1
        return list(range(first, first + count))

    async def media_file(params: _Params, value: Any, mime_default: str) -> dict[str, Any] | JSONResponse:
        """An uploaded file (by field name or ``attach://``) or a URL pulled, as a digest."""
        reference = value if isinstance(value, str) else ""
        upload = params.files.get(reference.removeprefix("attach://")) if reference.startswith("attach://") else None
        if upload is not None:
            data = await upload.read()
            if len(data) > MAX_UPLOAD:
                return _error("Request Entity Too Large", 413)
            if not data:
                return _error("Bad Request: file must be non-empty")
            return digest(data, upload.content_type or mime_default)
        if reference.startswith(("http://", "https://")):
            pulled = await fetch(reference)
            if pulled is None:
                return _error("Bad Request: failed to get HTTP URL content")
            return digest(pulled, mime_default)
        return _error("Bad Request: wrong file identifier/HTTP URL specified")

    def check(token: str, params: _Params) -> tuple[dict[str, Any], int | None] | JSONResponse:
        """The chat and the message replied to, or Telegram's refusal."""
        if not BOT_TOKEN.match(token):
            return unauthorized(platform)
        chat = _chat(params.text("chat_id"))
        if chat is None:
            return _error("Bad Request: chat not found")
        reply = params.object("reply_parameters")
        reply_to = None
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            reply_to = int(reply["message_id"])
            held = {int(p.id) for p in state.posts_of(NETWORK, str(chat["id"]))}
            held |= {int(i) for p in state.posts_of(NETWORK, str(chat["id"])) for i in p.extra.get("message_ids", [])}
            if reply_to not in held:
                return _error("Bad Request: message to be replied not found")
        return chat, reply_to

    def store(
        chat: dict[str, Any],
        ids: list[int],
        text: str,
        media: list[dict[str, Any]],
        reply_to: int | None,
        params: _Params,
        kind: str,
    ) -> EmulatedPost:
        username = chat.get("username")
        internal = str(chat["id"]).removeprefix("-100")
        url = f"https://t.me/{username}/{ids[0]}" if username else f"https://t.me/c/{internal}/{ids[0]}"
        return state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=str(chat["id"]),
                id=str(ids[0]),
                text=text,
                url=url,
                media=media,
                reply_to=str(reply_to) if reply_to is not None else None,
                extra={
                    "kind": kind,
                    "message_ids": ids,
                    "disable_notification": params.flag("disable_notification"),
                    "link_preview_options": params.object("link_preview_options"),
                },
            )
        )

    def message(chat: dict[str, Any], message_id: int, reply_to: int | None, **content: Any) -> dict[str, Any]:
        found: dict[str, Any] = {
            "message_id": message_id,
            "sender_chat": chat,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            found["reply_to_message"] = {"message_id": reply_to, "chat": chat, "date": int(time.time())}
        return found

    def as_content(kind: str, file: dict[str, Any], message_id: int) -> dict[str, Any]:
        file_id = f"{kind}-{file['sha256'][:16]}-{message_id}"
        described = {"file_id": file_id, "file_unique_id": file["sha256"][:16], "file_size": file["size"]}
        if kind == "photo":
            return {"photo": [{**described, "width": 1280, "height": 853}]}
        return {"video": {**described, "width": 1280, "height": 720, "duration": 12, "mime_type": file["mime_type"]}}

    @api.post("/api.telegram.org/bot{token}/sendMessage")
    async def send_message(token: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "sendMessage")) is not None:
            return fault
        params = await _Params.of(request)
        checked = check(token, params)
        if isinstance(checked, JSONResponse):
            return checked
        chat, reply_to = checked
        text = params.text("text")
        if not text.strip():
            return _error("Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            return _error("Bad Request: message is too long")
        (message_id,) = next_ids(chat["id"], 1)
        store(chat, [message_id], text, [], reply_to, params, "text")
        body = {"ok": True, "result": message(chat, message_id, reply_to, text=text)}
        return await state.after(NETWORK, "sendMessage", JSONResponse(body))

    async def send_one(token: str, request: Request, kind: str, endpoint: str) -> Response:
        if (fault := await state.before(NETWORK, endpoint)) is not None:
            return fault
        params = await _Params.of(request)
        checked = check(token, params)
        if isinstance(checked, JSONResponse):
            return checked
        chat, reply_to = checked
        caption = params.text("caption")
        if len(caption) > MAX_CAPTION:
            return _error("Bad Request: message caption is too long")
        # A file sent as the field itself is the common form; ``attach://`` also works there.
        value = f"attach://{kind}" if kind in params.files else params.values.get(kind)
        if value is None:
            return _error(f"Bad Request: there is no {kind} in the request")
        file = await media_file(params, value, "image/jpeg" if kind == "photo" else "video/mp4")
        if isinstance(file, JSONResponse):
            return file
        (message_id,) = next_ids(chat["id"], 1)
        store(chat, [message_id], caption, [{"type": kind, **file}], reply_to, params, kind)
        content = as_content(kind, file, message_id)
        if caption:
            content["caption"] = caption
        body = {"ok": True, "result": message(chat, message_id, reply_to, **content)}
        return await state.after(NETWORK, endpoint, JSONResponse(body))

    @api.post("/api.telegram.org/bot{token}/sendPhoto")
    async def send_photo(token: str, request: Request) -> Response:
        return await send_one(token, request, "photo", "sendPhoto")

    @api.post("/api.telegram.org/bot{token}/sendVideo")
    async def send_video(token: str, request: Request) -> Response:
        return await send_one(token, request, "video", "sendVideo")

    @api.post("/api.telegram.org/bot{token}/sendMediaGroup")
    async def send_media_group(token: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "sendMediaGroup")) is not None:
            return fault
        params = await _Params.of(request)
        checked = check(token, params)
        if isinstance(checked, JSONResponse):
            return checked
        chat, reply_to = checked
        described = params.object("media")
        if not isinstance(described, list) or not all(isinstance(m, dict) for m in described):
            return _error("Bad Request: can't parse media JSON object")
        if not 2 <= len(described) <= 10:
            return _error("Bad Request: media group must contain 2-10 items")
        files = []
        for entry in described:
            kind = entry.get("type")
            if kind not in {"photo", "video"}:
                return _error(f"Bad Request: unsupported media type {kind!r} in the media group")
            caption = str(entry.get("caption") or "")
            if len(caption) > MAX_CAPTION:
                return _error("Bad Request: message caption is too long")
            file = await media_file(params, entry.get("media"), "image/jpeg" if kind == "photo" else "video/mp4")
            if isinstance(file, JSONResponse):
                return file
            files.append((kind, caption, file))
        ids = next_ids(chat["id"], len(files))
        group = str(number_of(NETWORK, str(chat["id"]), str(ids[0])))
        caption = files[0][1]
        store(chat, ids, caption, [{"type": kind, **file} for kind, _, file in files], reply_to, params, "album")
        result = []
        for message_id, (kind, text, file) in zip(ids, files, strict=True):
            content = {"media_group_id": group, **as_content(kind, file, message_id)}
            if text:
                content["caption"] = text
            result.append(message(chat, message_id, reply_to, **content))
        return await state.after(NETWORK, "sendMediaGroup", JSONResponse({"ok": True, "result": result}))

    @api.api_route("/api.telegram.org/bot{token}/getChatMemberCount", methods=["GET", "POST"])
    async def get_chat_member_count(token: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        if not BOT_TOKEN.match(token):
            return unauthorized(platform)
        chat = _chat((await _Params.of(request)).text("chat_id"))
        if chat is None:
            return _error("Bad Request: chat not found")
        (members,) = state.figures(NETWORK, str(chat["id"]), ACCOUNT_FIGURES, 0.0).values()
        return await state.after(NETWORK, "account_insights", JSONResponse({"ok": True, "result": members}))

    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
