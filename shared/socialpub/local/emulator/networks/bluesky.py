"""Bluesky's PDS (``/bsky.social/xrpc/...``, or any self-hosted PDS host: ``/<pds>/xrpc/...``) and video service
(``/video.bsky.app/xrpc/...``), as atproto has them.

PDS, for the bearer of a session's ``accessJwt`` (``com.atproto.server.createSession`` lives in the app, on any host):

- ``GET com.atproto.server.getSession``: handle, DID, ``emailConfirmed`` and the DID document naming the account's
  PDS (``https://puffball.us-east.host.bsky.network`` behind the bsky.social entryway; a self-hosted PDS names
  itself). Each record keeps the PDS host it was written on (``extra["pds"]``).
- ``GET com.atproto.server.getServiceAuth`` (``aud``, ``lxm``, ``exp`` at most an hour away): a service token.
- ``POST com.atproto.repo.uploadBlob`` (raw bytes, ``Content-Type``): ``{"blob": {"$type": "blob", "ref":
  {"$link": cid}, "mimeType", "size"}}``.
- ``POST com.atproto.repo.createRecord`` (``repo``, ``collection`` ``app.bsky.feed.post``, optional ``rkey`` (a
  TID), ``record``): the record validated as the lexicon says (300 graphemes / 3000 bytes of text, ``createdAt``,
  at most 3 ``langs``, facets within the text, images of this account at most 1,000,000 bytes each, a processed
  video, reply strong refs); ``{"uri", "cid", "commit", "validationStatus"}``. A record key already taken fails
  as the PDS's repository does (500). Another account's ``repo``: 401 ``AuthenticationRequired``.
- ``GET com.atproto.repo.listRecords`` (``repo``, ``collection``, ``limit`` 1-100, ``cursor``): newest key first.
- ``GET app.bsky.feed.getPosts`` (``uris``, 1-25 ``at://`` URIs; proxied to the AppView): ``{"posts": [postView]}``
  with ``likeCount``, ``repostCount``, ``replyCount``, ``quoteCount`` (growing with time since posting, or as set
  through ``/_emulator/metrics``); posts it does not have are left out.
- ``GET app.bsky.actor.getProfiles`` (``actors``, 1-25 DIDs or handles): ``{"profiles": [profileViewDetailed]}``
  with ``followersCount``, ``followsCount``, ``postsCount``; unknown actors are left out. (``getProfile``, the
  sign-in's profile, is the app's.)

Video service, for the bearer of a service token:

- ``GET app.bsky.video.getUploadLimits`` (audience ``did:web:video.bsky.app``): ``canUpload`` and what is left today.
- ``POST app.bsky.video.uploadVideo?did=&name=`` (audience the account's PDS, ``lxm`` uploadBlob): the JobStatus.
- ``GET app.bsky.video.getJobStatus?jobId=``: ``JOB_STATE_ENCODING`` for ``polls_to_finish`` polls, then
  ``JOB_STATE_COMPLETED`` with the blob (stored on the account's PDS).

Sessions: ``POST com.atproto.server.refreshSession`` with the ``refreshJwt`` as bearer answers a new ``accessJwt``
and ``refreshJwt``; the one presented is used up (presented again, or revoked: 400 ``ExpiredToken``).
``POST /_emulator/bluesky/expire_sessions`` expires every live ``accessJwt`` at once (as ~2 hours do on Bluesky), or
one account's (``{"handle"}``), whenever the test says: before the expiry its client holds, too.

atproto OAuth (atproto.com/specs/oauth), as Bluesky's PDS and its entryway (the authorization server) have it:

- ``GET com.atproto.identity.resolveHandle`` (on any host) and ``GET plc.directory/<did>`` (the DID document naming
  the PDS: Bluesky's for handles resolved at bsky.social, else the host that resolved it).
- ``GET /.well-known/oauth-protected-resource`` on a PDS names its authorization server (``bsky.social`` for
  Bluesky's PDSes; a self-hosted PDS is its own); ``GET /.well-known/oauth-authorization-server`` there.
- ``POST /oauth/par``: a pushed request with PKCE S256, a redirect_uri, scope ``atproto`` and a DPoP proof, from
  a client_id that is a metadata document's https URL or the development ``http://localhost`` (``_client_refusal``);
  ``request_uri`` (90 s). ``GET /oauth/authorize?client_id&request_uri``: the consent page (the account field
  holds the ``login_hint``; another account may sign in); Allow redirects with ``code``, ``state`` and ``iss``.
- ``POST /oauth/token``: ``authorization_code`` (the PKCE verifier, the same client, redirect_uri and DPoP key as the
  PAR) or ``refresh_token`` (rotated; the same key): DPoP-bound tokens, ``token_type: DPoP``, ``sub`` the DID.
- Every DPoP proof is checked (RFC 9449): ``typ`` ``dpop+jwt``, ES256 over the ``jwk`` in its header, ``htm`` and
  ``htu`` of the request, a fresh ``iat``, a ``jti`` never seen before, the server's current ``nonce`` (else 400,
  or 401 at the PDS, ``use_dpop_nonce`` with a ``DPoP-Nonce`` header); at the PDS also ``ath`` (the token's SHA-256)
  and the key the token is bound to. A DPoP-bound token presented as ``Bearer`` is refused.

Errors are XRPC ``{"error", "message"}``; an expired access token is 400 ``ExpiredToken``, a missing or revoked
one 401 ``InvalidToken``.

Fault endpoints: ``uploadBlob``, ``createRecord``, ``uploadVideo``, ``getUploadLimits``, ``insights``
(``getPosts``), ``account_insights`` (``getProfiles``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from socialpub.local.emulator.counting import graphemes
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, TokenFamily, digest, unauthorized

NETWORK = "bluesky"
PDS_HOST = "puffball.us-east.host.bsky.network"
ENTRYWAY = "bsky.social"
COLLECTION = "app.bsky.feed.post"
# Limits (the emulator's own, never the product's catalog), from the app.bsky.feed.post lexicon
# (docs.bsky.app/docs/advanced-guides/posts: text 300 graphemes and 3000 bytes), app.bsky.embed.images
# (1,000,000 bytes an image) and docs.bsky.app/docs/tutorials/video (100 MB, 25 videos a day).
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_IMAGE_BYTES = 1_000_000
MAX_VIDEO_BYTES = 100 * 1024 * 1024
MAX_LANGS = 3
DAILY_VIDEOS = 25
MAX_LOOKUPS = 25  # getPosts uris, getProfiles actors
POST_FIGURES = ("likeCount", "repostCount", "replyCount", "quoteCount")
ACCOUNT_FIGURES = ("followersCount", "followsCount", "postsCount")
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# atproto OAuth: request_uri and code lifetimes, access token lifetime, how old a DPoP proof may be
PAR_SECONDS = 90
CODE_SECONDS = 60
OAUTH_ACCESS_SECONDS = 3600
PROOF_SECONDS = 300

# Sign-in as the network documents it (the page in ``docs``), not as the product's catalog says.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Bluesky",
    docs="https://docs.bsky.app/docs/api/com-atproto-server-create-session",
    api="https://bsky.social/xrpc",
    session_url="https://{instance}/xrpc/com.atproto.server.createSession",
    profile=Profile(
        url="https://{instance}/xrpc/app.bsky.actor.getProfile?actor={did}",
        fields={
            "id": "did",
            "name": "displayName",
            "username": "handle",
            "image": "avatar",
            "followers": "followersCount",
            "following": "followsCount",
            "posts": "postsCount",
        },
    ),
    unauthorized={"error": "InvalidToken", "message": "Token could not be verified"},
)


def _error(error: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def _invalid_record(message: str) -> JSONResponse:
    return _error("InvalidRequest", f"Invalid {COLLECTION} record: {message}")


def _cid(data: bytes, prefix: str) -> str:
    """A CID-looking id (``bafkrei`` raw blobs, ``bafyrei`` records) derived from the content."""
    return prefix + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")[:52]


def _did_of(handle: str) -> str:
    """The DID the app's createSession and profile report for a handle."""
    return f"did:plc:{hashlib.sha256(handle.encode()).hexdigest()[:24]}"


def _datetime_ok(value: Any) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: the SHA-256 of the key's required members, sorted, without spaces."""
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    return _b64(hashlib.sha256(json.dumps(members, sort_keys=True, separators=(",", ":")).encode()).digest())


def dpop_claims(proof: str) -> tuple[dict[str, Any], str] | str:
    """(claims, key thumbprint) of a DPoP proof whose ES256 signature holds over the key in its header, or
    what is wrong with it."""
    try:
        head, body, signature = proof.split(".")
        header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
        raw = _unb64(signature)
    except (ValueError, TypeError):
        return "DPoP proof is not a JWT"
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return "DPoP proof is not a JWT"
    if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
        return "DPoP proof must be typ dpop+jwt, alg ES256"
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        return "DPoP proof must carry a public P-256 jwk"
    try:
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(_unb64(jwk["x"]), "big"), int.from_bytes(_unb64(jwk["y"]), "big"), ec.SECP256R1()
        )
        key = numbers.public_key()
        if len(raw) != 64:
            return "DPoP proof signature is not ES256"
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except (KeyError, ValueError, TypeError, InvalidSignature):
        return "DPoP proof signature does not verify"
    return claims, thumbprint(jwk)


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    platform = SIGN_IN
    blobs: dict[tuple[str, str], dict[str, Any]] = {}  # (did, cid) -> the blob's digest and mime type
    service_tokens: dict[str, dict[str, Any]] = {}  # token -> did, aud, lxm, exp
    videos_today: dict[str, int] = {}  # did -> videos uploaded

    pds_of: dict[str, str] = {}  # did -> the PDS host its DID document names
    expired: set[str] = set()  # accessJwts past their expiry (ExpiredToken, not InvalidToken)

    # atproto OAuth: the authorization server's and the PDSes' records
    resolved: dict[str, str] = {}  # did -> the PDS host its DID document names
    handles_resolved: dict[str, str] = {}  # did -> its handle
    nonces: dict[str, str] = {}  # server host -> the DPoP nonce it wants now
    seen_jti: set[str] = set()
    pushed: dict[str, dict[str, Any]] = {}  # request_uri -> the pushed authorization request
    codes: dict[str, dict[str, Any]] = {}  # code -> the approved request and account
    bound: dict[str, str] = {}  # DPoP-bound access or refresh token -> the key's thumbprint

    def _proof(request: Request, host: str, *, token: str | None = None) -> str | Response:
        """The thumbprint of the key of the request's valid DPoP proof, or the refusal (400 from the
        authorization server, 401 from a PDS, which also checks ``ath`` and the token's key)."""
        at_pds = token is not None

        def refused(error: str, message: str) -> Response:
            body = {"error": error, ("message" if at_pds else "error_description"): message}
            response = JSONResponse(body, status_code=401 if at_pds else 400)
            if error == "use_dpop_nonce":
                response.headers["DPoP-Nonce"] = nonces[host]
                if at_pds:
                    response.headers["WWW-Authenticate"] = 'DPoP error="use_dpop_nonce"'
            return response

        checked = dpop_claims(request.headers.get("dpop", ""))
        if isinstance(checked, str):
            return refused("invalid_dpop_proof", checked)
        claims, jkt = checked
        path = request.url.path
        htu = "https://" + path[path.find(f"/{host}/") + 1 :]
        if claims.get("htm") != request.method or claims.get("htu") != htu:
            return refused("invalid_dpop_proof", "DPoP proof htm/htu do not match the request")
        if not isinstance(claims.get("iat"), int) or abs(time.time() - claims["iat"]) > PROOF_SECONDS:
            return refused("invalid_dpop_proof", "DPoP proof iat is not recent")
        jti = str(claims.get("jti") or "")
        with state.lock:
            if not jti or jti in seen_jti:
                return refused("invalid_dpop_proof", "DPoP proof jti was used before")
            seen_jti.add(jti)
            current = nonces.setdefault(host, secrets.token_urlsafe(16))
        if claims.get("nonce") != current:
            return refused("use_dpop_nonce", "Authorization server requires nonce in DPoP proof")
        if token is not None:
            if claims.get("ath") != _b64(hashlib.sha256(token.encode()).digest()):
                return refused("invalid_dpop_proof", "DPoP proof ath does not match the access token")
            if bound.get(token) != jkt:
                return refused("invalid_token", "The token is bound to another key")
        return jkt

    def _account(request: Request, pds: str) -> tuple[str, str] | None:
        """(DID, handle) of the bearer, who is on ``pds`` (bsky.social is an entryway to Bluesky's own PDSes).
        A DPoP-bound token (atproto OAuth) must come as ``DPoP`` with a valid proof, never as ``Bearer``."""
        header = request.headers.get("authorization", "")
        if header.startswith("DPoP "):
            token = header.removeprefix("DPoP ").strip()
            checked = _proof(request, pds, token=token)
            if isinstance(checked, Response):
                request.state.refusal = checked
                return None
            with state.lock:
                family = state.family_of_access(token)
            if family is None or family.network != NETWORK:
                return None
        else:
            if header.removeprefix("Bearer ").strip() in bound:
                return None
            family = state.bearer(request, NETWORK)
        if family is None:
            return None
        did = _did_of(family.user)
        with state.lock:
            pds_of[did] = PDS_HOST if pds == ENTRYWAY else pds
        return did, family.user

    def _denied(request: Request) -> Response:
        """An access token past its expiry is 400 ExpiredToken (the client renews its session); any other
        unknown or revoked one is 401."""
        refusal = getattr(request.state, "refusal", None)
        if isinstance(refusal, Response):
            return refusal
        token = request.headers.get("authorization", "").removeprefix("Bearer ").removeprefix("DPoP ").strip()
        if token in expired:
            return _error("ExpiredToken", "Token has expired")
        return unauthorized(platform)

    @api.post("/_emulator/bluesky/expire_sessions")
    async def expire_sessions(request: Request) -> Response:
        """Test control: every live session's accessJwt (or the sessions of ``{"handle"}``) expires now, as it
        does on Bluesky after ~2 hours; the refreshJwt still renews the session."""
        body = await request.json() if await request.body() else {}
        handle = body.get("handle") if isinstance(body, dict) else None
        with state.lock:
            live = [
                f
                for f in state.families
                if f.network == NETWORK and not f.revoked and (handle is None or f.user == handle)
            ]
            for family in live:
                expired.update(family.access_tokens)
                family.access_tokens.clear()
        return JSONResponse({"expired": len(live)})

    @api.post("/{pds}/xrpc/com.atproto.server.refreshSession")
    async def refresh_session(pds: str, request: Request) -> Response:
        """The refreshJwt as bearer: a new accessJwt and a new refreshJwt; the one presented is used up, so
        presenting it again (or a revoked one) is 400 ExpiredToken."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with state.lock:
            family = state.family_of_refresh(token) if token else None
            if family is None or family.network != NETWORK:
                return _error("ExpiredToken", "Token has been revoked")
            expired.update(family.access_tokens)
            family.access_tokens = {access := secrets.token_urlsafe(32)}
            family.refresh_token = secrets.token_urlsafe(32)
        return JSONResponse(
            {
                "did": _did_of(family.user),
                "handle": family.user,
                "accessJwt": access,
                "refreshJwt": family.refresh_token,
                "active": True,
            }
        )

    # ------------------------------------------------------------------ atproto OAuth

    @api.get("/{host}/xrpc/com.atproto.identity.resolveHandle")
    async def resolve_handle(host: str, request: Request) -> Response:
        handle = request.query_params.get("handle", "").lower()
        if "." not in handle:
            return _error("InvalidRequest", "Error: handle must be a valid handle")
        did = _did_of(handle)
        with state.lock:
            resolved[did] = PDS_HOST if host == ENTRYWAY else host
            handles_resolved[did] = handle
        return JSONResponse({"did": did})

    @api.get("/plc.directory/{did}")
    async def plc_document(did: str) -> Response:
        with state.lock:
            pds, handle = resolved.get(did), handles_resolved.get(did)
        if pds is None or handle is None:
            return JSONResponse({"message": f"DID not registered: {did}"}, status_code=404)
        service = {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": f"https://{pds}"}
        return JSONResponse(
            {
                "@context": ["https://www.w3.org/ns/did/v1"],
                "id": did,
                "alsoKnownAs": [f"at://{handle}"],
                "service": [service],
            }
        )

    @api.get("/{pds}/.well-known/oauth-protected-resource")
    async def protected_resource(pds: str) -> Response:
        """Bluesky's PDSes name the entryway as their authorization server; the emulated self-hosted
        PDSes offer no OAuth (app passwords only)."""
        if pds != PDS_HOST:
            return JSONResponse({"error": "NotFound", "message": "Not Found"}, status_code=404)
        return JSONResponse(
            {
                "resource": f"https://{pds}",
                "authorization_servers": [f"https://{ENTRYWAY}"],
                "scopes_supported": [],
                "bearer_methods_supported": ["header"],
                "resource_documentation": "https://atproto.com",
            }
        )

    issuer = f"https://{ENTRYWAY}"

    @api.get(f"/{ENTRYWAY}/.well-known/oauth-authorization-server")
    async def authorization_server() -> Response:
        return JSONResponse(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/oauth/authorize",
                "token_endpoint": f"{issuer}/oauth/token",
                "pushed_authorization_request_endpoint": f"{issuer}/oauth/par",
                "require_pushed_authorization_requests": True,
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
                "scopes_supported": ["atproto", "transition:generic", "transition:chat.bsky"],
                "dpop_signing_alg_values_supported": ["ES256"],
                "authorization_response_iss_parameter_supported": True,
                "client_id_metadata_document_supported": True,
            }
        )

    def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": error, "error_description": description}, status_code=status)

    @api.post(f"/{ENTRYWAY}/oauth/par")
    async def par(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        checked = _proof(request, ENTRYWAY)
        if isinstance(checked, Response):
            return checked
        client_id, redirect_uri = form.get("client_id", ""), form.get("redirect_uri", "")
        refused = _client_refusal(client_id, redirect_uri)
        if refused:
            return _oauth_error("invalid_client", refused)
        if form.get("response_type") != "code" or "atproto" not in form.get("scope", "").split():
            return _oauth_error("invalid_request", 'response_type must be "code" and scope include "atproto"')
        if form.get("code_challenge_method") != "S256" or not form.get("code_challenge"):
            return _oauth_error("invalid_request", "PKCE with S256 is required")
        request_uri = f"urn:ietf:params:oauth:request_uri:req-{secrets.token_hex(16)}"
        with state.lock:
            pushed[request_uri] = {**form, "jkt": checked, "expires": time.time() + PAR_SECONDS}
        response = JSONResponse({"request_uri": request_uri, "expires_in": PAR_SECONDS}, status_code=201)
        response.headers["DPoP-Nonce"] = nonces[ENTRYWAY]
        return response

    @api.get(f"/{ENTRYWAY}/oauth/authorize")
    async def authorize_page(request: Request) -> Response:
        query = request.query_params
        with state.lock:
            asked = pushed.get(query.get("request_uri", ""))
        if asked is None or asked["expires"] < time.time() or asked["client_id"] != query.get("client_id"):
            return HTMLResponse("<h1>Invalid request</h1><p>Unknown or expired request_uri.</p>", 400)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in {"request_uri": query["request_uri"], "client_id": asked["client_id"]}.items()
        )
        hint = html.escape(asked.get("login_hint", ""))
        page = f"""<!doctype html><html><head><title>Bluesky - authorize</title></head>
<body><h1>Bluesky (emulated)</h1><p>An app (<code>{html.escape(asked["client_id"])}</code>) asks to act on
your account with <code>{html.escape(asked["scope"])}</code>.</p>
<form method="post" action="/{ENTRYWAY}/oauth/authorize">{hidden}
<label>Account <input name="user" value="{hint}"></label>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form></body></html>"""
        return HTMLResponse(page)

    @api.post(f"/{ENTRYWAY}/oauth/authorize")
    async def authorize_decision(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        with state.lock:
            asked = pushed.pop(form.get("request_uri", ""), None)
        if asked is None or asked["expires"] < time.time():
            return HTMLResponse("<h1>Invalid request</h1><p>Unknown or expired request_uri.</p>", 400)
        params = {"state": asked.get("state", ""), "iss": issuer}
        if form.get("decision") != "allow":
            params.update(error="access_denied", error_description="The user denied access")
        else:
            code = f"cod-{secrets.token_hex(16)}"
            handle = (form.get("user") or asked.get("login_hint") or "").lower()
            with state.lock:
                codes[code] = {**asked, "handle": handle, "expires": time.time() + CODE_SECONDS}
            params["code"] = code
        separator = "&" if "?" in asked["redirect_uri"] else "?"
        return RedirectResponse(f"{asked['redirect_uri']}{separator}{urlencode(params)}", status_code=302)

    @api.post(f"/{ENTRYWAY}/oauth/token")
    async def oauth_token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        checked = _proof(request, ENTRYWAY)
        if isinstance(checked, Response):
            return checked
        jkt = checked
        grant = form.get("grant_type")
        with state.lock:
            if grant == "authorization_code":
                approved = codes.pop(form.get("code", ""), None)
                if approved is None or approved["expires"] < time.time():
                    return _oauth_error("invalid_grant", "Invalid code")
                verifier = form.get("code_verifier", "")
                if _b64(hashlib.sha256(verifier.encode()).digest()) != approved["code_challenge"]:
                    return _oauth_error("invalid_grant", "Invalid code_verifier")
                if (
                    form.get("client_id") != approved["client_id"]
                    or form.get("redirect_uri") != approved["redirect_uri"]
                ):
                    return _oauth_error("invalid_grant", "The code was issued to another client or redirect_uri")
                if jkt != approved["jkt"]:
                    return _oauth_error("invalid_dpop_proof", "DPoP key does not match the pushed request's")
                family = TokenFamily(
                    network=NETWORK, client_id=approved["client_id"], scope=approved["scope"], user=approved["handle"]
                )
                state.families.append(family)
            elif grant == "refresh_token":
                presented = form.get("refresh_token", "")
                found = state.family_of_refresh(presented) if presented in bound else None
                if found is None or found.client_id != form.get("client_id"):
                    return _oauth_error("invalid_grant", "Invalid refresh token")
                if bound[presented] != jkt:
                    return _oauth_error("invalid_dpop_proof", "DPoP key does not match the token's")
                family = found
                expired.update(family.access_tokens)
                family.access_tokens.clear()
            else:
                return _oauth_error("unsupported_grant_type", f"Unsupported grant_type: {grant}")
            family.access_tokens.add(access := f"oat-{secrets.token_urlsafe(32)}")
            family.refresh_token = f"ort-{secrets.token_urlsafe(32)}"
            bound[access] = bound[family.refresh_token] = jkt
            did = _did_of(family.user)
            resolved.setdefault(did, PDS_HOST)
            handles_resolved.setdefault(did, family.user)
        answer = {
            "access_token": access,
            "token_type": "DPoP",
            "expires_in": OAUTH_ACCESS_SECONDS,
            "refresh_token": family.refresh_token,
            "scope": family.scope,
            "sub": did,
        }
        response = JSONResponse(answer)
        response.headers["DPoP-Nonce"] = nonces[ENTRYWAY]
        return response

    def _service(request: Request, audience: str, method: str) -> dict[str, Any] | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        grant = service_tokens.get(token)
        if grant is None or grant["aud"] != audience or grant["lxm"] != method or grant["exp"] < time.time():
            return None
        return grant

    def _blob_ref(value: Any) -> tuple[str, dict[str, Any]] | None:
        if not isinstance(value, dict) or value.get("$type") != "blob":
            return None
        cid = (value.get("ref") or {}).get("$link")
        return (str(cid), value) if cid else None

    # ------------------------------------------------------------------ PDS: session and service auth

    @api.get("/{pds}/xrpc/com.atproto.server.getSession")
    async def get_session(pds: str, request: Request) -> Response:
        account = _account(request, pds)
        if account is None:
            return _denied(request)
        did, handle = account
        did_doc = {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "alsoKnownAs": [f"at://{handle}"],
            "service": [
                {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": f"https://{pds_of[did]}"}
            ],
        }
        return JSONResponse(
            {
                "handle": handle,
                "did": did,
                "email": f"{handle.split('.')[0]}@example.com",
                "emailConfirmed": True,
                "didDoc": did_doc,
                "active": True,
            }
        )

    @api.get("/{pds}/xrpc/com.atproto.server.getServiceAuth")
    async def get_service_auth(pds: str, request: Request) -> Response:
        account = _account(request, pds)
        if account is None:
            return _denied(request)
        query = request.query_params
        audience, method = query.get("aud", ""), query.get("lxm", "")
        if not audience.startswith("did:"):
            return _error("InvalidRequest", 'Error: Params must have the property "aud"')
        try:
            expires = float(query.get("exp") or time.time() + 60)
        except ValueError:
            return _error("InvalidRequest", "Error: exp must be an integer")
        if expires > time.time() + 3600:
            return _error("BadExpiration", "expiration is too far in the future")
        token = secrets.token_urlsafe(32)
        service_tokens[token] = {"did": account[0], "aud": audience, "lxm": method, "exp": expires}
        return JSONResponse({"token": token})

    # ------------------------------------------------------------------ PDS: blobs and records

    @api.post("/{pds}/xrpc/com.atproto.repo.uploadBlob")
    async def upload_blob(pds: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "uploadBlob")) is not None:
            return fault
        account = _account(request, pds)
        if account is None:
            return _denied(request)
        data = await request.body()
        mime = request.headers.get("content-type", "application/octet-stream").split(";")[0]
        if not data:
            return _error("InvalidRequest", "Request encoding (Content-Type) required but not provided")
        if len(data) > MAX_VIDEO_BYTES:
            return _error("PayloadTooLargeError", "request entity too large", 413)
        cid = _cid(data, "bafkrei")
        blobs[(account[0], cid)] = {"file": digest(data, mime), "mimeType": mime}
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        return await state.after(NETWORK, "uploadBlob", JSONResponse({"blob": blob}))

    def _embedded(did: str, embed: Any) -> tuple[list[dict[str, Any]], str | None]:
        """The media an embed carries, as the post stores them, or the PDS's refusal."""
        if embed is None:
            return [], None
        kind = embed.get("$type") if isinstance(embed, dict) else None
        if kind == "app.bsky.embed.images":
            images = embed.get("images")
            if not isinstance(images, list) or not 1 <= len(images) <= 4:
                return [], "Record/embed/images must not have more than 4 elements"
            media = []
            for index, image in enumerate(images):
                ref = _blob_ref((image or {}).get("image"))
                if ref is None or not isinstance(image.get("alt"), str):
                    return [], f'Record/embed/images/{index} must have the properties "image" and "alt"'
                stored = blobs.get((did, ref[0]))
                if stored is None:
                    return [], f"Could not find blob: {ref[0]}"
                if not stored["mimeType"].startswith("image/"):
                    return [], f"Record/embed/images/{index}/image mimeType is not accepted: {stored['mimeType']}"
                if stored["file"]["size"] > MAX_IMAGE_BYTES:
                    return [], f"Record/embed/images/{index}/image file is too big (max {MAX_IMAGE_BYTES} bytes)"
                entry = {"type": "image", **stored["file"], "aspectRatio": image.get("aspectRatio")}
                if image["alt"]:
                    entry["alt_text"] = image["alt"]
                media.append(entry)
            return media, None
        if kind == "app.bsky.embed.video":
            ref = _blob_ref(embed.get("video"))
            stored = blobs.get((did, ref[0])) if ref else None
            if ref is None or stored is None:
                return [], "Record/embed/video must be a blob of this repository"
            if not stored["mimeType"].startswith("video/"):
                return [], f"Record/embed/video mimeType is not accepted: {stored['mimeType']}"
            entry = {"type": "video", **stored["file"], "aspectRatio": embed.get("aspectRatio")}
            if embed.get("alt"):
                entry["alt_text"] = embed["alt"]
            return [entry], None
        if kind == "app.bsky.embed.external":
            external = embed.get("external") or {}
            if not isinstance(external.get("uri"), str) or not isinstance(external.get("title"), str):
                return [], 'Record/embed/external must have the properties "uri", "title" and "description"'
            return [{"type": "external", "uri": external["uri"], "title": external["title"]}], None
        return [], f"Record/embed has an unknown $type: {kind}"

    def _problem(record: dict[str, Any]) -> str | None:
        """What the lexicon of app.bsky.feed.post refuses in the record (None when valid)."""
        if record.get("$type") != COLLECTION:
            return f"Invalid $type: expected {COLLECTION}, got {record.get('$type')}"
        text = record.get("text")
        if not isinstance(text, str):
            return 'Record must have the property "text"'
        if graphemes(text) > MAX_GRAPHEMES:
            return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
        if len(text.encode()) > MAX_TEXT_BYTES:
            return f"Record/text must not be longer than {MAX_TEXT_BYTES} characters"
        if not _datetime_ok(record.get("createdAt")):
            return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
        langs = record.get("langs")
        if langs is not None and (not isinstance(langs, list) or len(langs) > MAX_LANGS):
            return f"Record/langs must not have more than {MAX_LANGS} elements"
        for index, facet in enumerate(record.get("facets") or []):
            span = (facet or {}).get("index") or {}
            start, end = span.get("byteStart"), span.get("byteEnd")
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end:
                return f"Record/facets/{index}/index must have byteStart <= byteEnd"
            if not facet.get("features"):
                return f'Record/facets/{index} must have the property "features"'
        reply = record.get("reply")
        if reply is not None:
            for side in ("root", "parent"):
                ref = (reply or {}).get(side) or {}
                if not str(ref.get("uri", "")).startswith("at://") or not ref.get("cid"):
                    return f"Record/reply/{side} must be a strong ref (uri and cid)"
        return None

    @api.post("/{pds}/xrpc/com.atproto.repo.createRecord")
    async def create_record(pds: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "createRecord")) is not None:
            return fault
        account = _account(request, pds)
        if account is None:
            return _denied(request)
        did, handle = account
        try:
            body = await request.json()
        except ValueError:
            return _error("InvalidRequest", "Request body must be JSON")
        if not isinstance(body, dict) or not isinstance(body.get("record"), dict):
            return _error("InvalidRequest", 'Input must have the properties "repo", "collection" and "record"')
        if body.get("repo") not in (did, handle):
            return _error("AuthenticationRequired", "Authentication Required", 401)
        if body.get("collection") != COLLECTION:
            return _error("InvalidRequest", f"The emulator only keeps {COLLECTION} records")
        record = body["record"]
        if (problem := _problem(record)) is not None:
            return _invalid_record(problem)
        media, problem = _embedded(did, record.get("embed"))
        if problem is not None:
            if problem.startswith("Could not find blob"):
                return _error("InvalidRequest", problem)
            return _invalid_record(problem)
        rkey = str(body.get("rkey") or "")
        if rkey and not TID.match(rkey):
            return _error("InvalidRequest", f"Invalid record key for {COLLECTION}: {rkey} is not a TID")
        if not rkey:
            value = (time.time_ns() // 1000) << 10 | secrets.randbelow(1024)
            rkey = "".join("234567abcdefghijklmnopqrstuvwxyz"[(value >> s) & 31] for s in range(60, -1, -5))
        uri = f"at://{did}/{COLLECTION}/{rkey}"
        if any(p.id == uri for p in state.posts_of(NETWORK, did)):
            # The repository's tree refuses a second value at a key, which the PDS answers as a server error.
            return _error("InternalServerError", "Internal Server Error", 500)
        cid = _cid(json.dumps(record, sort_keys=True).encode(), "bafyrei")
        reply = record.get("reply") or {}
        state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=did,
                id=uri,
                text=record["text"],
                url=f"https://bsky.app/profile/{handle}/post/{rkey}",
                media=[m for m in media if m["type"] != "external"],
                reply_to=(reply.get("parent") or {}).get("uri"),
                extra={
                    "rkey": rkey,
                    "cid": cid,
                    "root": (reply.get("root") or {}).get("uri"),
                    "langs": record.get("langs") or [],
                    "facets": record.get("facets") or [],
                    "embed": (record.get("embed") or {}).get("$type"),
                    "external": next((m for m in media if m["type"] == "external"), None),
                    "record": record,
                    "pds": pds,
                },
            )
        )
        answer = {
            "uri": uri,
            "cid": cid,
            "commit": {"cid": _cid(uri.encode(), "bafyrei"), "rev": rkey},
            "validationStatus": "valid",
        }
        return await state.after(NETWORK, "createRecord", JSONResponse(answer))

    @api.get("/{pds}/xrpc/com.atproto.repo.listRecords")
    async def list_records(pds: str, request: Request) -> Response:
        query = request.query_params
        repo, collection = query.get("repo", ""), query.get("collection", "")
        if not repo or not collection:
            return _error("InvalidRequest", 'Error: Params must have the properties "repo" and "collection"')
        raw_limit = query.get("limit", "50")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            return _error("InvalidRequest", "Error: limit can not be greater than 100")
        did = repo if repo.startswith("did:") else _did_of(repo)
        posts = state.posts_of(NETWORK, did) if collection == COLLECTION else []
        ordered = sorted(posts, key=lambda p: p.extra["rkey"], reverse=True)
        if cursor := query.get("cursor"):
            ordered = [p for p in ordered if p.extra["rkey"] < cursor]
        page = ordered[: int(raw_limit)]
        body: dict[str, Any] = {
            "records": [{"uri": p.id, "cid": p.extra["cid"], "value": p.extra["record"]} for p in page]
        }
        if len(ordered) > len(page):
            body["cursor"] = page[-1].extra["rkey"]
        return JSONResponse(body)

    # ------------------------------------------------------------------ AppView (through the PDS): counts

    @api.get("/{pds}/xrpc/app.bsky.feed.getPosts")
    async def get_posts(pds: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        if _account(request, pds) is None:
            return _denied(request)
        uris = request.query_params.getlist("uris")
        if not uris:
            return _error("InvalidRequest", 'Error: Params must have the property "uris"')
        if len(uris) > MAX_LOOKUPS:
            return _error("InvalidRequest", f"Error: uris must not have more than {MAX_LOOKUPS} elements")
        for index, uri in enumerate(uris):
            if not uri.startswith("at://"):
                return _error("InvalidRequest", f"Error: uris/{index} must be a valid at-uri")
        posts = {p.id: p for p in state.posts_of(NETWORK)}
        handles = _handles()
        views = []
        for uri in dict.fromkeys(uris):
            post = posts.get(uri)
            if post is None:
                continue
            view: dict[str, Any] = {
                "uri": post.id,
                "cid": post.extra["cid"],
                "author": {"did": post.account, "handle": handles.get(post.account, "handle.invalid")},
                "record": post.extra["record"],
                "indexedAt": datetime.fromtimestamp(post.created_at, UTC).isoformat().replace("+00:00", "Z"),
            }
            views.append(view | state.figures(NETWORK, post.id, POST_FIGURES, post.created_at))
        return JSONResponse({"posts": views})

    @api.get("/{pds}/xrpc/app.bsky.actor.getProfiles")
    async def get_profiles(pds: str, request: Request) -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        if _account(request, pds) is None:
            return _denied(request)
        actors = request.query_params.getlist("actors")
        if not actors:
            return _error("InvalidRequest", 'Error: Params must have the property "actors"')
        if len(actors) > MAX_LOOKUPS:
            return _error("InvalidRequest", f"Error: actors must not have more than {MAX_LOOKUPS} elements")
        handles = _handles()
        profiles = []
        for actor in dict.fromkeys(actors):
            did = actor if actor.startswith("did:") else _did_of(actor)
            if did not in handles:
                continue
            handle = handles[did]
            profile = {"did": did, "handle": handle, "displayName": handle.split(".")[0].title()}
            profiles.append(profile | state.figures(NETWORK, did, ACCOUNT_FIGURES, 0.0))
        return JSONResponse({"profiles": profiles})

    def _handles() -> dict[str, str]:
        """DID -> handle of every account that signed in."""
        with state.lock:
            return {_did_of(f.user): f.user for f in state.families if f.network == NETWORK}

    # ------------------------------------------------------------------ video service

    @api.get("/video.bsky.app/xrpc/app.bsky.video.getUploadLimits")
    async def upload_limits(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "getUploadLimits")) is not None:
            return fault
        grant = _service(request, "did:web:video.bsky.app", "app.bsky.video.getUploadLimits")
        if grant is None:
            return _error("AuthenticationRequired", "Authentication Required", 401)
        left = DAILY_VIDEOS - videos_today.get(grant["did"], 0)
        body: dict[str, Any] = {"canUpload": left > 0, "remainingDailyVideos": max(left, 0)}
        body["remainingDailyBytes"] = 10 * 1024**3 if left > 0 else 0
        if left <= 0:
            body["message"] = "You have reached your daily video upload limit"
        return await state.after(NETWORK, "getUploadLimits", JSONResponse(body))

    @api.post("/video.bsky.app/xrpc/app.bsky.video.uploadVideo")
    async def upload_video(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "uploadVideo")) is not None:
            return fault
        did = request.query_params.get("did", "")
        grant = _service(request, f"did:web:{pds_of.get(did, PDS_HOST)}", "com.atproto.repo.uploadBlob")
        if grant is None:
            return _error("AuthenticationRequired", "Authentication Required", 401)
        if request.query_params.get("did") != grant["did"]:
            return _error("InvalidRequest", "did does not match the service token's issuer")
        mime = request.headers.get("content-type", "").split(";")[0]
        if not mime.startswith("video/"):
            return _error("InvalidRequest", f"Unsupported video type: {mime or 'none'}")
        data = await request.body()
        if not data or len(data) > MAX_VIDEO_BYTES:
            return _error("InvalidRequest", f"Video must be between 1 byte and {MAX_VIDEO_BYTES} bytes")
        videos_today[grant["did"]] = videos_today.get(grant["did"], 0) + 1
        cid = _cid(data, "bafkrei")
        job_id = state.new_object(
            "bsky_video_job", did=grant["did"], cid=cid, mime=mime, file=digest(data, mime), size=len(data)
        )
        status = {"jobId": job_id, "did": grant["did"], "state": "JOB_STATE_CREATED", "progress": 0}
        return await state.after(NETWORK, "uploadVideo", JSONResponse(status))

    @api.get("/video.bsky.app/xrpc/app.bsky.video.getJobStatus")
    async def job_status(request: Request) -> Response:
        job_id = request.query_params.get("jobId", "")
        found = state.poll(job_id)
        if found is None or found["kind"] != "bsky_video_job":
            return _error("NotFound", f"Job {job_id} not found", 404)
        status: dict[str, Any] = {"jobId": job_id, "did": found["did"]}
        if not found["done"]:
            status.update(state="JOB_STATE_ENCODING", progress=min(95, 30 * found["polls"]))
        else:
            # The service stores the processed video on the account's PDS, as a blob of its repository.
            blobs[(found["did"], found["cid"])] = {"file": found["file"], "mimeType": found["mime"]}
            blob = {"$type": "blob", "ref": {"$link": found["cid"]}, "mimeType": found["mime"], "size": found["size"]}
            status.update(state="JOB_STATE_COMPLETED", progress=100, blob=blob)
        return JSONResponse({"jobStatus": status})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api


def _client_refusal(client_id: str, redirect_uri: str) -> str:
    """Why the spec's client rules refuse a pushed request ('' if they do not): the client_id is the https
    URL of a metadata document (not fetched here), or the development client ``http://localhost`` (that
    exact origin, no port), whose redirect URIs are the ``redirect_uri`` values of its query. The spec
    asks those to be loopback IPs (http://127.0.0.1/ by default); the emulator also takes an http URL on
    another host the query names, so a test client (``http://testserver``) can be its own callback."""
    if not redirect_uri:
        return "redirect_uri is required"
    parts = urlsplit(client_id)
    if parts.scheme == "https" and parts.hostname and parts.path not in ("", "/"):
        return ""
    if parts.scheme != "http" or parts.netloc != "localhost" or parts.path not in ("", "/"):
        return "client_id must be the https URL of a client metadata document, or http://localhost (development)"
    allowed = parse_qs(parts.query).get("redirect_uri") or ["http://127.0.0.1/", "http://[::1]/"]
    if redirect_uri not in allowed:
        return "A development client's redirect_uri must be one its client_id names"
    return ""
