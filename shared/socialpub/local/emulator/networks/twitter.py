"""X's publishing API v2 (docs.x.com/x-api), served at ``/api.x.com/2/...``.

- ``POST /2/media/upload/initialize`` (JSON ``media_type``, ``total_bytes``, ``media_category``): an upload
  owned by the token's user, ``{"data": {"id", "media_key", "expires_after_secs"}}``; sizes per category
  (images 5 MB, GIFs 15 MB, videos 512 MB).
- ``POST /2/media/upload/{id}/append`` (multipart ``media``, ``segment_index`` 0-999, at most 5 MB each).
- ``POST /2/media/upload/{id}/finalize``: the segments must add up to ``total_bytes``; videos and GIFs answer
  ``processing_info`` ``pending``, and ``GET /2/media/upload?command=STATUS&media_id=`` reports ``in_progress``
  for ``polls_to_finish`` polls, then ``succeeded``.
- ``POST /2/media/metadata`` (``id``, ``metadata.alt_text.text`` up to 1000 characters).
- ``POST /2/tweets`` (``text``, ``media.media_ids``, ``reply.in_reply_to_tweet_id``, ``reply_settings``): 201
  ``{"data": {"id", "text", "edit_history_tweet_ids"}}``. Refuses (as X does) a text over 280 weighted
  characters, unknown, foreign, unprocessed or mixed media, more than 4 media, an unknown reply target (403) and
  a text the account already posted (403 duplicate content).
- ``GET /2/users/{id}/tweets`` (``start_time``, ``max_results`` 5-100, ``pagination_token``, ``tweet.fields``
  ``created_at``/``referenced_tweets``): newest first, texts as X shows them (entities escaped, links and media
  as t.co links).
- ``GET /2/tweets?ids=`` (1-100 numeric ids, ``tweet.fields``): the posts found in ``data``, with
  ``public_metrics`` (``retweet_count``, ``reply_count``, ``like_count``, ``quote_count``, ``bookmark_count``,
  ``impression_count``) and ``non_public_metrics`` (``impression_count``, ``url_link_clicks``,
  ``user_profile_clicks``), figures growing with time since posting (or as set through ``/_emulator/metrics``).
  One ``errors[]`` entry per id not given: ``resource-not-found``; ``not-authorized-for-field`` when
  ``non_public_metrics`` is asked for another account's post or one older than 30 days (the post is then left
  out of ``data``, as X does).
- ``GET /2/users/{id}`` (numeric; ``/2/users/me`` is the app's profile route), ``user.fields=public_metrics``:
  ``followers_count``, ``following_count``, ``tweet_count``, ``listed_count``, ``like_count``; an unknown id is
  a 200 with a ``resource-not-found`` error and no ``data``.

Media ids expire ``expires_after_secs`` (a day) after FINALIZE, as X documents; a post naming an expired
id is refused like an unknown one (400 "Your media IDs are invalid."). ``POST /_emulator/twitter/media/expire``
(JSON ``ids``, or nothing for every upload) makes uploads expire now, for tests of late retries.

Errors are X's problem bodies (``title``, ``detail``, ``type``, ``status``, ``errors[].message``).

Fault endpoints: ``media_initialize``, ``media_append``, ``media_finalize``, ``media_metadata``, ``tweets``,
``insights`` (``GET /2/tweets``), ``account_insights`` (``GET /2/users/{id}``).
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.counting import x_links, x_weighted_length
from socialpub.local.emulator.scopes import Requirement, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, new_number, number_of, unauthorized

NETWORK = "twitter"
# Limits (the emulator's own, never the product's catalog): 280 weighted characters as
# docs.x.com/resources/fundamentals/counting-characters counts them (emulator/counting.py), 4 media a post
# (docs.x.com/x-api/posts/create-post), alt text up to 1,000 characters (media metadata).
MAX_CHARACTERS = 280
MAX_MEDIA = 4
MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_ALT_TEXT = 1000
EXPIRES_AFTER_SECS = 86400  # how long a media id can be used in a post, counted from FINALIZE
CATEGORIES = {  # media_category -> (accepted types, largest file)
    "tweet_image": (("image/jpeg", "image/png", "image/webp", "image/bmp", "image/pjpeg", "image/tiff"), 5 * 2**20),
    "tweet_gif": (("image/gif",), 15 * 2**20),
    "tweet_video": (("video/mp4", "video/quicktime", "video/webm", "video/mp2t"), 512 * 2**20),
    "amplify_video": (("video/mp4", "video/quicktime", "video/webm", "video/mp2t"), 512 * 2**20),
}
KEY_PREFIX = {"tweet_image": "3", "tweet_gif": "16", "tweet_video": "7", "amplify_video": "13"}
REPLY_SETTINGS = ("following", "mentionedUsers", "subscribers", "verified")
MAX_LOOKUP_IDS = 100
TWEET_ID = re.compile(r"^[0-9]{1,19}$")
PUBLIC_METRICS = ("retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count", "impression_count")
NON_PUBLIC_METRICS = ("impression_count", "url_link_clicks", "user_profile_clicks")
POST_FIGURES = tuple(dict.fromkeys(PUBLIC_METRICS + NON_PUBLIC_METRICS))
ACCOUNT_FIGURES = ("followers_count", "following_count", "tweet_count", "listed_count", "like_count")
NON_PUBLIC_SECONDS = 30 * 86400  # X gives owner-only metrics for posts of the last 30 days
PROBLEMS = "https://api.twitter.com/2/problems"

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Twitter/X",
    docs="https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code",
    api="https://api.x.com",
    authorization_url="https://x.com/i/oauth2/authorize",
    token_url="https://api.x.com/2/oauth2/token",
    pkce=True,
    access_token_ttl=7_200,
    refresh_tokens=True,
    rotates_refresh_token=True,
    revoke_url="https://api.x.com/2/oauth2/revoke",
    profile=Profile(
        url="https://api.x.com/2/users/me?user.fields=profile_image_url,public_metrics",
        fields={
            "id": "data.id",
            "name": "data.name",
            "username": "data.username",
            "image": "data.profile_image_url",
            "followers": "data.public_metrics.followers_count",
            "following": "data.public_metrics.following_count",
            "posts": "data.public_metrics.tweet_count",
        },
    ),
    unauthorized={"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
)


def _invalid(message: str, parameters: dict[str, list[Any]] | None = None) -> JSONResponse:
    """X's answer to a request whose parameters it refuses."""
    error: dict[str, Any] = {"message": message}
    if parameters:
        error["parameters"] = parameters
    body = {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    return JSONResponse(body, status_code=400)


def _forbidden(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}, 403)


def _tco(url: str) -> str:
    return "https://t.co/" + hashlib.sha256(url.encode()).hexdigest()[:10]


def _shown(post: EmulatedPost) -> str:
    """A post's text as X gives it back: ``&<>`` escaped, links wrapped in t.co, each media as a t.co link."""
    parts, position = [], 0
    for start, end in x_links(post.text):
        parts += [html.escape(post.text[position:start], quote=False), _tco(post.text[start:end])]
        position = end
    parts.append(html.escape(post.text[position:], quote=False))
    shown = "".join(parts)
    if post.media:
        shown = f"{shown} {_tco('media/' + post.id)}".strip()
    return shown


def _not_found(kind: str, value: str, parameter: str) -> dict[str, Any]:
    """X's error entry (in a 200's ``errors``) for an id it does not have."""
    return {
        "value": value,
        "detail": f"Could not find {kind} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": kind,
        "parameter": parameter,
        "resource_id": value,
        "type": f"{PROBLEMS}/resource-not-found",
    }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# The scopes each endpoint needs (docs.x.com/x-api/posts/create-post and docs.x.com/x-api/media/media-upload: "OAuth
# 2.0 scopes required"; X answers a token without them 403).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "tweets": (
        "tweet.read",
        "tweet.write",
        "users.read",
    ),
    "media_initialize": ("media.write",),
    "media_append": ("media.write",),
    "media_finalize": ("media.write",),
    "media_metadata": ("media.write",),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (
    "tweet.read",
    "tweet.write",
    "users.read",
)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse(
        {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}, status_code=403
    )


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN

    def _user(request: Request) -> tuple[str, str] | None:
        """(user id, username) of the bearer, as ``GET /2/users/me`` reports them."""
        family = state.bearer(request, NETWORK)
        return (number_of(NETWORK, family.user, ""), family.user) if family else None

    async def _json(request: Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _upload(media_id: str, owner: str) -> dict[str, Any] | None:
        with state.lock:
            found = state.objects.get(media_id)
        if found is None or found["kind"] != "x_media" or found["owner"] != owner:
            return None
        if found.get("expires_at") is not None and found["expires_at"] <= time.time():
            return None  # X forgets an upload once its expires_after_secs have passed
        return found

    @api.post("/_emulator/twitter/media/expire")
    async def expire(request: Request) -> Response:
        """Test control: the uploads named in ``ids`` (all, without it) expire now."""
        body = await _json(request) or {}
        ids = {str(i) for i in body.get("ids") or []}
        now = time.time()
        with state.lock:
            expired = [
                object_id
                for object_id, found in state.objects.items()
                if found.get("kind") == "x_media" and (not ids or object_id in ids)
            ]
            for object_id in expired:
                state.objects[object_id]["expires_at"] = now
        return JSONResponse({"expired": expired})

    @api.post("/api.x.com/2/media/upload/initialize")
    async def initialize(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_initialize")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["media_initialize"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        body = await _json(request)
        if body is None:
            return _invalid("The request body is not valid JSON")
        media_type = str(body.get("media_type") or "")
        category = str(body.get("media_category") or "tweet_image")
        if category not in CATEGORIES:
            return _invalid(
                f"The `media_category` value [{category}] is not one of [{', '.join(CATEGORIES)}]",
                {"media_category": [category]},
            )
        types, largest = CATEGORIES[category]
        if media_type not in types:
            return _invalid(
                f"The `media_type` value [{media_type}] is not supported for {category}", {"media_type": [media_type]}
            )
        try:
            total = int(body.get("total_bytes"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return _invalid("The `total_bytes` parameter is required", {"total_bytes": [body.get("total_bytes")]})
        if total <= 0 or total > largest:
            return _invalid(f"File size exceeds {largest} bytes.", {"total_bytes": [total]})
        media_id = state.new_object(
            "x_media",
            owner=user[0],
            media_type=media_type,
            category=category,
            total_bytes=total,
            segments={},
            file=None,
            alt_text=None,
            processing=category != "tweet_image",
        )
        key = f"{KEY_PREFIX[category]}_{media_id}"
        answer = JSONResponse({"data": {"id": media_id, "media_key": key, "expires_after_secs": EXPIRES_AFTER_SECS}})
        return await state.after(NETWORK, "media_initialize", answer)

    @api.post("/api.x.com/2/media/upload/{media_id}/append")
    async def append(media_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_append")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["media_append"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        upload = _upload(media_id, user[0])
        if upload is None or upload["file"] is not None:
            return _invalid(f"The media id [{media_id}] is not a pending upload", {"id": [media_id]})
        form = await request.form()
        chunk, index = form.get("media"), form.get("segment_index")
        if chunk is None or isinstance(chunk, str):
            return _invalid("The `media` field is required", {"media": [None]})
        if not isinstance(index, str) or not index.isdigit() or not 0 <= int(index) <= 999:
            return _invalid("The `segment_index` must be between 0 and 999", {"segment_index": [index]})
        data = await chunk.read()
        if len(data) > MAX_SEGMENT_BYTES:
            return _invalid("Segment size exceeds 5 MB.", {"media": [len(data)]})
        with state.lock:
            upload["segments"][int(index)] = data
        answer = JSONResponse({"data": {"expires_at": int(datetime.now(UTC).timestamp()) + EXPIRES_AFTER_SECS}})
        return await state.after(NETWORK, "media_append", answer)

    @api.post("/api.x.com/2/media/upload/{media_id}/finalize")
    async def finalize(media_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_finalize")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["media_finalize"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        upload = _upload(media_id, user[0])
        if upload is None:
            return _invalid(f"The media id [{media_id}] was not found", {"id": [media_id]})
        with state.lock:
            segments = upload["segments"]
            data = b"".join(segments[i] for i in sorted(segments))
            if len(data) != upload["total_bytes"]:
                problem = f"File size mismatch: received {len(data)} of {upload['total_bytes']} bytes."
            else:
                problem = ""
                upload["file"] = digest(data, upload["media_type"])
                upload["segments"] = {}
                upload["expires_at"] = time.time() + EXPIRES_AFTER_SECS
                upload["polls"] = 0  # processing starts now
        if problem:
            return _invalid(problem, {"id": [media_id]})
        body: dict[str, Any] = {
            "id": media_id,
            "media_key": f"{KEY_PREFIX[upload['category']]}_{media_id}",
            "size": upload["total_bytes"],
            "expires_after_secs": EXPIRES_AFTER_SECS,
        }
        if upload["processing"]:
            body["processing_info"] = {"state": "pending", "check_after_secs": 1}
        return await state.after(NETWORK, "media_finalize", JSONResponse({"data": body}))

    @api.get("/api.x.com/2/media/upload")
    async def status(request: Request) -> Response:
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        command, media_id = request.query_params.get("command"), request.query_params.get("media_id", "")
        if command != "STATUS":
            return _invalid("The `command` query parameter must be STATUS", {"command": [command]})
        upload = _upload(media_id, user[0])
        if upload is None or upload["file"] is None:
            return _invalid(f"The media id [{media_id}] was not found", {"media_id": [media_id]})
        body: dict[str, Any] = {"id": media_id, "media_key": f"{KEY_PREFIX[upload['category']]}_{media_id}"}
        if upload["processing"]:
            polled = state.poll(media_id) or {}
            if polled.get("done"):
                body["processing_info"] = {"state": "succeeded", "progress_percent": 100}
            else:
                body["processing_info"] = {"state": "in_progress", "check_after_secs": 1, "progress_percent": 50}
        return JSONResponse({"data": body})

    @api.post("/api.x.com/2/media/metadata")
    async def metadata(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_metadata")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["media_metadata"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        body = await _json(request)
        if body is None or not body.get("id"):
            return _invalid("The `id` field is required", {"id": [None]})
        media_id = str(body["id"])
        upload = _upload(media_id, user[0])
        if upload is None:
            return _invalid(f"The media id [{media_id}] was not found", {"id": [media_id]})
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if not isinstance(alt, str) or not alt:
            return _invalid("`metadata.alt_text.text` is required", {"metadata.alt_text.text": [alt]})
        if len(alt) > MAX_ALT_TEXT:
            return _invalid(f"Alt text must be at most {MAX_ALT_TEXT} characters", {"metadata.alt_text.text": [alt]})
        with state.lock:
            upload["alt_text"] = alt
        answer = {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
        return await state.after(NETWORK, "media_metadata", JSONResponse(answer))

    @api.post("/api.x.com/2/tweets")
    async def create_tweet(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "tweets")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["tweets"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        account, username = user
        body = await _json(request)
        if body is None:
            return _invalid("The request body is not valid JSON")
        text = body.get("text")
        if text is not None and not isinstance(text, str):
            return _invalid("`text` must be a string", {"text": [text]})
        text = text or ""
        media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
        if not text and not media_ids:
            return _invalid("Post text or media is required", {"text": [text]})
        if x_weighted_length(text) > MAX_CHARACTERS:
            return _invalid("Your Tweet text is too long.", {"text": [text]})
        reply_settings = body.get("reply_settings")
        if reply_settings is not None and reply_settings not in REPLY_SETTINGS:
            return _invalid(
                f"`reply_settings` must be one of [{', '.join(REPLY_SETTINGS)}]", {"reply_settings": [reply_settings]}
            )
        if len(media_ids) > MAX_MEDIA:
            return _invalid(f"Your media IDs are invalid: at most {MAX_MEDIA} are allowed", {"media_ids": media_ids})
        media = []
        for media_id in media_ids:
            upload = _upload(media_id, account)
            if upload is None or upload["file"] is None:
                return _invalid("Your media IDs are invalid.", {"media.media_ids": [media_id]})
            if upload["processing"] and upload["polls"] <= state.polls_to_finish:
                return _invalid("Your media IDs are invalid: the media is still processing.", {"media_ids": [media_id]})
            media.append({"id": media_id, "type": upload["category"], **upload["file"]})
            if upload["alt_text"]:
                media[-1]["alt_text"] = upload["alt_text"]
        if len(media) > 1 and any(m["type"] != "tweet_image" for m in media):
            return _invalid("Your media IDs are invalid: a video or GIF cannot be combined", {"media_ids": media_ids})
        reply_to = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "") or None
        posts = state.posts_of(NETWORK)
        if reply_to and not any(p.id == reply_to for p in posts):
            return _forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
        if text and any(p.account == account and p.text == text for p in posts):
            return _forbidden("You are not allowed to create a Tweet with duplicate content.")
        tweet_id = new_number()
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=account,
                id=tweet_id,
                text=text,
                url=f"https://x.com/{username}/status/{tweet_id}",
                media=media,
                reply_to=reply_to,
                extra={"reply_settings": reply_settings or "everyone"},
            )
        )
        answer = {"data": {"id": tweet_id, "text": _shown(post), "edit_history_tweet_ids": [tweet_id]}}
        return await state.after(NETWORK, "tweets", JSONResponse(answer, status_code=201))

    @api.get("/api.x.com/2/users/{user_id}/tweets")
    async def user_tweets(user_id: str, request: Request) -> Response:
        if _user(request) is None:
            return unauthorized(platform)
        query = request.query_params
        raw_max = query.get("max_results", "10")
        if not raw_max.isdigit() or not 5 <= int(raw_max) <= 100:
            return _invalid(
                f"The `max_results` query parameter value [{raw_max}] is not between 5 and 100",
                {"max_results": [raw_max]},
            )
        since = 0.0
        if query.get("start_time"):
            try:
                since = datetime.fromisoformat(query["start_time"].replace("Z", "+00:00")).timestamp()
            except ValueError:
                return _invalid("Invalid `start_time`", {"start_time": [query["start_time"]]})
        offset = int(query.get("pagination_token") or 0)
        fields = set(query.get("tweet.fields", "").split(","))
        posts = sorted(
            (p for p in state.posts_of(NETWORK, user_id) if p.created_at >= since),
            key=lambda p: p.created_at,
            reverse=True,
        )
        page = posts[offset : offset + int(raw_max)]
        if not page:
            return JSONResponse({"meta": {"result_count": 0}})
        data = []
        for post in page:
            tweet: dict[str, Any] = {"id": post.id, "text": _shown(post), "edit_history_tweet_ids": [post.id]}
            if "created_at" in fields:
                tweet["created_at"] = _iso(post.created_at)
            if "referenced_tweets" in fields and post.reply_to:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
            data.append(tweet)
        meta: dict[str, Any] = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        if offset + len(page) < len(posts):
            meta["next_token"] = str(offset + len(page))
        return JSONResponse({"data": data, "meta": meta})

    @api.get("/api.x.com/2/tweets")
    async def lookup_tweets(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return unauthorized(platform)
        raw = request.query_params.get("ids", "")
        ids = [i for i in raw.split(",") if i] if raw else []
        if not 1 <= len(ids) <= MAX_LOOKUP_IDS:
            return _invalid(
                f"The number of values in the `ids` query parameter list [{len(ids)}] is not between 1 and "
                f"{MAX_LOOKUP_IDS}",
                {"ids": [raw]},
            )
        if bad := next((i for i in ids if not TWEET_ID.match(i)), None):
            return _invalid(f"The `ids` query parameter value [{bad}] does not match ^[0-9]{{1,19}}$", {"ids": [bad]})
        fields = set(request.query_params.get("tweet.fields", "").split(","))
        posts = {p.id: p for p in state.posts_of(NETWORK)}
        data, errors = [], []
        for tweet_id in dict.fromkeys(ids):
            post = posts.get(tweet_id)
            if post is None:
                errors.append(_not_found("tweet", tweet_id, "ids"))
                continue
            figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
            tweet: dict[str, Any] = {"id": post.id, "text": _shown(post), "edit_history_tweet_ids": [post.id]}
            if "public_metrics" in fields:
                tweet["public_metrics"] = {name: figures[name] for name in PUBLIC_METRICS}
            if "non_public_metrics" in fields:
                if post.account != user[0] or time.time() - post.created_at > NON_PUBLIC_SECONDS:
                    field = "non_public_metrics.impression_count"
                    errors.append(
                        {
                            "resource_type": "tweet",
                            "field": field,
                            "parameter": "ids",
                            "resource_id": post.id,
                            "title": "Field Authorization Error",
                            "section": "data",
                            "detail": f"Sorry, you are not authorized to access '{field}' on the Tweet with ids: "
                            f"[{post.id}].",
                            "value": post.id,
                            "type": f"{PROBLEMS}/not-authorized-for-field",
                        }
                    )
                    continue
                tweet["non_public_metrics"] = {name: figures[name] for name in NON_PUBLIC_METRICS}
            data.append(tweet)
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return JSONResponse(body)

    # Numeric ids only: ``/2/users/me`` (the profile, served by the app) is not a user id.
    @api.get("/api.x.com/2/users/{number:int}")
    async def user_by_id(number: int, request: Request) -> Response:
        user_id = str(number)
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        if _user(request) is None:
            return unauthorized(platform)
        with state.lock:
            known = {number_of(NETWORK, f.user, ""): f.user for f in state.families if f.network == NETWORK}
        if user_id not in known:
            return JSONResponse({"errors": [_not_found("user", user_id, "id")]})
        username = known[user_id]
        found: dict[str, Any] = {"id": user_id, "name": username.replace("-", " ").title(), "username": username}
        if "public_metrics" in request.query_params.get("user.fields", "").split(","):
            found["public_metrics"] = state.figures(NETWORK, user_id, ACCOUNT_FIGURES, 0.0)
        return JSONResponse({"data": found})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
