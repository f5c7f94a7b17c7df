"""Tumblr's API v2 (tumblr.com/docs/en/api/v2) with NPF posts (tumblr.com/docs/npf), with its own rules.

- Sign-in: OAuth 2 (``/oauth2/authorize``, ``/v2/oauth2/token``, refresh tokens with ``offline_access``,
  a new refresh token at each refresh), served by the emulator's app from ``SIGN_IN``.
- ``GET /v2/user/info``: the user and the blogs they own (``response.user.blogs``: ``name``, ``uuid``,
  ``title``, ``url``, ``avatar``, ``followers``, ``posts``, ``primary``); two blogs per user.
- ``POST /v2/blog/{blog}/posts``: an NPF post, as JSON or as multipart/form-data (part ``json`` and one
  part per media file, named by the ``identifier`` its block names). Blocks: ``text`` (at most 4,096
  characters, code points: this emulator's cap), ``image`` (``media``, ``alt_text``), ``video``,
  ``link``; at most 30 images, at most one video. ``tags``: a comma-separated string, at most 30 tags
  of 140 characters. ``state``: published, draft, queue or private. 201 with ``response.id``.
- ``GET /v2/blog/{blog}/posts`` (``id``, ``limit``, ``npf``), ``/posts/draft``, ``/posts/queue``: the
  blog's posts, newest first, with ``note_count`` (growing with time, or as set through
  ``/_emulator/metrics``).

Errors are Tumblr's envelope ``{"meta": {"status", "msg"}, "response": [], "errors": [{"title", "code",
"detail"}]}``. Fault endpoints: ``posts``, ``insights`` (posts read), ``account_insights`` (user/info).

This module keeps Tumblr's rules itself (it imports nothing of the product's domain).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from socialpub.local.emulator.scopes import Requirement, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, new_number, number_of

NETWORK = "tumblr"
HOST = "api.tumblr.com"
MAX_TEXT = 4096
MAX_IMAGES = 30
MAX_TAGS = 30
MAX_TAG = 140
STATES = {"published", "draft", "queue", "private"}
POST_FIGURES = ("note_count",)
ACCOUNT_FIGURES = ("followers", "posts")

UNAUTHORIZED = {
    "meta": {"status": 401, "msg": "Unauthorized"},
    "response": [],
    "errors": [{"title": "Unauthorized", "code": 0, "detail": "Unable to authorize"}],
}

# Sign-in as Tumblr documents it (tumblr.com/docs/en/api/v2#oauth2-authorization).
SIGN_IN = SignIn(
    network=NETWORK,
    name="Tumblr",
    docs="https://www.tumblr.com/docs/en/api/v2",
    api="https://api.tumblr.com/v2",
    authorization_url="https://www.tumblr.com/oauth2/authorize",
    token_url="https://api.tumblr.com/v2/oauth2/token",
    access_token_ttl=2520,
    refresh_tokens=True,
    rotates_refresh_token=True,
    unauthorized=UNAUTHORIZED,
    profile=Profile(
        url="https://api.tumblr.com/v2/user/info",
        choices="response.user.blogs",
        fields={
            "id": "uuid",
            "name": "title",
            "username": "name",
            "image": "avatar.0.url",
            "followers": "followers",
            "posts": "posts",
        },
    ),
)


def _error(status: int, msg: str, detail: str, code: int = 0) -> JSONResponse:
    body = {
        "meta": {"status": status, "msg": msg},
        "response": [],
        "errors": [{"title": msg, "code": code, "detail": detail}],
    }
    return JSONResponse(body, status_code=status)


def _ok(response: Any, status: int = 200, msg: str = "OK") -> JSONResponse:
    return JSONResponse({"meta": {"status": status, "msg": msg}, "response": response}, status_code=status)


def _blogs(user: str) -> list[dict[str, str]]:
    return [{"name": name, "uuid": f"t:{number_of(NETWORK, name)}"} for name in (user, f"{user}-art")]


# The scopes each endpoint needs (tumblr.com/docs/en/api/v2#oauth2-authorization: creating a post needs the write
# scope (basic reads only); without it, 403).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "posts": ("write",),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = ("write",)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse(
        {
            "meta": {"status": 403, "msg": "Forbidden"},
            "response": [],
            "errors": [{"title": "Forbidden", "code": 0, "detail": "This token was not granted the write scope."}],
        },
        status_code=403,
    )


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    def _blog_of(user: str, identifier: str) -> dict[str, str] | None:
        wanted = identifier.removesuffix(".tumblr.com")
        return next((b for b in _blogs(user) if wanted in (b["name"], b["uuid"])), None)

    @api.get(f"/{HOST}/v2/user/info")
    async def user_info(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        blogs = []
        for index, blog in enumerate(_blogs(user)):
            figures = state.figures(NETWORK, blog["uuid"], ACCOUNT_FIGURES, 0.0)
            blogs.append(
                {
                    **blog,
                    "title": blog["name"].replace("-", " ").title(),
                    "url": f"https://{blog['name']}.tumblr.com/",
                    "avatar": [{"width": 128, "height": 128, "url": f"https://64.media.tumblr.com/{blog['name']}.png"}],
                    "primary": index == 0,
                    "type": "public",
                    **figures,
                }
            )
        return _ok({"user": {"name": user, "likes": 0, "following": 12, "blogs": blogs}})

    @api.post(f"/{HOST}/v2/blog/{{blog}}/posts")
    async def create_post(blog: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "posts")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["posts"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        owned = _blog_of(user, blog)
        if owned is None:
            return _error(403, "Forbidden", "You do not have permission to post to this blog")
        files: dict[str, UploadFile] = {}
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            raw = form.get("json")
            body = json.loads(raw if isinstance(raw, str) else "{}")
            files = {k: v for k, v in form.items() if isinstance(v, UploadFile)}
        else:
            body = await request.json()
        content = body.get("content")
        if not isinstance(content, list) or not content:
            return _error(400, "Bad Request", "Post content is required", 8001)
        texts: list[str] = []
        title = None
        link = None
        media: list[dict[str, Any]] = []
        for block in content:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "text":
                text = str(block.get("text") or "")
                if len(text) > MAX_TEXT:
                    return _error(400, "Bad Request", f"Text blocks can be at most {MAX_TEXT} characters", 8001)
                if block.get("subtype") == "heading1" and title is None:
                    title = text
                else:
                    texts.append(text)
            elif kind in ("image", "video"):
                entries = block.get("media")
                entry = entries[0] if isinstance(entries, list) and entries else entries
                identifier = entry.get("identifier") if isinstance(entry, dict) else None
                upload = files.get(str(identifier)) if identifier else None
                if upload is None:
                    return _error(400, "Bad Request", f"Missing media for identifier {identifier}", 8011)
                data = await upload.read()
                mime = upload.content_type or str(entry.get("type") or "")
                alt = str(block["alt_text"]) if block.get("alt_text") else None
                media.append({"type": kind, **digest(data, mime, alt)})
            elif kind == "link":
                link = str(block.get("url") or "")
                if not link.startswith(("http://", "https://")):
                    return _error(400, "Bad Request", "Link blocks need a valid url", 8001)
            else:
                return _error(400, "Bad Request", f"Unknown block type {kind}", 8001)
        if sum(1 for m in media if m["type"] == "image") > MAX_IMAGES:
            return _error(400, "Bad Request", f"Posts can have at most {MAX_IMAGES} images", 8001)
        if sum(1 for m in media if m["type"] == "video") > 1:
            return _error(400, "Bad Request", "Posts can have at most one video", 8001)
        tags = [t.strip() for t in str(body.get("tags") or "").split(",") if t.strip()]
        if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG for t in tags):
            return _error(400, "Bad Request", f"Posts can have at most {MAX_TAGS} tags of {MAX_TAG} characters", 8001)
        post_state = str(body.get("state") or "published")
        if post_state not in STATES:
            return _error(400, "Bad Request", f"Invalid state {post_state}", 8001)
        post_id = new_number()
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=owned["uuid"],
                id=post_id,
                text="\n".join(texts),
                title=title,
                url=f"https://{owned['name']}.tumblr.com/post/{post_id}",
                media=media,
                extra={
                    "blog": owned["name"],
                    "state": post_state,
                    "tags": tags,
                    "link": link,
                    "source_url": body.get("source_url"),
                    "content": content,
                },
            )
        )
        answer = {"id": post_id, "state": post_state, "display_text": "Posted to Tumblr"}
        return await state.after(NETWORK, "posts", _ok(answer, 201, "Created"))

    def _post(post: EmulatedPost) -> dict[str, Any]:
        return {
            "id": int(post.id),
            "id_string": post.id,
            "blog_name": post.extra["blog"],
            "post_url": post.url,
            "timestamp": int(post.created_at),
            "date": datetime.fromtimestamp(post.created_at, UTC).strftime("%Y-%m-%d %H:%M:%S GMT"),
            "state": post.extra["state"],
            "tags": post.extra["tags"],
            "content": post.extra["content"],
            **state.figures(NETWORK, post.id, POST_FIGURES, post.created_at),
        }

    async def _list(blog: str, request: Request, states: set[str]) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        owned = _blog_of(user, blog)
        if owned is None:
            return _error(404, "Not Found", "Blog not found")
        wanted = request.query_params.get("id")
        posts = [
            p
            for p in state.posts_of(NETWORK, owned["uuid"])
            if p.extra["state"] in states and (wanted is None or p.id == wanted)
        ]
        if wanted is not None and not posts:
            return _error(404, "Not Found", "Post not found")
        posts.sort(key=lambda p: p.created_at, reverse=True)
        limit = max(1, min(int(request.query_params.get("limit") or 20), 50))
        return _ok({"blog": {"name": owned["name"], "uuid": owned["uuid"]}, "posts": [_post(p) for p in posts[:limit]]})

    @api.get(f"/{HOST}/v2/blog/{{blog}}/posts")
    async def posts(blog: str, request: Request) -> Response:
        return await _list(blog, request, {"published", "private"})

    @api.get(f"/{HOST}/v2/blog/{{blog}}/posts/draft")
    async def drafts(blog: str, request: Request) -> Response:
        return await _list(blog, request, {"draft"})

    @api.get(f"/{HOST}/v2/blog/{{blog}}/posts/queue")
    async def queued(blog: str, request: Request) -> Response:
        return await _list(blog, request, {"queue"})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
