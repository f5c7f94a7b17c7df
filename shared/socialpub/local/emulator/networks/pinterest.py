"""Pinterest's API v5 for Pins (developers.pinterest.com/docs/api/v5/pins-create, /media-create).

- ``GET /v5/boards``: the user's boards (two: "Ideas" and "Launches"; ids derived from the user).
- ``POST /v5/pins``: ``board_id`` (a board of the token's user, else 404 "Board not found."),
  ``title`` (<= 100), ``description`` (<= 800), ``link`` (http(s), <= 2048), ``alt_text`` (<= 500) and
  ``media_source``: ``image_url`` (pulled at once; "Sorry we could not fetch the image." when the
  pull fails or is no image), ``multiple_image_urls`` (2-5 ``items``), or ``video_id`` (a processed
  upload of the user, with ``cover_image_url`` or ``cover_image_key_frame_time``). 201 with the Pin.
- ``POST /v5/media`` ``{"media_type": "video"}``: 201 with ``media_id``, ``upload_url`` and
  ``upload_parameters`` (S3 POST-policy fields).
- ``POST https://pinterest-media-upload.s3-accelerate.amazonaws.com/``: the multipart upload (the
  issued fields, then ``file``); 204 as S3 answers, 403 with S3's XML for fields it did not sign.
- ``GET /v5/media/{media_id}``: ``registered`` until uploaded, ``processing`` for ``polls_to_finish``
  polls, then ``succeeded`` (or ``failed`` for a file that is not a video).
- ``GET /v5/boards/{board_id}/pins``, ``GET /v5/pins/{pin_id}``: Pins, newest first.
- ``GET /v5/pins/{pin_id}/analytics?start_date&end_date&metric_types=`` (dates ``YYYY-MM-DD``, the start at
  most 90 days back, the end not before it; one Pin a call): ``{"all": {"summary_metrics", "lifetime_metrics",
  "daily_metrics"}}`` with the Pin's figures (``IMPRESSION``, ``SAVE``, ``PIN_CLICK``, ``OUTBOUND_CLICK``,
  ``VIDEO_MRC_VIEW`` summed over the period; ``TOTAL_COMMENTS``, ``TOTAL_REACTIONS`` lifetime), growing with
  time since the Pin was made or as set through ``/_emulator/metrics``; the figures are the Pin's whole life
  (any window that covers it). Only the metric types asked are answered; an unknown one is a 400.
- ``GET /v5/user_account``: the token's account with ``follower_count``, ``following_count``,
  ``pin_count``, ``monthly_views`` (figures keyed by the account id) and ``board_count``; this route also
  answers the connect flow's profile read.

Errors are ``{"code": <int>, "message": "..."}`` (401: code 2 "Authentication failed.").

Fault endpoints: ``pins``, ``media``, ``media_upload``, ``insights`` (Pin analytics), ``account_insights``
and ``profile`` (both the user_account read).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.scopes import Requirement, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, fetch, new_number, number_of

NETWORK = "pinterest"
API = "/api.pinterest.com/v5"
UPLOAD_URL = "https://pinterest-media-upload.s3-accelerate.amazonaws.com/"
BOARDS = ("Ideas", "Launches")
# Limits (the emulator's own, never the product's catalog), as developers.pinterest.com/docs/api/v5/pins-create
# gives them: title 100, description 800, link 2048, alt_text 500 characters.
MAX_TITLE = 100
MAX_DESCRIPTION = 800
MAX_LINK = 2048
MAX_ALT_TEXT = 500
ANALYTICS_DAYS = 90
# A Pin's figures over a period, and those Pinterest gives over the Pin's whole life only.
PERIOD_FIGURES = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK", "VIDEO_MRC_VIEW")
LIFETIME_FIGURES = ("TOTAL_COMMENTS", "TOTAL_REACTIONS")
POST_FIGURES = PERIOD_FIGURES + LIFETIME_FIGURES
# Rates and durations Pinterest also reports; not counts, so the emulator reports them as 0.
OTHER_METRICS = frozenset(
    {"SAVE_RATE", "PIN_CLICK_RATE", "OUTBOUND_CLICK_RATE", "VIDEO_AVG_WATCH_TIME", "VIDEO_V50_WATCH_TIME"}
    | {"QUARTILE_95_PERCENT_VIEW", "VIDEO_10S_VIEW", "VIDEO_START", "PROFILE_VISIT", "USER_FOLLOW"}
)
ACCOUNT_FIGURES = ("follower_count", "following_count", "pin_count", "monthly_views")
IMAGE_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
    b"GIF8": "image/gif",
    b"RIFF": "image/webp",
    b"BM": "image/bmp",
}

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Pinterest",
    docs="https://developers.pinterest.com/docs/getting-started/authentication-and-scopes/",
    api="https://api.pinterest.com/v5",
    authorization_url="https://www.pinterest.com/oauth/",
    token_url="https://api.pinterest.com/v5/oauth/token",
    access_token_ttl=2_592_000,
    refresh_tokens=True,
    profile=Profile(
        url="https://api.pinterest.com/v5/user_account",
        fields={
            "id": "id",
            "name": "business_name",
            "username": "username",
            "image": "profile_image",
            "followers": "follower_count",
            "following": "following_count",
            "posts": "pin_count",
        },
    ),
)


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _invalid(message: str) -> JSONResponse:
    return _error(400, 1, f"Invalid Pin parameters: {message}")


def _image_type(data: bytes) -> str | None:
    return next((mime for head, mime in IMAGE_SIGNATURES.items() if data.startswith(head)), None)


def _board_ids(user: str) -> dict[str, str]:
    return {number_of(NETWORK, user, f"board:{name}"): name for name in BOARDS}


def _timestamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _pin(post: EmulatedPost, user: str) -> dict[str, Any]:
    media_type = post.extra["media_type"]
    return {
        "id": post.id,
        "created_at": _timestamp(post.created_at),
        "link": post.extra.get("link"),
        "title": post.title,
        "description": post.text,
        "alt_text": post.extra.get("alt_text"),
        "board_id": post.extra["board_id"],
        "board_section_id": None,
        "board_owner": {"username": user},
        "dominant_color": "#c81e5a",
        "parent_pin_id": None,
        "is_owner": True,
        "is_standard": True,
        "has_been_promoted": False,
        "note": "",
        "creative_type": {"image": "REGULAR", "video": "VIDEO", "multiple_images": "CAROUSEL"}[media_type],
        "product_tags": [],
        "media": {"media_type": media_type},
        "pin_metrics": None,
    }


# The scopes each endpoint needs (developers.pinterest.com/docs/api/v5/pins-create: "Required scopes" pins:write and
# boards:read (media uploads: pins:write); without them, 403 with Pinterest's error object).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "pins": (
        "pins:write",
        "boards:read",
    ),
    "media": ("pins:write",),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (
    "pins:write",
    "boards:read",
)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse({"code": 29, "message": "You are not permitted to access that resource."}, status_code=403)


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def _user(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    def _unauthorized() -> JSONResponse:
        return JSONResponse({"code": 2, "message": "Authentication failed.", "status": "failure"}, status_code=401)

    @api.get(f"{API}/boards")
    async def boards(request: Request) -> Response:
        user = _user(request)
        if user is None:
            return _unauthorized()
        items = [
            {
                "id": board_id,
                "name": name,
                "description": "",
                "privacy": "PUBLIC",
                "owner": {"username": user},
                "pin_count": len([p for p in state.posts_of(NETWORK) if p.extra.get("board_id") == board_id]),
            }
            for board_id, name in _board_ids(user).items()
        ]
        return JSONResponse({"items": items, "bookmark": None})

    async def _media_of(
        source: dict[str, Any], user: str
    ) -> tuple[str, list[dict[str, Any]], dict[str, Any]] | Response:
        """(media_type, digests, extra) of a ``media_source``, or Pinterest's refusal."""
        kind = source.get("source_type")
        if kind in ("image_url", "multiple_image_urls"):
            if kind == "image_url":
                urls = [source.get("url")]
            else:
                items = source.get("items")
                if not isinstance(items, list) or not 2 <= len(items) <= 5:
                    return _invalid("multiple_image_urls takes 2 to 5 items")
                urls = [item.get("url") if isinstance(item, dict) else None for item in items]
            media = []
            for url in urls:
                if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
                    return _invalid("media_source url must be an http(s) URL")
                content = await fetch(url)
                mime = _image_type(content) if content is not None else None
                if content is None or mime is None:
                    return _error(400, 1, "Sorry we could not fetch the image.")
                media.append(digest(content, mime))
            return ("image" if kind == "image_url" else "multiple_images"), media, {}
        if kind == "video_id":
            media_id = str(source.get("media_id") or "")
            with state.lock:
                found = dict(state.objects.get(media_id) or {})
            if found.get("kind") != "pinterest_media" or found.get("user") != user:
                return _error(404, 3, "Media not found.")
            if found.get("status") != "succeeded":
                return _invalid("the video has not finished processing")
            if source.get("cover_image_url") is None and source.get("cover_image_key_frame_time") is None:
                return _invalid("a video Pin needs cover_image_url or cover_image_key_frame_time")
            covers = ("cover_image_url", "cover_image_key_frame_time")
            extra: dict[str, Any] = {k: source[k] for k in covers if k in source}
            return "video", [found["file"]], extra
        return _invalid("media_source.source_type must be image_url, multiple_image_urls or video_id")

    @api.post(f"{API}/pins")
    async def create_pin(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "pins")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["pins"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return _unauthorized()
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _invalid("the body must be a JSON object")
        board_id = str(body.get("board_id") or "")
        if not board_id:
            return _invalid("board_id is required")
        if board_id not in _board_ids(user):
            return _error(404, 40, "Board not found.")
        title, description = body.get("title"), str(body.get("description") or "")
        link, alt_text = body.get("link"), body.get("alt_text")
        if title is not None and len(str(title)) > MAX_TITLE:
            return _invalid(f"title must be at most {MAX_TITLE} characters")
        if len(description) > MAX_DESCRIPTION:
            return _invalid(f"description must be at most {MAX_DESCRIPTION} characters")
        if link is not None and (len(str(link)) > MAX_LINK or urlsplit(str(link)).scheme not in ("http", "https")):
            return _invalid("link must be an http(s) URL of at most 2048 characters")
        if alt_text is not None and len(str(alt_text)) > MAX_ALT_TEXT:
            return _invalid(f"alt_text must be at most {MAX_ALT_TEXT} characters")
        source = body.get("media_source")
        if not isinstance(source, dict):
            return _invalid("media_source is required")
        found = await _media_of(source, user)
        if isinstance(found, Response):
            return found
        media_type, media, extra = found
        if alt_text and media:
            media[0] = {**media[0], "alt_text": str(alt_text)}
        pin_id = new_number() + new_number()[:2]  # Pin ids are 18 digits or so
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=number_of(NETWORK, user, ""),
                id=pin_id,
                text=description,
                title=str(title) if title is not None else None,
                url=f"https://www.pinterest.com/pin/{pin_id}/",
                media=media,
                extra={"board_id": board_id, "link": link, "alt_text": alt_text, "media_type": media_type, **extra},
            )
        )
        return await state.after(NETWORK, "pins", JSONResponse(_pin(post, user), status_code=201))

    @api.get(f"{API}/pins/{{pin_id}}")
    async def get_pin(pin_id: str, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return _unauthorized()
        post = next((p for p in state.posts_of(NETWORK, number_of(NETWORK, user, "")) if p.id == pin_id), None)
        if post is None:
            return _error(404, 50, "Pin not found.")
        return JSONResponse(_pin(post, user))

    @api.get(f"{API}/boards/{{board_id}}/pins")
    async def board_pins(board_id: str, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return _unauthorized()
        if board_id not in _board_ids(user):
            return _error(404, 40, "Board not found.")
        size = min(max(int(request.query_params.get("page_size", "25")), 1), 250)
        pins = [p for p in state.posts_of(NETWORK) if p.extra.get("board_id") == board_id]
        pins.sort(key=lambda p: p.created_at, reverse=True)
        return JSONResponse({"items": [_pin(p, user) for p in pins[:size]], "bookmark": None})

    @api.post(f"{API}/media")
    async def register_media(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["media"], _lacks_scope)) is not None:
            return refused
        user = _user(request)
        if user is None:
            return _unauthorized()
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("media_type") != "video":
            return _error(400, 1, "Invalid parameters: media_type must be video")
        signature = secrets.token_hex(32)
        media_id = state.new_object("pinterest_media", user=user, status="registered", signature=signature, file=None)
        parameters = {
            "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "x-amz-signature": signature,
            "x-amz-security-token": secrets.token_urlsafe(24),
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "key": f"uploads/{media_id[:2]}/{media_id}",
            "policy": secrets.token_urlsafe(48),
            "x-amz-credential": "ASIAEMULATED/20260101/us-east-1/s3/aws4_request",
            "Content-Type": "multipart/form-data",
        }
        answer = {
            "media_id": media_id,
            "media_type": "video",
            "upload_url": UPLOAD_URL,
            "upload_parameters": parameters,
        }
        return await state.after(NETWORK, "media", JSONResponse(answer, status_code=201))

    @api.post("/" + urlsplit(UPLOAD_URL).netloc + "/")
    async def upload_media(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_upload")) is not None:
            return fault
        form = await request.form()
        key = str(form.get("key") or "")
        media_id = key.rsplit("/", 1)[-1]
        with state.lock:
            found = state.objects.get(media_id)
            signed = found is not None and found["kind"] == "pinterest_media" and found["signature"]
        upload = form.get("file")
        if not signed or form.get("x-amz-signature") != signed or found is None:
            return Response(
                "<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
                "<Message>Invalid according to Policy: Policy Condition failed</Message></Error>",
                status_code=403,
                media_type="application/xml",
            )
        if upload is None or isinstance(upload, str):
            return Response(
                "<?xml version='1.0' encoding='UTF-8'?><Error><Code>InvalidArgument</Code>"
                "<Message>POST requires exactly one file upload per request.</Message></Error>",
                status_code=400,
                media_type="application/xml",
            )
        data = await upload.read()
        is_video = data[4:8] == b"ftyp"
        with state.lock:
            found.update(
                status="processing" if is_video else "failed",
                file=digest(data, upload.content_type or "video/mp4"),
                polls=0,
            )
        return await state.after(NETWORK, "media_upload", Response(status_code=204))

    @api.get(f"{API}/media/{{media_id}}")
    async def get_media(media_id: str, request: Request) -> Response:
        user = _user(request)
        if user is None:
            return _unauthorized()
        with state.lock:
            found = dict(state.objects.get(media_id) or {})
        if found.get("kind") != "pinterest_media" or found.get("user") != user:
            return _error(404, 3, "Media not found.")
        status = found["status"]
        if status == "processing":
            polled = state.poll(media_id)
            if polled is not None and polled["done"]:
                with state.lock:
                    state.objects[media_id]["status"] = status = "succeeded"
        return JSONResponse({"media_id": media_id, "media_type": "video", "status": status})

    # ------------------------------------------------------------------ analytics (insights)

    @api.get(f"{API}/pins/{{pin_id}}/analytics")
    async def pin_analytics(pin_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = _user(request)
        if user is None:
            return _unauthorized()
        query = request.query_params
        try:
            start, end = date.fromisoformat(query["start_date"]), date.fromisoformat(query["end_date"])
        except (KeyError, ValueError):
            return _error(400, 1, "Invalid pins analytics parameters: start_date and end_date are YYYY-MM-DD")
        today = datetime.now(UTC).date()
        if start < today - timedelta(days=ANALYTICS_DAYS) or end < start or end > today + timedelta(days=1):
            return _error(
                400,
                1,
                f"Invalid pins analytics parameters: start_date is at most {ANALYTICS_DAYS} days back and "
                "end_date not before it",
            )
        asked = [m for m in (query.get("metric_types") or "").split(",") if m]
        unknown = [m for m in asked if m not in POST_FIGURES and m not in OTHER_METRICS]
        if not asked or unknown:
            return _error(400, 1, f"Invalid pins analytics parameters: metric_types {unknown or asked}")
        post = next((p for p in state.posts_of(NETWORK, number_of(NETWORK, user, "")) if p.id == pin_id), None)
        if post is None:
            return _error(404, 50, "Pin not found.")
        figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
        summary = {m: figures.get(m, 0) for m in asked if m not in LIFETIME_FIGURES}
        lifetime = {m: figures[m] for m in asked if m in LIFETIME_FIGURES}
        # Each day of the period; the figures so far land on the last one (the Pin's daily split is not kept).
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        daily = [
            {
                "date": day.isoformat(),
                "data_status": "READY",
                "metrics": summary if day == days[-1] else dict.fromkeys(summary, 0),
            }
            for day in days
        ]
        return JSONResponse({"all": {"summary_metrics": summary, "lifetime_metrics": lifetime, "daily_metrics": daily}})

    @api.get(f"{API}/user_account")
    async def user_account(request: Request) -> Response:
        for endpoint in ("account_insights", "profile"):
            if (fault := await state.before(NETWORK, endpoint)) is not None:
                return fault
        user = _user(request)
        if user is None:
            return _unauthorized()
        account_id = number_of(NETWORK, user, "")
        docs = SIGN_IN.site
        return JSONResponse(
            {
                "account_type": "BUSINESS",
                "id": account_id,
                "username": user,
                "business_name": user.replace("-", " ").title(),
                "profile_image": f"https://{docs}/avatars/{user}.png",
                "website_url": None,
                "about": "",
                "board_count": len(BOARDS),
                **state.figures(NETWORK, account_id, ACCOUNT_FIGURES, 0.0),
            }
        )

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
