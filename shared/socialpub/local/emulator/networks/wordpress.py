"""WordPress.com (developer.wordpress.com/docs/api/), with its own rules: OAuth 2 served by the
emulator's app from ``SIGN_IN`` (tokens that do not expire), then

- ``GET /rest/v1.1/me/sites``: the user's sites (``sites``: ``ID``, ``name``, ``URL``, ``icon.img``,
  ``subscribers_count``, ``post_count``); two per user.
- the WordPress REST API v2 at ``/wp/v2/sites/{site}`` (``_wordpress``: media, tags, posts, comments),
  for a site of the bearer.
- ``GET /rest/v1.1/sites/{site}/stats/post/{id}``: the post's ``views`` (WordPress.com Stats).
- ``GET /rest/v1.1/sites/{site}``: the site, with ``subscribers_count`` and ``post_count``.

A missing or revoked token is 401 ``{"error": "invalid_token", "message": "The OAuth2 token is invalid."}``.
Fault endpoints: ``media``, ``posts``, ``insights`` (stats and comments), ``account_insights``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.networks._wordpress import wp_error, wp_routes
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatorState, number_of

NETWORK = "wordpress"
HOST = "public-api.wordpress.com"
POST_FIGURES = ("views", "comments")
ACCOUNT_FIGURES = ("subscribers_count", "post_count")
UNAUTHORIZED = {"error": "invalid_token", "message": "The OAuth2 token is invalid."}

# Sign-in as WordPress.com documents it (developer.wordpress.com/docs/oauth2/).
SIGN_IN = SignIn(
    network=NETWORK,
    name="WordPress.com",
    docs="https://developer.wordpress.com/docs/oauth2/",
    api="https://public-api.wordpress.com",
    authorization_url="https://public-api.wordpress.com/oauth2/authorize",
    token_url="https://public-api.wordpress.com/oauth2/token",
    unauthorized=UNAUTHORIZED,
    profile=Profile(
        url="https://public-api.wordpress.com/rest/v1.1/me/sites",
        choices="sites",
        fields={
            "id": "ID",
            "name": "name",
            "username": "URL",
            "image": "icon.img",
            "followers": "subscribers_count",
            "posts": "post_count",
        },
    ),
)


def _sites(user: str) -> list[dict[str, str]]:
    return [{"ID": number_of(NETWORK, user, slug)[:9], "slug": f"{user}{slug}"} for slug in ("", "-notes")]


def router(state: EmulatorState) -> APIRouter:
    def user_of(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    def site_of(request: Request, site: str) -> tuple[str, dict[str, str]] | Response:
        user = user_of(request)
        if user is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        found = next((s for s in _sites(user) if site in (s["ID"], f"{s['slug']}.wordpress.com")), None)
        if found is None:
            return wp_error(403, "rest_cannot_create", "Sorry, you are not allowed to do that on this site.")
        return user, found

    def who(request: Request, params: dict[str, str]) -> tuple[str, str, str] | Response:
        found = site_of(request, params.get("site", ""))
        if isinstance(found, Response):
            return found
        _, site = found
        return site["ID"], site["ID"], f"https://{site['slug']}.wordpress.com"

    api = wp_routes(state, NETWORK, f"/{HOST}/wp/v2/sites/{{site}}", who)

    def _site_view(site: dict[str, str]) -> dict[str, object]:
        return {
            "ID": int(site["ID"]),
            "name": site["slug"].replace("-", " ").title(),
            "URL": f"https://{site['slug']}.wordpress.com",
            "icon": {"img": f"https://{site['slug']}.files.wordpress.com/icon.png"},
            **state.figures(NETWORK, site["ID"], ACCOUNT_FIGURES, 0.0),
        }

    @api.get(f"/{HOST}/rest/v1.1/me/sites")
    async def me_sites(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        return JSONResponse({"sites": [_site_view(s) for s in _sites(user)]})

    @api.get(f"/{HOST}/rest/v1.1/sites/{{site}}/stats/post/{{post_id}}")
    async def post_stats(site: str, post_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        found = site_of(request, site)
        if isinstance(found, Response):
            return found
        post = next((p for p in state.posts_of(NETWORK) if p.id == post_id and p.extra["site"] == found[1]["ID"]), None)
        if post is None:
            return JSONResponse({"error": "unknown_post", "message": "Unknown post"}, status_code=404)
        views = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)["views"]
        return JSONResponse({"date": None, "views": views, "years": {}, "averages": {}, "weeks": [], "fields": []})

    @api.get(f"/{HOST}/rest/v1.1/sites/{{site}}")
    async def site_info(site: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        found = site_of(request, site)
        if isinstance(found, Response):
            return found
        return JSONResponse(_site_view(found[1]))

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
