"""Instagram's content publishing API through Facebook Login (graph.facebook.com, the token of the page
linked to the Instagram business account; developers.facebook.com/docs/instagram-platform/content-publishing).

- ``POST /{ig-user-id}/media``: a container. ``image_url`` (JPEG, pulled at once: 9004 if it cannot
  be fetched) with ``caption`` and ``alt_text``; ``media_type=REELS`` + ``video_url`` (+ ``share_to_feed``);
  ``media_type=STORIES`` + ``image_url``/``video_url``; carousel items with ``is_carousel_item=true``
  (``media_type=VIDEO`` for videos), then ``media_type=CAROUSEL`` + ``children`` (2-10) + ``caption``.
  Video containers are ``IN_PROGRESS`` for ``polls_to_finish`` reads; a video that cannot be fetched
  ends in ``ERROR``.
- ``GET /{container-id}?fields=status_code,status``: ``IN_PROGRESS``, ``FINISHED``, ``ERROR``, ``PUBLISHED``.
- ``POST /{ig-user-id}/media_publish`` (``creation_id``): ``{"id": media-id}``; a container not yet
  finished is refused (9007/2207027); past 50 posts in 24 h, the content publishing limit (9/2207042).
- ``GET /{ig-user-id}/media``, ``GET /{ig-user-id}/stories``: the account's media, newest first.
- ``GET /{media-id}?fields=permalink,...``; ``POST /{media-id}/comments`` (``message``) and
  ``GET /{media-id}/comments``.
- Insights (developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights), for
  up to 50 media in Graph's multi-id read: ``GET /?ids=a,b&fields=insights.metric(views,reach,likes,
  comments,shares,saved,total_interactions)`` -> ``{"a": {"id", "insights": {"data": [{"name",
  "period": "lifetime", "values": [{"value"}]}]}}}``; figures grow with time since publishing, or as
  set through ``/_emulator/metrics``. An id that is not the account's fails the read (#803); an
  unknown metric is #100.
- ``GET /{ig-user-id}?fields=followers_count,follows_count,media_count``: the account's figures.
- ``GET /{ig-user-id}/insights?metric=follower_demographics&period=lifetime&metric_type=total_value
  &breakdown=age|gender|country`` (developers.facebook.com/docs/instagram-platform/reference/ig-user/
  insights): ``{"data": [{"name": "follower_demographics", "period": "lifetime", "total_value":
  {"breakdowns": [{"dimension_keys": [breakdown], "results": [{"dimension_values": [v], "value"}]}]}}]}``.
  The counts are deterministic: the account's ``followers_count`` shared out over the values
  (``AGES``, ``GENDERS`` F/M/U, ``COUNTRIES``) by weights drawn from a hash of the account id and the
  value (``_demographics``). An account under 100 followers: #100 "not enough followers", as Instagram
  gives no demographics below 100 followers.

This module routes every numeric node of graph.facebook.com (``GET /{id}``, ``POST|GET /{id}/comments``)
and the multi-id read (``GET /?ids=``) for both Meta networks on this host: Instagram's containers,
media and account here, Facebook's videos, photos, pages and posts through ``networks/facebook.py``.

Fault endpoints: ``media``, ``media_publish``, ``comments``, ``insights`` (the multi-id read of media;
Facebook's when the ids are Facebook posts), ``account_insights`` (the account read), ``demographics``
(the follower_demographics read).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.networks import facebook
from socialpub.local.emulator.networks.facebook import (
    GRAPH,
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

NETWORK = "instagram"
# Limits (the emulator's own, never the product's catalog), from
# developers.facebook.com/docs/instagram-platform/content-publishing (caption 2,200 characters, carousels of
# 2-10, the 24-hour publishing limit).
MAX_CAPTION = 2200
MIN_CHILDREN, MAX_CHILDREN = 2, 10
DAILY_LIMIT = 50
DAY = 24 * 3600
MEDIA_TYPES = {"IMAGE", "VIDEO", "REELS", "STORIES", "CAROUSEL"}
FETCH_FAILED = "Media download has failed. The media URI doesn't meet our requirements."
POST_FIGURES = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
ACCOUNT_FIGURES = ("followers_count", "follows_count", "media_count")
MIN_DEMOGRAPHICS_FOLLOWERS = 100  # Instagram gives no follower demographics below this
AGES = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("F", "M", "U")
COUNTRIES = ("US", "GB", "DE", "FR", "BR", "IN", "CA", "ES", "IT", "MX")
BREAKDOWNS = {"age": AGES, "gender": GENDERS, "country": COUNTRIES}

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Instagram",
    docs="https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login",
    api="https://graph.facebook.com/v21.0",
    authorization_url="https://www.facebook.com/v21.0/dialog/oauth",
    token_url="https://graph.facebook.com/v21.0/oauth/access_token",
    long_lived=LongLivedExchange(
        "https://graph.facebook.com/v21.0/oauth/access_token", "fb_exchange_token", "fb_exchange_token"
    ),
    revoke_url="https://graph.facebook.com/v21.0/me/permissions",
    revoke_method="DELETE",
    profile=Profile(
        url="https://graph.facebook.com/v21.0/me/accounts?fields=access_token,instagram_business_account{id,username,name,profile_picture_url,followers_count,media_count}",
        choices="data",
        token="access_token",
        fields={
            "id": "instagram_business_account.id",
            "name": "instagram_business_account.name",
            "username": "instagram_business_account.username",
            "image": "instagram_business_account.profile_picture_url",
            "followers": "instagram_business_account.followers_count",
            "posts": "instagram_business_account.media_count",
        },
    ),
    unauthorized=GRAPH_UNAUTHORIZED,
)


def account_of(user: str) -> str:
    """The Instagram business account the emulated profile lists (only Page 1 has one)."""
    return number_of(NETWORK, user, " Page 1")


def username_of(user: str) -> str:
    return f"{user}-page-1"


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _media_node(post: EmulatedPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "caption": post.text or None,
        "timestamp": graph_time(post.created_at),
        "permalink": post.url,
        "shortcode": shortcode(post.id),
        "media_type": post.extra.get("media_type"),
        "media_product_type": post.extra.get("media_product_type"),
        "username": post.extra.get("username"),
        "alt_text": next((m.get("alt_text") for m in post.media if m.get("alt_text")), None),
    }


def _comment_node(post: EmulatedPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "text": post.text,
        "timestamp": graph_time(post.created_at),
        "username": post.extra.get("username"),
        "from": {"id": post.account, "username": post.extra.get("username")},
    }


def _media_of(state: EmulatorState, media_id: str, account: str, network: str = NETWORK) -> EmulatedPost | None:
    return next(
        (p for p in state.posts_of(network, account) if p.id == media_id and p.extra.get("kind") == "media"),
        None,
    )


@dataclass(frozen=True)
class Host:
    """What tells Instagram with Facebook Login (graph.facebook.com) and with Instagram Login
    (graph.instagram.com, ``instagram_standalone.py``) apart in the container flow they share."""

    network: str
    graph: str
    container: str  # the kind of the container objects
    platform: SignIn
    account_of: Callable[[str], str]
    username_of: Callable[[str], str]
    hints: bool  # refusals carry Graph's error_user_msg (and the feed VIDEO refusal its subcode)
    publish_scopes: tuple[Requirement, ...] = ()  # what a container and its publishing need

    def hint(self, message: str) -> str | None:
        return message if self.hints else None


def _lacks_scope(_missing: str) -> Response:
    """Graph's answer to a token without a permission the call needs: (#10), HTTP 403."""
    body = {"message": "(#10) Application does not have permission for this action", "type": "OAuthException"}
    return JSONResponse({"error": {**body, "code": 10}}, status_code=403)


def container_routes(api: APIRouter, state: EmulatorState, host: Host) -> None:
    """``POST /{ig-user-id}/media`` and ``POST /{ig-user-id}/media_publish`` for ``host``."""
    network = host.network

    def _user(request: Request) -> str | None:
        family = state.bearer(request, network)
        return family.user if family else None

    @api.post(host.graph + "/{ig_user_id}/media")
    async def create_container(ig_user_id: str, request: Request) -> Response:
        if (fault := await state.before(network, "media")) is not None:
            return fault
        if (refused := refusal(state, request, network, host.publish_scopes, _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(host.platform)
        if ig_user_id != host.account_of(user):
            return missing(ig_user_id, "post")
        params = await graph_params(request)
        media_type = params.get("media_type", "IMAGE").upper()
        carousel_item = truthy(params.get("is_carousel_item"))
        caption = params.get("caption", "")
        if media_type not in MEDIA_TYPES:
            return graph_error(f"The media type {media_type} is unknown.", 100, subcode=2207023)
        if media_type == "VIDEO" and not carousel_item:
            return graph_error(
                "The VIDEO media type is no longer supported for feed posts: publish videos as REELS.",
                100,
                subcode=2207023 if host.hints else None,
            )
        if _utf16_length(caption) > MAX_CAPTION:
            return graph_error(f"(#100) The caption is too long: it has more than {MAX_CAPTION} characters.", 100)
        values: dict[str, Any] = {
            "account": ig_user_id,
            "username": host.username_of(user),
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
            files = []
            with state.lock:
                found = {c: dict(state.objects.get(c) or {}) for c in children}
            for child_id in children:
                child = found[child_id]
                if child.get("kind") != host.container or child["account"] != ig_user_id or not child["carousel_item"]:
                    return graph_error(f"The media with id {child_id} cannot be found.", 24, subcode=2207006)
                if not _finished(state, child):
                    return graph_error(
                        "Media ID is not available",
                        9007,
                        subcode=2207027,
                        user_message=host.hint(
                            f"The carousel item {child_id} is not ready yet, please wait for a moment"
                        ),
                    )
                files.extend(child["files"])
            values["files"] = files
            values["children"] = children
        else:
            video = media_type in ("VIDEO", "REELS") or (media_type == "STORIES" and "video_url" in params)
            url = params.get("video_url" if video else "image_url", "")
            if not url:
                name = "video_url" if video else "image_url"
                return graph_error(f"(#100) The parameter {name} is required", 100)
            data = await fetch(url) if url.startswith(("http://", "https://")) else None
            if video:
                if data is None or data[4:8] != b"ftyp":
                    # Instagram downloads videos after answering: the failure shows in the container.
                    values["status"] = "ERROR"
                    values["error"] = f"Error: {FETCH_FAILED} (2207052)"
                    data = b""
                values["files"] = [{"type": "video", **digest(data, "video/mp4")}]
            else:
                if data is None:
                    return graph_error(FETCH_FAILED, 9004, subcode=2207052, user_message=host.hint(FETCH_FAILED))
                if not data.startswith(b"\xff\xd8"):
                    return graph_error(
                        "The image format is not supported. Only JPEG images can be published.",
                        9004,
                        subcode=2207083,
                    )
                alt = params.get("alt_text") if media_type != "STORIES" else None
                values["files"] = [{"type": "image", **digest(data, "image/jpeg", alt or None)}]
            values["video"] = video
        container_id = state.new_object(host.container, **values)
        return await state.after(network, "media", JSONResponse({"id": container_id}))

    @api.post(host.graph + "/{ig_user_id}/media_publish")
    async def publish(ig_user_id: str, request: Request) -> Response:
        if (fault := await state.before(network, "media_publish")) is not None:
            return fault
        if (refused := refusal(state, request, network, host.publish_scopes, _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(host.platform)
        if ig_user_id != host.account_of(user):
            return missing(ig_user_id, "post")
        params = await graph_params(request)
        creation_id = params.get("creation_id", "")
        if not creation_id:
            return graph_error("(#100) The parameter creation_id is required", 100)
        with state.lock:
            container = dict(state.objects.get(creation_id) or {})
        if container.get("kind") != host.container or container["account"] != ig_user_id:
            return graph_error(f"The media with id {creation_id} cannot be found.", 24, subcode=2207006)
        if container["published"]:
            return graph_error("(#100) This media container has already been published", 100)
        if container["carousel_item"]:
            return graph_error("(#100) A carousel item cannot be published on its own", 100)
        if not _finished(state, container):
            return graph_error(
                "Media ID is not available",
                9007,
                subcode=2207027,
                user_message=host.hint("The media is not ready for publishing, please wait for a moment"),
            )
        since = time.time() - DAY
        recent = [p for p in state.posts_of(network, ig_user_id) if p.extra.get("kind") == "media"]
        if sum(p.created_at >= since for p in recent) >= DAILY_LIMIT:
            return graph_error(
                "Application request limit reached",
                9,
                subcode=2207042,
                user_message=host.hint(
                    "You reached maximum number of posts that is allowed to be published by Content Publishing API."
                ),
            )
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
                network=network,
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
        return await state.after(network, "media_publish", JSONResponse({"id": media_id}))


async def media_edge(state: EmulatorState, host: Host, ig_user_id: str, request: Request, *, stories: bool) -> Response:
    """``GET /{ig-user-id}/media`` (``stories`` False) or ``/stories``: the account's media, newest first."""
    family = state.bearer(request, host.network)
    if family is None:
        return unauthorized(host.platform)
    if ig_user_id != host.account_of(family.user):
        return missing(ig_user_id)
    posts = [
        p
        for p in state.posts_of(host.network, ig_user_id)
        if p.extra.get("kind") == "media" and (p.extra.get("media_product_type") == "STORY") is stories
    ]
    return listing([_media_node(p) for p in newest_first(posts)], await graph_params(request), "IGMedia")


async def comment_on(state: EmulatorState, host: Host, media: EmulatedPost, request: Request) -> Response:
    """``POST /{media-id}/comments`` on the account's own ``media`` (its fault and sign-in checked)."""
    if media.extra.get("media_product_type") == "STORY":
        return graph_error("(#100) Comments are not supported on stories", 100)
    message = (await graph_params(request)).get("message", "")
    if not message:
        return graph_error("(#100) The parameter message is required", 100)
    if _utf16_length(message) > MAX_CAPTION:
        return graph_error(f"(#100) The comment is too long: it has more than {MAX_CAPTION} characters.", 100)
    comment_id = new_number()
    state.add_post(
        EmulatedPost(
            network=host.network,
            account=media.account,
            id=comment_id,
            text=message,
            url=media.url,
            reply_to=media.id,
            extra={"kind": "comment", "username": media.extra.get("username")},
        )
    )
    return await state.after(host.network, "comments", JSONResponse({"id": comment_id}))


def comments(state: EmulatorState, host: Host, media: EmulatedPost, params: dict[str, str]) -> Response:
    """``GET /{media-id}/comments`` of the account's own ``media``, newest first."""
    found = [p for p in state.posts_of(host.network) if p.reply_to == media.id and p.extra.get("kind") == "comment"]
    return listing([_comment_node(p) for p in newest_first(found)], params, "IGComment")


# developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing ("Requirements"):
# containers and their publishing need instagram_basic, instagram_content_publish and pages_read_engagement.
PUBLISH_SCOPES: tuple[Requirement, ...] = ("instagram_basic", "instagram_content_publish", "pages_read_engagement")
HOST = Host(NETWORK, GRAPH, "ig_container", SIGN_IN, account_of, username_of, hints=True, publish_scopes=PUBLISH_SCOPES)


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN
    container_routes(api, state, HOST)

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    @api.get(GRAPH + "/{ig_user_id}/media")
    async def account_media(ig_user_id: str, request: Request) -> Response:
        return await media_edge(state, HOST, ig_user_id, request, stories=False)

    @api.get(GRAPH + "/{ig_user_id}/stories")
    async def account_stories(ig_user_id: str, request: Request) -> Response:
        # The same path serves a Facebook Page's stories on this host.
        family = state.bearer(request, NETWORK)
        if family is not None:
            page = facebook.stories(state, ig_user_id, family.user, await graph_params(request))
            if page is not None:
                return page
        return await media_edge(state, HOST, ig_user_id, request, stories=True)

    @api.get(GRAPH + "/{object_id:int}/insights")
    async def user_insights(object_id: int, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "demographics")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        account = str(object_id)
        if account != account_of(user):
            return missing(account)
        params = await graph_params(request)
        if params.get("metric") != "follower_demographics":
            return graph_error("(#100) metric[0] must be one of the following values: follower_demographics", 100)
        if params.get("period") != "lifetime" or params.get("metric_type") != "total_value":
            return graph_error("(#100) follower_demographics needs period=lifetime and metric_type=total_value", 100)
        breakdown = params.get("breakdown", "")
        if breakdown not in BREAKDOWNS:
            return graph_error("(#100) breakdown must be one of the following values: age, gender, country, city", 100)
        followers = state.figures(NETWORK, account, ACCOUNT_FIGURES, 0.0)["followers_count"]
        if followers < MIN_DEMOGRAPHICS_FOLLOWERS:
            return graph_error(
                "(#100) Insights are not available: follower_demographics needs at least 100 followers", 100
            )
        counts = _demographics(account, breakdown, followers)
        results = [{"dimension_values": [value], "value": count} for value, count in counts.items() if count]
        metric = {
            "name": "follower_demographics",
            "period": "lifetime",
            "title": "Follower demographics",
            "description": "The demographic characteristics of followers.",
            "total_value": {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]},
            "id": f"{account}/insights/follower_demographics/lifetime",
        }
        return JSONResponse({"data": [metric]})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES

    # ------------------------------------------------------------------ multi-id read (both networks)

    @api.get(GRAPH + "/")
    async def read_many(request: Request) -> Response:
        """``GET /?ids=a,b&fields=...``: each node by its id; one unknown id fails the whole read."""
        family = state.bearer(request, NETWORK)
        params = await graph_params(request)
        ids = [i.strip() for i in params.get("ids", "").split(",") if i.strip()]
        account = account_of(family.user) if family else None
        own = {i for i in ids if account and _media_of(state, i, account) is not None}
        network = NETWORK if own else facebook.NETWORK
        if (fault := await state.before(network, "insights")) is not None:
            return fault
        if family is None or account is None:
            return unauthorized(platform)
        if not ids:
            return graph_error("(#100) The parameter ids is required", 100)
        if len(ids) > facebook.MAX_IDS:
            return graph_error(f"(#100) Too many IDs. Maximum: {facebook.MAX_IDS}", 100)
        fields = facebook.expansion(params.get("fields", ""))
        nodes: dict[str, Any] = {}
        for node_id in ids:
            media = _media_of(state, node_id, account)
            node = (
                _insights_node(state, media, fields)
                if media is not None
                else facebook.insights_node(state, node_id, family.user, fields)
            )
            if node is None:
                unknown = [i for i in ids if i not in own and facebook.insights_node(state, i, family.user, {}) is None]
                return graph_error(f"(#803) Some of the aliases you requested do not exist: {','.join(unknown)}", 803)
            if isinstance(node, Response):
                return node
            nodes[node_id] = node
        return JSONResponse(nodes)

    # ------------------------------------------------------------------ numeric nodes (both networks)

    @api.get(GRAPH + "/{object_id:int}")
    async def read_node(object_id: int, request: Request) -> Response:
        family = state.bearer(request, NETWORK)
        if family is None:
            return unauthorized(platform)
        params = await graph_params(request)
        node_id, account = str(object_id), account_of(family.user)
        with state.lock:
            container = dict(state.objects.get(node_id) or {})
        if container.get("kind") == "ig_container" and container["account"] == account:
            return select(_container_node(state, node_id, container), requested(params), "ShadowIGMediaBuilder")
        media = _media_of(state, node_id, account)
        if media is not None:
            return select(_media_node(media), requested(params), "IGMedia")
        if node_id == account:
            if (fault := await state.before(NETWORK, "account_insights")) is not None:
                return fault
            values = {
                "id": account,
                "username": username_of(family.user),
                **state.figures(NETWORK, account, ACCOUNT_FIGURES, 0.0),
            }
            return select(values, requested(params), "IGUser")
        page = facebook.page(state, node_id, family.user)
        if page is not None:
            if (fault := await state.before(facebook.NETWORK, "account_insights")) is not None:
                return fault
            return select(page, requested(params), "Page")
        answer = facebook.node(state, node_id, family.user, params)
        return answer if answer is not None else missing(node_id)

    @api.post(GRAPH + "/{object_id:int}/comments")
    async def add_comment(object_id: int, request: Request) -> Response:
        family = state.bearer(request, NETWORK)
        node_id = str(object_id)
        media = _media_of(state, node_id, account_of(family.user)) if family else None
        if family is not None and media is None:
            target = facebook.commentable(state, node_id, family.user)
            if target is not None:
                if (fault := await state.before(facebook.NETWORK, "comments")) is not None:
                    return fault
                return await facebook.add_comment(state, request, target)
        if (fault := await state.before(NETWORK, "comments")) is not None:
            return fault
        if family is None:
            return unauthorized(platform)
        if media is None:
            return missing(node_id, "post")
        return await comment_on(state, HOST, media, request)

    @api.get(GRAPH + "/{object_id:int}/comments")
    async def read_comments(object_id: int, request: Request) -> Response:
        family = state.bearer(request, NETWORK)
        if family is None:
            return unauthorized(platform)
        node_id, params = str(object_id), await graph_params(request)
        media = _media_of(state, node_id, account_of(family.user))
        if media is None:
            target = facebook.commentable(state, node_id, family.user)
            return facebook.comments(state, target, params) if target is not None else missing(node_id)
        return comments(state, HOST, media, params)

    return api


def _insights_node(
    state: EmulatorState, media: EmulatedPost, fields: dict[str, dict[str, str]]
) -> dict[str, Any] | Response:
    """A media of the account as the multi-id read answers it for ``fields``."""
    plain = _media_node(media)
    node: dict[str, Any] = {"id": media.id}
    for name, modifiers in fields.items():
        if name == "insights":
            metrics = [m.strip() for m in modifiers.get("metric", "").split(",") if m.strip()]
            for index, metric in enumerate(metrics):
                if metric not in POST_FIGURES:
                    return graph_error(
                        f"(#100) metric[{index}] must be one of the following values: {', '.join(POST_FIGURES)}", 100
                    )
            if not metrics:
                return graph_error("(#100) The parameter metric is required", 100)
            figures = state.figures(NETWORK, media.id, POST_FIGURES, media.created_at)
            node["insights"] = facebook.insights_edge(media.id, metrics, figures)
        elif name in plain:
            if plain[name] is not None:
                node[name] = plain[name]
        else:
            return graph_error(f"(#100) Tried accessing nonexisting field ({name}) on node type (IGMedia)", 100)
    return node


def _demographics(account: str, breakdown: str, followers: int) -> dict[str, int]:
    """The account's followers shared out over a breakdown's values, by weights (1-20) drawn from a hash
    of the account id and the value: the same figures on every read, different per account."""
    values = BREAKDOWNS[breakdown]
    weights = {
        v: 1 + int(hashlib.sha256(f"{NETWORK}/{account}/{breakdown}/{v}".encode()).hexdigest()[:4], 16) % 20
        for v in values
    }
    total = sum(weights.values())
    return {v: followers * w // total for v, w in weights.items()}


def _finished(state: EmulatorState, container: dict[str, Any]) -> bool:
    return container["status"] == "FINISHED" and (
        not container.get("video") or container["polls"] > state.polls_to_finish
    )


def _container_node(state: EmulatorState, container_id: str, container: dict[str, Any]) -> dict[str, Any]:
    polled = state.poll(container_id) or container
    if polled["published"]:
        status_code, status = "PUBLISHED", "Published: the media has been published"
    elif polled["status"] == "ERROR":
        status_code, status = "ERROR", str(polled.get("error"))
    elif polled.get("video") and not polled["done"]:
        status_code, status = "IN_PROGRESS", "In Progress: the media is still being processed"
    else:
        status_code, status = "FINISHED", "Finished: the media is ready to be published"
    return {"id": container_id, "status_code": status_code, "status": status, "media_type": polled["media_type"]}
