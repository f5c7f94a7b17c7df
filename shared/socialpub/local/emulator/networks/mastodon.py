"""Mastodon's publishing API (docs.joinmastodon.org/methods/media, /methods/statuses), on any instance.

- ``POST /api/v2/media`` (multipart ``file``, ``description``): 200 with ``url`` for images; 202 with
  ``url: null`` for video, which ``GET /api/v1/media/:id`` answers 206 until processed, then 200.
- ``POST /api/v1/statuses`` (``status``, ``media_ids[]``, ``in_reply_to_id``, ``visibility``,
  ``spoiler_text``, ``sensitive``), honouring ``Idempotency-Key``: the same key from the same account
  returns the status it created instead of a second one.
- ``GET /api/v1/accounts/:id/statuses``: the account's statuses, newest first.
- ``GET /api/v1/statuses?id[]=`` (at most 20): the statuses found, with ``favourites_count``,
  ``reblogs_count``, ``replies_count``, ``quotes_count`` (growing with time since posting, or as set
  through ``/_emulator/metrics``); unknown ids are left out. More than 20 ids: 422.
- ``GET /api/v1/accounts/:id``: the account with ``followers_count``, ``following_count``, ``statuses_count``.

Fault endpoints: ``media``, ``statuses``, ``insights`` (statuses read), ``account_insights``.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.counting import mastodon_length
from socialpub.local.emulator.scopes import Requirement, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import (
    EmulatedPost,
    EmulatorState,
    digest,
    new_number,
    number_of,
    unauthorized,
)

NETWORK = "mastodon"
MAX_CHARACTERS = 500  # the default instance limit (docs.joinmastodon.org/user/posting/#text)
MAX_STATUS_IDS = 20
POST_FIGURES = ("favourites_count", "reblogs_count", "replies_count", "quotes_count")
ACCOUNT_FIGURES = ("followers_count", "following_count", "statuses_count")

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Mastodon",
    docs="https://docs.joinmastodon.org/methods/oauth/",
    api="https://{instance}",
    authorization_url="https://{instance}/oauth/authorize",
    token_url="https://{instance}/oauth/token",
    revoke_url="https://{instance}/oauth/revoke",
    app_registration_url="https://{instance}/api/v1/apps",
    per_instance=True,
    profile=Profile(
        url="https://{instance}/api/v1/accounts/verify_credentials",
        fields={
            "id": "id",
            "name": "display_name",
            "username": "acct",
            "image": "avatar",
            "followers": "followers_count",
            "following": "following_count",
            "posts": "statuses_count",
        },
    ),
)


def _status(instance: str, post: EmulatedPost, username: str) -> dict[str, Any]:
    return {
        "id": post.id,
        "uri": f"https://{instance}/users/{username}/statuses/{post.id}",
        "url": post.url,
        "created_at": datetime.fromtimestamp(post.created_at, UTC).isoformat().replace("+00:00", "Z"),
        "content": f"<p>{html.escape(post.text)}</p>",
        "visibility": post.extra.get("visibility", "public"),
        "sensitive": post.extra.get("sensitive", False),
        "spoiler_text": post.extra.get("spoiler_text", ""),
        "in_reply_to_id": post.reply_to,
        "account": {"id": post.account, "username": username, "acct": username},
        "media_attachments": [{"id": m["id"], "type": m["type"], "description": m.get("alt_text")} for m in post.media],
    }


# The scopes each endpoint needs (docs.joinmastodon.org/api/oauth-scopes: POST /api/v1/statuses needs
# write:statuses, POST /api/v2/media write:media (or the whole write); outside them, 403).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "statuses": (("write:statuses", "write"),),
    "media": (("write:media", "write"),),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (("write:statuses", "write"),)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse({"error": "This action is outside the authorized scopes"}, status_code=403)


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN
    keys: dict[tuple[str, str], str] = {}  # (account, Idempotency-Key) -> status id

    def _author(request: Request) -> tuple[str, str] | None:
        family = state.bearer(request, NETWORK)
        return (number_of(NETWORK, family.user, ""), family.user) if family else None

    @api.post("/{instance}/api/v2/media")
    async def upload_media(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["media"], _lacks_scope)) is not None:
            return refused
        if _author(request) is None:
            return unauthorized(platform)
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return JSONResponse({"error": "Validation failed: File can't be blank"}, status_code=422)
        data = await upload.read()
        mime = upload.content_type or "application/octet-stream"
        kind = "video" if mime.startswith("video/") else "image"
        description = form.get("description")
        media_id = state.new_object(
            "mastodon_media",
            type=kind,
            file=digest(data, mime, str(description) if description else None),
        )
        body = {
            "id": media_id,
            "type": kind,
            "url": None if kind == "video" else f"https://{instance}/system/media/{media_id}",
            "description": description,
        }
        return await state.after(NETWORK, "media", JSONResponse(body, status_code=202 if kind == "video" else 200))

    @api.get("/{instance}/api/v1/media/{media_id}")
    async def get_media(instance: str, media_id: str, request: Request) -> Response:
        if _author(request) is None:
            return unauthorized(platform)
        found = state.poll(media_id)
        if found is None:
            return JSONResponse({"error": "Record not found"}, status_code=404)
        done = found["type"] != "video" or found["done"]
        body = {"id": media_id, "type": found["type"], "url": f"https://{instance}/system/media/{media_id}"}
        if not done:
            body["url"] = None
        return JSONResponse(body, status_code=200 if done else 206)

    @api.post("/{instance}/api/v1/statuses")
    async def create_status(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "statuses")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["statuses"], _lacks_scope)) is not None:
            return refused
        author = _author(request)
        if author is None:
            return unauthorized(platform)
        account, username = author
        key = request.headers.get("idempotency-key")
        if key and (account, key) in keys:
            existing = next(p for p in state.posts_of(NETWORK, account) if p.id == keys[(account, key)])
            return JSONResponse(_status(instance, existing, username))
        if request.headers.get("content-type", "").startswith("application/json"):
            body: dict[str, Any] = await request.json()
        else:
            form = await request.form()
            body = {k: v for k, v in form.items() if not k.endswith("[]")}
            body["media_ids"] = form.getlist("media_ids[]")
        text = str(body.get("status") or "")
        media_ids = [str(m) for m in body.get("media_ids") or []]
        if not text and not media_ids:
            return JSONResponse({"error": "Validation failed: Text can't be blank"}, status_code=422)
        # Mastodon counts the content warning with the text, links as 23 and remote mentions by their
        # local part (docs.joinmastodon.org/user/posting/#text, StatusLengthValidator).
        if mastodon_length(str(body.get("spoiler_text") or "") + text) > MAX_CHARACTERS:
            return JSONResponse(
                {"error": f"Validation failed: Text character limit of {MAX_CHARACTERS} exceeded"}, status_code=422
            )
        media = []
        for media_id in media_ids:
            found = state.objects.get(media_id)
            if found is None or found["kind"] != "mastodon_media":
                return JSONResponse({"error": "Validation failed: Media not found"}, status_code=422)
            if found["type"] == "video" and found["polls"] <= state.polls_to_finish:
                return JSONResponse({"error": "Cannot attach files that have not finished processing"}, 422)
            media.append({"id": media_id, "type": found["type"], **found["file"]})
        reply_to = str(body["in_reply_to_id"]) if body.get("in_reply_to_id") else None
        if reply_to and not any(p.id == reply_to for p in state.posts_of(NETWORK)):
            return JSONResponse({"error": "Record not found"}, status_code=404)
        status_id = new_number()
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=account,
                id=status_id,
                text=text,
                url=f"https://{instance}/@{username}/{status_id}",
                media=media,
                reply_to=reply_to,
                extra={
                    "visibility": body.get("visibility") or "public",
                    "spoiler_text": body.get("spoiler_text") or "",
                    "sensitive": str(body.get("sensitive")).lower() == "true",
                    "instance": instance,
                },
            )
        )
        if key:
            keys[(account, key)] = status_id
        return await state.after(NETWORK, "statuses", JSONResponse(_status(instance, post, username)))

    @api.get("/{instance}/api/v1/accounts/{account_id}/statuses")
    async def account_statuses(instance: str, account_id: str, request: Request) -> Response:
        author = _author(request)
        if author is None:
            return unauthorized(platform)
        limit = int(request.query_params.get("limit", "20"))
        posts = sorted(state.posts_of(NETWORK, account_id), key=lambda p: p.created_at, reverse=True)[:limit]
        return JSONResponse([_status(instance, p, author[1]) for p in posts])

    @api.get("/{instance}/api/v1/statuses")
    async def statuses(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        author = _author(request)
        if author is None:
            return unauthorized(platform)
        ids = request.query_params.getlist("id[]")
        if len(ids) > MAX_STATUS_IDS:
            return JSONResponse({"error": f"Too many ids (at most {MAX_STATUS_IDS})"}, status_code=422)
        found = [p for p in state.posts_of(NETWORK) if p.id in ids and p.extra.get("instance") == instance]
        return JSONResponse(
            [_status(instance, p, author[1]) | state.figures(NETWORK, p.id, POST_FIGURES, p.created_at) for p in found]
        )

    # Numeric ids only: ``verify_credentials`` (the profile, served by the app) is not an account id.
    @api.get("/{instance}/api/v1/accounts/{number:int}")
    async def account(instance: str, number: int, request: Request) -> Response:
        account_id = str(number)
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        author = _author(request)
        if author is None:
            return unauthorized(platform)
        if account_id != author[0]:
            return JSONResponse({"error": "Record not found"}, status_code=404)
        figures = state.figures(NETWORK, account_id, ACCOUNT_FIGURES, 0.0)
        return JSONResponse({"id": account_id, "username": author[1], "acct": author[1], **figures})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
