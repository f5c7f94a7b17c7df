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

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.networks import instagram
from socialpub.local.emulator.networks.facebook import (
    GRAPH_UNAUTHORIZED,
    graph_error,
    graph_params,
    insights_edge,
    missing,
    requested,
    select,
)
from socialpub.local.emulator.scopes import Requirement
from socialpub.local.emulator.signin import LongLivedExchange, Profile, SignIn
from socialpub.local.emulator.state import (
    EmulatedPost,
    EmulatorState,
    number_of,
    unauthorized,
)

NETWORK = "instagram_standalone"
GRAPH = "/graph.instagram.com/v21.0"
CONTAINER = "ig_login_container"
# Limits (the emulator's own), from developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/
# content-publishing: those of Facebook Login (caption 2,200 characters, carousels of 2-10, 50 posts in 24 hours).
MAX_CAPTION = instagram.MAX_CAPTION
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
    return instagram._media_of(state, media_id, account, NETWORK)


# The container flow of Instagram with Facebook Login, on this host; its refusals carry no error_user_msg.
# developers.facebook.com/docs/instagram-platform/content-publishing (Instagram Login): containers and their
# publishing need instagram_business_basic and instagram_business_content_publish.
PUBLISH_SCOPES: tuple[Requirement, ...] = ("instagram_business_basic", "instagram_business_content_publish")
HOST = instagram.Host(
    NETWORK, GRAPH, CONTAINER, SIGN_IN, account_of, lambda user: user, hints=False, publish_scopes=PUBLISH_SCOPES
)


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN
    instagram.container_routes(api, state, HOST)

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    @api.get(GRAPH + "/{ig_user_id}/media")
    async def account_media(ig_user_id: str, request: Request) -> Response:
        return await instagram.media_edge(state, HOST, ig_user_id, request, stories=False)

    @api.get(GRAPH + "/{ig_user_id}/stories")
    async def account_stories(ig_user_id: str, request: Request) -> Response:
        return await instagram.media_edge(state, HOST, ig_user_id, request, stories=True)

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
        return await instagram.comment_on(state, HOST, media, request)

    @api.get(GRAPH + "/{object_id:int}/comments")
    async def read_comments(object_id: int, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        media = _media_of(state, str(object_id), account_of(user))
        if media is None:
            return missing(str(object_id))
        return instagram.comments(state, HOST, media, await graph_params(request))

    return api
