"""Threads' publishing API (graph.threads.net/v1.0; developers.facebook.com/documentation/threads/posts).

- ``POST /{threads-user-id}/threads``: a container. ``media_type`` TEXT (``text``, ``link_attachment``),
  IMAGE (``image_url``, pulled at once), VIDEO (``video_url``, pulled while processing: a failed pull
  ends the container in ``ERROR`` / ``FAILED_DOWNLOADING_VIDEO``), carousel items
  (``is_carousel_item=true``) then CAROUSEL (``children``, 2-20); ``alt_text``, ``reply_to_id``,
  ``reply_control``. Text: 500 characters, emoji counted as their UTF-8 bytes.
- ``GET /{container-id}?fields=status,error_message``: IN_PROGRESS for ``polls_to_finish`` reads
  (videos), FINISHED, ERROR, PUBLISHED.
- ``POST /{threads-user-id}/threads_publish`` (``creation_id``): ``{"id": media-id}``; a container not
  finished is refused; past 250 posts in 24 h, the publishing limit.
- ``GET /{threads-user-id}/threads`` (the user's posts), ``GET /{threads-user-id}/replies`` (the user's
  replies), ``GET /{media-id}/replies`` (a post's replies), ``GET /{media-id}?fields=permalink,...``.

- ``GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares`` (developers.facebook.com/
  documentation/threads/insights): ``{"data": [{"name", "period": "lifetime", "values": [{"value"}], ...}]}``
  for the user's own posts, figures growing with time since posting (or as set through
  ``/_emulator/metrics``); an unknown media id is Graph's #100/33, an unknown metric #100.
- ``GET /{threads-user-id}/threads_insights?metric=followers_count``: ``{"data": [{"name",
  "total_value": {"value"}, ...}]}``.

``me`` stands for the token's user in the paths, as on Threads.

Fault endpoints: ``threads``, ``threads_publish``, ``insights`` (media insights), ``account_insights``
(user insights).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.networks.facebook import (
    GRAPH_UNAUTHORIZED,
    graph_error,
    graph_params,
    graph_time,
    listing,
    missing,
    newest_first,
    requested,
    select,
    shortcode,
    truthy,
)
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

NETWORK = "threads"
API = "/graph.threads.net/v1.0"
# Limits (the emulator's own, never the product's catalog), from developers.facebook.com/docs/threads/overview:
# text up to 500 characters (emoji by their UTF-8 bytes), carousels of 2-20, 250 posts a day.
MAX_CHARACTERS = 500
MIN_CHILDREN, MAX_CHILDREN = 2, 20
DAILY_LIMIT = 250
DAY = 24 * 3600
MEDIA_TYPES = ("TEXT", "IMAGE", "VIDEO", "CAROUSEL")
PUBLISHED_TYPES = {"TEXT": "TEXT_POST", "IMAGE": "IMAGE", "VIDEO": "VIDEO", "CAROUSEL": "CAROUSEL_ALBUM"}
REPLY_CONTROLS = ("everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only")
FETCH_FAILED = "Media download has failed. The media URI doesn't meet our requirements."
POST_FIGURES = ("views", "likes", "replies", "reposts", "quotes", "shares")
ACCOUNT_FIGURES = ("followers_count",)

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Threads",
    docs="https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions",
    api="https://graph.threads.net/v1.0",
    authorization_url="https://threads.net/oauth/authorize",
    token_url="https://graph.threads.net/oauth/access_token",
    access_token_ttl=5_184_000,
    self_refresh_url="https://graph.threads.net/refresh_access_token",
    long_lived=LongLivedExchange("https://graph.threads.net/access_token", "th_exchange_token", "access_token"),
    profile=Profile(
        url="https://graph.threads.net/v1.0/me?fields=id,username,name,threads_profile_picture_url",
        fields={"id": "id", "name": "name", "username": "username", "image": "threads_profile_picture_url"},
    ),
    unauthorized=GRAPH_UNAUTHORIZED,
)


def _length(text: str) -> int:
    """Threads counts emoji (characters outside the basic plane) as their UTF-8 bytes."""
    return sum(len(ch.encode()) if ord(ch) > 0xFFFF else 1 for ch in text)


def _post_node(post: EmulatedPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "text": post.text or None,
        "timestamp": graph_time(post.created_at),
        "permalink": post.url,
        "shortcode": shortcode(post.id),
        "media_type": post.extra.get("media_type"),
        "username": post.extra.get("username"),
        "is_reply": post.reply_to is not None,
        "replied_to": {"id": post.reply_to} if post.reply_to else None,
        "root_post": {"id": post.extra.get("root", post.id)},
        "alt_text": next((m.get("alt_text") for m in post.media if m.get("alt_text")), None),
        "reply_audience": post.extra.get("reply_control"),
    }


# The scopes each endpoint needs (developers.facebook.com/docs/threads/posts: making and publishing a container
# needs threads_basic and threads_content_publish; without them Graph answers (#10) with HTTP 403).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "threads": (
        "threads_basic",
        "threads_content_publish",
    ),
    "threads_publish": (
        "threads_basic",
        "threads_content_publish",
    ),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (
    "threads_basic",
    "threads_content_publish",
)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse(
        {
            "error": {
                "message": "(#10) Application does not have permission for this action",
                "type": "OAuthException",
                "code": 10,
            }
        },
        status_code=403,
    )


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN

    def _user(request: Request, user_id: str) -> tuple[str, str] | Response:
        """(user id, username) of the token's bearer, if ``user_id`` is theirs; else Graph's answer."""
        family = state.bearer(request, NETWORK)
        if family is None:
            return unauthorized(platform)
        own = number_of(NETWORK, family.user, "")
        if user_id not in (own, "me"):
            return missing(user_id, "post" if request.method == "POST" else "get")
        return own, family.user

    def _post(media_id: str) -> EmulatedPost | None:
        return next((p for p in state.posts_of(NETWORK) if p.id == media_id), None)

    @api.post(API + "/{user_id}/threads")
    async def create_container(user_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "threads")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["threads"], _lacks_scope)) is not None:
            return refused
        who = _user(request, user_id)
        if isinstance(who, Response):
            return who
        account, username = who
        params = await graph_params(request)
        media_type = params.get("media_type", "").upper()
        text = params.get("text", "")
        carousel_item = truthy(params.get("is_carousel_item"))
        if media_type not in MEDIA_TYPES:
            return graph_error(f"(#100) Param media_type must be one of {{{', '.join(MEDIA_TYPES)}}}", 100)
        if media_type == "TEXT" and not text:
            return graph_error("(#100) The parameter text is required", 100)
        if _length(text) > MAX_CHARACTERS:
            return graph_error(f"(#100) Param text must be at most {MAX_CHARACTERS} characters long.", 100)
        reply_control = params.get("reply_control")
        if reply_control and reply_control not in REPLY_CONTROLS:
            return graph_error(f"(#100) Param reply_control must be one of {{{', '.join(REPLY_CONTROLS)}}}", 100)
        reply_to = params.get("reply_to_id") or None
        if reply_to and _post(reply_to) is None:
            return missing(reply_to, "post")
        values: dict[str, Any] = {
            "account": account,
            "username": username,
            "media_type": media_type,
            "text": text,
            "carousel_item": carousel_item,
            "reply_to": reply_to,
            "reply_control": reply_control,
            "link_attachment": params.get("link_attachment") if media_type == "TEXT" else None,
            "files": [],
            "video": False,
            "status": "FINISHED",
            "error": None,
            "published": False,
        }
        if media_type == "CAROUSEL":
            children = [c.strip() for c in params.get("children", "").split(",") if c.strip()]
            if not MIN_CHILDREN <= len(children) <= MAX_CHILDREN:
                return graph_error(
                    f"(#100) A carousel must have between {MIN_CHILDREN} and {MAX_CHILDREN} children.", 100
                )
            with state.lock:
                found = {c: dict(state.objects.get(c) or {}) for c in children}
            for child_id in children:
                child = found[child_id]
                if (
                    child.get("kind") != "threads_container"
                    or child["account"] != account
                    or not child["carousel_item"]
                ):
                    return missing(child_id)
                values["files"].extend(child["files"])
                values["video"] = values["video"] or child["video"]
            values["children"] = children
        elif media_type in ("IMAGE", "VIDEO"):
            name = "image_url" if media_type == "IMAGE" else "video_url"
            url = params.get(name, "")
            if not url:
                return graph_error(f"(#100) The parameter {name} is required", 100)
            data = await fetch(url) if url.startswith(("http://", "https://")) else None
            alt = params.get("alt_text") or None
            if media_type == "IMAGE":
                if data is None or not data.startswith((b"\xff\xd8", b"\x89PNG")):
                    return graph_error(FETCH_FAILED, 9004, subcode=2207052)
                mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
                values["files"] = [{"type": "image", **digest(data, mime, alt)}]
            else:
                values["video"] = True
                if data is None or data[4:8] != b"ftyp":
                    values["status"], values["error"], data = "ERROR", "FAILED_DOWNLOADING_VIDEO", b""
                values["files"] = [{"type": "video", **digest(data, "video/mp4", alt)}]
        container_id = state.new_object("threads_container", **values)
        return await state.after(NETWORK, "threads", JSONResponse({"id": container_id}))

    @api.post(API + "/{user_id}/threads_publish")
    async def publish(user_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "threads_publish")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["threads_publish"], _lacks_scope)) is not None:
            return refused
        who = _user(request, user_id)
        if isinstance(who, Response):
            return who
        account, username = who
        params = await graph_params(request)
        creation_id = params.get("creation_id", "")
        if not creation_id:
            return graph_error("(#100) The parameter creation_id is required", 100)
        with state.lock:
            container = dict(state.objects.get(creation_id) or {})
        if container.get("kind") != "threads_container" or container["account"] != account:
            return missing(creation_id, "post")
        if container["published"]:
            return graph_error("(#100) This media container has already been published", 100)
        if container["carousel_item"]:
            return graph_error("(#100) A carousel item cannot be published on its own", 100)
        if container["status"] == "ERROR":
            return graph_error(f"The media could not be published: {container['error']}", 9004, subcode=2207052)
        if container["video"] and container["polls"] <= state.polls_to_finish:
            return graph_error(
                "Media ID is not available",
                9007,
                subcode=2207027,
                user_message="The media is not ready for publishing, please wait for a moment",
            )
        since = time.time() - DAY
        if not container["reply_to"]:
            own = [p for p in state.posts_of(NETWORK, account) if p.reply_to is None]
            if sum(p.created_at >= since for p in own) >= DAILY_LIMIT:
                return graph_error(
                    "Application request limit reached",
                    9,
                    subcode=2207042,
                    user_message="You reached the maximum number of posts that can be published in 24 hours.",
                )
        media_id = new_number()
        parent = _post(container["reply_to"]) if container["reply_to"] else None
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=account,
                id=media_id,
                text=container["text"],
                url=f"https://www.threads.net/@{username}/post/{shortcode(media_id)}",
                media=container["files"],
                reply_to=container["reply_to"],
                extra={
                    "media_type": PUBLISHED_TYPES[container["media_type"]],
                    "username": username,
                    "reply_control": container["reply_control"],
                    "link_attachment": container["link_attachment"],
                    "root": parent.extra.get("root", parent.id) if parent else media_id,
                    "container": creation_id,
                },
            )
        )
        with state.lock:
            state.objects[creation_id]["published"] = True
        return await state.after(NETWORK, "threads_publish", JSONResponse({"id": media_id}))

    @api.get(API + "/{user_id}/threads")
    async def user_threads(user_id: str, request: Request) -> Response:
        who = _user(request, user_id)
        if isinstance(who, Response):
            return who
        posts = [p for p in state.posts_of(NETWORK, who[0]) if p.reply_to is None]
        return listing([_post_node(p) for p in newest_first(posts)], await graph_params(request), "ThreadsMedia")

    @api.get(API + "/{node_id}/replies")
    async def replies(node_id: str, request: Request) -> Response:
        """A user's replies (``/{threads-user-id}/replies``) or a post's (``/{media-id}/replies``): both ids
        are numbers, so one route tells them apart."""
        family = state.bearer(request, NETWORK)
        if family is None:
            return unauthorized(platform)
        own = number_of(NETWORK, family.user, "")
        if node_id in (own, "me"):
            posts = [p for p in state.posts_of(NETWORK, own) if p.reply_to is not None]
        elif _post(node_id) is not None:
            posts = [p for p in state.posts_of(NETWORK) if p.reply_to == node_id]
        else:
            return missing(node_id)
        return listing([_post_node(p) for p in newest_first(posts)], await graph_params(request), "ThreadsMedia")

    @api.get(API + "/{media_id}/insights")
    async def media_insights(media_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        family = state.bearer(request, NETWORK)
        if family is None:
            return unauthorized(platform)
        post = _post(media_id)
        if post is None or post.account != number_of(NETWORK, family.user, ""):
            return missing(media_id)
        metrics = _metrics(await graph_params(request))
        if isinstance(metrics, Response):
            return metrics
        figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": figures[name]}],
                "title": name.capitalize(),
                "description": f"The number of {name} of the post.",
                "id": f"{post.id}/insights/{name}/lifetime",
            }
            for name in metrics
        ]
        return JSONResponse({"data": data})

    @api.get(API + "/{user_id}/threads_insights")
    async def user_insights(user_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        who = _user(request, user_id)
        if isinstance(who, Response):
            return who
        metrics = _metrics(await graph_params(request), ACCOUNT_FIGURES)
        if isinstance(metrics, Response):
            return metrics
        figures = state.figures(NETWORK, who[0], ACCOUNT_FIGURES, 0.0)
        data = [
            {
                "name": name,
                "period": "day",
                "title": "Followers",
                "description": "Your total number of followers on Threads.",
                "total_value": {"value": figures[name]},
                "id": f"{who[0]}/insights/{name}/day",
            }
            for name in metrics
        ]
        return JSONResponse({"data": data})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES

    @api.get(API + "/{object_id:int}")
    async def read_node(object_id: int, request: Request) -> Response:
        family = state.bearer(request, NETWORK)
        if family is None:
            return unauthorized(platform)
        node_id, params = str(object_id), await graph_params(request)
        with state.lock:
            container = dict(state.objects.get(node_id) or {})
        if container.get("kind") == "threads_container" and container["account"] == number_of(NETWORK, family.user, ""):
            return select(_container_node(state, node_id), requested(params), "ThreadsMediaContainer")
        post = _post(node_id)
        if post is None:
            return missing(node_id)
        return select(_post_node(post), requested(params), "ThreadsMedia")

    return api


def _metrics(params: dict[str, str], known: tuple[str, ...] = POST_FIGURES) -> list[str] | Response:
    """The ``metric`` parameter: required, each one Threads knows."""
    metrics = [m.strip() for m in params.get("metric", "").split(",") if m.strip()]
    if not metrics:
        return graph_error("(#100) The parameter metric is required", 100)
    unknown = [m for m in metrics if m not in known]
    if unknown:
        return graph_error(
            f"(#100) metric[{metrics.index(unknown[0])}] must be one of the following values: " + ", ".join(known), 100
        )
    return metrics


def _container_node(state: EmulatorState, container_id: str) -> dict[str, Any]:
    polled = state.poll(container_id) or {}
    if polled["published"]:
        status = "PUBLISHED"
    elif polled["status"] == "ERROR":
        status = "ERROR"
    elif polled["video"] and not polled["done"]:
        status = "IN_PROGRESS"
    else:
        status = "FINISHED"
    return {"id": container_id, "status": status, "error_message": polled["error"] if status == "ERROR" else None}
