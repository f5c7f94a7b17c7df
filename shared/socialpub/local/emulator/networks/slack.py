"""Slack's Web API (docs.slack.dev/reference/methods) for a bot token, with Slack's own rules.

- Sign-in: OAuth v2 (``slack.com/oauth/v2/authorize``, ``/api/oauth.v2.access``; bot tokens do not expire,
  no refresh), ``/api/auth.revoke``; ``GET /api/auth.test`` names the workspace (``team_id``, ``team``,
  ``url``) and the bot user (``user_id``, ``bot_id``). Each user's workspace has three public channels:
  ``general`` and ``random`` (the bot is in them) and ``announcements`` (it is not).
- ``GET /api/conversations.list`` (docs.slack.dev/reference/methods/conversations.list): the workspace's
  channels (``id``, ``name``, ``is_member``, ``is_private``, ``is_archived``), ``limit`` at a time (default
  100, at most 1,000) with ``response_metadata.next_cursor`` for the next page (empty on the last);
  ``types`` (``public_channel``, the default; ``private_channel`` needs ``groups:read``, else
  ``missing_scope``); a cursor it did not give is ``invalid_cursor``. Fault endpoint ``channels``.
- ``POST /api/chat.postMessage`` (JSON or form): ``channel`` (an id), ``text`` at most 40,000 characters
  (docs.slack.dev/reference/methods/chat.postMessage: ``msg_too_long`` beyond); ``{ok, channel, ts,
  message}``.
- Files (docs.slack.dev/messaging/working-with-files): ``GET|POST /api/files.getUploadURLExternal``
  (``filename``, ``length``, ``alt_txt``) -> ``upload_url`` on files.slack.com and ``file_id``; the bytes
  POSTed there (raw, or multipart part ``file``) answer ``OK - <length>``; ``POST
  /api/files.completeUploadExternal`` (``files`` a JSON list of ``{id, title}``, at most 10, ``channel_id``,
  ``initial_comment``) shares them in one message and answers the files only.
- ``GET /api/conversations.history`` (``channel``, ``oldest``, ``limit``): the channel's messages newest
  first; ``GET /api/conversations.replies`` (``channel``, ``ts``): the message, with ``reply_count`` and
  ``reactions`` (growing with time, or as set through ``/_emulator/metrics`` under ``reply_count`` and
  ``reactions``).

Errors are HTTP 200 with ``{"ok": false, "error": "<code>"}`` (``invalid_auth``, ``token_revoked``,
``channel_not_found``, ``not_in_channel``, ``msg_too_long``, ``no_text``...), as Slack answers them; a rate
limit is HTTP 429 ``ratelimited`` with Retry-After (armed as a fault). Fault endpoints: ``chat.postMessage``,
``files.getUploadURLExternal``, ``upload``, ``files.completeUploadExternal``, ``history``, ``insights``
(conversations.replies), ``channels`` (conversations.list).

This module keeps Slack's rules itself (it imports nothing of the product's domain).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import UploadFile

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, number_of

NETWORK = "slack"
HOST = "slack.com"
FILES_HOST = "files.slack.com"
# docs.slack.dev/reference/methods/chat.postMessage: "The text field ... truncated ... 40,000 characters";
# the API refuses longer text with msg_too_long. Counted in code points (Slack documents no other unit).
MAX_TEXT = 40_000
MAX_FILES = 10  # files.completeUploadExternal takes at most 10 files
CHANNELS = (("general", True), ("random", True), ("announcements", False))
POST_FIGURES = ("reply_count", "reactions")

UNAUTHORIZED = {"ok": False, "error": "invalid_auth"}

# Sign-in as Slack documents it (docs.slack.dev/authentication/installing-with-oauth).
SIGN_IN = SignIn(
    network=NETWORK,
    name="Slack",
    docs="https://docs.slack.dev/authentication/installing-with-oauth",
    api="https://slack.com/api",
    authorization_url="https://slack.com/oauth/v2/authorize",
    token_url="https://slack.com/api/oauth.v2.access",
    revoke_url="https://slack.com/api/auth.revoke",
    unauthorized=UNAUTHORIZED,
    profile=Profile(
        url="https://slack.com/api/auth.test",
        fields={"id": "team_id", "name": "team", "username": "user", "url": "url", "user_id": "user_id"},
    ),
)

_ts_counter = itertools.count(1)


def _fail(error: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error}, status_code=status)


def _ok(**values: Any) -> JSONResponse:
    return JSONResponse({"ok": True, **values})


def _team(user: str) -> str:
    return f"T{number_of(NETWORK, user)[:9]}"


def _bot_user(user: str) -> str:
    return f"U{number_of(NETWORK, user, ' bot')[:9]}"


def _channels(user: str) -> list[dict[str, Any]]:
    return [
        {"id": f"C{number_of(NETWORK, user, name)[:9]}", "name": name, "is_member": member} for name, member in CHANNELS
    ]


def _new_ts() -> str:
    return f"{int(time.time())}.{next(_ts_counter) % 1_000_000:06d}"


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    uploads: dict[str, dict[str, Any]] = {}

    def _caller(request: Request) -> str | JSONResponse:
        """The token's user, or Slack's answer to a missing, unknown or revoked token (HTTP 200)."""
        family = state.bearer(request, NETWORK)
        if family is not None:
            return family.user
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with state.lock:
            revoked = any(token in f.access_tokens and f.revoked for f in state.families) if token else False
        return _fail("token_revoked" if revoked else ("invalid_auth" if token else "not_authed"))

    async def _params(request: Request) -> dict[str, Any]:
        values: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            if request.headers.get("content-type", "").startswith("application/json"):
                body = await request.json()
                values.update(body if isinstance(body, dict) else {})
            else:
                values.update({k: v for k, v in (await request.form()).items() if isinstance(v, str)})
        return values

    def _channel(user: str, channel_id: str) -> dict[str, Any] | None:
        return next((c for c in _channels(user) if c["id"] == channel_id), None)

    def _message(post: EmulatedPost) -> dict[str, Any]:
        figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
        message: dict[str, Any] = {
            "type": "message",
            "ts": post.id,
            "user": post.extra["user"],
            "bot_id": post.extra["bot_id"],
            "text": post.text,
            "reply_count": figures["reply_count"],
        }
        if figures["reactions"]:
            message["reactions"] = [{"name": "thumbsup", "count": figures["reactions"], "users": []}]
        if post.extra["files"]:
            message["files"] = [{"id": f} for f in post.extra["files"]]
        return message

    def _add(user: str, channel: dict[str, Any], text: str, files: list[str], media: list[dict[str, Any]]) -> str:
        ts = _new_ts()
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=_team(user),
                id=ts,
                text=text,
                url=f"https://{user}.slack.com/archives/{channel['id']}/p{ts.replace('.', '')}",
                media=media,
                extra={
                    "channel": channel["id"],
                    "user": _bot_user(user),
                    "bot_id": f"B{number_of(NETWORK, user, ' bot id')[:9]}",
                    "files": files,
                },
            )
        )
        return ts

    @api.get(f"/{HOST}/api/auth.test")
    @api.post(f"/{HOST}/api/auth.test")
    async def auth_test(request: Request) -> Response:
        user = _caller(request)
        if isinstance(user, Response):
            return user
        return _ok(
            url=f"https://{user}.slack.com/",
            team=f"{user.replace('-', ' ').title()} Workspace",
            user="socialpub",
            team_id=_team(user),
            user_id=_bot_user(user),
            bot_id=f"B{number_of(NETWORK, user, ' bot id')[:9]}",
            is_enterprise_install=False,
        )

    @api.get(f"/{HOST}/api/conversations.list")
    async def conversations_list(request: Request) -> Response:
        user = _caller(request)
        if isinstance(user, Response):
            return user
        if (fault := await state.before(NETWORK, "channels")) is not None:
            return fault
        values = await _params(request)
        types = {t.strip() for t in str(values.get("types") or "public_channel").split(",") if t.strip()}
        if types - {"public_channel", "private_channel", "mpim", "im"}:
            return _fail("invalid_types")
        if types - {"public_channel"}:  # the app asks channels:read only (private ones need groups:read)
            return _fail("missing_scope")
        try:
            limit = int(values.get("limit") or 100)
        except ValueError:
            return _fail("invalid_limit")
        limit = min(max(limit, 1), 1000)
        channels = [
            {**c, "is_channel": True, "is_private": False, "is_archived": False, "num_members": 12}
            for c in _channels(user)
        ]
        start = 0
        if values.get("cursor"):  # Slack's cursors are opaque base64; this one names the next channel
            try:
                after = base64.b64decode(str(values["cursor"]), validate=True).decode().removeprefix("next:")
            except (binascii.Error, UnicodeDecodeError):
                return _fail("invalid_cursor")
            start = next((i for i, c in enumerate(channels) if c["id"] == after), -1)
            if start < 0:
                return _fail("invalid_cursor")
        page = channels[start : start + limit]
        rest = channels[start + limit :]
        cursor = base64.b64encode(f"next:{rest[0]['id']}".encode()).decode() if rest else ""
        return _ok(channels=page, response_metadata={"next_cursor": cursor})

    @api.post(f"/{HOST}/api/chat.postMessage")
    async def post_message(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "chat.postMessage")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        values = await _params(request)
        channel = _channel(user, str(values.get("channel") or ""))
        if channel is None:
            return _fail("channel_not_found")
        if not channel["is_member"]:
            return _fail("not_in_channel")
        text = str(values.get("text") or "")
        if not text.strip():
            return _fail("no_text")
        if len(text) > MAX_TEXT:
            return _fail("msg_too_long")
        ts = _add(user, channel, text, [], [])
        message = {"type": "message", "text": text, "user": _bot_user(user), "ts": ts}
        return await state.after(NETWORK, "chat.postMessage", _ok(channel=channel["id"], ts=ts, message=message))

    @api.get(f"/{HOST}/api/files.getUploadURLExternal")
    @api.post(f"/{HOST}/api/files.getUploadURLExternal")
    async def get_upload_url(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "files.getUploadURLExternal")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        values = await _params(request)
        filename = str(values.get("filename") or "")
        length = str(values.get("length") or "")
        if not filename or not length.isdigit() or int(length) < 1:
            return _fail("invalid_arguments")
        file_id = f"F{secrets.token_hex(5).upper()}"
        uploads[file_id] = {
            "user": user,
            "filename": filename,
            "length": int(length),
            "alt": values.get("alt_txt"),
            "data": None,
            "key": secrets.token_urlsafe(12),
            "shared": False,
        }
        upload_url = f"https://{FILES_HOST}/upload/v1/{uploads[file_id]['key']}"
        return await state.after(NETWORK, "files.getUploadURLExternal", _ok(upload_url=upload_url, file_id=file_id))

    @api.post(f"/{FILES_HOST}/upload/v1/{{key}}")
    async def upload(key: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "upload")) is not None:
            return fault
        entry = next((u for u in uploads.values() if u["key"] == key), None)
        if entry is None:
            return PlainTextResponse("Invalid upload URL", status_code=404)
        mime = request.headers.get("content-type", "")
        if mime.startswith("multipart/form-data"):
            part = (await request.form()).get("file")
            if not isinstance(part, UploadFile):
                return PlainTextResponse("No file", status_code=400)
            data, mime = await part.read(), part.content_type or ""
        else:
            data = await request.body()
        if len(data) != entry["length"]:
            return PlainTextResponse("Length mismatch", status_code=400)
        entry["data"], entry["mime"] = data, mime
        return await state.after(NETWORK, "upload", PlainTextResponse(f"OK - {len(data)}"))

    @api.post(f"/{HOST}/api/files.completeUploadExternal")
    async def complete_upload(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "files.completeUploadExternal")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        values = await _params(request)
        raw = values.get("files")
        try:
            files = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return _fail("invalid_arguments")
        if not isinstance(files, list) or not files or len(files) > MAX_FILES:
            return _fail("invalid_arguments")
        entries = []
        for item in files:
            entry = uploads.get(str(item.get("id") if isinstance(item, dict) else ""))
            if entry is None or entry["user"] != user or entry["data"] is None or entry["shared"]:
                return _fail("file_not_found")
            entries.append((str(item["id"]), item, entry))
        channel_id = str(values.get("channel_id") or "")
        channel = _channel(user, channel_id) if channel_id else None
        if channel_id and channel is None:
            return _fail("channel_not_found")
        if channel is not None and not channel["is_member"]:
            return _fail("not_in_channel")
        text = str(values.get("initial_comment") or "")
        if len(text) > MAX_TEXT:
            return _fail("msg_too_long")
        for _, _, entry in entries:
            entry["shared"] = True
        if channel is not None:
            media = [digest(e["data"], e.get("mime") or None, e["alt"] or None) for _, _, e in entries]
            _add(user, channel, text, [file_id for file_id, _, _ in entries], media)
        answer = [{"id": file_id, "title": item.get("title") or e["filename"]} for file_id, item, e in entries]
        return await state.after(NETWORK, "files.completeUploadExternal", _ok(files=answer))

    @api.get(f"/{HOST}/api/conversations.history")
    async def history(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "history")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        channel = _channel(user, request.query_params.get("channel", ""))
        if channel is None:
            return _fail("channel_not_found")
        if not channel["is_member"]:
            return _fail("not_in_channel")
        oldest = float(request.query_params.get("oldest") or 0)
        limit = max(1, min(int(request.query_params.get("limit") or 100), 999))
        posts = [
            p
            for p in state.posts_of(NETWORK, _team(user))
            if p.extra["channel"] == channel["id"] and float(p.id) >= oldest
        ]
        posts.sort(key=lambda p: float(p.id), reverse=True)
        return _ok(messages=[_message(p) for p in posts[:limit]], has_more=len(posts) > limit)

    @api.get(f"/{HOST}/api/conversations.replies")
    async def replies(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        channel = _channel(user, request.query_params.get("channel", ""))
        if channel is None:
            return _fail("channel_not_found")
        ts = request.query_params.get("ts", "")
        post = next(
            (p for p in state.posts_of(NETWORK, _team(user)) if p.id == ts and p.extra["channel"] == channel["id"]),
            None,
        )
        if post is None:
            return _fail("thread_not_found")
        return _ok(messages=[_message(post)], has_more=False)

    state.post_figures[NETWORK] = POST_FIGURES
    return api
