"""VK's API (dev.vk.com/en/method), at ``/api.vk.com/method/<name>`` (parameters in the query or a form,
``v`` required), with VK's own rules and answers: errors come inside HTTP 200 as
``{"error": {"error_code", "error_msg", "request_params"}}`` (5: a missing or revoked token).

- ``users.get`` (``fields=photo_200,screen_name,followers_count``): the token's user, in ``response[0]``
  (also the account's figures: ``followers_count``).
- ``photos.getWallUploadServer`` (``group_id`` for a community): an ``upload_url`` on ``pu.vk.com``; a
  multipart ``photo`` POSTed there (JPEG, PNG or GIF, at most 50 MB) answers ``server``, ``photo``,
  ``hash``, which ``photos.saveWallPhoto`` turns into a photo of the user's wall album.
- ``video.save`` (``name`` at most 128 characters, ``group_id``, ``wallpost``;
  dev.vk.com/en/api/upload/video-in-profile): ``upload_url`` on ``ovu.mycdn.me``, ``video_id``,
  ``owner_id``, ``access_key``; a multipart ``video_file`` POSTed there (AVI, MP4, 3GP, MPEG, MOV, FLV or WMV,
  one request: at most 2 GB) answers ``video_hash``, ``size``, ``owner_id``, ``video_id``, and the video can
  then be attached as ``video<owner_id>_<video_id>``.
- ``wall.post`` (``message`` at most 16,384 characters, ``attachments`` at most 10, ``owner_id``,
  ``from_group``, ``guid``): ``{"response": {"post_id"}}``; the same ``guid`` from the same user
  answers the post it made instead of a second one.
- ``wall.get`` (``owner_id``, ``count`` at most 100): the wall's posts, newest first.
- ``wall.getById`` (``posts=<owner>_<id>,...``, at most 100): ``{"items": [...]}`` with ``views``,
  ``likes``, ``reposts`` and ``comments`` counts (growing with time since posting, or as set through
  ``/_emulator/metrics``); unknown posts are left out.

Fault endpoints: each method's name (``wall.post``, ``wall.get``, ``photos.saveWallPhoto``, ``video.save``...),
``upload`` (the photo upload server), ``video_upload`` (the video upload server),
``insights`` (wall.getById), ``account_insights`` (users.get).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from socialpub.local.emulator.scopes import Requirement, lacking
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, number_of

NETWORK = "vk"
MAX_MESSAGE = 16384
MAX_ATTACHMENTS = 10
MAX_PHOTO_BYTES = 50 * 1024 * 1024
MAX_COUNT = 100
MAX_VIDEO_NAME = 128
# One multipart request to the upload server (OK's video platform behind ovu.mycdn.me takes at most 2 GB so).
MAX_VIDEO_BYTES = 2 * 1024 * 1024 * 1024
PHOTO_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"GIF8": "image/gif"}
# The access rights each method needs (dev.vk.com/en/method/<name>: "Access rights required"); a token
# lacking one is refused with error 7 (dev.vk.com/en/reference/errors).
METHOD_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "wall.post": ("wall",),
    "photos.getWallUploadServer": ("photos",),
    "photos.saveWallPhoto": ("photos",),
    "video.save": ("video",),
}
# What a post the publisher makes needs (text: wall.post; its photos and videos add photos and video).
PUBLISH_SCOPES: tuple[Requirement, ...] = ("wall",)
NO_RIGHT = "no-right"  # user_id's answer for a token lacking the method's access right
POST_FIGURES = ("views", "likes", "reposts", "comments")
ACCOUNT_FIGURES = ("followers_count",)
INVALID_TOKEN = {
    "error": {
        "error_code": 5,
        "error_msg": "User authorization failed: invalid access_token (4).",
        "request_params": [],
    }
}

# VK ID (id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/api-integration/api-description),
# the OAuth 2.1 sign-in VK gives new apps: id.vk.com/authorize with PKCE (S256); the redirect back carries
# code, state and a device_id; POST id.vk.com/oauth2/auth exchanges the code (code_verifier, device_id and a
# state of the client's own) for an access token of an hour and a refresh token, and refreshes with the
# refresh token and the same device_id, each refresh giving a new refresh token (the used one is void).
# The tokens call api.vk.com's methods as the classic ones did (oauth.vk.com, no longer offered to new apps).
SIGN_IN = SignIn(
    network=NETWORK,
    name="VK",
    docs="https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/api-integration/api-description",
    api="https://api.vk.com/method",
    authorization_url="https://id.vk.com/authorize",
    token_url="https://id.vk.com/oauth2/auth",
    pkce=True,
    access_token_ttl=3600,
    refresh_tokens=True,
    rotates_refresh_token=True,
    device_id=True,
    # VK ID's logout (POST id.vk.com/oauth2/logout with client_id and access_token) voids the token.
    revoke_url="https://id.vk.com/oauth2/logout",
    revoke_token_field="access_token",
    profile=Profile(
        url="https://api.vk.com/method/users.get?fields=photo_200,screen_name,followers_count&v=5.199",
        fields={
            "id": "response.0.id",
            "name": "response.0.first_name",
            "username": "response.0.screen_name",
            "image": "response.0.photo_200",
            "followers": "response.0.followers_count",
        },
    ),
    unauthorized=INVALID_TOKEN,
)


def _video_type(data: bytes) -> str | None:
    """The container of an uploaded video, from its first bytes (the formats VK's upload page lists)."""
    if data[4:8] == b"ftyp":  # MP4, MOV, 3GP (ISO base media)
        return "video/mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return "video/x-msvideo"
    if data[:3] == b"FLV":
        return "video/x-flv"
    if data[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "video/mpeg"
    if data[:4] == b"\x30\x26\xb2\x75":  # ASF: WMV
        return "video/x-ms-wmv"
    return None


def _error(code: int, message: str, params: dict[str, str]) -> JSONResponse:
    shown = [{"key": k, "value": v} for k, v in params.items() if k not in ("access_token",)]
    return JSONResponse({"error": {"error_code": code, "error_msg": message, "request_params": shown}})


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    last_ids: dict[str, int] = {}  # owner -> last post id on its wall

    async def params_of(request: Request) -> dict[str, str]:
        values = {k: str(v) for k, v in request.query_params.items()}
        if request.method == "POST":
            form = await request.form()
            values.update({k: v for k, v in form.items() if isinstance(v, str)})
        return values

    def user_id(request: Request, params: dict[str, str]) -> str | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or params.get("access_token")
        with state.lock:
            family = state.family_of_access(token) if token else None
        if family is None or family.network != NETWORK:
            return None
        if lacking(family, METHOD_SCOPES.get(str(request.path_params.get("method")), ())):
            return NO_RIGHT
        return number_of(NETWORK, family.user)

    def item(post: EmulatedPost) -> dict[str, Any]:
        owner, _, number = post.id.partition("_")
        figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
        return {
            "id": int(number),
            "owner_id": int(owner),
            "from_id": int(post.extra["from_id"]),
            "date": int(post.created_at),
            "text": post.text,
            "attachments": post.extra.get("attachments", []),
            **{name: {"count": figures[name]} for name in POST_FIGURES},
        }

    @api.post("/pu.vk.com/{path:path}")
    async def upload(path: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "upload")) is not None:
            return fault
        with state.lock:
            server = state.objects.get(f"vk-upload:{path}")
        if server is None:
            return JSONResponse({"error": "ERR_UPLOAD_TERMINATED: upload url is invalid or expired"})
        form = await request.form()
        photo = form.get("photo")
        if not isinstance(photo, UploadFile):
            return JSONResponse({"server": server["server"], "photo": "[]", "hash": ""})
        data = await photo.read()
        mime = next((m for magic, m in PHOTO_MAGIC.items() if data.startswith(magic)), None)
        if mime is None or len(data) > MAX_PHOTO_BYTES:
            return JSONResponse({"error": "ERR_UPLOAD_BAD_IMAGE_SIZE: photo is not a JPEG, PNG or GIF of 50 MB"})
        key = secrets.token_hex(8)
        with state.lock:
            state.objects[f"vk-photo:{key}"] = {"kind": "vk-photo", "polls": 0, "owner": server["owner"],
                                               "media": digest(data, mime)}  # fmt: skip
        listed = json.dumps([{"photo": key, "sizes": [], "kid": secrets.token_hex(4)}])
        answer = {"server": server["server"], "photo": listed, "hash": hashlib.md5(listed.encode()).hexdigest()}
        return await state.after(NETWORK, "upload", JSONResponse(answer))

    @api.post("/ovu.mycdn.me/upload.do")
    async def video_upload(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "video_upload")) is not None:
            return fault
        with state.lock:
            video = state.objects.get(f"vk-video-upload:{request.query_params.get('id', '')}")
        if video is None:
            return JSONResponse({"error": "upload url is invalid or expired"}, status_code=400)
        form = await request.form()
        upload = form.get("video_file")
        if not isinstance(upload, UploadFile):
            return JSONResponse({"error": "video_file is required"}, status_code=400)
        data = await upload.read()
        if _video_type(data) is None or len(data) > MAX_VIDEO_BYTES:
            return JSONResponse({"error": "video_file is not a video VK takes (AVI, MP4, 3GP, MPEG, MOV, FLV, WMV)"})
        stored = {**video, "media": digest(data, upload.content_type or _video_type(data))}
        with state.lock:
            state.objects[f"vk-saved-video:{video['owner']}_{video['video_id']}"] = stored
        answer = {
            "video_hash": hashlib.md5(data).hexdigest()[:18],
            "size": len(data),
            "owner_id": int(video["owner"]),
            "video_id": video["video_id"],
        }
        return await state.after(NETWORK, "video_upload", JSONResponse(answer))

    @api.api_route("/api.vk.com/method/{method}", methods=["GET", "POST"])
    async def method(method: str, request: Request) -> Response:
        endpoint = {"wall.getById": "insights", "users.get": "account_insights"}.get(method, method)
        if (fault := await state.before(NETWORK, endpoint)) is not None:
            return fault
        params = await params_of(request)
        if not params.get("v"):
            return _error(8, "Invalid request: v (version) is required", params)
        uid = user_id(request, params)
        if uid is None:
            return JSONResponse(INVALID_TOKEN)
        if uid == NO_RIGHT:  # the token was not granted the access right the method needs
            return _error(7, "Permission to perform this action is denied", params)
        if method == "users.get":
            return users_get(uid)
        if method == "photos.getWallUploadServer":
            owner = f"-{params['group_id']}" if params.get("group_id") else uid
            path = f"c{secrets.randbelow(900000) + 100000}/ss2/upload.php"
            with state.lock:
                state.objects[f"vk-upload:{path}"] = {"kind": "vk-upload", "polls": 0, "server": 8123, "owner": owner}
            answer = {"upload_url": f"https://pu.vk.com/{path}", "album_id": -14, "user_id": int(uid)}
            return JSONResponse({"response": answer})
        if method == "photos.saveWallPhoto":
            return await save_photo(params)
        if method == "video.save":
            return await video_save(uid, params)
        if method == "wall.post":
            return await wall_post(uid, params)
        if method == "wall.get":
            owner = params.get("owner_id") or uid
            count = int(params.get("count") or 20)
            if not 1 <= count <= MAX_COUNT:
                return _error(100, "One of the parameters specified was missing or invalid: count", params)
            posts = sorted(
                (p for p in state.posts_of(NETWORK) if p.id.startswith(f"{owner}_")), key=lambda p: -p.created_at
            )
            return JSONResponse({"response": {"count": len(posts), "items": [item(p) for p in posts[:count]]}})
        if method == "wall.getById":
            wanted = [p for p in params.get("posts", "").split(",") if p]
            if len(wanted) > MAX_COUNT:
                return _error(100, "One of the parameters specified was missing or invalid: posts", params)
            known = {p.id: p for p in state.posts_of(NETWORK)}
            return JSONResponse({"response": {"items": [item(known[w]) for w in wanted if w in known]}})
        return _error(3, "Unknown method passed.", params)

    def users_get(uid: str) -> Response:
        with state.lock:
            user = next((f.user for f in state.families if number_of(NETWORK, f.user) == uid), "user")
        figures = state.figures(NETWORK, uid, ACCOUNT_FIGURES, 0.0)
        body = {
            "id": int(uid),
            "first_name": user.replace("-", " ").title(),
            "last_name": "",
            "screen_name": user.replace("-", "_"),
            "photo_200": f"https://sun9-1.userapi.com/{user}.jpg",
            **figures,
        }
        return JSONResponse({"response": [body]})

    async def video_save(uid: str, params: dict[str, str]) -> Response:
        if len(params.get("name", "")) > MAX_VIDEO_NAME:
            return _error(100, "One of the parameters specified was missing or invalid: name is too long", params)
        owner = f"-{params['group_id']}" if params.get("group_id") else uid
        video_id = 456239000 + secrets.randbelow(999)
        key = secrets.token_hex(8)
        with state.lock:
            while any(o.get("video_id") == video_id and o.get("owner") == owner for o in state.objects.values()):
                video_id += 1
            state.objects[f"vk-video-upload:{key}"] = {"kind": "vk-video", "polls": 0, "owner": owner,
                                                      "video_id": video_id}  # fmt: skip
        answer = {
            "access_key": secrets.token_hex(9),
            "description": params.get("description", ""),
            "owner_id": int(owner),
            "title": params.get("name") or "Untitled",
            "upload_url": f"https://ovu.mycdn.me/upload.do?sig={secrets.token_hex(20)}&id={key}&vkVideoId={video_id}",
            "video_id": video_id,
        }
        return await state.after(NETWORK, "video.save", JSONResponse({"response": answer}))

    async def save_photo(params: dict[str, str]) -> Response:
        try:
            listed = json.loads(params.get("photo") or "[]")
        except ValueError:
            listed = []
        if not listed or hashlib.md5(params["photo"].encode()).hexdigest() != params.get("hash"):
            return _error(100, "One of the parameters specified was missing or invalid: photos list is invalid", params)
        saved = []
        for entry in listed:
            with state.lock:
                photo = state.objects.get(f"vk-photo:{entry['photo']}")
            if photo is None:
                return _error(100, "One of the parameters specified was missing or invalid: photo is undefined", params)
            photo_id = int(number_of(NETWORK, "photo", entry["photo"])[:9])
            with state.lock:
                state.objects[f"vk-saved:{photo['owner']}_{photo_id}"] = photo
            saved.append({"id": photo_id, "owner_id": int(photo["owner"]), "album_id": -14, "sizes": []})
        return await state.after(NETWORK, "photos.saveWallPhoto", JSONResponse({"response": saved}))

    async def wall_post(uid: str, params: dict[str, str]) -> Response:
        owner = params.get("owner_id") or uid
        message = params.get("message", "")
        attachments = [a for a in params.get("attachments", "").split(",") if a]
        if not message and not attachments:
            return _error(
                100, "One of the parameters specified was missing or invalid: message is empty or invalid", params
            )
        if len(message) > MAX_MESSAGE:
            return _error(100, "One of the parameters specified was missing or invalid: message is too long", params)
        if len(attachments) > MAX_ATTACHMENTS:
            return _error(100, "One of the parameters specified was missing or invalid: too many attachments", params)
        if owner != uid and not owner.startswith("-"):
            return _error(214, "Access to adding post denied: you can only post on your own wall", params)
        media, links = [], []
        for attachment in attachments:
            if attachment.startswith(("http://", "https://")):
                links.append(attachment)
                continue
            kind = "video" if attachment.startswith("video") else "photo"
            with state.lock:
                photo = state.objects.get(
                    f"vk-saved{'-video' if kind == 'video' else ''}:{attachment.removeprefix(kind)}"
                )
            if not attachment.startswith(kind) or photo is None:
                return _error(
                    100, f"One of the parameters specified was missing or invalid: attachments {attachment}", params
                )
            media.append(photo["media"])
        if len(links) > 1:
            return _error(
                100, "One of the parameters specified was missing or invalid: only one link attachment", params
            )
        guid = params.get("guid")
        with state.lock:
            again = next(
                (p for p in state.posts if p.network == NETWORK and guid and p.extra.get("guid") == f"{uid}:{guid}"),
                None,
            )
            if again is None:
                number = last_ids.get(owner, 0) + 1
                last_ids[owner] = number
        if again is not None:  # the same guid from the same user: the entry it made, not a second one
            return await state.after(
                NETWORK, "wall.post", JSONResponse({"response": {"post_id": int(again.id.partition("_")[2])}})
            )
        post_id = f"{owner}_{number}"
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=owner,
                id=post_id,
                text=message,
                url=f"https://vk.com/wall{post_id}",
                media=media,
                created_at=time.time(),
                extra={
                    "from_id": owner if params.get("from_group") == "1" else uid,
                    "attachments": attachments,
                    "link": links[0] if links else None,
                    "guid": f"{uid}:{guid}" if guid else None,
                },
            )
        )
        return await state.after(NETWORK, "wall.post", JSONResponse({"response": {"post_id": number}}))

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
