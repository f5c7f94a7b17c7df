"""LinkedIn's versioned REST API for posting (learn.microsoft.com/linkedin/marketing/community-management/shares):
every ``/rest`` call needs ``LinkedIn-Version: YYYYMM``; errors are ``{"status", "serviceErrorCode", "code",
"message"}`` (input errors under ``errorDetails.inputErrors``).

- ``POST /rest/images?action=initializeUpload`` ``{initializeUploadRequest: {owner}}``: ``value.uploadUrl`` and
  ``value.image``; the bytes are PUT to ``uploadUrl`` (on www.linkedin.com/dms-uploads, with the bearer token):
  201. ``GET /rest/images/{urn}``: WAITING_UPLOAD, then AVAILABLE.
- ``POST /rest/videos?action=initializeUpload`` (``fileSizeBytes``): ``value.uploadInstructions`` (one URL per
  4 MB part, ``firstByte``/``lastByte``), each PUT answering 200 with an ``ETag``; ``action=finalizeUpload``
  takes the ETags in order (``uploadedPartIds``). ``GET /rest/videos/{urn}`` then reports PROCESSING for
  ``state.polls_to_finish`` polls, then AVAILABLE (PROCESSING_FAILED for bytes that are not an MP4); a
  post naming a video still processing is refused.
- ``POST /rest/documents?action=initializeUpload``, PUT, ``GET /rest/documents/{urn}``: processed like videos.
- ``POST /rest/posts``: author (the token's member, or an organization when the token has
  w_organization_social), commentary in little text format (an unescaped reserved character silently cuts
  the text there, as LinkedIn does), visibility, distribution, lifecycleState, content (media / multiImage /
  article). 201 with ``x-restli-id``; identical commentary from the same author: 422 "Content is a duplicate
  of <urn>".
- ``GET /rest/posts?q=author&author=<urn>``: the author's posts, newest first. Reading needs r_member_social
  (members) or r_organization_social (organizations) in the token's scope, else 403 -- as on LinkedIn,
  where few apps get them.
- ``POST /rest/socialActions/{urn}/comments`` ``{actor, object, message: {text}}``: 201 with the comment;
  ``GET`` lists the post's comments (same read permissions).

- ``GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:<urn>)|(ugc:<urn>)&queryType=<type>
  &aggregation=TOTAL`` (the URN percent-encoded, Rest.li 2.0): one figure of one of the token member's
  posts, ``{"elements": [{"count", "metricType": {...: type}, "targetEntity"}]}``; the types are
  ``IMPRESSION``, ``MEMBERS_REACHED``, ``RESHARE``, ``REACTION``, ``COMMENT`` (growing with time since
  posting, or as set through ``/_emulator/metrics`` under those names). An unknown post: 404; a post of
  someone else or of a page: 403.
- ``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=<org>
  &shares=List(...)&ugcPosts=List(...)`` (needs rw_organization_admin): an element per post found, its
  ``totalShareStatistics`` with ``impressionCount``, ``uniqueImpressionsCount``, ``clickCount``,
  ``likeCount``, ``commentCount``, ``shareCount`` (set under those names) and ``engagement`` (a rate).
- ``GET /rest/memberFollowersCount?q=me``: ``{"elements": [{"memberFollowersCount"}]}``;
  ``GET /rest/networkSizes/<org urn>?edgeType=COMPANY_FOLLOWED_BY_MEMBER``: ``{"firstDegreeSize"}``.

- ``GET /rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=<org>``
  (lifetime statistics, needs rw_organization_admin, else 403): ``{"elements": [{"organizationalEntity",
  "followerCountsByGeoCountry": [{"geo": "urn:li:geo:<id>", "followerCounts": {"organicFollowerCount",
  "paidFollowerCount"}}], "followerCountsBySeniority": [{"seniority": "urn:li:seniority:<n>",
  "followerCounts"}], "followerCountsByFunction": [...]}]}``. Deterministic: the page's
  ``firstDegreeSize`` shared out over ``GEO_COUNTRIES`` / ``SENIORITIES`` / ``FUNCTIONS`` by weights (1-20)
  drawn from a hash of the organisation id and each urn (``_shares``); paid followers 0. As on LinkedIn,
  a country is only its geo urn (its name is another API's).

``/_emulator/metrics`` reads report a post's figures under the member names (a page's post has the
organisation names above).

Fault endpoints: ``images``, ``videos``, ``videos.finalize``, ``documents``, ``upload``, ``posts``, ``comments``,
``insights`` (both post statistics reads), ``account_insights`` (both follower counts), ``demographics``
(follower statistics).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, TokenFamily, digest, new_number, number_of

NETWORK = "linkedin"
# The same LinkedIn serves the app connected for organisation pages (network id ``linkedin_page``, its
# sign-in in linkedin_page.py): a call made with one of its tokens is that network's (faults, posts,
# figures), so each connection is observed apart.
NETWORKS = (NETWORK, "linkedin_page")
# Limits (the emulator's own, never the product's catalog): commentary up to 3,000 characters
# (learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api), comments 1,250.
MAX_COMMENTARY = 3000
MAX_COMMENT = 1250
PART_SIZE = 4 * 1024 * 1024
RESERVED = frozenset("\\|{}@[]()<>*_~")
VERSION = re.compile(r"^\d{6}$")
AUTHOR = re.compile(r"^urn:li:(person|organization):([A-Za-z0-9_-]+)$")
PREFIX = {"images": "D4E10AQ", "videos": "D5610AQ", "documents": "D4D10AQ"}
KIND = {"images": "image", "videos": "video", "documents": "document"}
VISIBILITIES = {"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"}
POST_FIGURES = ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT")
ORGANIZATION_POST_FIGURES = (
    "impressionCount",
    "uniqueImpressionsCount",
    "clickCount",
    "likeCount",
    "commentCount",
    "shareCount",
)
ACCOUNT_FIGURES = ("memberFollowersCount",)
# LinkedIn geo ids of countries: United States, India, United Kingdom, Germany, France, Canada, Brazil, Spain
GEO_COUNTRIES = tuple(
    f"urn:li:geo:{n}"
    for n in ("103644278", "102713980", "101165590", "101282230", "105015875", "101174742", "106057199", "105646813")
)
SENIORITIES = tuple(f"urn:li:seniority:{n}" for n in range(1, 11))
FUNCTIONS = tuple(f"urn:li:function:{n}" for n in range(1, 27))
ORGANIZATION_ACCOUNT_FIGURES = ("firstDegreeSize",)
ENTITY = re.compile(r"^\((share|ugc):(urn:li:(?:share|ugcPost):\d+)\)$")
METRIC_TYPE = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="LinkedIn",
    docs="https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    api="https://api.linkedin.com/rest",
    authorization_url="https://www.linkedin.com/oauth/v2/authorization",
    token_url="https://www.linkedin.com/oauth/v2/accessToken",
    access_token_ttl=5_184_000,
    revoke_url="https://www.linkedin.com/oauth/v2/revoke",
    profile=Profile(
        url="https://api.linkedin.com/v2/userinfo",
        fields={"id": "sub", "name": "name", "username": "email", "image": "picture"},
    ),
)


def _error(status: int, message: str, code: str | None = None, service: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service:
        body["serviceErrorCode"] = service
    return JSONResponse(body, status_code=status)


def _input_error(message: str, field: str, code: str, status: int = 422) -> JSONResponse:
    body = {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": message,
        "errorDetails": {
            "inputErrors": [{"description": message, "input": {"inputPath": {"fieldPath": field}}, "code": code}]
        },
        "status": status,
    }
    return JSONResponse(body, status_code=status)


def _unauthorized() -> JSONResponse:
    return _error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)


def _visible_text(commentary: str) -> str:
    """What members see of a little-text commentary: escapes resolved, cut at an unescaped reserved character."""
    out: list[str] = []
    index = 0
    while index < len(commentary):
        char = commentary[index]
        if char == "\\" and index + 1 < len(commentary):
            out.append(commentary[index + 1])
            index += 2
            continue
        if char in RESERVED:
            break
        out.append(char)
        index += 1
    return "".join(out)


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _permalink(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


# learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api ("Permissions"): a member's
# post needs w_member_social (an organization's: w_organization_social, linkedin_page.py).
PUBLISH_SCOPES: tuple[str, ...] = ("w_member_social",)  # what the basic post needs


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def _net(request: Request) -> str:
        """The network whose token the call carries (linkedin_page for the pages' app), else linkedin."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with state.lock:
            family = next((f for f in state.families if token and token in f.access_tokens), None)
        if family is None or family.network not in NETWORKS:
            return NETWORK
        # Both apps sign in at the same LinkedIn endpoints, so a token issued through the consent page is
        # filed under the first of them: the pages' app is told by its grant, the page scopes without
        # member posting.
        granted = set(family.scope.split())
        if "r_organization_social" in granted and "w_member_social" not in granted:
            return "linkedin_page"
        return family.network

    def _posts(author: str | None = None) -> list[EmulatedPost]:
        return [p for network in NETWORKS for p in state.posts_of(network, author)]

    def _member(family: TokenFamily) -> str:
        return f"urn:li:person:{number_of(NETWORK, family.user, '')}"

    def _may_act(family: TokenFamily, author: str) -> bool:
        """Posting and uploading as an organization needs w_organization_social, as the member
        w_member_social (the Posts API's "Permissions"); else LinkedIn answers 403 ACCESS_DENIED."""
        if author.startswith("urn:li:organization:"):
            return "w_organization_social" in family.scope.split()
        return author == _member(family) and "w_member_social" in family.scope.split()

    def _may_read(family: TokenFamily, author: str) -> bool:
        if author.startswith("urn:li:organization:"):
            return "r_organization_social" in family.scope.split()
        return author == _member(family) and "r_member_social" in family.scope.split()

    def _check(request: Request) -> TokenFamily | JSONResponse:
        """The caller's token family, or LinkedIn's refusal (version header first, as LinkedIn checks it)."""
        version = request.headers.get("linkedin-version")
        if not version:
            return _error(
                400,
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                "VERSION_MISSING",
            )
        if not VERSION.match(version):
            return _error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
        family = state.bearer(request, NETWORK)
        return family if family is not None else _unauthorized()

    def _object(kind: str, urn: str) -> tuple[str, dict[str, Any]] | None:
        """The upload behind an image/video/document URN (a copy, read under the lock)."""
        asset = urn.removeprefix(f"urn:li:{KIND[kind]}:")
        object_id = asset.removeprefix(PREFIX[kind])
        with state.lock:
            found = state.objects.get(object_id)
            if found is None or found["kind"] != f"linkedin_{kind}" or asset == urn:
                return None
            return object_id, dict(found)

    def _upload_url(asset: str, part: int, token: str) -> str:
        return f"https://www.linkedin.com/dms-uploads/{asset}/uploaded/{part}?ca=vector_feedshare&cn=uploads&ut={token}"

    # ------------------------------------------------------------------ images and documents

    async def _initialize(kind: str, request: Request) -> Response:
        if (fault := await state.before(_net(request), kind)) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        if request.query_params.get("action") != "initializeUpload":
            return _error(400, f"Unsupported action {request.query_params.get('action')!r}", "ILLEGAL_ARGUMENT")
        body = await request.json()
        owner = str((body.get("initializeUploadRequest") or {}).get("owner") or "")
        if not AUTHOR.match(owner):
            return _input_error("/initializeUploadRequest/owner :: field is required", "/owner", "FIELD_REQUIRED")
        if not _may_act(family, owner):
            return _error(403, f"Not enough permissions to access: {kind}.INITIALIZE_UPLOAD", "ACCESS_DENIED", 100)
        token = secrets.token_urlsafe(16)
        object_id = state.new_object(f"linkedin_{kind}", owner=owner, token=token, status="WAITING_UPLOAD")
        asset = PREFIX[kind] + object_id
        value = {
            "uploadUrlExpiresAt": _ms(time.time() + 86400),
            "uploadUrl": _upload_url(asset, 0, token),
            KIND[kind]: f"urn:li:{KIND[kind]}:{asset}",
        }
        return await state.after(_net(request), kind, JSONResponse({"value": value}))

    @api.post("/api.linkedin.com/rest/images")
    async def initialize_image(request: Request) -> Response:
        return await _initialize("images", request)

    @api.post("/api.linkedin.com/rest/documents")
    async def initialize_document(request: Request) -> Response:
        return await _initialize("documents", request)

    # ------------------------------------------------------------------ videos

    @api.post("/api.linkedin.com/rest/videos")
    async def videos_action(request: Request) -> Response:
        action = request.query_params.get("action")
        endpoint = "videos.finalize" if action == "finalizeUpload" else "videos"
        if (fault := await state.before(_net(request), endpoint)) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        body = await request.json()
        if action == "initializeUpload":
            ask = body.get("initializeUploadRequest") or {}
            owner = str(ask.get("owner") or "")
            size = ask.get("fileSizeBytes")
            if not AUTHOR.match(owner):
                return _input_error("/initializeUploadRequest/owner :: field is required", "/owner", "FIELD_REQUIRED")
            if not isinstance(size, int) or size <= 0:
                return _input_error(
                    "/initializeUploadRequest/fileSizeBytes :: field is required", "/fileSizeBytes", "FIELD_REQUIRED"
                )
            if not _may_act(family, owner):
                return _error(403, "Not enough permissions to access: videos.INITIALIZE_UPLOAD", "ACCESS_DENIED", 100)
            token = secrets.token_urlsafe(16)
            count = (size + PART_SIZE - 1) // PART_SIZE
            object_id = state.new_object(
                "linkedin_videos",
                owner=owner,
                token=token,
                status="WAITING_UPLOAD",
                size=size,
                parts=[None] * count,
                etags=[None] * count,
                upload_token="",
            )
            asset = PREFIX["videos"] + object_id
            instructions = [
                {
                    "uploadUrl": _upload_url(asset, index, token),
                    "firstByte": index * PART_SIZE,
                    "lastByte": min(size, (index + 1) * PART_SIZE) - 1,
                }
                for index in range(count)
            ]
            value = {
                "uploadUrlsExpireAt": _ms(time.time() + 86400),
                "video": f"urn:li:video:{asset}",
                "uploadInstructions": instructions,
                "uploadToken": "",
            }
            return await state.after(_net(request), endpoint, JSONResponse({"value": value}))
        if action == "finalizeUpload":
            ask = body.get("finalizeUploadRequest") or {}
            found = _object("videos", str(ask.get("video") or ""))
            if found is None:
                return _error(404, f"Video {ask.get('video')} not found", "NOT_FOUND")
            object_id, video = found
            if not _may_act(family, video["owner"]):
                return _error(403, "Not enough permissions to access: videos.FINALIZE_UPLOAD", "ACCESS_DENIED", 100)
            if None in video["etags"] or list(ask.get("uploadedPartIds") or []) != video["etags"]:
                return _input_error(
                    "The uploaded part ids do not match the parts received", "/uploadedPartIds", "INVALID_VALUE", 400
                )
            data = b"".join(video["parts"])
            with state.lock:
                stored = state.objects[object_id]
                # What is not an MP4 (ISO-BMFF starts with an ftyp box) fails processing.
                stored.update(status="PROCESSING", polls=0, file=digest(data), parts=[], playable=data[4:8] == b"ftyp")
            return await state.after(_net(request), endpoint, Response(status_code=200))
        return _error(400, f"Unsupported action {action!r}", "ILLEGAL_ARGUMENT")

    # ------------------------------------------------------------------ uploads

    @api.put("/www.linkedin.com/dms-uploads/{asset}/uploaded/{part}")
    async def upload(asset: str, part: int, request: Request) -> Response:
        if (fault := await state.before(_net(request), "upload")) is not None:
            return fault
        kind = next((k for k, prefix in PREFIX.items() if asset.startswith(prefix)), None)
        found = _object(kind, f"urn:li:{KIND[kind]}:{asset}") if kind else None
        if kind is None or found is None or request.query_params.get("ut") != found[1]["token"]:
            return _error(403, "The upload URL is invalid or has expired", "ACCESS_DENIED")
        object_id, upload = found
        data = await request.body()
        if kind == "videos":
            first = part * PART_SIZE
            expected = min(upload["size"], first + PART_SIZE) - first
            if part >= len(upload["etags"]) or len(data) != expected:
                return _error(400, f"Part {part} must be {expected} bytes, got {len(data)}", "INVALID_PART")
            etag = f"/ambry-video/signedId/{secrets.token_hex(16)}"
            with state.lock:
                stored = state.objects[object_id]
                stored["parts"][part] = data
                stored["etags"][part] = etag
            return await state.after(_net(request), "upload", Response(status_code=200, headers={"ETag": etag}))
        # Images and documents are PUT with the member's token.
        if state.bearer(request, NETWORK) is None:
            return _unauthorized()
        mime = request.headers.get("content-type") or "application/octet-stream"
        with state.lock:
            state.objects[object_id].update(
                file=digest(data, mime),
                status="AVAILABLE" if kind == "images" else "PROCESSING",
                polls=0,
            )
        return await state.after(_net(request), "upload", Response(status_code=201))

    # ------------------------------------------------------------------ media status

    async def _status(kind: str, urn: str, request: Request) -> Response:
        family = _check(request)
        if isinstance(family, Response):
            return family
        found = _object(kind, urn)
        if found is None:
            return _error(404, f"{KIND[kind].title()} {urn} not found", "NOT_FOUND")
        object_id, media = found
        status = media["status"]
        if status == "PROCESSING":
            polled = state.poll(object_id)
            if polled is not None and polled["done"]:
                status = "AVAILABLE" if media.get("playable", True) else "PROCESSING_FAILED"
                with state.lock:
                    state.objects[object_id]["status"] = status
        body: dict[str, Any] = {"id": urn, "owner": media["owner"], "status": status}
        if status == "PROCESSING_FAILED":
            body["processingFailureReason"] = "The file could not be processed as a video"
        if status == "AVAILABLE":
            body["downloadUrl"] = f"https://media.licdn.com/dms/{KIND[kind]}/{urn.rsplit(':', 1)[-1]}"
            body["downloadUrlExpiresAt"] = _ms(time.time() + 3600)
        return JSONResponse(body)

    @api.get("/api.linkedin.com/rest/images/{urn}")
    async def image_status(urn: str, request: Request) -> Response:
        return await _status("images", urn, request)

    @api.get("/api.linkedin.com/rest/videos/{urn}")
    async def video_status(urn: str, request: Request) -> Response:
        return await _status("videos", urn, request)

    @api.get("/api.linkedin.com/rest/documents/{urn}")
    async def document_status(urn: str, request: Request) -> Response:
        return await _status("documents", urn, request)

    # ------------------------------------------------------------------ posts

    def _attached(media: dict[str, Any]) -> dict[str, Any] | JSONResponse:
        """The stored file behind ``content.media`` / a multiImage entry, or LinkedIn's refusal."""
        urn = str(media.get("id") or "")
        kind = next((k for k, name in KIND.items() if urn.startswith(f"urn:li:{name}:")), None)
        found = _object(kind, urn) if kind else None
        if kind is None or found is None:
            return _input_error(f"/content/media/id :: {urn} does not exist", "/content/media/id", "INVALID_URN")
        upload = found[1]
        if upload["status"] != "AVAILABLE":
            return _input_error(
                f"/content/media/id :: {urn} is not AVAILABLE (status {upload['status']})",
                "/content/media/id",
                "MEDIA_ASSET_PROCESSING_FAILED",
            )
        file = dict(upload["file"])
        if media.get("altText"):
            file["alt_text"] = str(media["altText"])
        return {"type": KIND[kind], **file}

    def _element(post: EmulatedPost) -> dict[str, Any]:
        created = _ms(post.created_at)
        return {
            "id": post.id,
            "author": post.extra["author"],
            "commentary": post.extra["commentary"],
            "visibility": post.extra["visibility"],
            "distribution": post.extra["distribution"],
            "lifecycleState": post.extra["lifecycleState"],
            "isReshareDisabledByAuthor": post.extra["isReshareDisabledByAuthor"],
            "createdAt": created,
            "publishedAt": created,
            "lastModifiedAt": created,
            **({"content": post.extra["content"]} if post.extra.get("content") else {}),
        }

    def _is_post(post: EmulatedPost) -> bool:
        return not post.id.startswith("urn:li:comment:")

    @api.post("/api.linkedin.com/rest/posts")
    async def create_post(request: Request) -> Response:
        if (fault := await state.before(_net(request), "posts")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        body: dict[str, Any] = await request.json()
        author = str(body.get("author") or "")
        matched = AUTHOR.match(author)
        if not matched:
            return _input_error("/author :: field is required", "/author", "FIELD_REQUIRED")
        if not _may_act(family, author):
            version = request.headers["linkedin-version"]
            return _error(
                403,
                f"Not enough permissions to access: partnerApiPostsExternal.CREATE.{version}01",
                "ACCESS_DENIED",
                100,
            )
        if body.get("lifecycleState") not in ("PUBLISHED", "DRAFT"):
            return _input_error("/lifecycleState :: field is required", "/lifecycleState", "FIELD_REQUIRED")
        visibility = body.get("visibility")
        if visibility not in VISIBILITIES:
            return _input_error(f"/visibility :: {visibility!r} is not a valid enum symbol", "/visibility", "INVALID")
        distribution = body.get("distribution") or {}
        if distribution.get("feedDistribution") not in ("MAIN_FEED", "NONE"):
            return _input_error(
                "/distribution/feedDistribution :: field is required", "/distribution/feedDistribution", "INVALID"
            )
        commentary = str(body.get("commentary") or "")
        text = _visible_text(commentary)
        if len(text) > MAX_COMMENTARY:
            return _input_error(
                f"/commentary :: length {len(text)} exceeds maximum length {MAX_COMMENTARY}",
                "/commentary",
                "MAXIMUM_LENGTH_EXCEEDED",
            )
        content = body.get("content") or {}
        if len(content) > 1:
            return _input_error("/content :: only one content type is allowed", "/content", "INVALID")
        media: list[dict[str, Any]] = []
        title: str | None = None
        if "media" in content:
            attached = _attached(content["media"] or {})
            if isinstance(attached, Response):
                return attached
            media.append(attached)
            title = content["media"].get("title")
            if attached["type"] == "document" and not title:
                return _input_error(
                    "/content/media/title :: field is required", "/content/media/title", "FIELD_REQUIRED"
                )
        elif "multiImage" in content:
            images = (content["multiImage"] or {}).get("images") or []
            if not 2 <= len(images) <= 20:
                return _input_error(
                    "/content/multiImage/images :: a multi-image post takes 2 to 20 images",
                    "/content/multiImage/images",
                    "INVALID",
                )
            for image in images:
                attached = _attached(image)
                if isinstance(attached, Response):
                    return attached
                if attached["type"] != "image":
                    return _input_error("/content/multiImage/images :: only images", "/content/multiImage", "INVALID")
                media.append(attached)
        elif "article" in content:
            article = content["article"] or {}
            if not article.get("source") or not article.get("title"):
                return _input_error("/content/article :: source and title are required", "/content/article", "INVALID")
            title = str(article["title"])
        elif content:
            return _input_error(f"/content :: unsupported content {sorted(content)}", "/content", "INVALID")
        if not text and not content:
            return _input_error("/commentary :: a post needs commentary or content", "/commentary", "FIELD_REQUIRED")
        duplicate = next(
            (p for p in _posts(matched.group(2)) if _is_post(p) and text and p.text == text),
            None,
        )
        if duplicate is not None:
            message = (
                "com.linkedin.content.common.exception.BadRequestResponseException: "
                f"Content is a duplicate of {duplicate.id}"
            )
            body_ = {
                "errorDetailType": "com.linkedin.common.error.BadRequest",
                "message": message,
                "errorDetails": {
                    "inputErrors": [
                        {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
                    ]
                },
                "status": 422,
            }
            return JSONResponse(body_, status_code=422)
        kind = "ugcPost" if media else "share"
        urn = f"urn:li:{kind}:{7 * 10**18 + int(new_number())}"
        state.add_post(
            EmulatedPost(
                network=_net(request),
                account=matched.group(2),
                id=urn,
                text=text,
                url=_permalink(urn),
                media=media,
                title=title,
                extra={
                    "author": author,
                    "commentary": commentary,
                    "visibility": visibility,
                    "distribution": distribution,
                    "lifecycleState": body["lifecycleState"],
                    "isReshareDisabledByAuthor": bool(body.get("isReshareDisabledByAuthor")),
                    "content": content,
                    "article": (content.get("article") or {}).get("source"),
                },
            )
        )
        response = Response(status_code=201, headers={"x-restli-id": urn, "x-linkedin-id": urn})
        return await state.after(_net(request), "posts", response)

    @api.get("/api.linkedin.com/rest/posts")
    async def find_posts(request: Request) -> Response:
        family = _check(request)
        if isinstance(family, Response):
            return family
        query = request.query_params
        author = query.get("author") or ""
        matched = AUTHOR.match(author)
        if query.get("q") != "author" or not matched:
            return _error(400, "The finder q=author needs an author URN", "ILLEGAL_ARGUMENT")
        if not _may_read(family, author):
            version = request.headers["linkedin-version"]
            return _error(
                403,
                f"Not enough permissions to access: partnerApiPostsExternal.FINDER-author.{version}01",
                "ACCESS_DENIED",
                100,
            )
        start, count = int(query.get("start", "0")), min(int(query.get("count", "10")), 100)
        posts = sorted(
            (p for p in _posts(matched.group(2)) if _is_post(p)),
            key=lambda p: p.created_at,
            reverse=True,
        )
        page = posts[start : start + count]
        return JSONResponse(
            {"elements": [_element(p) for p in page], "paging": {"start": start, "count": count, "total": len(posts)}}
        )

    # ------------------------------------------------------------------ comments

    def _comment(post: EmulatedPost) -> dict[str, Any]:
        created = {"actor": post.extra["actor"], "time": _ms(post.created_at)}
        return {
            "actor": post.extra["actor"],
            "commentUrn": post.id,
            "$URN": post.id,
            "id": post.id.rsplit(",", 1)[-1].rstrip(")"),
            "object": post.reply_to,
            "message": {"text": post.text, "attributes": []},
            "created": created,
            "lastModified": created,
        }

    @api.post("/api.linkedin.com/rest/socialActions/{target}/comments")
    async def create_comment(target: str, request: Request) -> Response:
        if (fault := await state.before(_net(request), "comments")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        body: dict[str, Any] = await request.json()
        actor = str(body.get("actor") or "")
        matched = AUTHOR.match(actor)
        if not matched:
            return _input_error("/actor :: field is required", "/actor", "FIELD_REQUIRED")
        if not _may_act(family, actor):
            return _error(403, "Not enough permissions to access: socialActions.comments.CREATE", "ACCESS_DENIED", 100)
        if body.get("object") != target:
            return _input_error("/object :: must be the entity in the path", "/object", "INVALID")
        text = str((body.get("message") or {}).get("text") or "")
        if not text:
            return _input_error("/message/text :: field is required", "/message/text", "FIELD_REQUIRED")
        if len(text) > MAX_COMMENT:
            return _input_error(
                f"/message/text :: length {len(text)} exceeds maximum length {MAX_COMMENT}",
                "/message/text",
                "MAXIMUM_LENGTH_EXCEEDED",
            )
        if not any(p.id == target for p in _posts()):
            return _error(404, f"Entity {target} not found", "NOT_FOUND")
        urn = f"urn:li:comment:({target},{7 * 10**18 + int(new_number())})"
        comment = state.add_post(
            EmulatedPost(
                network=_net(request),
                account=matched.group(2),
                id=urn,
                text=text,
                url=f"{_permalink(target)}?commentUrn={quote(urn, safe='')}",
                reply_to=target,
                extra={"actor": actor},
            )
        )
        response = JSONResponse(_comment(comment), status_code=201, headers={"x-restli-id": urn})
        return await state.after(_net(request), "comments", response)

    @api.get("/api.linkedin.com/rest/socialActions/{target}/comments")
    async def list_comments(target: str, request: Request) -> Response:
        family = _check(request)
        if isinstance(family, Response):
            return family
        post = next((p for p in _posts() if p.id == target), None)
        if post is None:
            return _error(404, f"Entity {target} not found", "NOT_FOUND")
        if not _may_read(family, post.extra.get("author") or post.extra["actor"]):
            return _error(403, "Not enough permissions to access: socialActions.comments.GET_ALL", "ACCESS_DENIED", 100)
        comments = sorted((p for p in _posts() if p.reply_to == target), key=lambda p: p.created_at, reverse=True)
        return JSONResponse({"elements": [_comment(c) for c in comments], "paging": {"start": 0, "count": 10}})

    # ------------------------------------------------------------------ analytics (insights)

    def _post(urn: str) -> EmulatedPost | None:
        return next((p for p in _posts() if p.id == urn and _is_post(p)), None)

    @api.get("/api.linkedin.com/rest/memberCreatorPostAnalytics")
    async def member_post_analytics(request: Request) -> Response:
        if (fault := await state.before(_net(request), "insights")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        query = request.query_params
        entity = ENTITY.match(query.get("entity") or "")
        kind = query.get("queryType")
        if query.get("q") != "entity" or not entity:
            return _error(400, "The finder q=entity needs entity=(share:<urn>) or (ugc:<urn>)", "ILLEGAL_ARGUMENT")
        if kind not in POST_FIGURES or query.get("aggregation") != "TOTAL":
            return _error(400, f"Unsupported queryType {kind!r} or aggregation", "ILLEGAL_ARGUMENT")
        post = _post(entity.group(2))
        if post is None:
            return _error(404, f"Entity {entity.group(2)} not found", "NOT_FOUND")
        if post.extra["author"] != _member(family):
            return _error(
                403, "Not enough permissions to access: memberCreatorPostAnalytics.FINDER-entity", "ACCESS_DENIED", 100
            )
        figures = state.figures(post.network, post.id, POST_FIGURES, post.created_at)
        element = {
            "count": figures[kind],
            "metricType": {METRIC_TYPE: kind},
            "targetEntity": {entity.group(1): post.id},
        }
        return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": [element]})

    @api.get("/api.linkedin.com/rest/organizationalEntityShareStatistics")
    async def organization_share_statistics(request: Request) -> Response:
        if (fault := await state.before(_net(request), "insights")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        query = request.query_params
        organization = query.get("organizationalEntity") or ""
        if query.get("q") != "organizationalEntity" or not organization.startswith("urn:li:organization:"):
            return _error(400, "The finder q=organizationalEntity needs an organization URN", "ILLEGAL_ARGUMENT")
        if "rw_organization_admin" not in family.scope.split():
            return _error(
                403,
                "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity",
                "ACCESS_DENIED",
                100,
            )
        asked: list[tuple[str, str]] = []
        for param, field in (("shares", "share"), ("ugcPosts", "ugcPost")):
            listed = query.get(param)
            if listed is None:
                continue
            if not (listed.startswith("List(") and listed.endswith(")")):
                return _error(400, f"{param} must be List(<urn>,...)", "ILLEGAL_ARGUMENT")
            asked += [(field, urn) for urn in listed[5:-1].split(",") if urn]
        elements = []
        for field, urn in asked:
            post = _post(urn)
            if post is None or post.extra["author"] != organization:
                continue
            figures = state.figures(post.network, post.id, ORGANIZATION_POST_FIGURES, post.created_at)
            acted = figures["clickCount"] + figures["likeCount"] + figures["commentCount"] + figures["shareCount"]
            rate = acted / figures["impressionCount"] if figures["impressionCount"] else 0.0
            elements.append(
                {
                    "organizationalEntity": organization,
                    field: urn,
                    "totalShareStatistics": {**figures, "engagement": rate},
                }
            )
        return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    @api.get("/api.linkedin.com/rest/memberFollowersCount")
    async def member_followers(request: Request) -> Response:
        if (fault := await state.before(_net(request), "account_insights")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        if request.query_params.get("q") != "me":
            return _error(400, "The finder q=me is required", "ILLEGAL_ARGUMENT")
        member = _member(family).rsplit(":", 1)[1]
        figures = state.figures(_net(request), member, ACCOUNT_FIGURES, 0.0)
        return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": [figures]})

    @api.get("/api.linkedin.com/rest/networkSizes/{urn}")
    async def network_size(urn: str, request: Request) -> Response:
        if (fault := await state.before(_net(request), "account_insights")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        matched = AUTHOR.match(urn)
        edge = request.query_params.get("edgeType")
        if not matched or matched.group(1) != "organization" or edge != "COMPANY_FOLLOWED_BY_MEMBER":
            return _error(
                400,
                "networkSizes needs an organization URN and edgeType=COMPANY_FOLLOWED_BY_MEMBER",
                "ILLEGAL_ARGUMENT",
            )
        return JSONResponse(state.figures(_net(request), matched.group(2), ORGANIZATION_ACCOUNT_FIGURES, 0.0))

    @api.get("/api.linkedin.com/rest/organizationalEntityFollowerStatistics")
    async def organization_follower_statistics(request: Request) -> Response:
        if (fault := await state.before(_net(request), "demographics")) is not None:
            return fault
        family = _check(request)
        if isinstance(family, Response):
            return family
        query = request.query_params
        matched = AUTHOR.match(query.get("organizationalEntity") or "")
        if query.get("q") != "organizationalEntity" or not matched or matched.group(1) != "organization":
            return _error(400, "The finder q=organizationalEntity needs an organization URN", "ILLEGAL_ARGUMENT")
        if "rw_organization_admin" not in family.scope.split():
            return _error(
                403,
                "Not enough permissions to access: organizationalEntityFollowerStatistics.FINDER-organizationalEntity",
                "ACCESS_DENIED",
                100,
            )
        organization = matched.group(2)
        followers = state.figures(_net(request), organization, ORGANIZATION_ACCOUNT_FIGURES, 0.0)["firstDegreeSize"]

        def facet(key: str, urns: tuple[str, ...]) -> list[dict[str, Any]]:
            counts = _shares(organization, urns, followers)
            return [
                {key: urn, "followerCounts": {"organicFollowerCount": count, "paidFollowerCount": 0}}
                for urn, count in counts.items()
            ]

        element = {
            "organizationalEntity": f"urn:li:organization:{organization}",
            "followerCountsByGeoCountry": facet("geo", GEO_COUNTRIES),
            "followerCountsBySeniority": facet("seniority", SENIORITIES),
            "followerCountsByFunction": facet("function", FUNCTIONS),
        }
        return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": [element]})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    state.post_figures["linkedin_page"] = ORGANIZATION_POST_FIGURES
    state.account_figures["linkedin_page"] = ORGANIZATION_ACCOUNT_FIGURES
    return api


def _shares(organization: str, urns: tuple[str, ...], followers: int) -> dict[str, int]:
    """``followers`` shared out over ``urns`` by weights (1-20) from a hash of the organisation and urn."""
    weights = {
        urn: 1 + int(hashlib.sha256(f"{NETWORK}/{organization}/{urn}".encode()).hexdigest()[:4], 16) % 20
        for urn in urns
    }
    total = sum(weights.values())
    return {urn: followers * weight // total for urn, weight in weights.items()}
