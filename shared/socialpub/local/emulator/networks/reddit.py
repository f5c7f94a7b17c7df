"""Reddit's submission API (www.reddit.com/dev/api) on ``oauth.reddit.com``.

- ``POST /api/submit`` (form, ``api_type=json``): ``sr`` (any well-formed name exists;
  ``announcements`` is closed to users), ``kind`` ``self``/``link``/``image``, ``title`` (1-300),
  ``text`` (self, <= 40,000), ``url`` (link; ALREADY_SUB for a link already in the subreddit unless
  ``resubmit``; image: an upload of the user on Reddit's bucket), ``flair_id``, ``nsfw``, ``spoiler``.
  Refusals are 200s with ``{"json": {"errors": [[code, message, field]]}}``. ``self``/``link`` answer
  ``data`` with ``id``, ``name`` and ``url``; ``image`` answers only ``user_submitted_page`` and a
  ``websocket_url``, as Reddit does.
- ``POST /api/media/asset.json`` (``filepath``, ``mimetype``): an S3 upload lease (``args.action``
  ``//reddit-uploaded-media.s3-accelerate.amazonaws.com``, ``args.fields``) and the ``asset``.
- ``POST https://reddit-uploaded-media.s3-accelerate.amazonaws.com``: the fields, then ``file``; 201
  with S3's XML (``success_action_status``), 403 with S3's XML for a key it did not lease.
- ``POST /api/comment`` (``thing_id``, ``text``): the comment in ``json.data.things``.
- ``GET /user/{username}/submitted``, ``GET /user/{username}/comments``: Listings, newest first.
- ``GET /api/info?id=`` (comma-separated fullnames, at most 100): a Listing of the things found (unknown
  ones left out), submissions with ``score`` (``ups`` the same, ``downs`` 0, as Reddit fuzzes votes),
  ``num_comments``, ``num_crossposts`` (growing with time since posting, or as set through
  ``/_emulator/metrics``) and an ``upvote_ratio`` drawn from the post's id.
- ``GET /user/{username}/about``: the ``t2`` with ``link_karma``, ``comment_karma`` (``total_karma`` their
  sum) and the profile's ``subreddit.subscribers`` (its followers); a user Reddit does not know: 404
  ``{"message": "Not Found", "error": 404}``.

A request without a User-Agent of its own (a library's default) gets 429, as Reddit throttles them;
a missing or revoked token gets 401 ``{"message": "Unauthorized", "error": 401}``.

Fault endpoints: ``submit``, ``comment``, ``media_asset``, ``media_upload``, ``insights`` (``/api/info``),
``account_insights`` (``/user/{username}/about``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.scopes import Requirement, refusal
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, new_number, number_of

NETWORK = "reddit"
API = "/oauth.reddit.com"
BUCKET = "reddit-uploaded-media.s3-accelerate.amazonaws.com"
SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{2,20}$")
CLOSED = {"announcements"}
# Limits (the emulator's own, never the product's catalog): a title up to 300 characters, a text post's body
# up to 40,000 (www.reddit.com/dev/api#POST_api_submit; the submit form's limits).
MAX_TITLE = 300
MAX_TEXT = 40_000
GENERIC_AGENTS = ("python-httpx/", "python-requests/", "curl/", "okhttp/")
MAX_INFO_IDS = 100
POST_FIGURES = ("score", "num_comments", "num_crossposts")
ACCOUNT_FIGURES = ("link_karma", "comment_karma", "subscribers")

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Reddit",
    docs="https://www.reddit.com/dev/api/oauth",
    api="https://oauth.reddit.com",
    authorization_url="https://www.reddit.com/api/v1/authorize",
    token_url="https://www.reddit.com/api/v1/access_token",
    access_token_ttl=3_600,
    refresh_tokens=True,
    revoke_url="https://www.reddit.com/api/v1/revoke_token",
    profile=Profile(
        url="https://oauth.reddit.com/api/v1/me",
        fields={"id": "id", "name": "name", "username": "name", "image": "icon_img", "posts": "total_karma"},
    ),
)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "post"


def _refused(code: str, message: str, field: str | None) -> JSONResponse:
    return JSONResponse({"json": {"errors": [[code, message, field]]}})


def _submission(post: EmulatedPost, author: str) -> dict[str, Any]:
    short = post.id.removeprefix("t3_")
    return {
        "kind": "t3",
        "data": {
            "id": short,
            "name": post.id,
            "author": author,
            "subreddit": post.extra["subreddit"],
            "subreddit_name_prefixed": f"r/{post.extra['subreddit']}",
            "title": post.title,
            "selftext": post.text,
            "is_self": post.extra["kind"] == "self",
            "url": post.extra.get("url") or post.url,
            "permalink": post.extra["permalink"],
            "created_utc": post.created_at,
            "over_18": post.extra["nsfw"],
            "spoiler": post.extra["spoiler"],
            "link_flair_template_id": post.extra.get("flair_id"),
            "post_hint": "image" if post.extra["kind"] == "image" else None,
        },
    }


def _comment(post: EmulatedPost, author: str) -> dict[str, Any]:
    return {
        "kind": "t1",
        "data": {
            "id": post.id.removeprefix("t1_"),
            "name": post.id,
            "author": author,
            "body": post.text,
            "parent_id": post.reply_to,
            "link_id": post.extra["link_id"],
            "subreddit": post.extra["subreddit"],
            "permalink": post.extra["permalink"],
            "created_utc": post.created_at,
        },
    }


def _listing(children: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse(
        {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "children": children}}
    )


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(body, status_code=status, media_type="application/xml")


# The scopes each endpoint needs (reddit.com/dev/api/oauth: POST /api/submit needs the submit scope, /api/comment
# submit too; without it, 403).
ENDPOINT_SCOPES: dict[str, tuple[Requirement, ...]] = {
    "submit": ("submit",),
    "comment": ("submit",),
}
PUBLISH_SCOPES: tuple[Requirement, ...] = ("submit",)  # what the basic post needs


def _lacks_scope(_missing: str) -> Response:
    """The network's answer to a token without a scope the endpoint needs."""
    return JSONResponse({"message": "Forbidden", "error": 403}, status_code=403)


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def _caller(request: Request) -> str | Response:
        """The token's user, or Reddit's answer to an anonymous or generic client."""
        agent = request.headers.get("user-agent", "")
        if not agent or agent.startswith(GENERIC_AGENTS):
            return JSONResponse({"message": "Too Many Requests", "error": 429}, status_code=429)
        family = state.bearer(request, NETWORK)
        if family is None:
            return JSONResponse({"message": "Unauthorized", "error": 401}, status_code=401)
        return family.user

    def _account(user: str) -> str:
        return number_of(NETWORK, user, "")

    @api.post(f"{API}/api/media/asset.json")
    async def media_asset(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_asset")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        form = await request.form()
        filepath, mimetype = str(form.get("filepath") or ""), str(form.get("mimetype") or "")
        if not filepath or not mimetype.startswith(("image/", "video/")):
            return JSONResponse({"json": {"errors": [["BAD_MIMETYPE", "invalid mimetype", "mimetype"]]}}, 400)
        asset_id = _base36(int(new_number()))
        key = f"rte_images/{asset_id}"
        state.new_object("reddit_asset", user=user, key=key, asset_id=asset_id, mime=mimetype, file=None)
        fields = [
            {"name": "acl", "value": "private"},
            {"name": "key", "value": key},
            {"name": "X-Amz-Credential", "value": "ASIAEMULATED/20260101/us-west-2/s3/aws4_request"},
            {"name": "X-Amz-Algorithm", "value": "AWS4-HMAC-SHA256"},
            {"name": "X-Amz-Date", "value": "20260101T000000Z"},
            {"name": "success_action_status", "value": "201"},
            {"name": "content-type", "value": mimetype},
            {"name": "x-amz-storage-class", "value": "STANDARD"},
            {"name": "x-amz-meta-ext", "value": filepath.rsplit(".", 1)[-1]},
            {"name": "policy", "value": secrets.token_urlsafe(48)},
            {"name": "X-Amz-Signature", "value": secrets.token_hex(32)},
            {"name": "x-amz-security-token", "value": secrets.token_urlsafe(24)},
        ]
        answer = {
            "args": {"action": f"//{BUCKET}", "fields": fields},
            "asset": {
                "asset_id": asset_id,
                "processing_state": "incomplete",
                "payload": {"filepath": filepath},
                "websocket_url": f"wss://ws-emulated.wss.redditmedia.com/rte_images/{asset_id}?m=emulated",
            },
        }
        return await state.after(NETWORK, "media_asset", JSONResponse(answer))

    def _asset(key: str) -> dict[str, Any] | None:
        with state.lock:
            return next((o for o in state.objects.values() if o["kind"] == "reddit_asset" and o["key"] == key), None)

    @api.post(f"/{BUCKET}")
    @api.post(f"/{BUCKET}/")
    async def media_upload(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "media_upload")) is not None:
            return fault
        form = await request.form()
        found = _asset(str(form.get("key") or ""))
        if found is None:
            return _s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed")
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _s3_error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
        data = await upload.read()
        with state.lock:
            found["file"] = digest(data, found["mime"])
        location = f"https://{BUCKET}/{found['key'].replace('/', '%2F')}"
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><PostResponse>"
            f"<Location>{location}</Location><Bucket>reddit-uploaded-media</Bucket>"
            f'<Key>{found["key"]}</Key><ETag>"{found["file"]["sha256"][:32]}"</ETag></PostResponse>'
        )
        return await state.after(NETWORK, "media_upload", Response(body, status_code=201, media_type="application/xml"))

    @api.post(f"{API}/api/submit")
    async def submit(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "submit")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["submit"], _lacks_scope)) is not None:
            return refused
        user = _caller(request)
        if isinstance(user, Response):
            return user
        form = {k: str(v) for k, v in (await request.form()).items()}
        sr, kind, title = form.get("sr", ""), form.get("kind", ""), form.get("title", "")
        if not SUBREDDIT.match(sr):
            return _refused("SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr")
        if sr.lower() in CLOSED:
            return _refused("SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr")
        if kind not in ("self", "link", "image"):
            return _refused("INVALID_OPTION", "that option is not valid", "kind")
        if not title.strip():
            return _refused("NO_TEXT", "we need something here", "title")
        if len(title) > MAX_TITLE:
            return _refused("TOO_LONG", f"this is too long (max: {MAX_TITLE})", "title")
        text, url, media = form.get("text", ""), form.get("url"), []
        if kind == "self" and len(text) > MAX_TEXT:
            return _refused("TOO_LONG", f"this is too long (max: {MAX_TEXT})", "text")
        if kind == "link":
            if not url or not url.startswith(("http://", "https://")):
                return _refused("NO_URL", "a url is required", "url")
            duplicate = any(
                p.extra.get("url") == url and p.extra["subreddit"].lower() == sr.lower()
                for p in state.posts_of(NETWORK)
                if p.id.startswith("t3_")
            )
            if duplicate and form.get("resubmit", "").lower() != "true":
                return _refused("ALREADY_SUB", "that link has already been submitted", "url")
        if kind == "image":
            prefix = f"https://{BUCKET}/"
            found = _asset(url[len(prefix) :]) if url and url.startswith(prefix) else None
            if found is None or found["user"] != user or found["file"] is None:
                return _refused("BAD_URL", "you should check that url", "url")
            media = [found["file"]]
        short = _base36(int(new_number()))
        permalink = f"/r/{sr}/comments/{short}/{_slug(title)}/"
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=_account(user),
                id=f"t3_{short}",
                text=text if kind == "self" else "",
                title=title,
                url=f"https://www.reddit.com{permalink}",
                media=media,
                extra={
                    "subreddit": sr,
                    "kind": kind,
                    "url": url if kind != "self" else None,
                    "permalink": permalink,
                    "flair_id": form.get("flair_id") or None,
                    "nsfw": form.get("nsfw", "").lower() == "true",
                    "spoiler": form.get("spoiler", "").lower() == "true",
                },
            )
        )
        if kind == "image":
            data: dict[str, Any] = {
                "user_submitted_page": f"https://www.reddit.com/user/{user}/submitted/",
                "websocket_url": f"wss://ws-emulated.wss.redditmedia.com/rte_images/{short}?m=emulated",
            }
        else:
            data = {"url": post.url, "drafts_count": 0, "id": short, "name": post.id}
        return await state.after(NETWORK, "submit", JSONResponse({"json": {"errors": [], "data": data}}))

    @api.post(f"{API}/api/comment")
    async def comment(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "comment")) is not None:
            return fault
        if (refused := refusal(state, request, NETWORK, ENDPOINT_SCOPES["comment"], _lacks_scope)) is not None:
            return refused
        user = _caller(request)
        if isinstance(user, Response):
            return user
        form = {k: str(v) for k, v in (await request.form()).items()}
        parent_id, text = form.get("thing_id", ""), form.get("text", "")
        parent = next((p for p in state.posts_of(NETWORK) if p.id == parent_id), None)
        if parent is None:
            return _refused("INVALID_OPTION", "that option is not valid", "parent")
        if not text.strip():
            return _refused("NO_TEXT", "we need something here", "text")
        if len(text) > 10_000:
            return _refused("TOO_LONG", "this is too long (max: 10000)", "text")
        link_id = parent.id if parent.id.startswith("t3_") else parent.extra["link_id"]
        link = next(p for p in state.posts_of(NETWORK) if p.id == link_id)
        short = _base36(int(new_number()))
        permalink = f"{link.extra['permalink']}{short}/"
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=_account(user),
                id=f"t1_{short}",
                text=text,
                url=f"https://www.reddit.com{permalink}",
                reply_to=parent.id,
                extra={"link_id": link_id, "subreddit": link.extra["subreddit"], "permalink": permalink},
            )
        )
        body = {"json": {"errors": [], "data": {"things": [_comment(post, user)]}}}
        return await state.after(NETWORK, "comment", JSONResponse(body))

    @api.get(f"{API}/user/{{username}}/submitted")
    async def submitted(username: str, request: Request) -> Response:
        user = _caller(request)
        if isinstance(user, Response):
            return user
        limit = min(int(request.query_params.get("limit", "25")), 100)
        posts = [p for p in state.posts_of(NETWORK, _account(username)) if p.id.startswith("t3_")]
        posts.sort(key=lambda p: p.created_at, reverse=True)
        return _listing([_submission(p, username) for p in posts[:limit]])

    @api.get(f"{API}/user/{{username}}/comments")
    async def comments(username: str, request: Request) -> Response:
        user = _caller(request)
        if isinstance(user, Response):
            return user
        limit = min(int(request.query_params.get("limit", "25")), 100)
        posts = [p for p in state.posts_of(NETWORK, _account(username)) if p.id.startswith("t1_")]
        posts.sort(key=lambda p: p.created_at, reverse=True)
        return _listing([_comment(p, username) for p in posts[:limit]])

    def _authors() -> dict[str, str]:
        """Account id -> username of every account that signed in."""
        with state.lock:
            return {_account(f.user): f.user for f in state.families if f.network == NETWORK}

    @api.get(f"{API}/api/info")
    async def info(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        names = [n for n in request.query_params.get("id", "").split(",") if n]
        if len(names) > MAX_INFO_IDS:
            return JSONResponse({"message": "Bad Request", "error": 400}, status_code=400)
        posts = {p.id: p for p in state.posts_of(NETWORK)}
        authors = _authors()
        children = []
        for name in dict.fromkeys(names):
            post = posts.get(name)
            if post is None:
                continue
            author = authors.get(post.account, "[deleted]")
            if not name.startswith("t3_"):
                children.append(_comment(post, author))
                continue
            child = _submission(post, author)
            figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
            ratio = 0.8 + int(hashlib.sha256(post.id.encode()).hexdigest()[:4], 16) % 21 / 100
            child["data"] |= figures | {"ups": figures["score"], "downs": 0, "upvote_ratio": round(ratio, 2)}
            children.append(child)
        return _listing(children)

    @api.get(f"{API}/user/{{username}}/about")
    async def about(username: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        user = _caller(request)
        if isinstance(user, Response):
            return user
        account = _account(username)
        if account not in _authors():
            return JSONResponse({"message": "Not Found", "error": 404}, status_code=404)
        figures = state.figures(NETWORK, account, ACCOUNT_FIGURES, 0.0)
        data = {
            "id": account,  # as the app's /api/v1/me reports it
            "name": username,
            "link_karma": figures["link_karma"],
            "comment_karma": figures["comment_karma"],
            "total_karma": figures["link_karma"] + figures["comment_karma"],
            "is_suspended": False,
            "subreddit": {
                "display_name": f"u_{username}",
                "display_name_prefixed": f"u/{username}",
                "subreddit_type": "user",
                "subscribers": figures["subscribers"],
            },
        }
        return JSONResponse({"kind": "t2", "data": data})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
