"""Farcaster through Neynar's API (docs.neynar.com/reference), at ``/api.neynar.com/v2/farcaster/...``,
with Neynar's own rules and answers. Every call carries the app's API key in ``x-api-key``: a missing,
malformed or revoked key is ``401 {"code": "Unauthorized", "message": ...}``; a well-formed key
(16-64 letters, digits, ``_`` or ``-``) the emulator has not seen is a new app's. Errors are Neynar's
``{"code", "message"}``. ``POST /_emulator/revoke`` revokes the network's keys and signers.

- ``POST /v2/farcaster/signer``: a new managed signer of the key's app, ``generated``, with its Ed25519
  ``public_key`` (docs.neynar.com/reference/create-signer).
- ``POST /v2/farcaster/signer/signed_key`` (``{signer_uuid, app_fid, deadline, signature}``,
  docs.neynar.com/reference/register-signed-key): the app's custody key's EIP-712 signature of
  ``SignedKeyRequest(requestFid, key, deadline)`` (docs.farcaster.xyz, SignedKeyRequestValidator), checked
  here by recovering its signer's address (the emulator's own keccak and coincurve) and comparing it with
  the custody address of ``app_fid`` (an emulated app's: ``app_custody_key(fid)``); a wrong signature, an
  unknown app fid or a past deadline is 400. The signer becomes ``pending_approval`` with its
  ``signer_approval_url``. Opening that URL (``/client.warpcast.com/deeplinks/signed-key-request?token=...``,
  ``&user=`` names the emulated Farcaster user, default ``emulated-user``) approves it, as the user does
  in Warpcast.
- ``GET /v2/farcaster/signer?signer_uuid=``: the signer (``status``, ``fid`` once approved); another
  app's signer is not found (Neynar pairs a signer with the key that made it).
- ``GET /v2/farcaster/user/bulk?fids=``: ``{"users": [...]}`` with ``follower_count`` and ``following_count``.
- ``POST /v2/farcaster/cast`` (``{signer_uuid, text, embeds, channel_id, parent, idem}``): the cast, or
  400 for a text over 320 bytes of UTF-8 (a standard cast: the protocol's cast text limit, docs.farcaster.xyz
  /learn/what-is-farcaster/messages), more than 2 embeds, an embed that is not a URL; 403 for a
  signer that is not approved or was revoked. The same ``idem`` from the same signer answers the cast
  it made the first time, and makes no second one.
- ``GET /v2/farcaster/feed/user/casts?fid=&limit=``: the user's casts, newest first.
- ``GET /v2/farcaster/casts?casts=h1,h2``: ``{"result": {"casts": [...]}}`` each with
  ``reactions.likes_count``, ``reactions.recasts_count`` and ``replies.count``.

Fault endpoints: ``signer`` (signer lookup), ``cast`` (publish), ``feed`` (user casts), ``insights``
(casts), ``account_insights`` (user bulk, also the connect's profile read).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from coincurve import PrivateKey, PublicKey
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.keccak import keccak256
from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, TokenFamily, digest, fetch, number_of

NETWORK = "farcaster"
API = "/api.neynar.com/v2/farcaster"
KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_CAST_BYTES = 320  # docs.farcaster.xyz/learn/what-is-farcaster/messages: a cast's text, at most 320 bytes
MAX_EMBEDS = 2  # docs.neynar.com/reference/publish-cast: embeds, maximum array length 2
MAX_FEED = 150  # docs.neynar.com/reference/fetch-casts-for-user: limit at most 150
POST_FIGURES = ("likes_count", "recasts_count", "replies_count")
ACCOUNT_FIGURES = ("follower_count", "following_count")
UNAUTHORIZED = {"code": "Unauthorized", "message": "Invalid or missing API key"}
APPROVAL = "https://client.warpcast.com/deeplinks/signed-key-request?token={token}"
# The EIP-712 domain of Farcaster's SignedKeyRequestValidator on OP Mainnet (docs.farcaster.xyz/reference/
# contracts/reference/signed-key-request-validator), which Neynar checks a signed key request against
VALIDATOR_DOMAIN = ("Farcaster SignedKeyRequestValidator", "1", 10, 0x00000000FC700472606ED4FA22623ACF62C60553)

# No OAuth: the app's Neynar key and the user's signer, approved in Warpcast. The signer lookup proves it.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Farcaster",
    docs="https://docs.neynar.com/reference/lookup-signer",
    api="https://api.neynar.com/v2/farcaster",
    profile=Profile(
        url="https://api.neynar.com/v2/farcaster/user/bulk?fids={fid}",
        fields={
            "id": "fid",
            "name": "display_name",
            "username": "username",
            "image": "pfp_url",
            "followers": "follower_count",
            "following": "following_count",
        },
        choices="users",
    ),
    unauthorized=UNAUTHORIZED,
)


def _error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def fid_of(user: str) -> int:
    return int(number_of(NETWORK, user)[:7])


def app_custody_key(app_fid: int) -> str:
    """The custody private key (hex) of the emulated Farcaster app ``app_fid``: the emulator's stand-in for
    the IdRegistry's custody address of that fid, which a test or the local stack signs with."""
    return hashlib.sha256(f"emulated farcaster app custody {app_fid}".encode()).hexdigest()


def _address(public: PublicKey) -> bytes:
    return keccak256(public.format(compressed=False)[1:])[-20:]


def _signed_key_request_digest(app_fid: int, key: bytes, deadline: int) -> bytes:
    name, version, chain, contract = VALIDATOR_DOMAIN

    def word(n: int) -> bytes:
        return n.to_bytes(32, "big")

    domain = keccak256(
        keccak256(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
        + keccak256(name.encode())
        + keccak256(version.encode())
        + word(chain)
        + word(contract)
    )
    request = keccak256(
        keccak256(b"SignedKeyRequest(uint256 requestFid,bytes key,uint256 deadline)")
        + word(app_fid)
        + keccak256(key)
        + word(deadline)
    )
    return keccak256(b"\x19\x01" + domain + request)


def _signer_of(digest: bytes, signature: str) -> bytes | None:
    """The address that made a 65-byte r || s || v signature of ``digest`` (None: not a signature)."""
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
        if len(raw) != 65 or raw[64] not in (27, 28):
            return None
        return _address(PublicKey.from_signature_and_message(raw[:64] + bytes([raw[64] - 27]), digest, hasher=None))
    except ValueError:
        return None


def signed_key_body(created: dict[str, Any], app_fid: int = 1, *, key: str | None = None) -> dict[str, Any]:
    """The ``POST /v2/farcaster/signer/signed_key`` body an emulated app sends for a signer it made: signed
    with ``app_fid``'s custody key (or another ``key``, a wrong signature), valid for a day."""
    deadline = int(time.time()) + 86400
    public = bytes.fromhex(str(created["public_key"]).removeprefix("0x"))
    digest = _signed_key_request_digest(app_fid, public, deadline)
    signed = PrivateKey(bytes.fromhex(key or app_custody_key(app_fid))).sign_recoverable(digest, hasher=None)
    signature = "0x" + (signed[:64] + bytes([27 + signed[64]])).hex()
    return {"signer_uuid": created["signer_uuid"], "app_fid": app_fid, "deadline": deadline, "signature": signature}


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    signers: dict[str, dict[str, Any]] = {}  # signer_uuid -> {key, status, user, approval}
    idems: dict[tuple[str, str], str] = {}  # (signer_uuid, idem) -> the cast's hash
    users: dict[int, str] = {}  # fid -> emulated user

    def key_of(request: Request) -> str | None:
        """The app key the request carries (None: no such live key)."""
        key = request.headers.get("x-api-key", "").strip()
        if not KEY.match(key):
            return None
        with state.lock:
            family = next((f for f in state.families if key in f.access_tokens and f.network == NETWORK), None)
            if family is None:  # an app made on dev.neynar.com
                family = TokenFamily(network=NETWORK, client_id="neynar-app", scope="", user="app", access_tokens={key})
                state.families.append(family)
        return None if family.revoked else key

    def signer_revoked(signer_uuid: str) -> bool:
        with state.lock:
            family = next((f for f in state.families if signer_uuid in f.access_tokens), None)
        return family is None or family.revoked

    def signer_body(signer_uuid: str) -> dict[str, Any]:
        signer = signers[signer_uuid]
        status = "revoked" if signer["status"] == "approved" and signer_revoked(signer_uuid) else signer["status"]
        body: dict[str, Any] = {
            "object": "signer",
            "signer_uuid": signer_uuid,
            "public_key": signer["public_key"],
            "status": status,
        }
        if signer["status"] == "approved":
            body["fid"] = fid_of(signer["user"])
        elif signer["status"] == "pending_approval":
            body["signer_approval_url"] = APPROVAL.format(token=signer["approval"])
        return body

    def user_body(fid: int) -> dict[str, Any]:
        user = users.get(fid, f"fc-{fid}")
        figures = state.figures(NETWORK, str(fid), ACCOUNT_FIGURES, 0.0)
        return {
            "object": "user",
            "fid": fid,
            "username": user.replace("_", "-"),
            "display_name": user.replace("-", " ").title(),
            "pfp_url": f"https://i.imgur.com/{hashlib.sha256(user.encode()).hexdigest()[:7]}.png",
            "follower_count": figures["follower_count"],
            "following_count": figures["following_count"],
        }

    def cast_body(post: EmulatedPost) -> dict[str, Any]:
        figures = state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)
        fid = int(post.account)
        return {
            "object": "cast",
            "hash": post.id,
            "author": {"fid": fid, "username": users.get(fid, f"fc-{fid}").replace("_", "-")},
            "text": post.text,
            "timestamp": _stamp(post.created_at),
            "embeds": [{"url": url} for url in post.extra.get("embeds", [])],
            "channel": {"id": post.extra["channel_id"]} if post.extra.get("channel_id") else None,
            "reactions": {"likes_count": figures["likes_count"], "recasts_count": figures["recasts_count"]},
            "replies": {"count": figures["replies_count"]},
        }

    @api.post(f"{API}/signer")
    async def create_signer(request: Request) -> Response:
        key = key_of(request)
        if key is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        signer_uuid = str(uuid.uuid4())
        with state.lock:
            signers[signer_uuid] = {
                "key": key,
                "status": "generated",
                "user": "",
                "approval": secrets.token_urlsafe(12),
                "public_key": "0x" + secrets.token_hex(32),
            }
        return JSONResponse(signer_body(signer_uuid))

    @api.post(f"{API}/signer/signed_key")
    async def register_signed_key(request: Request) -> Response:
        key = key_of(request)
        if key is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            body = await request.json()
        except ValueError:
            return _error("InvalidField", "The body is not JSON", 400)
        if not isinstance(body, dict):
            return _error("InvalidField", "The body is not JSON", 400)
        signer_uuid = str(body.get("signer_uuid") or "")
        signer = signers.get(signer_uuid)
        if signer is None or signer["key"] != key:
            return _error("NotFound", "Signer not found", 404)
        app_fid, deadline = body.get("app_fid"), body.get("deadline")
        if not isinstance(app_fid, int) or not isinstance(deadline, int) or not isinstance(body.get("signature"), str):
            return _error("InvalidField", "signer_uuid, app_fid, deadline and signature are required", 400)
        if deadline <= time.time():
            return _error("InvalidField", "The deadline has passed", 400)
        public = bytes.fromhex(signer["public_key"].removeprefix("0x"))
        made_by = _signer_of(_signed_key_request_digest(app_fid, public, deadline), body["signature"])
        custody = _address(PrivateKey(bytes.fromhex(app_custody_key(app_fid))).public_key)
        if made_by != custody:
            return _error("InvalidSignature", "The signature is not the custody address's of app_fid for this key", 400)
        with state.lock:
            if signer["status"] == "generated":
                signer["status"] = "pending_approval"
        return JSONResponse(signer_body(signer_uuid))

    @api.get("/client.warpcast.com/deeplinks/signed-key-request")
    async def approve(token: str, user: str = "emulated-user") -> Response:
        """The user approving the signer in Warpcast."""
        with state.lock:
            found = next((u for u, s in signers.items() if s["approval"] == token), None)
            if found is None:
                return JSONResponse({"error": "unknown signed key request"}, status_code=404)
            signer = signers[found]
            if signer["status"] == "generated":  # no signed key request registered yet: nothing to approve
                return JSONResponse({"error": "unknown signed key request"}, status_code=404)
            if signer["status"] == "pending_approval":
                signer.update(status="approved", user=user)
                users[fid_of(user)] = user
                family = TokenFamily(network=NETWORK, client_id=signer["key"], scope="", user=user)
                family.access_tokens.add(found)
                state.families.append(family)
        return JSONResponse({"approved": True, "fid": fid_of(user)})

    @api.get(f"{API}/signer")
    async def lookup_signer(request: Request, signer_uuid: str = "") -> Response:
        if (fault := await state.before(NETWORK, "signer")) is not None:
            return fault
        key = key_of(request)
        if key is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        signer = signers.get(signer_uuid)
        if signer is None or signer["key"] != key:  # paired with the key that made it
            return _error("NotFound", "Signer not found", 404)
        return JSONResponse(signer_body(signer_uuid))

    @api.get(f"{API}/user/bulk")
    async def bulk_users(request: Request, fids: str = "") -> Response:
        if (fault := await state.before(NETWORK, "account_insights")) is not None:
            return fault
        if key_of(request) is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        wanted = [f.strip() for f in fids.split(",") if f.strip()]
        if not wanted or not all(f.isdigit() for f in wanted):
            return _error("InvalidField", "fids must be a comma-separated list of numbers", 400)
        return JSONResponse({"users": [user_body(int(f)) for f in wanted if int(f) in users]})

    @api.post(f"{API}/cast")
    async def publish(request: Request) -> Response:
        if (fault := await state.before(NETWORK, "cast")) is not None:
            return fault
        key = key_of(request)
        if key is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            body = await request.json()
        except ValueError:
            return _error("InvalidField", "The body is not JSON", 400)
        if not isinstance(body, dict):
            return _error("InvalidField", "The body is not JSON", 400)
        signer_uuid = str(body.get("signer_uuid") or "")
        signer = signers.get(signer_uuid)
        if signer is None or signer["key"] != key:
            return _error("NotFound", "Signer not found", 404)
        if signer["status"] != "approved":
            return _error("Forbidden", "Signer is not approved; approve it in Warpcast first", 403)
        if signer_revoked(signer_uuid):
            return _error("Forbidden", "Signer has been revoked", 403)
        text = body.get("text") or ""
        if not isinstance(text, str):
            return _error("InvalidField", "text must be a string", 400)
        if len(text.encode()) > MAX_CAST_BYTES:
            return _error("InvalidField", f"Text is too long: a cast is at most {MAX_CAST_BYTES} bytes", 400)
        embeds = body.get("embeds") or []
        if not isinstance(embeds, list) or len(embeds) > MAX_EMBEDS:
            return _error("InvalidField", f"A cast has at most {MAX_EMBEDS} embeds", 400)
        urls = [e.get("url") if isinstance(e, dict) else None for e in embeds]
        if not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
            return _error("InvalidField", "Each embed must be a URL", 400)
        if not text and not urls:
            return _error("InvalidField", "A cast needs text or an embed", 400)
        idem = str(body.get("idem") or "")
        with state.lock:
            earlier = idems.get((signer_uuid, idem)) if idem else None
        if earlier is not None:  # the same request again: the cast it made, and nothing new
            post = next(p for p in state.posts_of(NETWORK) if p.id == earlier)
            answer = {
                "success": True,
                "cast": {"hash": post.id, "author": {"fid": int(post.account)}, "text": post.text},
            }
            return await state.after(NETWORK, "cast", JSONResponse(answer))
        media = []
        for url in urls:
            data = await fetch(str(url))
            if data is not None:  # an image the cast shows; a page link is an embed too
                media.append(digest(data))
        fid = fid_of(signer["user"])
        cast_hash = "0x" + secrets.token_hex(20)
        post = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=str(fid),
                id=cast_hash,
                text=text,
                url=f"https://warpcast.com/{signer['user'].replace('_', '-')}/{cast_hash}",
                media=media,
                extra={"embeds": urls, "channel_id": body.get("channel_id"), "idem": idem},
            )
        )
        if idem:
            with state.lock:
                idems[(signer_uuid, idem)] = cast_hash
        answer = {"success": True, "cast": {"hash": cast_hash, "author": {"fid": fid}, "text": text}}
        return await state.after(NETWORK, "cast", JSONResponse(answer))

    @api.get(f"{API}/feed/user/casts")
    async def user_casts(request: Request, fid: str = "", limit: int = 25) -> Response:
        if (fault := await state.before(NETWORK, "feed")) is not None:
            return fault
        if key_of(request) is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        if not fid.isdigit() or not 1 <= limit <= MAX_FEED:
            return _error("InvalidField", f"fid is required and limit is between 1 and {MAX_FEED}", 400)
        casts = sorted(state.posts_of(NETWORK, fid), key=lambda p: -p.created_at)[:limit]
        return JSONResponse({"casts": [cast_body(p) for p in casts], "next": {"cursor": None}})

    @api.get(f"{API}/casts")
    async def bulk_casts(request: Request, casts: str = "") -> Response:
        if (fault := await state.before(NETWORK, "insights")) is not None:
            return fault
        if key_of(request) is None:
            return JSONResponse(UNAUTHORIZED, status_code=401)
        wanted = [h.strip() for h in casts.split(",") if h.strip()]
        if not wanted:
            return _error("InvalidField", "casts is required", 400)
        held = {p.id: p for p in state.posts_of(NETWORK)}
        return JSONResponse({"result": {"casts": [cast_body(held[h]) for h in wanted if h in held]}})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api


def signer_approval(url: str, user: str = "emulated-user") -> str:
    """The emulator path a test opens to approve a signer as ``user`` (its Warpcast approval URL)."""
    return "/" + url.split("://", 1)[1] + f"&user={user}"
