"""Facebook Pages' publishing API on the Graph API (developers.facebook.com/docs/pages-api/posts), with a
page access token. Also home of the Graph helpers the Instagram and Threads emulators share (params
read from query and body, error bodies, node field selection, timestamps, shortcodes).

- ``POST /{page-id}/photos`` (``url`` pulled by the network, ``published``, ``caption``,
  ``alt_text_custom``): ``{"id"}``; ``published=false`` keeps the photo unpublished, to be attached to a
  feed post; a published photo is a post of its own (``{"id", "post_id"}``).
- ``POST /{page-id}/feed`` (``message``, ``link``, ``attached_media[n]={"media_fbid": ...}``):
  ``{"id": "{page-id}_{post-id}"}``; the same text posted twice in a row is refused (#506).
- ``POST /{page-id}/videos`` (``file_url`` pulled, ``description``, ``title``): ``{"id": video-id}``; the
  video is processing (``status.video_status``) for ``polls_to_finish`` reads, then ``ready``.
- ``GET /{page-id}/feed``, ``GET /{page-id}/videos``: the page's posts and videos, newest first.
- ``GET /{page-id}_{post-id}``, ``POST|GET /{page-id}_{post-id}/comments``: a post, its comments.
- Stories (developers.facebook.com/docs/page-stories-api): ``POST /{page-id}/photo_stories``
  (``photo_id`` of an unpublished photo of the page, not used before): ``{"success", "post_id"}``.
  ``POST /{page-id}/video_stories``: ``upload_phase=start`` answers ``video_id`` and ``upload_url``
  (``rupload.facebook.com/video-upload/v21.0/{video-id}``, which takes the file by URL: headers
  ``Authorization: OAuth <token>`` and ``file_url``, answering ``{"success": true}``);
  ``upload_phase=finish`` with ``video_id`` publishes it (``{"success", "post_id"}``).
  ``GET /{page-id}/stories`` (routed in ``networks/instagram.py``, which owns ``/{id}/stories`` on
  this host) lists ``post_id``, ``status``, ``creation_time``, ``media_type``, ``media_id``, ``url``.

- Insights (developers.facebook.com/docs/graph-api/reference/page-post/insights): the multi-id read
  ``GET /?ids=a,b&fields=insights.metric(post_impressions,post_impressions_unique,post_clicks),
  reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares`` answers
  ``{"a": {"id", "insights": {"data": [{"name", "period": "lifetime", "values": [{"value"}]}]},
  "reactions": {"data": [], "summary": {"total_count"}}, "comments": ..., "shares": {"count"}}}``
  (``shares`` left out when 0, as Graph does); figures grow with time since posting, or as set through
  ``/_emulator/metrics``. At most 50 ids; an id that is not one of the token's pages' posts fails the
  read (#803 "Some of the aliases you requested do not exist"); an unknown metric is #100.
  ``GET /{page-id}?fields=followers_count,fan_count``: the page's figures.

Numeric nodes (``GET /{id}``, ``POST|GET /{id}/comments``) and the multi-id read (``GET /?ids=``) are
shared with Instagram on this host: they are routed in ``networks/instagram.py``, which answers
Facebook's videos, photos, pages and posts' insights with ``node()``, ``page()``, ``insights_node()``,
``add_comment()`` and ``comments()`` from here.

Fault endpoints: ``photos``, ``feed``, ``videos``, ``comments``, ``photo_stories``, ``video_stories``,
``rupload``, ``insights`` (the multi-id read of posts), ``account_insights`` (the page read).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.scopes import Requirement, refusal
from socialpub.local.emulator.signin import LongLivedExchange, Profile, SignIn
from socialpub.local.emulator.state import (
    EmulatedPost,
    EmulatorState,
    digest,
    fetch,
    new_number,
    number_of,
    unauthorized,
)

NETWORK = "facebook"
GRAPH = "/graph.facebook.com/v21.0"
RUPLOAD = "/rupload.facebook.com/video-upload/v21.0"
# Limits (the emulator's own, never the product's catalog): a post's message up to 63,206 characters and
# up to 10 attached photos (developers.facebook.com/docs/pages-api/posts).
MAX_CHARACTERS = 63206
MAX_ATTACHED = 10
SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
MAX_IDS = 50  # Graph's multi-id read
POST_INSIGHTS = ("post_impressions", "post_impressions_unique", "post_clicks")
POST_FIGURES = (*POST_INSIGHTS, "reactions", "comments", "shares")
ACCOUNT_FIGURES = ("followers_count", "fan_count")
# Graph's answer to a missing, expired or revoked token (error code 190), for every Meta network.
GRAPH_UNAUTHORIZED = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Facebook",
    docs="https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow",
    api="https://graph.facebook.com/v21.0",
    authorization_url="https://www.facebook.com/v21.0/dialog/oauth",
    token_url="https://graph.facebook.com/v21.0/oauth/access_token",
    long_lived=LongLivedExchange(
        "https://graph.facebook.com/v21.0/oauth/access_token", "fb_exchange_token", "fb_exchange_token"
    ),
    revoke_url="https://graph.facebook.com/v21.0/me/permissions",
    revoke_method="DELETE",
    profile=Profile(
        url="https://graph.facebook.com/v21.0/me/accounts?fields=id,name,category,access_token,picture,followers_count",
        choices="data",
        token="access_token",
        fields={
            "id": "id",
            "name": "name",
            "image": "picture.data.url",
            "followers": "followers_count",
            "category": "category",
        },
    ),
    unauthorized=GRAPH_UNAUTHORIZED,
)


# ---------------------------------------------------------------------- Graph helpers


def graph_error(
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    status: int = 400,
    kind: str = "OAuthException",
    user_message: str | None = None,
) -> JSONResponse:
    """Graph's error body; most refusals are HTTP 400 and told apart by ``code``/``error_subcode``."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": new_number()}
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_message:
        error["error_user_msg"] = user_message
    return JSONResponse({"error": error}, status_code=status)


def missing(object_id: str, method: str = "get") -> JSONResponse:
    """What Graph answers for an id that does not exist or that the token may not reach."""
    return graph_error(
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        100,
        subcode=33,
        kind="GraphMethodException",
    )


async def graph_params(request: Request) -> dict[str, str]:
    """Graph takes parameters in the query string or the body (form or JSON), alike."""
    params = dict(request.query_params)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            body = await request.json()
            for key, value in (body if isinstance(body, dict) else {}).items():
                params[key] = value if isinstance(value, str) else json.dumps(value)
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
    params.pop("access_token", None)
    return params


def truthy(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.strip().lower() in ("true", "1")


def graph_time(timestamp: float) -> str:
    """Graph's timestamps: ``2024-05-01T12:34:56+0000``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def requested(params: dict[str, str]) -> list[str]:
    return [f.strip() for f in params.get("fields", "").split(",") if f.strip()]


def select(node: dict[str, Any], fields: list[str], node_type: str) -> JSONResponse:
    """The ``id`` and the asked fields of a node, as Graph answers; an unknown field is an error."""
    for name in fields:
        if name not in node:
            return graph_error(f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})", 100)
    body = {"id": node["id"], **{name: node[name] for name in fields if node[name] is not None}}
    return JSONResponse(body)


def listing(nodes: list[dict[str, Any]], params: dict[str, str], node_type: str) -> JSONResponse:
    """An edge: ``{"data": [...], "paging": ...}`` with the asked fields of each node."""
    fields = requested(params) or ["id"]
    limit = int(params.get("limit") or 25)
    data = []
    for node in nodes[:limit]:
        for name in fields:
            if name not in node:
                return graph_error(f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})", 100)
        data.append({"id": node["id"], **{name: node[name] for name in fields if node[name] is not None}})
    body: dict[str, Any] = {"data": data}
    if data:
        body["paging"] = {"cursors": {"before": data[0]["id"], "after": data[-1]["id"]}}
    return JSONResponse(body)


def _split(text: str, separator: str) -> list[str]:
    """``text`` cut at each ``separator`` outside parentheses and braces."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == separator and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (ch in "({") - (ch in ")}")
        current += ch
    return [*parts, current]


def expansion(fields: str) -> dict[str, dict[str, str]]:
    """Graph's field expansion: ``insights.metric(a,b),comments.summary(total_count).limit(0),shares``
    -> ``{"insights": {"metric": "a,b"}, "comments": {"summary": "total_count", "limit": "0"}, "shares": {}}``."""
    expanded: dict[str, dict[str, str]] = {}
    for item in (i.strip() for i in _split(fields, ",")):
        if not item:
            continue
        name, *modifiers = _split(item, ".")
        expanded[name] = {}
        for modifier in modifiers:
            found = re.fullmatch(r"(\w+)\((.*)\)", modifier)
            if found:
                expanded[name][found[1]] = found[2]
    return expanded


def insights_edge(object_id: str, metrics: list[str], figures: dict[str, int]) -> dict[str, Any]:
    """An ``insights`` edge of lifetime metrics, as Graph answers it for a post or media."""
    data = [
        {
            "name": name,
            "period": "lifetime",
            "values": [{"value": figures[name]}],
            "title": name.replace("_", " ").capitalize(),
            "description": f"Lifetime: {name.replace('_', ' ')}",
            "id": f"{object_id}/insights/{name}/lifetime",
        }
        for name in metrics
    ]
    return {"data": data, "paging": {"previous": "", "next": ""}}


def shortcode(media_id: str) -> str:
    """Instagram and Threads name a post in its URL by its numeric id in base 64."""
    number, code = int(media_id), ""
    while number:
        number, rest = divmod(number, 64)
        code = SHORTCODE_ALPHABET[rest] + code
    return code or "A"


def newest_first(posts: list[EmulatedPost]) -> list[EmulatedPost]:
    return sorted(posts, key=lambda p: p.created_at, reverse=True)


# ---------------------------------------------------------------------- Facebook pages


def pages_of(user: str) -> set[str]:
    """The pages the emulated profile lists for a user (app.py: suffixes " Page 1" and " Page 2")."""
    return {number_of(NETWORK, user, f" Page {index}") for index in (1, 2)}


def _post_node(post: EmulatedPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "message": post.text or None,
        "created_time": graph_time(post.created_at),
        "permalink_url": post.url,
        "from": {"id": post.account},
    }


def _video_node(state: EmulatorState, post: EmulatedPost, *, counting: bool) -> dict[str, Any]:
    found = state.poll(post.id) if counting else state.objects.get(post.id)
    done = bool(found and (found.get("done") or found["polls"] > state.polls_to_finish))
    return {
        "id": post.id,
        "title": post.title,
        "description": post.text or None,
        "created_time": graph_time(post.created_at),
        "updated_time": graph_time(post.created_at),
        # Graph answers the video's permalink relative to facebook.com.
        "permalink_url": post.url.removeprefix("https://www.facebook.com"),
        "status": {"video_status": "ready" if done else "processing", "processing_progress": 100 if done else 40},
        "from": {"id": post.account},
    }


def _comment_node(post: EmulatedPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "message": post.text,
        "created_time": graph_time(post.created_at),
        "from": {"id": post.account},
    }


def _find(state: EmulatorState, object_id: str, pages: set[str]) -> EmulatedPost | None:
    return next((p for p in state.posts_of(NETWORK) if p.id == object_id and p.account in pages), None)


def node(state: EmulatorState, object_id: str, user: str, params: dict[str, str]) -> Response | None:
    """A Facebook node with a numeric id (video, photo), or None when it is not one of the user's."""
    pages = pages_of(user)
    post = _find(state, object_id, pages)
    if post is not None and post.extra.get("kind") == "video":
        fields = requested(params)
        return select(_video_node(state, post, counting="status" in fields), fields, "Video")
    with state.lock:
        photo = dict(state.objects.get(object_id) or {})
    if photo.get("kind") == "fb_photo" and photo.get("page") in pages:
        values = {"id": object_id, "created_time": graph_time(photo["created_at"]), "alt_text_custom": photo["alt"]}
        return select(values, requested(params), "Photo")
    return None


def page(state: EmulatorState, page_id: str, user: str) -> dict[str, Any] | None:
    """A page of the user's, with its figures (``followers_count``, ``fan_count``), or None."""
    for index in (1, 2):
        if page_id == number_of(NETWORK, user, f" Page {index}"):
            name = f"{user.replace('-', ' ').title()} Page {index}"
            return {"id": page_id, "name": name, **state.figures(NETWORK, page_id, ACCOUNT_FIGURES, 0.0)}
    return None


def insights_node(
    state: EmulatorState, object_id: str, user: str, fields: dict[str, dict[str, str]]
) -> dict[str, Any] | Response | None:
    """A post of the user's pages as the multi-id read answers it for ``fields`` (None: not one)."""
    post = _find(state, object_id, pages_of(user))
    if post is None or post.extra.get("kind") not in ("post", "photo", "video", "story"):
        return None
    figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
    plain = _post_node(post)
    node: dict[str, Any] = {"id": post.id}
    for name, modifiers in fields.items():
        if name == "insights":
            metrics = [m.strip() for m in modifiers.get("metric", "").split(",") if m.strip()] or list(POST_INSIGHTS)
            if any(m not in POST_INSIGHTS for m in metrics):
                return graph_error("(#100) The value must be a valid insights metric", 100)
            node["insights"] = insights_edge(post.id, metrics, figures)
        elif name in ("reactions", "comments"):
            node[name] = {"data": [], "summary": {"total_count": figures[name]}}
        elif name == "shares":
            if figures["shares"]:  # Graph leaves shares out of a post nobody shared
                node["shares"] = {"count": figures["shares"]}
        elif name in plain:
            node[name] = plain[name]
        else:
            return graph_error(f"(#100) Tried accessing nonexisting field ({name}) on node type (Post)", 100)
    return node


def commentable(state: EmulatorState, object_id: str, user: str) -> EmulatedPost | None:
    post = _find(state, object_id, pages_of(user))
    return post if post is not None and post.extra.get("kind") in ("post", "video", "photo") else None


async def add_comment(state: EmulatorState, request: Request, target: EmulatedPost) -> Response:
    """``POST /{object-id}/comments`` on a page's post or video, commenting as the page."""
    params = await graph_params(request)
    message = params.get("message", "")
    if not message and not params.get("attachment_url"):
        return graph_error("(#100) Missing message or attachment", 100)
    comment_id = f"{target.id.split('_')[-1]}_{new_number()}"
    state.add_post(
        EmulatedPost(
            network=NETWORK,
            account=target.account,
            id=comment_id,
            text=message,
            url=f"{target.url}?comment_id={comment_id.split('_')[-1]}",
            reply_to=target.id,
            extra={"kind": "comment"},
        )
    )
    return await state.after(NETWORK, "comments", JSONResponse({"id": comment_id}))


def comments(state: EmulatorState, target: EmulatedPost, params: dict[str, str]) -> Response:
    found = [p for p in state.posts_of(NETWORK) if p.reply_to == target.id and p.extra.get("kind") == "comment"]
    return listing([_comment_node(p) for p in newest_first(found)], params, "Comment")


def _story_node(post: EmulatedPost) -> dict[str, Any]:
    return {
        "post_id": post.id,
        "status": "PUBLISHED",
        "creation_time": str(int(post.created_at)),
        "media_type": post.extra["media_type"],
        "media_id": post.extra["media_id"],
        "url": post.url,
    }


def stories(state: EmulatorState, page_id: str, user: str, params: dict[str, str]) -> Response | None:
    """``GET /{page-id}/stories``: the page's stories, newest first (None when it is not the user's page)."""
    if page_id not in pages_of(user):
        return None
    found = [p for p in state.posts_of(NETWORK, page_id) if p.extra.get("kind") == "story"]
    fields = requested(params) or ["post_id", "status", "creation_time", "media_type", "media_id", "url"]
    data = []
    for node in (_story_node(p) for p in newest_first(found)):
        for name in fields:
            if name not in node:
                return graph_error(f"(#100) Tried accessing nonexisting field ({name}) on node type (Stories)", 100)
        data.append({name: node[name] for name in fields})
    return JSONResponse({"data": data[: int(params.get("limit") or 25)]})


def _add_story(state: EmulatorState, page_id: str, media_type: str, media_id: str, file: dict[str, Any]) -> str:
    number = new_number()
    state.add_post(
        EmulatedPost(
            network=NETWORK,
            account=page_id,
            id=number,
            text="",
            url=f"https://www.facebook.com/stories/{page_id}/{number}/",
            media=[file],
            extra={"kind": "story", "media_type": media_type, "media_id": media_id},
        )
    )
    return number


# The scopes each endpoint needs (developers.facebook.com/docs/pages-api/posts: publishing to a page needs
# pages_manage_posts and pages_read_engagement; without them Graph answers (#200), an OAuthException with HTTP 403).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "photos": (
        "pages_manage_posts",
        "pages_read_engagement",
    ),
    "feed": (
        "pages_manage_posts",
        "pages_read_engagement",
    ),
    "videos": (
        "pages_manage_posts",
        "pages_read_engagement",
    ),
    "photo_stories": (
        "pages_manage_posts",
        "pages_read_engagement",
    ),
    "video_stories": (
        "pages_manage_posts",
        "pages_read_engagement",
    ),
    "rupload": (
        "pages_manage_posts",
        "pages_read_engagement",
    ),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (
    "pages_manage_posts",
    "pages_read_engagement",
)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse(
        {
            "error": {
                "message": "(#200) The user hasn't authorized the application to perform this action",
                "type": "OAuthException",
                "code": 200,
            }
        },
        status_code=403,
    )


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    async def _pull(url: str) -> bytes | None:
        return await fetch(url) if url.startswith(("http://", "https://")) else None

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES

    @api.post(GRAPH + "/{page_id}/photos")
    async def add_photo(page_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "photos")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["photos"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id, "post")
        params = await graph_params(request)
        url = params.get("url", "")
        if not url:
            return graph_error("(#324) Requires upload file", 324)
        data = await _pull(url)
        if data is None or not data.startswith((b"\xff\xd8", b"\x89PNG", b"GIF8", b"RIFF", b"BM")):
            return graph_error("(#324) Missing or invalid image file", 324)
        alt = params.get("alt_text_custom") or None
        photo = digest(data, "image/png" if data.startswith(b"\x89PNG") else "image/jpeg", alt)
        photo_id = state.new_object("fb_photo", page=page_id, file=photo, alt=alt, created_at=time.time())
        body: dict[str, Any] = {"id": photo_id}
        if truthy(params.get("published"), default=True):
            number = new_number()
            state.add_post(
                EmulatedPost(
                    network=NETWORK,
                    account=page_id,
                    id=f"{page_id}_{number}",
                    text=params.get("caption") or params.get("message") or "",
                    url=f"https://www.facebook.com/{page_id}/posts/{number}",
                    media=[photo],
                    extra={"kind": "photo"},
                )
            )
            body["post_id"] = f"{page_id}_{number}"
        return await state.after(NETWORK, "photos", JSONResponse(body))

    @api.post(GRAPH + "/{page_id}/feed")
    async def add_feed_post(page_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "feed")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["feed"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id, "post")
        params = await graph_params(request)
        message, link = params.get("message", ""), params.get("link") or None
        attached: list[str] = []
        try:
            if params.get("attached_media"):
                attached = [str(m["media_fbid"]) for m in json.loads(params["attached_media"])]
            for index in range(MAX_ATTACHED + 1):
                if f"attached_media[{index}]" in params:
                    attached.append(str(json.loads(params[f"attached_media[{index}]"])["media_fbid"]))
        except (ValueError, KeyError, TypeError):
            return graph_error("(#100) param attached_media must be an array of {media_fbid} objects", 100)
        if not message and not link and not attached:
            return graph_error("(#100) Missing message or attachment", 100)
        if len(message) > MAX_CHARACTERS:
            return graph_error("(#100) The message is too long", 100)
        if len(attached) > MAX_ATTACHED:
            return graph_error(f"(#100) A post can have at most {MAX_ATTACHED} attached photos", 100)
        media = []
        with state.lock:
            photos = {i: dict(state.objects.get(i) or {}) for i in attached}
        for index, photo_id in enumerate(attached):
            photo = photos[photo_id]
            if photo.get("kind") != "fb_photo" or photo.get("page") != page_id:
                return graph_error(f"(#100) param attached_media[{index}] has invalid media_fbid {photo_id}", 100)
            media.append({"id": photo_id, **photo["file"]})
        latest = next(
            iter(newest_first([p for p in state.posts_of(NETWORK, page_id) if p.extra["kind"] == "post"])), None
        )
        if (
            message
            and not attached
            and latest is not None
            and (latest.text, latest.extra.get("link")) == (message, link)
        ):
            return graph_error(
                "(#506) Duplicate status message",
                506,
                user_message="This status update is identical to the last one you posted.",
            )
        number = new_number()
        post_id = f"{page_id}_{number}"
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=page_id,
                id=post_id,
                text=message,
                url=f"https://www.facebook.com/{page_id}/posts/{number}",
                media=media,
                extra={"kind": "post", "link": link},
            )
        )
        return await state.after(NETWORK, "feed", JSONResponse({"id": post_id}))

    @api.post(GRAPH + "/{page_id}/videos")
    async def add_video(page_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "videos")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["videos"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id, "post")
        params = await graph_params(request)
        url = params.get("file_url", "")
        if not url:
            return graph_error("(#100) No file_url or source was given", 100)
        data = await _pull(url)
        if data is None or data[4:8] != b"ftyp":
            return graph_error(
                "There was a problem uploading your video file. Please try again with another file.",
                6000,
                subcode=1363130,
                user_message="The video file could not be downloaded or is not a supported format.",
            )
        description = params.get("description", "")
        if len(description) > MAX_CHARACTERS:
            return graph_error("(#100) The description is too long", 100)
        video_id = state.new_object("fb_video", page=page_id)
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=page_id,
                id=video_id,
                text=description,
                title=params.get("title") or None,
                url=f"https://www.facebook.com/{page_id}/videos/{video_id}/",
                media=[{"type": "video", **digest(data, "video/mp4")}],
                extra={"kind": "video"},
            )
        )
        return await state.after(NETWORK, "videos", JSONResponse({"id": video_id}))

    @api.post(GRAPH + "/{page_id}/photo_stories")
    async def add_photo_story(page_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "photo_stories")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["photo_stories"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id, "post")
        photo_id = (await graph_params(request)).get("photo_id", "")
        with state.lock:
            photo = state.objects.get(photo_id)
            usable = bool(photo and photo["kind"] == "fb_photo" and photo["page"] == page_id and not photo.get("story"))
            if usable and photo is not None:
                photo["story"] = True  # a photo makes one story
        if not usable or photo is None:
            return graph_error(f"(#100) Invalid photo_id {photo_id}: an unpublished photo of this Page", 100)
        post_id = _add_story(state, page_id, "photo", photo_id, photo["file"])
        return await state.after(NETWORK, "photo_stories", JSONResponse({"success": True, "post_id": post_id}))

    @api.post(GRAPH + "/{page_id}/video_stories")
    async def video_story(page_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "video_stories")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["video_stories"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id, "post")
        params = await graph_params(request)
        phase = params.get("upload_phase", "")
        if phase == "start":
            video_id = state.new_object("fb_story_video", page=page_id, file=None, published=False)
            body = {"video_id": video_id, "upload_url": f"https://rupload.facebook.com/video-upload/v21.0/{video_id}"}
            return await state.after(NETWORK, "video_stories", JSONResponse(body))
        if phase != "finish":
            return graph_error("(#100) upload_phase must be one of start, finish", 100)
        video_id = params.get("video_id", "")
        with state.lock:
            video = state.objects.get(video_id)
            ready = bool(video and video["kind"] == "fb_story_video" and video["page"] == page_id)
            uploaded = ready and video is not None and video["file"] is not None and not video["published"]
            if uploaded and video is not None:
                video["published"] = True
        if not ready or video is None:
            return graph_error(f"(#100) Invalid video_id {video_id}", 100)
        if not uploaded:
            return graph_error("(#100) The video has not been uploaded, or is already a story", 100)
        post_id = _add_story(state, page_id, "video", video_id, video["file"])
        return await state.after(NETWORK, "video_stories", JSONResponse({"success": True, "post_id": post_id}))

    @api.post(RUPLOAD + "/{video_id}")
    async def rupload(video_id: str, request: Request) -> Response:
        """Meta's upload host: the file of an upload session, here by URL (``file_url``)."""
        if (fault := await state.before(NETWORK, "rupload")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["rupload"], _lacks_scope)) is not None:
            return refused
        token = request.headers.get("authorization", "").removeprefix("OAuth ").strip()
        with state.lock:
            family = state.family_of_access(token) if token else None
            video = dict(state.objects.get(video_id) or {})
        if family is None:
            return unauthorized(platform)
        if video.get("kind") != "fb_story_video" or video["page"] not in pages_of(family.user):
            return JSONResponse(
                {"debug_info": {"retriable": False, "type": "NotFoundError", "message": "Unknown upload session"}}, 400
            )
        data = await _pull(request.headers.get("file_url", ""))
        if data is None or data[4:8] != b"ftyp":
            return JSONResponse(
                {"debug_info": {"retriable": False, "type": "ProcessingFailedError", "message": "Invalid file_url"}},
                400,
            )
        with state.lock:
            state.objects[video_id]["file"] = {"type": "video", **digest(data, "video/mp4")}
        return await state.after(NETWORK, "rupload", JSONResponse({"success": True}))

    @api.get(GRAPH + "/{page_id}/feed")
    async def page_feed(page_id: str, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id)
        posts = [p for p in state.posts_of(NETWORK, page_id) if p.extra.get("kind") in ("post", "photo", "video")]
        return listing([_post_node(p) for p in newest_first(posts)], await graph_params(request), "Post")

    @api.get(GRAPH + "/{page_id}/videos")
    async def page_videos(page_id: str, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if page_id not in pages_of(user):
            return missing(page_id)
        videos = [p for p in state.posts_of(NETWORK, page_id) if p.extra.get("kind") == "video"]
        nodes = [_video_node(state, p, counting=False) for p in newest_first(videos)]
        return listing(nodes, await graph_params(request), "Video")

    @api.get(GRAPH + "/{page_id:int}_{number:int}")
    async def read_post(page_id: int, number: int, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        post = _find(state, f"{page_id}_{number}", pages_of(user))
        if post is None:
            return missing(f"{page_id}_{number}")
        return select(_post_node(post), requested(await graph_params(request)), "Post")

    @api.post(GRAPH + "/{page_id:int}_{number:int}/comments")
    async def comment_post(page_id: int, number: int, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "comments")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        target = commentable(state, f"{page_id}_{number}", user)
        if target is None:
            return missing(f"{page_id}_{number}", "post")
        return await add_comment(state, request, target)

    @api.get(GRAPH + "/{page_id:int}_{number:int}/comments")
    async def post_comments(page_id: int, number: int, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        target = commentable(state, f"{page_id}_{number}", user)
        if target is None:
            return missing(f"{page_id}_{number}")
        return comments(state, target, await graph_params(request))

    return api
