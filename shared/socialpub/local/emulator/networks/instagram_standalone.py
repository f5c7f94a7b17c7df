"""Instagram's content publishing API with Instagram Login (graph.instagram.com, the account's own token;
developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/content-publishing).

The same container flow as ``instagram.py`` (Facebook Login), whose checks and answers this module reuses:
``POST /{ig-user-id}/media`` (image posts, reels, stories, carousel items and carousels; JPEG only),
``GET /{container-id}?fields=status_code,status``, ``POST /{ig-user-id}/media_publish`` (``creation_id``),
``GET /{ig-user-id}/media|stories``, ``GET /{media-id}?fields=permalink``, ``POST|GET /{media-id}/comments``.
The account id is the profile's ``user_id``.

Insights (developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights): one media a
call, ``GET /{media-id}/insights?metric=views,reach,...`` -> ``{"data": [{"name", "period": "lifetime",
"values": [{"value"}]}]}`` (graph.instagram.com has no multi-id read); an unknown metric is #100, a media
that is not the account's #100/33. ``GET /{ig-user-id}?fields=followers_count,follows_count,media_count``
and ``GET /{ig-user-id}/insights?metric=follower_demographics...`` as ``instagram.py``.

Fault endpoints: ``media``, ``media_publish``, ``comments``, ``insights``, ``account_insights``, ``demographics``.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.networks import instagram
from socialpub.local.emulator.networks.facebook import (
    GRAPH_UNAUTHORIZED,
    graph_error,
    graph_params,
    insights_edge,
    listing,
    missing,
    newest_first,
    requested,
    select,
    shortcode,
    truthy,
)
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

NETWORK = "instagram_standalone"
GRAPH = "/graph.instagram.com/v21.0"
CONTAINER = "ig_login_container"
# Limits (the emulator's own), from developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/
# content-publishing (caption 2,200 characters, carousels of 2-10, 50 API-published posts in 24 hours).
MAX_CAPTION = 2200
MIN_CHILDREN, MAX_CHILDREN = 2, 10
DAILY_LIMIT = 50
DAY = 24 * 3600
POST_FIGURES = instagram.POST_FIGURES
ACCOUNT_FIGURES = instagram.ACCOUNT_FIGURES

# Sign-in as documented at developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/
# business-login: authorize at www.instagram.com, the code exchanged at api.instagram.com (a 1-hour token), then
# ig_exchange_token for a 60-day token, refreshed with ig_refresh_token.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Instagram (Instagram Login)",
    docs="https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login",
    api="https://graph.instagram.com/v21.0",
    authorization_url="https://www.instagram.com/oauth/authorize",
    token_url="https://api.instagram.com/oauth/access_token",
    access_token_ttl=5_184_000,
    self_refresh_url="https://graph.instagram.com/refresh_access_token",
    self_refresh_grant="ig_refresh_token",
    long_lived=LongLivedExchange("https://graph.instagram.com/access_token", "ig_exchange_token", "access_token"),
    profile=Profile(
        url="https://graph.instagram.com/v21.0/me?fields=user_id,username,name,profile_picture_url,followers_count,media_count",
        fields={
            "id": "user_id",
            "name": "name",
            "username": "username",
            "image": "profile_picture_url",
            "followers": "followers_count",
            "posts": "media_count",
        },
    ),
    unauthorized=GRAPH_UNAUTHORIZED,
)


def account_of(user: str) -> str:
    """The account id the emulated profile gives as ``user_id``."""
    return number_of(NETWORK, user, "")  # as app.py makes the profile id (an empty suffix)


def _media_of(state: EmulatorState, media_id: str, account: str) -> EmulatedPost | None:
    return next(
        (p for p in state.posts_of(NETWORK, account) if p.id == media_id and p.extra.get("kind") == "media"), None
    )


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    @api.post(GRAPH + "/{ig_user_id}/media")
    async def create_container(ig_user_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if ig_user_id != account_of(user):
            return missing(ig_user_id, "post")
        params = await graph_params(request)
        media_type = params.get("media_type", "IMAGE").upper()
        carousel_item = truthy(params.get("is_carousel_item"))
        caption = params.get("caption", "")
        if media_type not in instagram.MEDIA_TYPES:
            return graph_error(f"The media type {media_type} is unknown.", 100, subcode=2207023)
        if media_type == "VIDEO" and not carousel_item:
            return graph_error(
                "The VIDEO media type is no longer supported for feed posts: publish videos as REELS.", 100
            )
        if instagram._utf16_length(caption) > MAX_CAPTION:
            return graph_error(f"(#100) The caption is too long: it has more than {MAX_CAPTION} characters.", 100)
        values: dict[str, Any] = {
            "account": ig_user_id,
            "username": user,
            "media_type": media_type,
            "carousel_item": carousel_item,
            "caption": "" if media_type == "STORIES" else caption,
            "share_to_feed": truthy(params.get("share_to_feed"), default=True) if media_type == "REELS" else None,
            "status": "FINISHED",
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
            files = []
            for child_id in children:
                child = found[child_id]
                if child.get("kind") != CONTAINER or child["account"] != ig_user_id or not child["carousel_item"]:
                    return graph_error(f"The media with id {child_id} cannot be found.", 24, subcode=2207006)
                if not instagram._finished(state, child):
                    return graph_error("Media ID is not available", 9007, subcode=2207027)
                files.extend(child["files"])
            values["files"], values["children"] = files, children
        else:
            video = media_type in ("VIDEO", "REELS") or (media_type == "STORIES" and "video_url" in params)
            url = params.get("video_url" if video else "image_url", "")
            if not url:
                return graph_error(f"(#100) The parameter {'video_url' if video else 'image_url'} is required", 100)
            data = await fetch(url) if url.startswith(("http://", "https://")) else None
            if video:
                if data is None or data[4:8] != b"ftyp":
                    values["status"], values["error"] = "ERROR", f"Error: {instagram.FETCH_FAILED} (2207052)"
                    data = b""
                values["files"] = [{"type": "video", **digest(data, "video/mp4")}]
            else:
                if data is None:
                    return graph_error(instagram.FETCH_FAILED, 9004, subcode=2207052)
                if not data.startswith(b"\xff\xd8"):
                    return graph_error(
                        "The image format is not supported. Only JPEG images can be published.", 9004, subcode=2207083
                    )
                alt = params.get("alt_text") if media_type != "STORIES" else None
                values["files"] = [{"type": "image", **digest(data, "image/jpeg", alt or None)}]
            values["video"] = video
        container_id = state.new_object(CONTAINER, **values)
        return await state.after(NETWORK, "media", JSONResponse({"id": container_id}))

    @api.post(GRAPH + "/{ig_user_id}/media_publish")
    async def publish(ig_user_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_publish")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if ig_user_id != account_of(user):
            return missing(ig_user_id, "post")
        creation_id = (await graph_params(request)).get("creation_id", "")
        if not creation_id:
            return graph_error("(#100) The parameter creation_id is required", 100)
        with state.lock:
            container = dict(state.objects.get(creation_id) or {})
        if container.get("kind") != CONTAINER or container["account"] != ig_user_id:
            return graph_error(f"The media with id {creation_id} cannot be found.", 24, subcode=2207006)
        if container["published"]:
            return graph_error("(#100) This media container has already been published", 100)
        if container["carousel_item"]:
            return graph_error("(#100) A carousel item cannot be published on its own", 100)
        if not instagram._finished(state, container):
            return graph_error("Media ID is not available", 9007, subcode=2207027)
        since = time.time() - DAY
        recent = [p for p in state.posts_of(NETWORK, ig_user_id) if p.extra.get("kind") == "media"]
        if sum(p.created_at >= since for p in recent) >= DAILY_LIMIT:
            return graph_error("Application request limit reached", 9, subcode=2207042)
        media_id = new_number()
        code = shortcode(media_id)
        kind = container["media_type"]
        if kind == "STORIES":
            product, media_type = "STORY", "VIDEO" if container["video"] else "IMAGE"
            url = f"https://www.instagram.com/stories/{container['username']}/{media_id}/"
        elif kind == "REELS":
            product, media_type, url = "REELS", "VIDEO", f"https://www.instagram.com/reel/{code}/"
        elif kind == "CAROUSEL":
            product, media_type, url = "FEED", "CAROUSEL_ALBUM", f"https://www.instagram.com/p/{code}/"
        else:
            product, media_type, url = "FEED", "IMAGE", f"https://www.instagram.com/p/{code}/"
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=ig_user_id,
                id=media_id,
                text=container["caption"],
                url=url,
                media=container["files"],
                extra={
                    "kind": "media",
                    "media_type": media_type,
                    "media_product_type": product,
                    "share_to_feed": container["share_to_feed"],
                    "username": container["username"],
                    "container": creation_id,
                },
            )
        )
        with state.lock:
            state.objects[creation_id]["published"] = True
        return await state.after(NETWORK, "media_publish", JSONResponse({"id": media_id}))

    async def _edge(ig_user_id: str, request: Request, *, stories: bool) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        if ig_user_id != account_of(user):
            return missing(ig_user_id)
        posts = [
            p
            for p in state.posts_of(NETWORK, ig_user_id)
            if p.extra.get("kind") == "media" and (p.extra.get("media_product_type") == "STORY") is stories
        ]
        return listing([instagram._media_node(p) for p in newest_first(posts)], await graph_params(request), "IGMedia")

    @api.get(GRAPH + "/{ig_user_id}/media")
    async def account_media(ig_user_id: str, request: Request) -> Response:
        return await _edge(ig_user_id, request, stories=False)

    @api.get(GRAPH + "/{ig_user_id}/stories")
    async def account_stories(ig_user_id: str, request: Request) -> Response:
        return await _edge(ig_user_id, request, stories=True)

    @api.get(GRAPH + "/{object_id:int}/insights")
    async def insights(object_id: int, request: Request) -> Response:
        node_id, params = str(object_id), await graph_params(request)
        user = _user(request)
        account = account_of(user) if user else None
        if node_id == account:  # the account's follower demographics, as Instagram with Facebook Login
            if (fault := await state.before(NETWORK, "demographics")) is not None:
                return fault
            if params.get("metric") != "follower_demographics" or params.get("breakdown") not in instagram.BREAKDOWNS:
                return graph_error("(#100) metric must be follower_demographics with a breakdown", 100)
            followers = state.figures(NETWORK, node_id, ACCOUNT_FIGURES, 0.0)["followers_count"]
            if followers < instagram.MIN_DEMOGRAPHICS_FOLLOWERS:
                return graph_error("(#100) Insights are not available: follower_demographics needs 100 followers", 100)
            breakdown = params["breakdown"]
            counts = instagram._demographics(node_id, breakdown, followers)
            results = [{"dimension_values": [v], "value": c} for v, c in counts.items() if c]
            metric = {
                "name": "follower_demographics",
                "period": "lifetime",
                "total_value": {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]},
            }
            return JSONResponse({"data": [metric]})
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        if account is None:
            return unauthorized(platform)
        media = _media_of(state, node_id, account)
        if media is None:
            return missing(node_id)
        metrics = [m.strip() for m in params.get("metric", "").split(",") if m.strip()]
        if not metrics:
            return graph_error("(#100) The parameter metric is required", 100)
        for index, metric_name in enumerate(metrics):
            if metric_name not in POST_FIGURES:
                return graph_error(
                    f"(#100) metric[{index}] must be one of the following values: {', '.join(POST_FIGURES)}", 100
                )
        figures = state.figures(NETWORK, media.id, POST_FIGURES, media.created_at)
        return JSONResponse(insights_edge(media.id, metrics, figures))

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES

    @api.get(GRAPH + "/{object_id:int}")
    async def read_node(object_id: int, request: Request) -> Response:
        user = _user(request)
        node_id = str(object_id)
        account = account_of(user) if user else None
        if node_id == account and (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        if user is None or account is None:
            return unauthorized(platform)
        params = await graph_params(request)
        with state.lock:
            container = dict(state.objects.get(node_id) or {})
        if container.get("kind") == CONTAINER and container["account"] == account:
            node = instagram._container_node(state, node_id, container)
            return select(node, requested(params), "ShadowIGMediaBuilder")
        media = _media_of(state, node_id, account)
        if media is not None:
            return select(instagram._media_node(media), requested(params), "IGMedia")
        if node_id == account:
            values = {"id": account, "username": user, **state.figures(NETWORK, account, ACCOUNT_FIGURES, 0.0)}
            return select(values, requested(params), "IGUser")
        return missing(node_id)

    @api.post(GRAPH + "/{object_id:int}/comments")
    async def add_comment(object_id: int, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "comments")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        media = _media_of(state, str(object_id), account_of(user))
        if media is None:
            return missing(str(object_id), "post")
        if media.extra.get("media_product_type") == "STORY":
            return graph_error("(#100) Comments are not supported on stories", 100)
        message = (await graph_params(request)).get("message", "")
        if not message:
            return graph_error("(#100) The parameter message is required", 100)
        if instagram._utf16_length(message) > MAX_CAPTION:
            return graph_error(f"(#100) The comment is too long: it has more than {MAX_CAPTION} characters.", 100)
        comment_id = new_number()
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=media.account,
                id=comment_id,
                text=message,
                url=media.url,
                reply_to=media.id,
                extra={"kind": "comment", "username": media.extra.get("username")},
            )
        )
        return await state.after(NETWORK, "comments", JSONResponse({"id": comment_id}))

    @api.get(GRAPH + "/{object_id:int}/comments")
    async def read_comments(object_id: int, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        media = _media_of(state, str(object_id), account_of(user))
        if media is None:
            return missing(str(object_id))
        found = [p for p in state.posts_of(NETWORK) if p.reply_to == media.id and p.extra.get("kind") == "comment"]
        nodes = [instagram._comment_node(p) for p in newest_first(found)]
        return listing(nodes, await graph_params(request), "IGComment")

    return api
