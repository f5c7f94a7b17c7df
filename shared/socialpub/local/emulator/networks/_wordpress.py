"""The WordPress REST API v2 (developer.wordpress.org/rest-api/reference/), as both WordPress.com
(``public-api.wordpress.com/wp/v2/sites/{site}``) and a self-hosted site (``{host}/wp-json/wp/v2``)
serve it: a helper of ``wordpress`` and ``wordpress_selfhosted`` (not a network of its own).

- ``POST /media``: the file as the raw body (``Content-Disposition: attachment; filename=...``,
  ``Content-Type``), ``alt_text`` as a parameter: 201 with ``id``, ``source_url``.
- ``GET /tags?search=``, ``POST /tags`` (``name``; an existing one is 400 ``term_exists`` with its id).
- ``POST /posts`` (``title``, ``content``, ``status``, ``categories``, ``tags``, ``featured_media``,
  ``excerpt``, ``slug``): 201 with the post (``title.raw``, ``link``...). ``status`` outside publish,
  future, draft, pending, private is 400 ``rest_invalid_param``; an unknown ``featured_media`` 400
  ``rest_invalid_featured_media``; an unknown category or tag id 400 ``rest_invalid_param``.
- ``GET /posts?search=&after=&status=&context=edit``: the site's posts, newest first.
- ``GET /comments?post=``: the post's comments, their number in ``X-WP-Total`` (as the figure
  ``comments``: growing with time, or as set through ``/_emulator/metrics``).

Errors are WordPress's ``{"code", "message", "data": {"status"}}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, new_number

STATUSES = ("publish", "future", "draft", "pending", "private")
CATEGORIES = {1: "Uncategorized", 2: "News", 3: "Releases"}
FILENAME = re.compile(r'filename="?([^";]+)"?')


def wp_error(status: int, code: str, message: str, **data: Any) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": {"status": status, **data}}, status_code=status)


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S")


# (request, the path's parameters) -> (the author's id, the site's key, the site's base URL) or an
# error answer to send as is.
Who = Callable[[Request, dict[str, str]], tuple[str, str, str] | Response]


def wp_routes(state: EmulatorState, network: str, prefix: str, who: Who) -> APIRouter:
    """The REST routes under ``prefix`` (which may hold ``{site}`` or ``{instance}``)."""
    api = APIRouter()
    tags: dict[tuple[str, str], dict[int, str]] = {}  # (network, site) -> id -> name

    def _site_tags(site: str) -> dict[int, str]:
        return tags.setdefault((network, site), {})

    async def caller(request: Request, fault: str | None = None) -> tuple[str, str, str] | Response:
        """The author, site and base URL of a call, or what to answer instead (a fault set, a refusal)."""
        if fault is not None and (answer := await state.before(network, fault)) is not None:
            return answer
        return who(request, dict(request.path_params))

    @api.post(f"{prefix}/media")
    async def upload(request: Request) -> Response:
        found = await caller(request, "media")
        if isinstance(found, Response):
            return found
        _, site, base = found
        data = await request.body()
        name = FILENAME.search(request.headers.get("content-disposition", ""))
        if not data or name is None:
            return wp_error(400, "rest_upload_no_data", "No data supplied.")
        mime = request.headers.get("content-type", "application/octet-stream").split(";")[0]
        if not mime.startswith(("image/", "video/", "audio/", "application/pdf")):
            return wp_error(500, "rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.")
        alt = request.query_params.get("alt_text")
        media_id = new_number()[:9]
        source = f"{base}/wp-content/uploads/{name.group(1)}"
        state.new_object(f"{network}_media", site=site, media_id=media_id, source=source, file=digest(data, mime, alt))
        body = {"id": int(media_id), "source_url": source, "alt_text": alt or "", "mime_type": mime}
        return await state.after(network, "media", JSONResponse(body, status_code=201))

    def _media(site: str, media_id: int) -> dict[str, Any] | None:
        with state.lock:
            return next(
                (
                    o
                    for o in state.objects.values()
                    if o["kind"] == f"{network}_media" and o["site"] == site and o["media_id"] == str(media_id)
                ),
                None,
            )

    @api.get(f"{prefix}/tags")
    async def list_tags(request: Request) -> Response:
        found = await caller(request)
        if isinstance(found, Response):
            return found
        search = request.query_params.get("search", "").lower()
        known = _site_tags(found[1])
        return JSONResponse([{"id": i, "name": n} for i, n in known.items() if search in n.lower()])

    @api.post(f"{prefix}/tags")
    async def create_tag(request: Request) -> Response:
        found = await caller(request)
        if isinstance(found, Response):
            return found
        name = str((await request.json()).get("name") or "").strip()
        if not name:
            return wp_error(400, "rest_missing_callback_param", "Missing parameter(s): name")
        known = _site_tags(found[1])
        existing = next((i for i, n in known.items() if n.lower() == name.lower()), None)
        if existing is not None:
            return wp_error(
                400, "term_exists", "A term with the name provided already exists in this taxonomy.", term_id=existing
            )
        tag_id = 100 + len(known)
        known[tag_id] = name
        return JSONResponse({"id": tag_id, "name": name}, status_code=201)

    def _view(post: EmulatedPost) -> dict[str, Any]:
        return {
            "id": int(post.id),
            "date_gmt": _iso(post.created_at),
            "link": post.url,
            "status": post.extra["status"],
            "title": {"raw": post.title, "rendered": post.title},
            "content": {"raw": post.text, "rendered": f"<p>{post.text}</p>"},
            "author": int(post.account) if post.account.isdigit() else 0,
            "featured_media": post.extra["featured_media"],
            "categories": post.extra["categories"],
            "tags": post.extra["tags"],
        }

    @api.post(f"{prefix}/posts")
    async def create_post(request: Request) -> Response:
        found = await caller(request, "posts")
        if isinstance(found, Response):
            return found
        author, site, base = found
        body: dict[str, Any] = await request.json()
        status = str(body.get("status") or "draft")
        if status not in STATUSES:
            return wp_error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): status",
                params={"status": f"status is not one of {', '.join(STATUSES)}."},
            )
        categories = [int(c) for c in body.get("categories") or []]
        known_tags = _site_tags(site)
        tag_ids = [int(t) for t in body.get("tags") or []]
        if any(c not in CATEGORIES for c in categories) or any(t not in known_tags for t in tag_ids):
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): categories, tags")
        media: list[dict[str, Any]] = []
        featured = int(body.get("featured_media") or 0)
        if featured:
            found_media = _media(site, featured)
            if found_media is None:
                return wp_error(400, "rest_invalid_featured_media", "Invalid featured media ID.")
            media.append({"type": "image", **found_media["file"]})
        post_id = new_number()[:9]
        post = state.add_post(
            EmulatedPost(
                network=network,
                account=author,
                id=post_id,
                text=str(body.get("content") or ""),
                title=str(body.get("title") or ""),
                url=f"{base}/?p={post_id}",
                media=media,
                extra={
                    "site": site,
                    "status": status,
                    "categories": categories,
                    "tags": tag_ids,
                    "tag_names": [known_tags[t] for t in tag_ids],
                    "featured_media": featured,
                    "excerpt": body.get("excerpt"),
                    "slug": body.get("slug"),
                },
            )
        )
        return await state.after(network, "posts", JSONResponse(_view(post), status_code=201))

    @api.get(f"{prefix}/posts")
    async def list_posts(request: Request) -> Response:
        found = await caller(request)
        if isinstance(found, Response):
            return found
        q = request.query_params
        statuses = set((q.get("status") or "publish").split(","))
        after = q.get("after")
        search = (q.get("search") or "").lower()
        posts = [
            p
            for p in state.posts_of(network)
            if p.extra["site"] == found[1]
            and p.extra["status"] in statuses
            and (not after or _iso(p.created_at) > after[:19])
            and (search in (p.title or "").lower() or search in p.text.lower())
        ]
        posts.sort(key=lambda p: p.created_at, reverse=True)
        per_page = max(1, min(int(q.get("per_page") or 10), 100))
        return JSONResponse([_view(p) for p in posts[:per_page]])

    @api.get(f"{prefix}/comments")
    async def comments(request: Request) -> Response:
        found = await caller(request, "insights")
        if isinstance(found, Response):
            return found
        post_id = request.query_params.get("post", "")
        post = next((p for p in state.posts_of(network) if p.id == post_id and p.extra["site"] == found[1]), None)
        if post is None:
            return wp_error(400, "rest_post_invalid_id", "Invalid post ID.")
        figures = state.figures(network, post.id, state.post_figures.get(network, ()), post.created_at)
        return JSONResponse([], headers={"X-WP-Total": str(figures.get("comments", 0)), "X-WP-TotalPages": "0"})

    return api
