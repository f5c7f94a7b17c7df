"""A self-hosted WordPress site (developer.wordpress.org/rest-api/), on any host, with its own rules:
the REST API at ``/wp-json/wp/v2`` (``_wordpress``: media, tags, posts, comments) and
``GET /wp-json/wp/v2/users/me?context=edit``, authenticated with HTTP Basic: the username and an
application password (24 letters and digits, shown in groups of four; spaces are ignored,
developer.wordpress.org/rest-api/using-the-rest-api/authentication/#basic-authentication-with-application-passwords).

A wrong or revoked application password is 401 ``incorrect_password``; no credentials at all, 401
``rest_not_logged_in``. Fault endpoints: ``media``, ``posts``, ``insights`` (comments). A site has no
statistics API, so only the comment count is a figure.
"""

from __future__ import annotations

import base64
import binascii
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.networks._wordpress import wp_error, wp_routes
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatorState, TokenFamily, number_of

NETWORK = "wordpress_selfhosted"
APP_PASSWORD = re.compile(r"^[A-Za-z0-9]{24}$")
POST_FIGURES = ("comments",)

SIGN_IN = SignIn(
    network=NETWORK,
    name="WordPress (self-hosted)",
    docs="https://developer.wordpress.org/rest-api/using-the-rest-api/authentication/",
    api="https://{instance}/wp-json/wp/v2",
    per_instance=True,
    unauthorized={"code": "rest_not_logged_in", "message": "You are not currently logged in.", "data": {"status": 401}},
    profile=Profile(
        url="https://{instance}/wp-json/wp/v2/users/me?context=edit",
        fields={"id": "id", "name": "name", "username": "slug", "image": "avatar_urls.96"},
    ),
)


def router(state: EmulatorState) -> APIRouter:
    def user_of(request: Request) -> str | Response:
        """The user of the request's Basic credentials. The emulator remembers each pair it accepted as a
        token family, so revoking the network's tokens revokes the application passwords too."""
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return wp_error(401, "rest_not_logged_in", "You are not currently logged in.")
        credential = header[6:].strip()
        with state.lock:
            family = next((f for f in state.families if credential in f.access_tokens), None)
        if family is not None:  # accepted before (or issued by a test harness): good while not revoked
            if family.revoked or family.network != NETWORK:
                return wp_error(401, "incorrect_password", "The provided password is an invalid application password.")
            return family.user
        try:
            user, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        if not user or not APP_PASSWORD.match(password.replace(" ", "")):
            return wp_error(401, "incorrect_password", "The provided password is an invalid application password.")
        family = TokenFamily(network=NETWORK, client_id="", scope="", user=user)
        family.access_tokens.add(credential)
        with state.lock:
            state.families.append(family)
        return user

    def who(request: Request, params: dict[str, str]) -> tuple[str, str, str] | Response:
        user = user_of(request)
        if isinstance(user, Response):
            return user
        instance = params.get("instance", "")
        return number_of(NETWORK, instance, user)[:9], instance, f"https://{instance}"

    api = wp_routes(state, NETWORK, "/{instance}/wp-json/wp/v2", who)

    @api.get("/{instance}/wp-json/wp/v2/users/me")
    async def me(instance: str, request: Request) -> Response:
        user = user_of(request)
        if isinstance(user, Response):
            return user
        user_id = int(number_of(NETWORK, instance, user)[:9])
        avatar = f"https://secure.gravatar.com/avatar/{user_id}?s=96"
        body = {
            "id": user_id,
            "name": user.replace("-", " ").title(),
            "slug": user,
            "url": f"https://{instance}",
            "avatar_urls": {"24": avatar, "48": avatar, "96": avatar},
            "roles": ["author"],
            "capabilities": {"publish_posts": True, "upload_files": True},
        }
        return JSONResponse(body)

    state.post_figures[NETWORK] = POST_FIGURES
    return api
