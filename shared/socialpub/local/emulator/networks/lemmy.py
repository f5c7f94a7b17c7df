"""Lemmy's HTTP API v3 (join-lemmy.org/api, Lemmy 0.19), on any instance, with its own rules.

- ``POST /api/v3/user/login`` (``username_or_email``, ``password`` of 10 to 60 characters,
  ``totp_2fa_token``): ``{"jwt", "registration_created", "verify_email_sent"}``; a wrong password is
  401 ``{"error": "incorrect_login"}``. The JWT goes in ``Authorization: Bearer`` afterwards.
- ``GET /api/v3/site``: the site, and ``my_user.local_user_view`` (person, counts) for a signed-in bearer.
- ``GET /api/v3/community?name=``: ``community_view``; a name starting with ``missing`` is not there
  (404 ``couldnt_find_community``).
- ``POST /pictrs/image`` (multipart ``images[]``): ``{"msg": "ok", "files": [{"file", "delete_token"}]}``;
  the image is then at ``https://<instance>/pictrs/image/<file>``.
- ``POST /api/v3/post`` (``name``, ``community_id``, ``url``, ``body``, ``alt_text``, ``nsfw``,
  ``language_id``): ``{"post_view"}``. The title is 3 to 200 code points with no line break
  (``invalid_post_title``), the body at most 10,000 code points (``invalid_body_field``), the URL
  http(s) (``invalid_url``); a pict-rs URL of this instance must name an uploaded file.
- ``POST /api/v3/comment`` (``content``, ``post_id``): ``{"comment_view"}``.
- ``GET /api/v3/post/list?community_id=&sort=New&limit=``, ``GET /api/v3/comment/list?post_id=``.
- ``GET /api/v3/post?id=``: ``post_view.counts`` (``score``, ``upvotes``, ``downvotes``, ``comments``);
  404 ``couldnt_find_post``.

Lemmy answers a missing or ended session 400 ``{"error": "not_logged_in"}`` (its errors are 400 but
for a wrong login and a missing row). Fault endpoints: ``login``, ``community``, ``pictrs``, ``post``,
``comment``, ``insights`` (post read).

This module keeps Lemmy's rules itself (it imports nothing of the product's domain).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, TokenFamily, digest, new_number, number_of

NETWORK = "lemmy"
MAX_TITLE = 200
MIN_TITLE = 3
MAX_BODY = 10_000
MAX_LIST = 50
PASSWORD = re.compile(r"^.{10,60}$", re.DOTALL)
COMMUNITY = re.compile(r"^[a-z0-9_]{3,20}(@[A-Za-z0-9.-]+)?$")
POST_FIGURES = ("score", "upvotes", "downvotes", "comments")

# Sign-in as Lemmy documents it (LemmyHttp.login, getSite): a username and password for a JWT on the
# instance, served by this module (not a session_url: its tokens are Lemmy's own, not shared with
# another network signing in on the same host).
SIGN_IN = SignIn(
    network=NETWORK,
    name="Lemmy",
    docs="https://join-lemmy.org/api/classes/LemmyHttp.html",
    api="https://{instance}/api/v3",
    per_instance=True,
    unauthorized={"error": "not_logged_in"},
    profile=Profile(
        url="https://{instance}/api/v3/site",
        fields={
            "id": "my_user.local_user_view.person.id",
            "name": "my_user.local_user_view.person.display_name",
            "username": "my_user.local_user_view.person.name",
            "image": "my_user.local_user_view.person.avatar",
            "posts": "my_user.local_user_view.counts.post_count",
        },
    ),
)


def _error(code: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat().replace("+00:00", "Z")


def _person(instance: str, user: str) -> dict[str, Any]:
    return {
        "id": int(number_of(NETWORK, instance, user)),
        "name": user,
        "display_name": user.replace("-", " ").title(),
        "avatar": f"https://{instance}/pictrs/image/{user}.png",
        "actor_id": f"https://{instance}/u/{user}",
        "local": True,
        "banned": False,
        "bot_account": False,
    }


def _community(instance: str, name: str) -> dict[str, Any]:
    local, _, host = name.partition("@")
    return {
        "id": int(number_of(NETWORK, instance, name)),
        "name": local,
        "title": local.replace("_", " ").title(),
        "actor_id": f"https://{host or instance}/c/{local}",
        "local": not host or host == instance,
        "removed": False,
        "deleted": False,
        "posting_restricted_to_mods": False,
    }


class _Lemmy:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.communities: dict[int, dict[str, Any]] = {}  # id -> community, as resolved by name

    def user(self, request: Request) -> str | None:
        family = self.state.bearer(request, NETWORK)
        if family is None and (cookie := request.cookies.get("jwt")):  # pict-rs behind Lemmy takes the cookie
            with self.state.lock:
                family = self.state.family_of_access(cookie)
            family = family if family is not None and family.network == NETWORK else None
        return family.user if family else None

    def post_view(self, instance: str, post: EmulatedPost) -> dict[str, Any]:
        community = self.communities.get(int(post.extra["community_id"]), {})
        user = post.extra["user"]
        return {
            "post": {
                "id": int(post.id),
                "name": post.title,
                "url": post.extra.get("url"),
                "body": post.text or None,
                "alt_text": post.extra.get("alt_text"),
                "creator_id": int(post.account),
                "community_id": int(post.extra["community_id"]),
                "nsfw": post.extra.get("nsfw", False),
                "language_id": post.extra.get("language_id", 0),
                "published": _when(post.created_at),
                "ap_id": post.url,
                "local": True,
                "removed": False,
                "deleted": False,
            },
            "creator": _person(instance, user),
            "community": community,
            "counts": {"post_id": int(post.id), **self.state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)},
        }


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    lemmy = _Lemmy(state)

    @api.post("/{instance}/api/v3/user/login")
    async def login(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "login")) is not None:
            return fault
        body = await request.json()
        username = str(body.get("username_or_email") or "").strip()
        if not username or not PASSWORD.match(str(body.get("password") or "")):
            return _error("incorrect_login", 401)
        user = username.split("@")[0] if "@" in username else username
        token = secrets.token_urlsafe(32)
        family = TokenFamily(network=NETWORK, client_id="", scope="", user=user)
        family.access_tokens.add(token)
        with state.lock:
            state.families.append(family)
        answer = {"jwt": token, "registration_created": False, "verify_email_sent": False}
        return await state.after(NETWORK, "login", JSONResponse(answer))

    @api.get("/{instance}/api/v3/site")
    async def site(instance: str, request: Request) -> Response:
        user = lemmy.user(request)
        my_user = None
        if user is not None:
            person = _person(instance, user)
            posts = [p for p in state.posts_of(NETWORK, str(person["id"])) if p.extra.get("kind") == "post"]
            my_user = {
                "local_user_view": {
                    "person": person,
                    "local_user": {"person_id": person["id"], "show_nsfw": False},
                    "counts": {"person_id": person["id"], "post_count": len(posts), "comment_count": 0},
                },
                "follows": [],
                "moderates": [],
            }
        site_view = {"site": {"name": instance, "actor_id": f"https://{instance}/"}, "local_site": {}}
        return JSONResponse({"site_view": site_view, "admins": [], "version": "0.19.5", "my_user": my_user})

    @api.get("/{instance}/api/v3/community")
    async def community(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "community")) is not None:
            return fault
        name = request.query_params.get("name", "")
        if not COMMUNITY.match(name) or name.startswith("missing"):
            return _error("couldnt_find_community", 404)
        found = _community(instance, name)
        with state.lock:
            lemmy.communities[found["id"]] = found
        counts = {"community_id": found["id"], "subscribers": 1500, "posts": 320, "comments": 4100}
        return JSONResponse({"community_view": {"community": found, "counts": counts}, "moderators": []})

    @api.post("/{instance}/pictrs/image")
    async def pictrs(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "pictrs")) is not None:
            return fault
        if lemmy.user(request) is None:
            return _error("not_logged_in")
        form = await request.form()
        upload = form.get("images[]")
        if upload is None or isinstance(upload, str):
            return JSONResponse({"msg": "No files present in upload", "code": "no-files"}, status_code=400)
        data = await upload.read()
        mime = upload.content_type or "application/octet-stream"
        if not mime.startswith("image/"):
            return JSONResponse({"msg": "Unsupported media type", "code": "invalid-media"}, status_code=400)
        name = f"{secrets.token_hex(16)}.{mime.split('/')[1]}"
        state.new_object("lemmy_image", name=name, instance=instance, file=digest(data, mime))
        answer = {"msg": "ok", "files": [{"file": name, "delete_token": secrets.token_hex(16)}]}
        return await state.after(NETWORK, "pictrs", JSONResponse(answer, status_code=201))

    def _uploaded(instance: str, url: str) -> dict[str, Any] | None:
        name = url.removeprefix(f"https://{instance}/pictrs/image/")
        with state.lock:
            return next(
                (o for o in state.objects.values() if o["kind"] == "lemmy_image" and o["name"] == name),
                None,
            )

    @api.post("/{instance}/api/v3/post")
    async def create_post(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "post")) is not None:
            return fault
        user = lemmy.user(request)
        if user is None:
            return _error("not_logged_in")
        body: dict[str, Any] = await request.json()
        title = str(body.get("name") or "")
        if not MIN_TITLE <= len(title.strip()) <= MAX_TITLE or "\n" in title or "\r" in title:
            return _error("invalid_post_title")
        text = str(body.get("body") or "")
        if len(text) > MAX_BODY:
            return _error("invalid_body_field")
        community = lemmy.communities.get(int(body.get("community_id") or 0))
        if community is None:
            return _error("couldnt_find_community", 404)
        url = body.get("url")
        media: list[dict[str, Any]] = []
        if url is not None:
            if not re.match(r"^https?://[^\s/]+", str(url)):
                return _error("invalid_url")
            if str(url).startswith(f"https://{instance}/pictrs/image/"):
                found = _uploaded(instance, str(url))
                if found is None:
                    return _error("invalid_url")
                alt = str(body["alt_text"]) if body.get("alt_text") else None
                media.append({"type": "image", **found["file"], **({"alt_text": alt} if alt else {})})
        person = _person(instance, user)
        post_id = str(int(new_number()) % 10**9)
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=str(person["id"]),
                id=post_id,
                text=text,
                title=title,
                url=f"https://{instance}/post/{post_id}",
                media=media,
                extra={
                    "kind": "post",
                    "user": user,
                    "instance": instance,
                    "community_id": community["id"],
                    "community": community["name"],
                    "url": url,
                    "alt_text": body.get("alt_text"),
                    "nsfw": bool(body.get("nsfw")),
                    "language_id": int(body.get("language_id") or 0),
                },
            )
        )
        return await state.after(NETWORK, "post", JSONResponse({"post_view": lemmy.post_view(instance, post)}))

    @api.post("/{instance}/api/v3/comment")
    async def create_comment(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "comment")) is not None:
            return fault
        user = lemmy.user(request)
        if user is None:
            return _error("not_logged_in")
        body: dict[str, Any] = await request.json()
        content = str(body.get("content") or "")
        if not content.strip() or len(content) > MAX_BODY:
            return _error("invalid_body_field")
        parent = str(body.get("post_id") or "")
        if not any(p.id == parent and p.extra.get("kind") == "post" for p in state.posts_of(NETWORK)):
            return _error("couldnt_find_post", 404)
        person = _person(instance, user)
        comment_id = str(int(new_number()) % 10**9)
        comment = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=str(person["id"]),
                id=comment_id,
                text=content,
                url=f"https://{instance}/comment/{comment_id}",
                reply_to=parent,
                extra={"kind": "comment", "user": user, "instance": instance},
            )
        )
        return await state.after(NETWORK, "comment", JSONResponse({"comment_view": _comment_view(instance, comment)}))

    def _comment_view(instance: str, comment: EmulatedPost) -> dict[str, Any]:
        return {
            "comment": {
                "id": int(comment.id),
                "creator_id": int(comment.account),
                "post_id": int(comment.reply_to or 0),
                "content": comment.text,
                "published": _when(comment.created_at),
                "ap_id": comment.url,
            },
            "creator": _person(instance, comment.extra["user"]),
        }

    def _limit(request: Request) -> int:
        return max(1, min(int(request.query_params.get("limit") or 10), MAX_LIST))

    @api.get("/{instance}/api/v3/post/list")
    @api.get("/{instance}/api/v3/comment/list")
    async def listing(instance: str, request: Request) -> Response:
        """The instance's newest posts (of ``community_id``) or a post's newest comments (``post_id``)."""
        if lemmy.user(request) is None:
            return _error("not_logged_in")
        kind = request.url.path.rsplit("/", 2)[-2]
        q = request.query_params
        found = [
            p
            for p in state.posts_of(NETWORK)
            if p.extra.get("kind") == kind
            and p.extra.get("instance") == instance
            and (
                p.reply_to == q.get("post_id")
                if kind == "comment"
                else q.get("community_id") in (None, str(p.extra["community_id"]))
            )
        ]
        found.sort(key=lambda p: p.created_at, reverse=True)  # sort=New, the only order emulated
        view = lemmy.post_view if kind == "post" else _comment_view
        return JSONResponse({f"{kind}s": [view(instance, p) for p in found[: _limit(request)]]})

    @api.get("/{instance}/api/v3/post")
    async def get_post(instance: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        if lemmy.user(request) is None:
            return _error("not_logged_in")
        post_id = request.query_params.get("id", "")
        post = next((p for p in state.posts_of(NETWORK) if p.id == post_id and p.extra.get("kind") == "post"), None)
        if post is None or post.extra.get("instance") != instance:
            return _error("couldnt_find_post", 404)
        view = lemmy.post_view(instance, post)
        return JSONResponse({"post_view": view, "community_view": {"community": view["community"]}, "moderators": []})

    state.post_figures[NETWORK] = POST_FIGURES
    return api
