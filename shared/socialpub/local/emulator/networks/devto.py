"""Dev.to's articles API (developers.forem.com/api/v1), at ``/dev.to/api/...``, with Forem's own rules
and answers. Every call carries the user's API key in the ``api-key`` header; a missing, malformed or
revoked key is ``401 {"error": "unauthorized", "status": 401}``. A well-formed key (16-64 letters,
digits, ``_`` or ``-``) the emulator has not seen is a new user's; ``POST /_emulator/revoke`` revokes
every key of the network.

- ``GET /api/users/me``: the key's user (``id``, ``username``, ``name``, ``profile_image``...).
- ``POST /api/articles`` (``{"article": {title, body_markdown, published, tags, canonical_url, series,
  main_image, description}}``): 201 with the article. Forem's validation, answered
  ``422 {"error": "Validation failed: ...", "status": 422}``: a title is required and at most 128
  characters, the Markdown body at most 800 KB, at most 4 tags, each letters and digits only (at
  most 30). Without ``published: true`` the article is a draft (no ``published_at``).
- ``GET /api/articles/me/all?page=&per_page=`` (``per_page`` at most 1,000): the user's articles, drafts
  first then newest first, each with ``page_views_count``, ``public_reactions_count`` and
  ``comments_count`` (growing with time since publishing, or as set through ``/_emulator/metrics``).

Fault endpoints: ``profile`` (users/me), ``articles`` (create), ``insights`` (me/all).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, new_number, number_of

NETWORK = "devto"
KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_TITLE = 128  # Forem: validates :title, length: { maximum: 128 }
MAX_BODY_BYTES = 800 * 1024  # Forem: body_markdown bytesize at most 800 kilobytes
MAX_TAGS = 4
TAG = re.compile(r"^[A-Za-z0-9]{1,30}$")
MAX_PER_PAGE = 1000
POST_FIGURES = ("page_views_count", "public_reactions_count", "comments_count")
UNAUTHORIZED = {"error": "unauthorized", "status": 401}

# No OAuth: the user makes an API key at dev.to/settings/extensions; GET /api/users/me proves it.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Dev.to",
    docs="https://developers.forem.com/api/v1#tag/users/operation/getUserMe",
    api="https://dev.to/api",
    profile=Profile(
        url="https://dev.to/api/users/me",
        fields={"id": "id", "name": "name", "username": "username", "image": "profile_image"},
    ),
    unauthorized=UNAUTHORIZED,
)


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status)


def _unauthorized() -> JSONResponse:
    return JSONResponse(UNAUTHORIZED, status_code=401)


def _slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "article"
    return f"{words}-{secrets.token_hex(2)}"


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _problems(article: dict[str, Any]) -> list[str]:
    """Forem's validation messages for an article, in its words."""
    found = []
    title = article.get("title")
    if not isinstance(title, str) or not title.strip():
        found.append("Title can't be blank")
    elif len(title) > MAX_TITLE:
        found.append(f"Title is too long (maximum is {MAX_TITLE} characters)")
    body = article.get("body_markdown")
    if body is not None and not isinstance(body, str):
        found.append("Body markdown is invalid")
    elif body and len(body.encode()) > MAX_BODY_BYTES:
        found.append("Body markdown is too long")
    tags = article.get("tags", [])
    if isinstance(tags, str):  # Forem also takes "a, b, c"
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    if not isinstance(tags, list):
        found.append("Tag list is invalid")
    else:
        if len(tags) > MAX_TAGS:
            found.append(f"Tag list exceed the maximum of {MAX_TAGS} tags")
        found.extend(
            f'Tag "{tag}" contains non-alphanumeric or prohibited unicode characters'
            for tag in tags
            if not isinstance(tag, str) or not TAG.match(tag)
        )
    for name in ("canonical_url", "main_image"):
        value = article.get(name)
        if value is not None and not (isinstance(value, str) and re.match(r"^https?://\S+$", value)):
            found.append(f"{name.replace('_', ' ').capitalize()} must be a URL")
    return found


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def user_of(request: Request) -> str | None:
        """The user whose API key the request carries (None: no such live key)."""
        key = request.headers.get("api-key", "").strip()
        if not KEY.match(key):
            return None
        return state.personal_key(NETWORK, key, "dev-" + hashlib.sha256(key.encode()).hexdigest()[:8])

    def user_body(user: str) -> dict[str, Any]:
        return {
            "type_of": "user",
            "id": int(number_of(NETWORK, user)),
            "username": user.replace("-", "_"),
            "name": user.replace("-", " ").title(),
            "summary": None,
            "joined_at": "Jan 1, 2024",
            "profile_image": f"https://media2.dev.to/dynamic/image/{user}.png",
        }

    def article_body(post: EmulatedPost) -> dict[str, Any]:
        published = bool(post.extra.get("published"))
        figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at) if published else {}
        return {
            "type_of": "article",
            "id": int(post.id),
            "title": post.title,
            "description": post.extra.get("description") or post.text[:140],
            "published": published,
            "published_at": _stamp(post.created_at) if published else None,
            "slug": post.extra["slug"],
            "path": "/" + post.url.split("/", 3)[-1],
            "url": post.url,
            "canonical_url": post.extra.get("canonical_url") or post.url,
            "cover_image": post.extra.get("main_image"),
            "tag_list": post.extra.get("tags", []),
            "series": post.extra.get("series"),
            "body_markdown": post.text,
            "page_views_count": figures.get("page_views_count", 0),
            "public_reactions_count": figures.get("public_reactions_count", 0),
            "comments_count": figures.get("comments_count", 0),
            "user": {"username": post.extra["username"]},
        }

    @api.get("/dev.to/api/users/me")
    async def me(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "profile")) is not None:
            return fault
        user = user_of(request)
        return _unauthorized() if user is None else JSONResponse(user_body(user))

    @api.post("/dev.to/api/articles")
    async def create(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "articles")) is not None:
            return fault
        user = user_of(request)
        if user is None:
            return _unauthorized()
        try:
            payload = await request.json()
        except ValueError:
            return _error("param is missing or the value is empty: article", 400)
        article = payload.get("article") if isinstance(payload, dict) else None
        if not isinstance(article, dict):
            return _error("param is missing or the value is empty: article", 400)
        problems = _problems(article)
        if problems:
            return _error("Validation failed: " + ", ".join(problems), 422)
        profile = user_body(user)
        slug = _slug(article["title"])
        tags = article.get("tags") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=str(profile["id"]),
                id=new_number()[:9],
                text=article.get("body_markdown") or "",
                url=f"https://dev.to/{profile['username']}/{slug}",
                title=article["title"],
                extra={
                    "slug": slug,
                    "username": profile["username"],
                    "published": article.get("published") is True,
                    "tags": [t.lower() for t in tags],
                    **{
                        k: article[k]
                        for k in ("canonical_url", "series", "main_image", "description")
                        if article.get(k) is not None
                    },
                },
            )
        )
        return await state.after(NETWORK, "articles", JSONResponse(article_body(post), status_code=201))

    @api.get("/dev.to/api/articles/me/all")
    async def mine(request: Request, page: int = 1, per_page: int = 30) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = user_of(request)
        if user is None:
            return _unauthorized()
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            return _error(f"per_page must be between 1 and {MAX_PER_PAGE}", 400)
        posts = state.posts_of(NETWORK, str(user_body(user)["id"]))
        ordered = sorted(posts, key=lambda p: (bool(p.extra.get("published")), -p.created_at))
        chosen = ordered[(page - 1) * per_page : page * per_page]
        return JSONResponse([article_body(p) for p in chosen])

    state.post_figures[NETWORK] = POST_FIGURES
    return api
