"""YouTube Data API v3 for uploads (developers.google.com/youtube/v3/guides/using_resumable_upload_protocol):
errors are Google's ``{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}``.

- ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status``: the metadata is checked as
  YouTube does (title required, at most 100 characters, description at most 5,000 bytes, neither with ``<``
  or ``>``; tags at most 500 characters in all; an assignable categoryId; a known privacyStatus) and a
  session opened: 200 with ``Location`` (the session URI, ``upload_id``).
- ``PUT`` on the session URI: ``Content-Range: bytes a-b/size`` with the bytes; chunks other than the last
  are kept in multiples of 256 KiB (the rest is dropped, as YouTube does). 308 with ``Range: bytes=0-n``
  until every byte arrived, then 200 with the video resource. ``Content-Range: bytes */size`` (no body)
  asks what arrived: 308, or 200 with the video once complete. An unknown session: 404.
- ``GET /youtube/v3/search?forMine=true&type=video``: the channel's videos, newest first.
- ``POST /youtube/v3/commentThreads?part=snippet``: a top-level comment (403 commentsDisabled on videos made
  for kids, as YouTube disables their comments); ``GET /youtube/v3/commentThreads?videoId=``: its threads.
- ``GET /youtube/v3/videos?part=statistics&id=a,b`` (at most 50 ids): the videos found, ``statistics`` with
  ``viewCount``, ``likeCount``, ``commentCount`` as strings (growing with time since upload, or as set through
  ``/_emulator/metrics``) and ``favoriteCount`` always ``"0"`` (deprecated); unknown ids are left out.
- ``GET /youtube/v3/channels?part=snippet,statistics&mine=true`` (or ``id=``): the token's channel, its
  ``statistics`` with ``subscriberCount``, ``viewCount``, ``videoCount`` as strings and
  ``hiddenSubscriberCount`` (this route also answers the connect flow's profile read).

- YouTube Analytics API (developers.google.com/youtube/analytics/reference/reports/query), on
  youtubeanalytics.googleapis.com: ``GET /v2/reports?ids=channel==MINE&startDate&endDate&metrics=
  viewerPercentage&dimensions=ageGroup,gender`` -> ``{"kind": "youtubeAnalytics#resultTable",
  "columnHeaders": [...], "rows": [["age18-24", "female", 12.5], ...]}`` (the percentages of all the
  combinations sum to 100) and ``metrics=views&dimensions=country&sort=-views`` (``maxResults``
  honoured) -> rows ``[["US", 1234], ...]``. The figures are deterministic: weights (1-20) drawn from a
  hash of the channel id and each value (``_weights``), the country views shared out of the channel's
  ``viewCount``. A token without the ``yt-analytics.readonly`` scope: 403 ``insufficientPermissions``.

Fault endpoints: ``videos.insert``, ``upload`` (a PUT with bytes), ``upload.status`` (a ``bytes */size``
query), ``commentThreads``, ``insights`` (videos list), ``account_insights`` (a channels read of
``statistics`` only; one asking ``snippet`` too is the ``profile`` read), ``demographics`` (Analytics
reports).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.scopes import Requirement, google_refusal, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, TokenFamily, digest, number_of

NETWORK = "youtube"
API = "https://www.googleapis.com"
GRANULE = 256 * 1024
# Limits (the emulator's own, never the product's catalog), from developers.google.com/youtube/v3/docs/videos
# (snippet.title 100 characters, snippet.description 5000 bytes, snippet.tags 500 characters in all).
MAX_TITLE = 100
MAX_DESCRIPTION_BYTES = 5000
MAX_TAGS = 500
MAX_COMMENT = 10000
CATEGORIES = frozenset({"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"})
PRIVACY = frozenset({"public", "unlisted", "private"})
RANGE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
MAX_VIDEO_IDS = 50
POST_FIGURES = ("viewCount", "likeCount", "commentCount")
ACCOUNT_FIGURES = ("subscriberCount", "viewCount", "videoCount")
ANALYTICS_SCOPE = "https://www.googleapis.com/auth/yt-analytics.readonly"
AGE_GROUPS = ("age13-17", "age18-24", "age25-34", "age35-44", "age45-54", "age55-64", "age65-")
GENDERS = ("female", "male", "user_specified")
COUNTRIES = ("US", "IN", "BR", "GB", "DE", "FR", "JP", "MX", "CA", "ID")
STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="YouTube",
    docs="https://developers.google.com/youtube/v3/guides/auth/server-side-web-apps",
    api="https://www.googleapis.com",
    authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    access_token_ttl=3_600,
    refresh_tokens=True,
    revoke_url="https://oauth2.googleapis.com/revoke",
    profile=Profile(
        url="https://www.googleapis.com/youtube/v3/channels?part=snippet,statistics&mine=true",
        fields={
            "id": "items.0.id",
            "name": "items.0.snippet.title",
            "username": "items.0.snippet.customUrl",
            "image": "items.0.snippet.thumbnails.default.url",
            "followers": "items.0.statistics.subscriberCount",
            "posts": "items.0.statistics.videoCount",
        },
    ),
)


def _error(
    status: int, reason: str, message: str, domain: str = "youtube.video", location: str | None = None
) -> Response:
    detail: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location:
        detail.update(location=location, locationType="other")
    body = {"error": {"code": status, "message": message, "errors": [detail], "status": STATUS.get(status, "UNKNOWN")}}
    return JSONResponse(body, status_code=status)


def _unauthorized() -> Response:
    return _error(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential.",
        domain="global",
        location="Authorization",
    )


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _thumbnails(video_id: str) -> dict[str, Any]:
    return {"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg", "width": 120, "height": 90}}


def _video(post: EmulatedPost) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "publishedAt": _iso(post.created_at),
        "channelId": post.account,
        "title": post.title,
        "description": post.text,
        "thumbnails": _thumbnails(post.id),
        "channelTitle": post.extra["channelTitle"],
        "categoryId": post.extra["categoryId"],
        "liveBroadcastContent": "none",
        "localized": {"title": post.title, "description": post.text},
    }
    if post.extra.get("tags"):
        snippet["tags"] = post.extra["tags"]
    return {
        "kind": "youtube#video",
        "etag": secrets.token_urlsafe(20),
        "id": post.id,
        "snippet": snippet,
        "status": {
            "uploadStatus": "uploaded",
            "privacyStatus": post.extra["privacyStatus"],
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "selfDeclaredMadeForKids": post.extra["selfDeclaredMadeForKids"],
        },
    }


def _thread(post: EmulatedPost) -> dict[str, Any]:
    comment = {
        "authorDisplayName": f"@{post.extra['channelTitle'].replace(' ', '').lower()}",
        "authorChannelId": {"value": post.account},
        "channelId": post.extra["videoChannel"],
        "videoId": post.reply_to,
        "textDisplay": post.text,
        "textOriginal": post.text,
        "canRate": True,
        "viewerRating": "none",
        "likeCount": 0,
        "publishedAt": _iso(post.created_at),
        "updatedAt": _iso(post.created_at),
    }
    return {
        "kind": "youtube#commentThread",
        "etag": secrets.token_urlsafe(20),
        "id": post.id,
        "snippet": {
            "channelId": post.extra["videoChannel"],
            "videoId": post.reply_to,
            "topLevelComment": {
                "kind": "youtube#comment",
                "etag": secrets.token_urlsafe(20),
                "id": post.id,
                "snippet": comment,
            },
            "canReply": True,
            "totalReplyCount": 0,
            "isPublic": True,
        },
    }


# The scopes each endpoint needs (developers.google.com/youtube/v3/docs/videos/insert ("Authorization":
# youtube.upload, youtube or youtube.force-ssl) and commentThreads/insert (youtube.force-ssl); Google answers a
# token without them 403 insufficientPermissions).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "videos.insert": (
        (
            "https://www.googleapis.com/auth/youtube.upload",
            "https://www.googleapis.com/auth/youtube",
            "https://www.googleapis.com/auth/youtube.force-ssl",
        ),
    ),
    "commentThreads": (("https://www.googleapis.com/auth/youtube.force-ssl",),),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (
    (
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube",
        "https://www.googleapis.com/auth/youtube.force-ssl",
    ),
)  # what the basic post needs


_lacks_scope = google_refusal("youtube.googleapis.com")  # Google's one answer to a token lacking a scope


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def _channel(family: TokenFamily) -> tuple[str, str]:
        return number_of(NETWORK, family.user, ""), family.user.replace("-", " ").title()

    def _session(upload_id: str) -> tuple[str, dict[str, Any]] | None:
        with state.lock:
            for object_id, found in state.objects.items():
                if found["kind"] == "youtube_session" and found["upload_id"] == upload_id:
                    return object_id, found
        return None

    def _videos_of(channel: str) -> list[EmulatedPost]:
        posts = [p for p in state.posts_of(NETWORK, channel) if p.reply_to is None]
        return sorted(posts, key=lambda p: p.created_at, reverse=True)

    # ------------------------------------------------------------------ videos.insert (resumable)

    @api.post("/www.googleapis.com/upload/youtube/v3/videos")
    async def insert(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "videos.insert")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["videos.insert"], _lacks_scope)) is not None:
            return refused
        family = state.bearer(request, NETWORK)
        if family is None:
            return _unauthorized()
        query = request.query_params
        part = query.get("part") or ""
        if not part:
            return _error(400, "required", "Required parameter: part", domain="global", location="part")
        if query.get("uploadType") != "resumable":
            return _error(400, "badRequest", "Only uploadType=resumable is emulated", domain="global")
        body: dict[str, Any] = await request.json()
        snippet = body.get("snippet") or {}
        status = body.get("status") or {}
        title = str(snippet.get("title") or "")
        description = str(snippet.get("description") or "")
        tags = [str(t) for t in snippet.get("tags") or []]
        if not title.strip():
            return _error(
                400, "invalidTitle", "The request metadata specifies an invalid or empty video title.", location="body"
            )
        if len(title) > MAX_TITLE or "<" in title or ">" in title:
            return _error(
                400, "invalidTitle", "The request metadata specifies an invalid video title.", location="body"
            )
        if len(description.encode()) > MAX_DESCRIPTION_BYTES or "<" in description or ">" in description:
            return _error(
                400,
                "invalidDescription",
                "The request metadata specifies an invalid video description.",
                location="body",
            )
        if sum(len(t) for t in tags) > MAX_TAGS or any(len(t) > 100 or "<" in t or ">" in t for t in tags):
            return _error(400, "invalidTags", "The request metadata specifies invalid video keywords.", location="body")
        category = str(snippet.get("categoryId") or "22")
        if category not in CATEGORIES:
            return _error(
                400,
                "invalidCategoryId",
                "The snippet.categoryId property specifies an invalid category ID.",
                location="body.snippet.categoryId",
            )
        privacy = str(status.get("privacyStatus") or "public")
        if privacy not in PRIVACY:
            return _error(400, "invalidVideoMetadata", "The request metadata is invalid.", location="body.status")
        declared = request.headers.get("x-upload-content-length")
        channel, channel_title = _channel(family)
        upload_id = secrets.token_urlsafe(36)
        state.new_object(
            "youtube_session",
            upload_id=upload_id,
            channel=channel,
            channel_title=channel_title,
            size=int(declared) if declared and declared.isdigit() else None,
            mime=request.headers.get("x-upload-content-type") or "application/octet-stream",
            data=bytearray(),
            video=None,
            metadata={
                "title": title,
                "description": description,
                "tags": tags,
                "categoryId": category,
                "privacyStatus": privacy,
                "selfDeclaredMadeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
            },
        )
        location = f"{API}/upload/youtube/v3/videos?uploadType=resumable&part={part}&upload_id={upload_id}"
        response = Response(status_code=200, headers={"Location": location, "X-GUploader-UploadID": upload_id})
        return await state.after(NETWORK, "videos.insert", response)

    @api.put("/www.googleapis.com/upload/youtube/v3/videos")
    async def upload(request: Request) -> Response:
        content_range = request.headers.get("content-range") or ""
        matched = RANGE.match(content_range)
        endpoint = "upload" if matched and matched.group(1) is not None else "upload.status"
        if (fault := await state.before(NETWORK, endpoint)) is not None:
            return fault
        found = _session(request.query_params.get("upload_id") or "")
        if found is None:
            return _error(404, "notFound", "The upload session was not found or has expired.", domain="global")
        object_id, session = found
        data = await request.body()
        if not matched:
            return _error(400, "badRequest", f"Invalid Content-Range: {content_range!r}", domain="global")
        total = int(matched.group(3)) if matched.group(3) != "*" else session["size"]
        if session["size"] is not None and total != session["size"]:
            return _error(400, "badRequest", "The upload size does not match X-Upload-Content-Length", domain="global")
        if session["video"] is not None:  # a complete session answers with what it made
            return await state.after(NETWORK, endpoint, JSONResponse(session["video"]))
        if matched.group(1) is not None and total is not None:
            first, last = int(matched.group(1)), int(matched.group(2))
            if len(data) != last - first + 1:
                return _error(400, "badRequest", "The body does not match Content-Range", domain="global")
            with state.lock:
                held = state.objects[object_id]["data"]
                if first == len(held):
                    final = last + 1 == total
                    keep = len(data) if final else len(data) // GRANULE * GRANULE
                    held.extend(data[:keep])
                complete = len(held) == total
                received = len(held)
            if complete:
                video = _publish(object_id, session)
                return await state.after(NETWORK, endpoint, JSONResponse(video, status_code=200))
        else:
            with state.lock:
                received = len(state.objects[object_id]["data"])
        headers = {"Range": f"bytes=0-{received - 1}"} if received else {}
        return await state.after(NETWORK, endpoint, Response(status_code=308, headers=headers))

    def _publish(object_id: str, session: dict[str, Any]) -> dict[str, Any]:
        with state.lock:
            stored = state.objects[object_id]
            data = bytes(stored["data"])
        metadata = session["metadata"]
        video_id = secrets.token_urlsafe(8)[:11]
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=session["channel"],
                id=video_id,
                text=metadata["description"],
                title=metadata["title"],
                url=f"https://www.youtube.com/watch?v={video_id}",
                media=[digest(data, session["mime"])],
                extra={
                    "channelTitle": session["channel_title"],
                    "categoryId": metadata["categoryId"],
                    "tags": metadata["tags"],
                    "privacyStatus": metadata["privacyStatus"],
                    "selfDeclaredMadeForKids": metadata["selfDeclaredMadeForKids"],
                },
            )
        )
        video = _video(post)
        with state.lock:
            stored.update(video=video, data=bytearray())
        return video

    # ------------------------------------------------------------------ search

    @api.get("/www.googleapis.com/youtube/v3/search")
    async def search(request: Request) -> Response:
        family = state.bearer(request, NETWORK)
        if family is None:
            return _unauthorized()
        query = request.query_params
        if query.get("part") != "snippet":
            return _error(400, "invalidPart", "The part parameter must be snippet.", domain="youtube.parameter")
        if query.get("forMine") != "true" or query.get("type") != "video":
            return _error(
                400,
                "invalidSearchFilter",
                "The request contains an invalid combination of search filters and/or restrictions. Note that you "
                "must set the type parameter to video if you set forMine to true.",
                domain="youtube.search",
            )
        limit = min(int(query.get("maxResults", "5")), 50)
        items = [
            {
                "kind": "youtube#searchResult",
                "etag": secrets.token_urlsafe(20),
                "id": {"kind": "youtube#video", "videoId": p.id},
                "snippet": {
                    "publishedAt": _iso(p.created_at),
                    "channelId": p.account,
                    "title": p.title,
                    "description": p.text[:160],
                    "thumbnails": _thumbnails(p.id),
                    "channelTitle": p.extra["channelTitle"],
                    "liveBroadcastContent": "none",
                    "publishTime": _iso(p.created_at),
                },
            }
            for p in _videos_of(_channel(family)[0])[:limit]
        ]
        return JSONResponse(
            {
                "kind": "youtube#searchListResponse",
                "etag": secrets.token_urlsafe(20),
                "regionCode": "US",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": limit},
                "items": items,
            }
        )

    # ------------------------------------------------------------------ comment threads

    @api.post("/www.googleapis.com/youtube/v3/commentThreads")
    async def insert_comment(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "commentThreads")) is not None:
            return fault
        if (
            refused := refusal(
                state,
                request,
                NETWORK,
                ENDPOINT_SCOPES["commentThreads"],
                _lacks_scope,
            )
        ) is not None:
            return refused
        family = state.bearer(request, NETWORK)
        if family is None:
            return _unauthorized()
        if "snippet" not in (request.query_params.get("part") or ""):
            return _error(400, "required", "Required parameter: part", domain="global", location="part")
        body: dict[str, Any] = await request.json()
        snippet = body.get("snippet") or {}
        video_id = str(snippet.get("videoId") or "")
        text = str(((snippet.get("topLevelComment") or {}).get("snippet") or {}).get("textOriginal") or "")
        video = next((p for p in state.posts_of(NETWORK) if p.id == video_id and p.reply_to is None), None)
        if video is None:
            return _error(
                404,
                "videoNotFound",
                "The video identified by the videoId parameter could not be found.",
                domain="youtube.commentThread",
                location="body.snippet.videoId",
            )
        if video.extra["selfDeclaredMadeForKids"]:
            return _error(
                403,
                "commentsDisabled",
                "The video identified by the videoId parameter has disabled comments.",
                domain="youtube.commentThread",
            )
        if not text.strip():
            return _error(400, "commentTextRequired", "The comment must contain text.", domain="youtube.commentThread")
        if len(text) > MAX_COMMENT:
            return _error(400, "commentTextTooLong", "The comment text is too long.", domain="youtube.commentThread")
        channel, channel_title = _channel(family)
        thread_id = f"Ugx{secrets.token_urlsafe(15)[:18]}4AaABAg"
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=channel,
                id=thread_id,
                text=text,
                url=f"https://www.youtube.com/watch?v={video_id}&lc={thread_id}",
                reply_to=video_id,
                extra={"channelTitle": channel_title, "videoChannel": video.account},
            )
        )
        return await state.after(NETWORK, "commentThreads", JSONResponse(_thread(post)))

    @api.get("/www.googleapis.com/youtube/v3/commentThreads")
    async def list_comments(request: Request) -> Response:
        if state.bearer(request, NETWORK) is None:
            return _unauthorized()
        video_id = request.query_params.get("videoId") or ""
        if not any(p.id == video_id and p.reply_to is None for p in state.posts_of(NETWORK)):
            return _error(
                404,
                "videoNotFound",
                "The video identified by the videoId parameter could not be found.",
                domain="youtube.commentThread",
                location="videoId",
            )
        limit = min(int(request.query_params.get("maxResults", "20")), 100)
        threads = sorted(
            (p for p in state.posts_of(NETWORK) if p.reply_to == video_id), key=lambda p: p.created_at, reverse=True
        )
        items = [_thread(p) for p in threads[:limit]]
        return JSONResponse(
            {
                "kind": "youtube#commentThreadListResponse",
                "etag": secrets.token_urlsafe(20),
                "pageInfo": {"totalResults": len(items), "resultsPerPage": limit},
                "items": items,
            }
        )

    # ------------------------------------------------------------------ statistics (insights)

    def _parts(request: Request) -> set[str] | Response:
        parts = {p.strip() for p in (request.query_params.get("part") or "").split(",") if p.strip()}
        if not parts:
            return _error(
                400, "required", "No filter selected. Expected one of: part", domain="global", location="part"
            )
        return parts

    @api.get("/www.googleapis.com/youtube/v3/videos")
    async def list_videos(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        if state.bearer(request, NETWORK) is None:
            return _unauthorized()
        parts = _parts(request)
        if isinstance(parts, Response):
            return parts
        ids = [i for i in (request.query_params.get("id") or "").split(",") if i]
        if len(ids) > MAX_VIDEO_IDS:
            return _error(
                400,
                "invalidParameter",
                f"The id parameter may name at most {MAX_VIDEO_IDS} videos.",
                domain="youtube.parameter",
                location="id",
            )
        found = {p.id: p for p in state.posts_of(NETWORK) if p.reply_to is None and p.id in ids}
        items = []
        for video_id in ids:  # in the order asked, as YouTube answers
            post = found.get(video_id)
            if post is None:
                continue
            item: dict[str, Any] = {"kind": "youtube#video", "etag": secrets.token_urlsafe(20), "id": post.id}
            whole = _video(post)
            for part in ("snippet", "status"):
                if part in parts:
                    item[part] = whole[part]
            if "statistics" in parts:
                figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
                item["statistics"] = {name: str(value) for name, value in figures.items()} | {"favoriteCount": "0"}
            items.append(item)
        return JSONResponse(
            {
                "kind": "youtube#videoListResponse",
                "etag": secrets.token_urlsafe(20),
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            }
        )

    @api.get("/www.googleapis.com/youtube/v3/channels")
    async def list_channels(request: Request) -> Response:
        parts = _parts(request)
        endpoint = "account_insights" if parts == {"statistics"} else "profile"
        if (fault := await state.before(NETWORK, endpoint)) is not None:
            return fault
        family = state.bearer(request, NETWORK)
        if family is None:
            return _unauthorized()
        if isinstance(parts, Response):
            return parts
        channel_id, title = _channel(family)
        query = request.query_params
        wanted = query.get("mine") == "true" or channel_id in (query.get("id") or "").split(",")
        items = []
        if wanted:
            item: dict[str, Any] = {"kind": "youtube#channel", "etag": secrets.token_urlsafe(20), "id": channel_id}
            if "snippet" in parts:
                docs = SIGN_IN.site
                item["snippet"] = {
                    "title": title,
                    "description": "",
                    "customUrl": family.user,
                    "publishedAt": _iso(0),
                    "thumbnails": {"default": {"url": f"https://{docs}/avatars/{family.user}.png"}},
                }
            if "statistics" in parts:
                figures = state.figures(NETWORK, channel_id, ACCOUNT_FIGURES, 0.0)
                item["statistics"] = {name: str(value) for name, value in figures.items()} | {
                    "hiddenSubscriberCount": False
                }
            items.append(item)
        return JSONResponse(
            {
                "kind": "youtube#channelListResponse",
                "etag": secrets.token_urlsafe(20),
                "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                "items": items,
            }
        )

    @api.get("/youtubeanalytics.googleapis.com/v2/reports")
    async def reports(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "demographics")) is not None:
            return fault
        family = state.bearer(request, NETWORK)
        if family is None:
            return _unauthorized()
        if ANALYTICS_SCOPE not in family.scope.split():
            return _error(403, "insufficientPermissions", "Insufficient Permission", domain="global")
        query = request.query_params
        channel_id, _ = _channel(family)
        if query.get("ids") not in ("channel==MINE", f"channel=={channel_id}"):
            return _error(403, "forbidden", "Forbidden", domain="global")
        for name in ("startDate", "endDate", "metrics"):
            if not query.get(name):
                return _error(400, "required", f"Required parameter: {name}", domain="global", location=name)
        metrics, dimensions = query["metrics"], query.get("dimensions", "")
        if metrics == "viewerPercentage" and dimensions == "ageGroup,gender":
            weights = _weights(channel_id, [f"{a}/{g}" for a in AGE_GROUPS for g in GENDERS])
            total = sum(weights.values())
            rows: list[list[Any]] = [
                [*key.split("/"), round(100 * weight / total, 1)] for key, weight in weights.items()
            ]
            headers = [("ageGroup", "DIMENSION", "STRING"), ("gender", "DIMENSION", "STRING")]
            headers.append(("viewerPercentage", "METRIC", "FLOAT"))
        elif metrics == "views" and dimensions == "country":
            views = state.figures(NETWORK, channel_id, ACCOUNT_FIGURES, 0.0)["viewCount"]
            weights = _weights(channel_id, list(COUNTRIES))
            total = sum(weights.values())
            rows = [[country, views * weight // total] for country, weight in weights.items()]
            if query.get("sort") == "-views":
                rows.sort(key=lambda row: -row[1])
            rows = rows[: int(query.get("maxResults") or len(rows))]
            headers = [("country", "DIMENSION", "STRING"), ("views", "METRIC", "INTEGER")]
        else:
            return _error(400, "badRequest", "The query is not supported. Check the documentation.", domain="global")
        return JSONResponse(
            {
                "kind": "youtubeAnalytics#resultTable",
                "columnHeaders": [{"name": n, "columnType": c, "dataType": d} for n, c, d in headers],
                "rows": rows,
            }
        )

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api


def _weights(channel_id: str, values: list[str]) -> dict[str, int]:
    """A weight (1-20) per value, from a hash of the channel id and the value: stable across reads."""
    return {v: 1 + int(hashlib.sha256(f"{NETWORK}/{channel_id}/{v}".encode()).hexdigest()[:4], 16) % 20 for v in values}
