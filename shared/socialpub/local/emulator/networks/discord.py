"""Discord's API v10 as a bot uses it to post (discord.com/developers/docs/resources/message), at
``/discord.com/api/v10/...``. Calls carry the application's bot token, ``Authorization: Bot <token>``
(``bot_token(client_id)`` makes an app's token here: its first part is the app's id, as Discord's
first part is the bot's). A user's OAuth token is refused there, as Discord does (401
``{"message": "401: Unauthorized", "code": 0}``), whatever its prefix. The bot is in the guild of each
user who granted the app the ``bot`` scope at sign-in (``number_of("discord", user, " Guild")``), with
the channels ``#general`` (text, type 0) and ``#announcements`` (announcement, type 5), ids
``number_of("discord", user, " #<name>")``. A bot token is live while one such grant is (revoking
every Discord token, ``/_emulator/revoke``, stands for the token being reset: 401).

- ``GET /channels/{id}``: a channel or thread (404 Unknown Channel 10003; another guild's: 403
  Missing Access 50001);
- ``POST /channels/{id}/messages``: JSON, or multipart ``payload_json`` + ``files[n]`` (matched to
  ``attachments[n]``, whose ``description`` is alt text); ``content`` up to 2,000 characters (50035
  Invalid Form Body), not empty (50006), files up to 25 MiB (413, 40005); ``nonce`` with
  ``enforce_nonce`` returns the message the same author made with that nonce in the past 5 minutes;
- ``GET /channels/{id}/messages?limit=``: newest first;
- ``POST /channels/{id}/messages/{message.id}/threads`` (``name`` 1-100): a thread whose id is the
  message's (160004 if the message already has one); messages in it are held with the parent
  channel as account, the thread as ``extra["channel_id"]`` and the starter message as ``reply_to``.

Ids are snowflakes (their top bits are the creation time). Errors are ``{"code", "message"}``;
401 is ``{"message": "401: Unauthorized", "code": 0}``.

Fault endpoints: ``messages``, ``threads``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, number_of, same_provider

NETWORK = "discord"
API = "/discord.com/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
# Limits (the emulator's own, never the product's catalog): content up to 2,000 characters
# (discord.com/developers/docs/resources/message#create-message).
MAX_CONTENT = 2000
MAX_FILE = 25 * 1024 * 1024
NONCE_SECONDS = 300
CHANNELS = {"general": 0, "announcements": 5}
THREAD_TYPE = {0: 11, 5: 10}  # a thread's type follows its parent's: public thread, announcement thread

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Discord",
    docs="https://discord.com/developers/docs/topics/oauth2",
    api="https://discord.com/api/v10",
    authorization_url="https://discord.com/oauth2/authorize",
    token_url="https://discord.com/api/oauth2/token",
    access_token_ttl=604_800,
    refresh_tokens=True,
    revoke_url="https://discord.com/api/oauth2/token/revoke",
    profile=Profile(
        url="https://discord.com/api/v10/users/@me",
        fields={"id": "id", "name": "global_name", "username": "username", "image": "avatar"},
    ),
)


def bot_token(client_id: str) -> str:
    """The emulated bot token of an application: ``<base64 app id>.<timestamp part>.<signature>``."""
    head = base64.urlsafe_b64encode(client_id.encode()).decode().rstrip("=")
    return f"{head}.emulated.{_signature(client_id)}"


def _signature(client_id: str) -> str:
    return hashlib.sha256(f"emulated discord bot {client_id}".encode()).hexdigest()[:27]


def app_of_bot_token(token: str) -> str | None:
    """The application a bot token belongs to, or None for anything else (a user's OAuth token)."""
    head, _, rest = token.partition(".")
    try:
        client_id = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id if client_id and rest == f"emulated.{_signature(client_id)}" else None


def _error(message: str, code: int, status: int = 400, errors: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def _too_long(field: str, limit: int) -> JSONResponse:
    problem = {"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {limit} or fewer in length."}
    return _error("Invalid Form Body", 50035, errors={field: {"_errors": [problem]}})


def _timestamp(created_at: float) -> str:
    return datetime.fromtimestamp(created_at, UTC).isoformat()


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN
    counter = itertools.count()
    threads: dict[str, dict[str, Any]] = {}  # thread id -> channel object
    nonces: dict[tuple[str, str], tuple[str, float]] = {}  # (channel, nonce) -> (message id, when)
    bot = {"id": number_of(NETWORK, "bot"), "username": "socialpub", "discriminator": "0", "bot": True}

    def snowflake() -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        with state.lock:
            sequence = next(counter) & 0xFFF
        return str((ms << 22) | sequence)

    def bot_guild_users(request: Request) -> list[str] | None:
        """The users in whose guilds the bot of the request's bot token is; None: no live bot token
        (a user's OAuth token, as ``Bot`` or ``Bearer``, is not one)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        client_id = app_of_bot_token(token.strip()) if scheme == "Bot" else None
        if client_id is None:
            return None
        with state.lock:
            users = {
                f.user
                for f in state.families
                if f.client_id == client_id  # first: only the app's grants are asked their provider
                and same_provider(f.network, platform)
                and not f.revoked
                and "bot" in f.scope.split()
            }
        return sorted(users) or None

    def guild_channels(user: str) -> dict[str, dict[str, Any]]:
        guild = number_of(NETWORK, user, " Guild")
        return {
            number_of(NETWORK, user, f" #{name}"): {
                "id": number_of(NETWORK, user, f" #{name}"),
                "type": kind,
                "guild_id": guild,
                "name": name,
                "position": position,
                "parent_id": None,
                "nsfw": False,
            }
            for position, (name, kind) in enumerate(CHANNELS.items())
        }

    def channel_of(users: list[str], channel_id: str) -> dict[str, Any] | JSONResponse:
        """The channel or thread the bot (in the guilds of ``users``) may post in, or Discord's refusal."""
        own = {k: v for user in users for k, v in guild_channels(user).items()}
        found = own.get(channel_id) or threads.get(channel_id)
        if found is not None and found["guild_id"] in {number_of(NETWORK, user, " Guild") for user in users}:
            return found
        with state.lock:
            everyone = {f.user for f in state.families if f.network == NETWORK}
        if found is not None or any(channel_id in guild_channels(u) for u in everyone):
            return _error("Missing Access", 50001, 403)
        return _error("Unknown Channel", 10003, 404)

    def unauthorized() -> JSONResponse:
        return _error("401: Unauthorized", 0, 401)

    def message_of(post: EmulatedPost) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": post.id,
            "type": 0 if post.reply_to is None or post.extra.get("in_thread") else 19,
            "channel_id": post.extra["channel_id"],
            "author": bot,
            "content": post.text,
            "timestamp": _timestamp(post.created_at),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "attachments": [
                {
                    "id": m["id"],
                    "filename": m["filename"],
                    "size": m["size"],
                    "content_type": m.get("mime_type"),
                    "url": f"https://cdn.discordapp.com/attachments/{post.extra['channel_id']}/{m['id']}/{m['filename']}",
                    **({"description": m["alt_text"]} if m.get("alt_text") else {}),
                }
                for m in post.media
            ],
            "embeds": post.extra.get("embeds", []),
            "pinned": False,
            "flags": 0,
        }
        if post.extra.get("thread"):
            found["thread"] = post.extra["thread"]
        return found

    async def payload_of(request: Request) -> tuple[dict[str, Any], dict[str, UploadFile]] | JSONResponse:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            files = {k: v for k, v in form.multi_items() if isinstance(v, UploadFile)}
            raw = form.get("payload_json")
            try:
                payload = json.loads(raw) if isinstance(raw, str) else {}
            except ValueError:
                return _error("Invalid Form Body", 50035, errors={"payload_json": {"_errors": []}})
            return (payload if isinstance(payload, dict) else {}), files
        try:
            payload = await request.json()
        except ValueError:
            return _error("400: Bad Request", 0)
        return (payload if isinstance(payload, dict) else {}), {}

    @api.get(API + "/channels/{channel_id}")
    async def get_channel(channel_id: str, request: Request) -> Response:
        users = bot_guild_users(request)
        if users is None:
            return unauthorized()
        found = channel_of(users, channel_id)
        return found if isinstance(found, JSONResponse) else JSONResponse(found)

    @api.post(API + "/channels/{channel_id}/messages")
    async def create_message(channel_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "messages")) is not None:
            return fault
        users = bot_guild_users(request)
        if users is None:
            return unauthorized()
        channel = channel_of(users, channel_id)
        if isinstance(channel, JSONResponse):
            return channel
        parsed = await payload_of(request)
        if isinstance(parsed, JSONResponse):
            return parsed
        payload, files = parsed
        nonce = str(payload["nonce"]) if payload.get("nonce") is not None else None
        if nonce is not None and len(nonce) > 25:
            return _too_long("nonce", 25)
        if nonce and payload.get("enforce_nonce"):
            with state.lock:
                known = nonces.get((channel_id, nonce))
            if known and time.time() - known[1] < NONCE_SECONDS:
                existing = next((p for p in state.posts_of(NETWORK) if p.id == known[0]), None)
                if existing is not None:
                    return JSONResponse(message_of(existing))
        content = str(payload.get("content") or "")
        if len(content) > MAX_CONTENT:
            return _too_long("content", MAX_CONTENT)
        embeds = payload.get("embeds") or []
        if not content and not embeds and not files:
            return _error("Cannot send an empty message", 50006)
        described = {str(a.get("id")): a for a in payload.get("attachments") or [] if isinstance(a, dict)}
        media = []
        for field, upload in files.items():
            data = await upload.read()
            if len(data) > MAX_FILE:
                return _error("Request entity too large", 40005, 413)
            index = field.removeprefix("files[").removesuffix("]")
            attachment = described.get(index, {})
            media.append(
                {
                    "id": snowflake(),
                    "filename": str(attachment.get("filename") or upload.filename or "file"),
                    **digest(data, upload.content_type, attachment.get("description")),
                }
            )
        in_thread = channel["id"] in threads
        reference = payload.get("message_reference") or {}
        reply_to = channel["id"] if in_thread else (str(reference["message_id"]) if reference else None)
        message_id = snowflake()
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=str(channel["parent_id"] if in_thread else channel["id"]),
                id=message_id,
                text=content,
                url=f"https://discord.com/channels/{channel['guild_id']}/{channel['id']}/{message_id}",
                media=media,
                reply_to=reply_to,
                extra={
                    "channel_id": channel["id"],
                    "guild_id": channel["guild_id"],
                    "in_thread": in_thread,
                    "embeds": embeds,
                    "nonce": nonce,
                    "username": payload.get("username"),
                },
            )
        )
        if nonce:
            with state.lock:
                nonces[(channel_id, nonce)] = (message_id, time.time())
        answer = {**message_of(post), "nonce": nonce} if nonce else message_of(post)
        return await state.after(NETWORK, "messages", JSONResponse(answer))

    @api.get(API + "/channels/{channel_id}/messages")
    async def list_messages(channel_id: str, request: Request) -> Response:
        users = bot_guild_users(request)
        if users is None:
            return unauthorized()
        channel = channel_of(users, channel_id)
        if isinstance(channel, JSONResponse):
            return channel
        try:
            limit = int(request.query_params.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            problem = {"code": "NUMBER_TYPE_MAX", "message": "int value should be less than or equal to 100."}
            return _error("Invalid Form Body", 50035, errors={"limit": {"_errors": [problem]}})
        held = [p for p in state.posts_of(NETWORK) if p.extra.get("channel_id") == channel_id]
        held.sort(key=lambda p: int(p.id), reverse=True)
        return JSONResponse([message_of(p) for p in held[:limit]])

    @api.post(API + "/channels/{channel_id}/messages/{message_id}/threads")
    async def start_thread(channel_id: str, message_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "threads")) is not None:
            return fault
        users = bot_guild_users(request)
        if users is None:
            return unauthorized()
        channel = channel_of(users, channel_id)
        if isinstance(channel, JSONResponse):
            return channel
        starter = next(
            (p for p in state.posts_of(NETWORK) if p.id == message_id and p.extra.get("channel_id") == channel_id),
            None,
        )
        if starter is None:
            return _error("Unknown Message", 10008, 404)
        payload = await request.json()
        name = str(payload.get("name") or "") if isinstance(payload, dict) else ""
        if not 1 <= len(name) <= 100:
            problem = {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}
            return _error("Invalid Form Body", 50035, errors={"name": {"_errors": [problem]}})
        if channel["type"] not in THREAD_TYPE:
            return _error("Cannot execute action on this channel type", 50024)
        if message_id in threads:
            return _error("A thread has already been created for this message", 160004)
        archive = int(payload.get("auto_archive_duration") or 4320)
        thread = {
            "id": message_id,
            "type": THREAD_TYPE[channel["type"]],
            "guild_id": channel["guild_id"],
            "parent_id": channel_id,
            "owner_id": bot["id"],
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": archive,
                "archive_timestamp": _timestamp(time.time()),
                "locked": False,
            },
        }
        with state.lock:
            threads[message_id] = thread
            starter.title = name
            starter.extra["thread"] = thread
        return await state.after(NETWORK, "threads", JSONResponse(thread, status_code=201))

    return api
