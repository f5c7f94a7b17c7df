"""Google Business Profile's posting API (My Business v4 ``localPosts``) and the two calls that find a
user's locations, for the bearer of a live Google token (shared with YouTube, as Google does):

- ``GET mybusinessaccountmanagement.googleapis.com/v1/accounts``: the user's one business account,
  ``accounts/<number_of("google_business", user, " Account")>``;
- ``GET mybusinessbusinessinformation.googleapis.com/v1/{account}/locations?readMask=``: its
  locations, ``locations/<number_of("google_business", user, " Location <n>")>`` (``readMask``
  required): one, or two for a user whose name ends in ``-chain`` (someone who manages several);
- ``POST mybusiness.googleapis.com/v4/{account}/{location}/localPosts``: ``summary`` (1,500
  characters), ``topicType`` (STANDARD; EVENT and OFFER need ``event.title`` and a schedule),
  ``callToAction`` (``actionType`` enum; ``url`` required except for CALL), ``media``
  (``mediaFormat`` PHOTO/VIDEO, ``sourceUrl`` pulled now: a failed pull is INVALID_ARGUMENT). A post
  with media is PROCESSING for ``state.polls_to_finish`` reads, then LIVE; without, LIVE at once;
  ``searchUrl`` is given once LIVE;
- ``GET .../localPosts/{id}`` (counts as a poll) and ``GET .../localPosts`` (newest first).

Errors are Google's ``{"error": {"code", "message", "status", "details"}}``; a location of another
user is PERMISSION_DENIED, an unknown one NOT_FOUND.

Fault endpoint: ``localPosts``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.scopes import Requirement, google_refusal, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, fetch, number_of

NETWORK = "google_business"
V4 = "/mybusiness.googleapis.com/v4"
# The summary's limit (the emulator's own, never the product's catalog): 1,500 characters
# (developers.google.com/my-business/content/posts-data).
MAX_SUMMARY = 1500
TOPICS = {"STANDARD", "EVENT", "OFFER", "ALERT"}
ACTIONS = {"BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL"}
FORMATS = {"PHOTO", "VIDEO"}
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Google Business Profile",
    docs="https://developers.google.com/identity/protocols/oauth2/web-server",
    api="https://mybusiness.googleapis.com/v4",
    authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    access_token_ttl=3_600,
    refresh_tokens=True,
    revoke_url="https://oauth2.googleapis.com/revoke",
    profile=Profile(
        url="https://www.googleapis.com/oauth2/v3/userinfo",
        fields={"id": "sub", "name": "name", "username": "email", "image": "picture"},
    ),
)


def _error(status: int, kind: str, message: str, details: list[dict[str, Any]] | None = None) -> JSONResponse:
    error: dict[str, Any] = {"code": status, "message": message, "status": kind}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status)


def _invalid(field: str, description: str) -> JSONResponse:
    violation = {"@type": BAD_REQUEST, "fieldViolations": [{"field": field, "description": description}]}
    return _error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", [violation])


def _unauthenticated() -> JSONResponse:
    return _error(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    )


def _time(created_at: float) -> str:
    return datetime.fromtimestamp(created_at, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _is_url(value: Any) -> bool:
    parts = urlsplit(str(value or ""))
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


# The scopes each endpoint needs (developers.google.com/my-
# business/reference/rest/v4/accounts.locations.localPosts/create: "Authorization scopes" business.manage (or the
# older plus.business.manage); without it Google answers 403 insufficientPermissions).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "localPosts": (
        ("https://www.googleapis.com/auth/business.manage", "https://www.googleapis.com/auth/plus.business.manage"),
    ),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = (
    ("https://www.googleapis.com/auth/business.manage", "https://www.googleapis.com/auth/plus.business.manage"),
)  # what the basic post needs


_lacks_scope = google_refusal("mybusiness.googleapis.com")  # Google's one answer to a token lacking a scope


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def user_of(request: Request) -> str | None:
        family = state.bearer(request, NETWORK)
        return family.user if family else None

    def account_of(user: str) -> str:
        return number_of(NETWORK, user, " Account")

    def locations_of(user: str) -> list[str]:
        return [number_of(NETWORK, user, f" Location {n}") for n in range(1, 3 if user.endswith("-chain") else 2)]

    def owned(user: str, account_id: str, location_id: str) -> JSONResponse | None:
        if account_id == account_of(user) and location_id in locations_of(user):
            return None
        with state.lock:
            users = {f.user for f in state.families}
        if any(account_id == account_of(u) and location_id in locations_of(u) for u in users):
            return _error(403, "PERMISSION_DENIED", "The caller does not have permission")
        return _error(404, "NOT_FOUND", "Requested entity was not found.")

    def local_post(post: EmulatedPost, live: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": post.id,
            "languageCode": post.extra.get("languageCode"),
            "summary": post.text,
            "state": "LIVE" if live else "PROCESSING",
            "createTime": _time(post.created_at),
            "updateTime": _time(post.created_at),
            "topicType": post.extra["topicType"],
        }
        for key in ("callToAction", "event", "offer"):
            if post.extra.get(key):
                body[key] = post.extra[key]
        if post.media:
            body["media"] = [
                {
                    "name": f"{post.account}/media/{m['id']}",
                    "mediaFormat": m["mediaFormat"],
                    "sourceUrl": m["sourceUrl"],
                    "googleUrl": f"https://lh3.googleusercontent.com/p/{m['id']}",
                }
                for m in post.media
            ]
        if live:
            body["searchUrl"] = post.url
        return body

    def is_live(post: EmulatedPost, *, poll: bool) -> bool:
        object_id = post.extra.get("processing")
        if not object_id:
            return True
        if poll:
            polled = state.poll(object_id)
            return polled is None or bool(polled["done"])
        with state.lock:  # a listing reads the state without counting as a poll
            found = state.objects.get(object_id)
            return found is None or found["polls"] > state.polls_to_finish

    @api.get("/mybusinessaccountmanagement.googleapis.com/v1/accounts")
    async def list_accounts(request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return _unauthenticated()
        account = {
            "name": f"accounts/{account_of(user)}",
            "accountName": user.replace("-", " ").title(),
            "type": "PERSONAL",
            "verificationState": "VERIFIED",
            "vettedState": "NOT_VETTED",
        }
        return JSONResponse({"accounts": [account]})

    @api.get("/mybusinessbusinessinformation.googleapis.com/v1/accounts/{account_id}/locations")
    async def list_locations(account_id: str, request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return _unauthenticated()
        if account_id != account_of(user):
            return _error(403, "PERMISSION_DENIED", "The caller does not have permission")
        if not request.query_params.get("readMask"):
            return _invalid("read_mask", "Field is required")
        shop = user.replace("-", " ").title() + " Shop"
        locations = [
            {"name": f"locations/{location}", "title": shop if n == 1 else f"{shop} {n}"}
            for n, location in enumerate(locations_of(user), start=1)
        ]
        return JSONResponse({"locations": locations, "totalSize": len(locations)})

    @api.post(V4 + "/accounts/{account_id}/locations/{location_id}/localPosts")
    async def create_post(account_id: str, location_id: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "localPosts")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["localPosts"], _lacks_scope)) is not None:
            return refused
        user = user_of(request)
        if user is None:
            return _unauthenticated()
        if (refused := owned(user, account_id, location_id)) is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not isinstance(body, dict):
            return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        summary = str(body.get("summary") or "")
        topic = str(body.get("topicType") or "")
        if topic not in TOPICS:
            return _invalid("topic_type", "Invalid topic type")
        if len(summary) > MAX_SUMMARY:
            return _invalid("summary", f"The summary must be at most {MAX_SUMMARY} characters")
        event = body.get("event") if isinstance(body.get("event"), dict) else None
        if topic in {"EVENT", "OFFER"} and (not event or not event.get("title") or not event.get("schedule")):
            return _invalid("event", "An event or offer needs a title and a schedule")
        action = body.get("callToAction")
        if action is not None:
            if not isinstance(action, dict) or action.get("actionType") not in ACTIONS:
                return _invalid("call_to_action.action_type", "Invalid action type")
            if action["actionType"] != "CALL" and not _is_url(action.get("url")):
                return _invalid("call_to_action.url", "A valid URL is required for this action type")
        media = []
        for index, item in enumerate(body.get("media") or []):
            if not isinstance(item, dict) or item.get("mediaFormat") not in FORMATS:
                return _invalid(f"media[{index}].media_format", "Invalid media format")
            source = str(item.get("sourceUrl") or "")
            data = await fetch(source) if _is_url(source) else None
            if data is None:
                return _invalid(f"media[{index}].source_url", "The media could not be fetched from the URL")
            media.append(
                {"id": number_of(NETWORK, source), "mediaFormat": item["mediaFormat"], "sourceUrl": source}
                | digest(data)
            )
        if not summary and not media:
            return _invalid("summary", "A post needs a summary or media")
        location = f"accounts/{account_id}/locations/{location_id}"
        processing = state.new_object("gbp_local_post") if media else None
        post_id = processing or state.new_object("gbp_local_post")
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=location,
                id=f"{location}/localPosts/{post_id}",
                text=summary,
                url=f"https://local.google.com/place?id={location_id}&use=posts&lpsid={post_id}",
                media=media,
                title=event.get("title") if event else None,
                extra={
                    "languageCode": body.get("languageCode"),
                    "topicType": topic,
                    "callToAction": action,
                    "event": event,
                    "offer": body.get("offer"),
                    "processing": processing,
                },
            )
        )
        answer = local_post(post, live=processing is None)
        return await state.after(NETWORK, "localPosts", JSONResponse(answer))

    @api.get(V4 + "/accounts/{account_id}/locations/{location_id}/localPosts")
    async def list_posts(account_id: str, location_id: str, request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return _unauthenticated()
        if (refused := owned(user, account_id, location_id)) is not None:
            return refused
        location = f"accounts/{account_id}/locations/{location_id}"
        try:
            size = int(request.query_params.get("pageSize", "20"))
        except ValueError:
            return _invalid("page_size", "Invalid page size")
        posts = sorted(state.posts_of(NETWORK, location), key=lambda p: p.created_at, reverse=True)[: max(size, 1)]
        held = [local_post(p, live=is_live(p, poll=False)) for p in posts]
        return JSONResponse({"localPosts": held} if held else {})

    @api.get(V4 + "/accounts/{account_id}/locations/{location_id}/localPosts/{post_id}")
    async def get_post(account_id: str, location_id: str, post_id: str, request: Request) -> Response:
        user = user_of(request)
        if user is None:
            return _unauthenticated()
        if (refused := owned(user, account_id, location_id)) is not None:
            return refused
        name = f"accounts/{account_id}/locations/{location_id}/localPosts/{post_id}"
        post = next((p for p in state.posts_of(NETWORK) if p.id == name), None)
        if post is None:
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        return JSONResponse(local_post(post, live=is_live(post, poll=True)))

    return api
