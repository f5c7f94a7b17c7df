"""TikTok's Content Posting API, direct post (developers.tiktok.com/doc/content-posting-api-reference-direct-post).

- ``POST /v2/post/publish/creator_info/query/``: the creator's privacy options (all four for most
  users; ``FOLLOWER_OF_CREATOR``/``SELF_ONLY`` for private accounts, users named ``private...``),
  interactions they disabled, ``max_video_post_duration_sec`` (600) and username.
- ``POST /v2/post/publish/video/init/``: ``FILE_UPLOAD`` (chunk rules checked: chunks of 5-64 MB, one
  whole chunk under 5 MB, ``total_chunk_count`` = size // chunk size) answers ``publish_id`` and an
  ``upload_url`` on ``open-upload.tiktokapis.com``; ``PULL_FROM_URL`` pulls ``video_url`` at once.
- ``PUT https://open-upload.tiktokapis.com/video/?upload_id=&upload_token=``: one chunk, in order,
  with ``Content-Range``; 206 until the last byte, then 201, and the post exists from then on.
- ``POST /v2/post/publish/content/init/``: a photo post (``PULL_FROM_URL``, JPEG/WebP, 1-35 photos).
- ``POST /v2/post/publish/status/fetch/``: ``PROCESSING_UPLOAD``/``PROCESSING_DOWNLOAD`` for
  ``polls_to_finish`` polls, then ``PUBLISH_COMPLETE`` with ``publicaly_available_post_id`` (empty for
  ``SELF_ONLY`` posts, which are never public), or ``FAILED`` with ``fail_reason`` (a file that is not
  a video or a JPEG/WebP photo: ``file_format_check_failed``; a pull that fails: ``video_pull_failed``
  / ``photo_pull_failed``).

- ``POST /v2/video/query/?fields=`` with ``{"filters": {"video_ids": [...]}}`` (1-20 ids, else 400
  ``invalid_params``): ``data.videos``, the token's user's public videos among the ids, each with the
  fields asked (``id``, ``view_count``, ``like_count``, ``comment_count``, ``share_count``, growing with
  time since posting, or as set through ``/_emulator/metrics``); other ids are left out.
- ``GET /v2/user/info/?fields=``: ``data.user`` with the fields asked (the profile's ``open_id``,
  ``display_name``, ``username``, ``avatar_url``; ``follower_count``, ``following_count``,
  ``likes_count``, ``video_count`` keyed by the ``open_id``). The connect reads its profile here too.

Every answer is ``{"data": ..., "error": {"code", "message", "log_id"}}``; ``code`` is ``ok`` on success.

Fault endpoints: ``creator_info``, ``video_init``, ``upload``, ``content_init``, ``status``, ``insights``
(video/query), ``account_insights`` (user/info).
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.scopes import Requirement
from socialpub.local.emulator.scopes import refusal as scope_refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, fetch, new_number, number_of

NETWORK = "tiktok"
HOST = "/open.tiktokapis.com/v2"
API = f"{HOST}/post/publish"
UPLOAD_HOST = "open-upload.tiktokapis.com"
OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
PRIVATE_OPTIONS = ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]
# Limits (the emulator's own, never the product's catalog), from
# developers.tiktok.com/doc/content-posting-api-reference-direct-post and -photo-post.
MAX_DURATION = 600
MAX_TITLE = 2200  # UTF-16 units
MAX_PHOTO_TITLE = 90
MAX_DESCRIPTION = 4000
MAX_PHOTOS = 35
MB = 1024 * 1024
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
MAX_QUERY_IDS = 20
POST_FIGURES = ("view_count", "like_count", "comment_count", "share_count")
ACCOUNT_FIGURES = ("follower_count", "following_count", "likes_count", "video_count")

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="TikTok",
    docs="https://developers.tiktok.com/doc/oauth-user-access-token-management",
    api="https://open.tiktokapis.com",
    authorization_url="https://www.tiktok.com/v2/auth/authorize/",
    token_url="https://open.tiktokapis.com/v2/oauth/token/",
    access_token_ttl=7_200,
    refresh_tokens=True,
    rotates_refresh_token=True,
    revoke_url="https://open.tiktokapis.com/v2/oauth/revoke/",
    profile=Profile(
        url="https://open.tiktokapis.com/v2/user/info/?fields=open_id,avatar_url,display_name,username,follower_count,following_count,video_count",
        fields={
            "id": "data.user.open_id",
            "name": "data.user.display_name",
            "username": "data.user.username",
            "image": "data.user.avatar_url",
            "followers": "data.user.follower_count",
            "following": "data.user.following_count",
            "posts": "data.user.video_count",
        },
    ),
)


def _log_id() -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


def _ok(data: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"data": data, "error": {"code": "ok", "message": "", "log_id": _log_id()}}, status_code=status)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "log_id": _log_id()}}, status_code=status)


# developers.tiktok.com/doc/content-posting-api-reference-direct-post (and creator_info, the photo post):
# "Scopes" video.publish; a token without it is refused 401 scope_not_authorized.
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "creator_info": ("video.publish",),
    "video_init": ("video.publish",),
    "content_init": ("video.publish",),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = ("video.publish",)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    return _error(
        401, "scope_not_authorized", "The user did not authorize the scope required for completing this request."
    )


def _invalid_token() -> JSONResponse:
    return _error(
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request. Please refresh the token and retry.",
    )


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_video(data: bytes) -> bool:
    return data[4:8] == b"ftyp" or data[:4] == b"\x1a\x45\xdf\xa3"


def _is_photo(data: bytes) -> bool:
    """TikTok takes JPEG and WebP photos (not PNG)."""
    return data[:3] == b"\xff\xd8\xff" or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _mime(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"RIFF":
        return "image/webp"
    if data[:4] == b"\x89PNG":
        return "image/png"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    return "video/quicktime" if data[8:12] == b"qt  " else "video/mp4"


def _creator(user: str) -> dict[str, Any]:
    return {
        "creator_avatar_url": f"https://p16-sign.tiktokcdn-us.com/avatars/{user}.jpeg",
        "creator_username": user,
        "creator_nickname": user.replace("-", " ").title(),
        "privacy_level_options": PRIVATE_OPTIONS if user.startswith("private") else OPTIONS,
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": False,
        "max_video_post_duration_sec": MAX_DURATION,
    }


def _check_post_info(info: Any, user: str, *, photo: bool) -> JSONResponse | None:
    if not isinstance(info, dict):
        return _error(400, "invalid_param", "post_info is required")
    privacy = info.get("privacy_level")
    if privacy not in OPTIONS:
        return _error(400, "invalid_param", "post_info.privacy_level is required and must be a privacy level option")
    if privacy not in _creator(user)["privacy_level_options"]:
        return _error(
            403,
            "privacy_level_option_mismatch",
            f"privacy_level {privacy} is not among the creator's privacy_level_options",
        )
    title = info.get("title") or ""
    if not isinstance(title, str) or (not photo and _utf16(title) > MAX_TITLE):
        return _error(
            400, "invalid_param", f"post_info.title must be a string of at most {MAX_TITLE} UTF-16 characters"
        )
    if photo and _utf16(str(info.get("description") or "")) > MAX_DESCRIPTION:
        return _error(400, "invalid_param", f"post_info.description must be at most {MAX_DESCRIPTION} characters")
    return None


def _object_id(publish_id: str) -> str:
    return publish_id.rsplit(".", 1)[-1]


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    async def _body(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _publish(publish_id: str, user: str, data: list[tuple[bytes, str]]) -> None:
        """The post exists: every byte arrived (or was pulled) and passed the format checks."""
        with state.lock:
            found = state.objects[_object_id(publish_id)]
        photo = found["media_type"] == "PHOTO"
        check = _is_photo if photo else _is_video
        if not all(check(content) for content, _ in data):
            with state.lock:
                found["fail_reason"] = "file_format_check_failed"
            return
        info = found["post_info"]
        post_id = new_number()
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=number_of(NETWORK, user, ""),
                id=post_id,
                text=str(info.get("description") if photo else info.get("title") or ""),
                title=str(info["title"])[:MAX_PHOTO_TITLE] if photo and info.get("title") else None,
                url=f"https://www.tiktok.com/@{user}/{'photo' if photo else 'video'}/{post_id}",
                media=[digest(content, mime) for content, mime in data],
                extra={
                    "privacy_level": info["privacy_level"],
                    "disable_comment": bool(info.get("disable_comment")),
                    "disable_duet": bool(info.get("disable_duet")),
                    "disable_stitch": bool(info.get("disable_stitch")),
                    "brand_content_toggle": bool(info.get("brand_content_toggle")),
                    "video_cover_timestamp_ms": info.get("video_cover_timestamp_ms"),
                    "source": found["source"],
                    "publish_id": publish_id,
                },
            )
        )
        with state.lock:
            found["post_id"] = post_id

    @api.post(f"{API}/creator_info/query/")
    async def creator_info(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "creator_info")) is not None:
            return fault
        if (
            refused := scope_refusal(state, request, NETWORK, ENDPOINT_SCOPES["creator_info"], _lacks_scope)
        ) is not None:
            return refused
        user = _user(request)
        if user is None:
            return _invalid_token()
        return await state.after(NETWORK, "creator_info", _ok(_creator(user)))

    @api.post(f"{API}/video/init/")
    async def video_init(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "video_init")) is not None:
            return fault
        if (refused := scope_refusal(state, request, NETWORK, ENDPOINT_SCOPES["video_init"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return _invalid_token()
        body = await _body(request)
        if body is None:
            return _error(400, "invalid_param", "The request body must be a JSON object")
        info = body.get("post_info")
        if (refusal := _check_post_info(info, user, photo=False)) is not None:
            return refusal
        source = body.get("source_info") or {}
        values = {"account": user, "post_info": info, "media_type": "VIDEO", "fail_reason": None, "post_id": None}
        if source.get("source") == "FILE_UPLOAD":
            try:
                size, chunk, count = (
                    int(source["video_size"]),
                    int(source["chunk_size"]),
                    int(source["total_chunk_count"]),
                )
            except (KeyError, TypeError, ValueError):
                return _error(400, "invalid_param", "video_size, chunk_size and total_chunk_count are required")
            if size <= 0 or chunk <= 0 or count < 1 or count > 1000 or count != max(1, size // chunk):
                return _error(400, "invalid_param", "total_chunk_count must be video_size / chunk_size, rounded down")
            if size < 5 * MB and chunk != size:
                return _error(
                    400, "invalid_param", "A video under 5 MB is uploaded whole: chunk_size must be video_size"
                )
            if size >= 5 * MB and not 5 * MB <= chunk <= 64 * MB:
                return _error(400, "invalid_param", "chunk_size must be between 5 MB and 64 MB")
            token = secrets.token_urlsafe(16)
            object_id = state.new_object(
                "tiktok_publish", source="FILE_UPLOAD", size=size, chunk_size=chunk, count=count,
                token=token, received=b"", mime=None, **values,
            )  # fmt: skip
            publish_id = f"v_pub_file~v2-1.{object_id}"
            upload_url = f"https://{UPLOAD_HOST}/video/?upload_id={object_id}&upload_token={token}"
            answer = _ok({"publish_id": publish_id, "upload_url": upload_url})
        elif source.get("source") == "PULL_FROM_URL":
            url = source.get("video_url")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                return _error(400, "invalid_param", "source_info.video_url is required for PULL_FROM_URL")
            object_id = state.new_object("tiktok_publish", source="PULL_FROM_URL", **values)
            publish_id = f"v_pub_url~v2-1.{object_id}"
            content = await fetch(url)
            if content is None:
                with state.lock:
                    state.objects[object_id]["fail_reason"] = "video_pull_failed"
            else:
                _publish(publish_id, user, [(content, _mime(content))])
            answer = _ok({"publish_id": publish_id})
        else:
            return _error(400, "invalid_param", "source_info.source must be FILE_UPLOAD or PULL_FROM_URL")
        return await state.after(NETWORK, "video_init", answer)

    @api.put(f"/{UPLOAD_HOST}/video/")
    async def upload(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "upload")) is not None:
            return fault
        object_id = request.query_params.get("upload_id", "")
        with state.lock:
            found = state.objects.get(object_id)
            known = found is not None and found["kind"] == "tiktok_publish" and found["source"] == "FILE_UPLOAD"
        if found is None or not known or request.query_params.get("upload_token") != found["token"]:
            return _error(403, "access_token_invalid", "The upload_url is invalid or has expired")
        if found["post_id"] is not None or found["fail_reason"]:
            return _error(400, "invalid_file_upload", "This upload is complete")
        mime = request.headers.get("content-type", "")
        if mime not in VIDEO_TYPES:
            return _error(400, "invalid_file_upload", f"Content-Type must be one of {', '.join(sorted(VIDEO_TYPES))}")
        match = RANGE.match(request.headers.get("content-range", ""))
        data = await request.body()
        size, chunk, count = found["size"], found["chunk_size"], found["count"]
        if match is None:
            return _error(416, "invalid_file_upload", "Content-Range must be 'bytes {first}-{last}/{total}'")
        first, last, total = (int(g) for g in match.groups())
        index = first // chunk
        expected_last = size - 1 if index == count - 1 else first + chunk - 1
        if total != size or first % chunk or index >= count or last != expected_last or len(data) != last - first + 1:
            return _error(416, "invalid_file_upload", f"Content-Range does not match chunk {index + 1} of {count}")
        with state.lock:
            received: bytes = found["received"]
            if first == 0:
                received = b""  # a restarted upload
            elif first != len(received):
                return _error(416, "invalid_file_upload", "Chunks must be uploaded in order")
            received += data
            found["received"], found["mime"] = received, mime
        if len(received) < size:
            return await state.after(NETWORK, "upload", Response(status_code=206))
        _publish(f"v_pub_file~v2-1.{object_id}", found["account"], [(received, mime)])
        return await state.after(NETWORK, "upload", Response(status_code=201))

    @api.post(f"{API}/content/init/")
    async def content_init(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "content_init")) is not None:
            return fault
        if (
            refused := scope_refusal(state, request, NETWORK, ENDPOINT_SCOPES["content_init"], _lacks_scope)
        ) is not None:
            return refused
        user = _user(request)
        if user is None:
            return _invalid_token()
        body = await _body(request)
        if body is None:
            return _error(400, "invalid_param", "The request body must be a JSON object")
        if body.get("media_type") != "PHOTO" or body.get("post_mode") not in ("DIRECT_POST", "MEDIA_UPLOAD"):
            return _error(400, "invalid_param", "media_type must be PHOTO and post_mode DIRECT_POST or MEDIA_UPLOAD")
        info = body.get("post_info")
        if (refusal := _check_post_info(info, user, photo=True)) is not None:
            return refusal
        source = body.get("source_info") or {}
        images = source.get("photo_images")
        if (
            source.get("source") != "PULL_FROM_URL"
            or not isinstance(images, list)
            or not 1 <= len(images) <= MAX_PHOTOS
        ):
            return _error(400, "invalid_param", f"source_info needs PULL_FROM_URL and 1 to {MAX_PHOTOS} photo_images")
        cover = source.get("photo_cover_index", 0)
        if not isinstance(cover, int) or not 0 <= cover < len(images):
            return _error(400, "invalid_param", "photo_cover_index must point into photo_images")
        object_id = state.new_object(
            "tiktok_publish", source="PULL_FROM_URL", account=user, post_info=info, media_type="PHOTO",
            fail_reason=None, post_id=None,
        )  # fmt: skip
        publish_id = f"p_pub_url~v2.{object_id}"
        pulled = [await fetch(str(url)) for url in images]
        if any(content is None for content in pulled):
            with state.lock:
                state.objects[object_id]["fail_reason"] = "photo_pull_failed"
        else:
            _publish(publish_id, user, [(content, _mime(content)) for content in pulled if content is not None])
        return await state.after(NETWORK, "content_init", _ok({"publish_id": publish_id}))

    @api.post(f"{API}/status/fetch/")
    async def status_fetch(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "status")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return _invalid_token()
        body = await _body(request) or {}
        object_id = _object_id(str(body.get("publish_id") or ""))
        with state.lock:
            found = state.objects.get(object_id)
            if found is None or found["kind"] != "tiktok_publish" or found["account"] != user:
                return _error(400, "invalid_param", "publish_id does not exist")
            found = dict(found)
        uploading = found["source"] == "FILE_UPLOAD"
        pending = "PROCESSING_UPLOAD" if uploading else "PROCESSING_DOWNLOAD"
        progress = "uploaded_bytes" if uploading else "downloaded_bytes"
        if found["fail_reason"]:
            return _ok({"status": "FAILED", "fail_reason": found["fail_reason"]})
        if found["post_id"] is None:
            return _ok({"status": pending, progress: len(found.get("received") or b"")})
        polled = state.poll(object_id)
        if polled is None or not polled["done"]:
            done_bytes = found["size"] if uploading else 0
            return _ok({"status": pending, progress: done_bytes})
        public = found["post_info"]["privacy_level"] != "SELF_ONLY"
        return _ok(
            {
                "status": "PUBLISH_COMPLETE",
                "publicaly_available_post_id": [int(found["post_id"])] if public else [],
                progress: found.get("size") or 0,
            }
        )

    @api.post(f"{HOST}/video/query/")
    async def video_query(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return _invalid_token()
        body = await _body(request) or {}
        filters = body.get("filters")
        ids = filters.get("video_ids") if isinstance(filters, dict) else None
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_QUERY_IDS:
            return _error(400, "invalid_params", f"filters.video_ids must list 1 to {MAX_QUERY_IDS} video ids")
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not fields:
            return _error(400, "invalid_params", "fields is required")
        wanted = {str(i) for i in ids}
        videos = []
        for post in state.posts_of(NETWORK, number_of(NETWORK, user, "")):
            if post.id not in wanted or post.extra.get("privacy_level") == "SELF_ONLY":
                continue
            values = {"id": post.id, "title": post.text, "share_url": post.url, "create_time": int(post.created_at)}
            values |= state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
            videos.append({field: values[field] for field in fields if field in values})
        return await state.after(NETWORK, "insights", _ok({"videos": videos, "cursor": 0, "has_more": False}))

    @api.get(f"{HOST}/user/info/")
    async def user_info(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return _invalid_token()
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not fields:
            return _error(400, "invalid_params", "fields is required")
        open_id = number_of(NETWORK, user, "")
        values: dict[str, Any] = {
            "open_id": open_id,
            "union_id": f"union-{open_id}",
            "avatar_url": f"https://developers.tiktok.com/avatars/{user}.png",  # as the profile always said
            "display_name": user.replace("-", " ").title(),
            "username": user,
            **state.figures(NETWORK, open_id, ACCOUNT_FIGURES, 0.0),
        }
        user_fields = {field: values[field] for field in fields if field in values}
        return await state.after(NETWORK, "account_insights", _ok({"user": user_fields}))

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
