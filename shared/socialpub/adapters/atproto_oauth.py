"""atproto OAuth (atproto.com/specs/oauth), the way to connect a Bluesky account where its PDS offers it,
beside app passwords: the client side of the flow, over HTTP.

1. ``resolve``: the handle -> its DID (``com.atproto.identity.resolveHandle`` on the entryway or the PDS the
   user names) -> the DID document (``plc.directory`` for ``did:plc``, ``/.well-known/did.json`` for
   ``did:web``) -> the PDS -> its ``/.well-known/oauth-protected-resource`` -> the authorization server ->
   its ``/.well-known/oauth-authorization-server`` (the issuer must be the one the PDS names).
2. ``start``: a pushed authorization request (PAR) with PKCE S256, the handle as ``login_hint`` and a DPoP
   proof made with the session's own ES256 key; the user is then sent to the authorization endpoint with
   the ``request_uri`` alone.
3. ``exchange``: the code at the token endpoint with the PKCE verifier and a DPoP proof; the tokens must be
   DPoP-bound and their ``sub`` the DID resolved at start (else refused: another account signed in).
4. ``refresh``: the refresh token, with a DPoP proof of the same key.
5. ``proof_headers``: what every call to the PDS carries: ``Authorization: DPoP <token>`` and a proof with
   ``ath`` (the token's hash).

The client is public (``token_endpoint_auth_method: none``); its ``client_id`` is the URL of the
product's client metadata document. Servers hand out DPoP nonces: a ``use_dpop_nonce`` answer is
retried once with the nonce given (``DPoP-Nonce``), and the last nonce is kept for the next call.
Every URL goes through ``network_url`` (the emulator, locally) and, deployed, through the SSRF guard
(host_guard.PinnedTransport): a PDS or server resolving inside is refused (HostNotAllowed), nothing sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from socialpub.adapters.host_guard import HostRefused, pinned_client
from socialpub.adapters.network_urls import network_url
from socialpub.domain.accounts import HostNotAllowed, NetworkRejected, NetworkUnavailable, TokenRejected, TokenSet

SCOPE = "atproto transition:generic"
PLC_DIRECTORY = "https://plc.directory"
TIMEOUT = httpx.Timeout(8.0, connect=4.0)
REJECTED_TOKEN_ERRORS = {"invalid_grant", "invalid_token", "invalid_dpop_proof"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes(32, "big"))


class DpopKey:
    """A session's ES256 (P-256) key: it signs the DPoP proofs, and its tokens are bound to it (kept
    sealed beside them; a new key for every connect)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self._key = key

    @classmethod
    def new(cls) -> DpopKey:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: str) -> DpopKey:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("not an EC private key")
        return cls(key)

    def pem(self) -> str:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def public_jwk(self) -> dict[str, str]:
        numbers = self._key.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _int_b64(numbers.x), "y": _int_b64(numbers.y)}

    def proof(self, method: str, url: str, *, nonce: str | None = None, token: str | None = None) -> str:
        """A DPoP proof (RFC 9449) for one request: ``htu`` is the URL without query or fragment, ``ath``
        the access token's SHA-256 when one is presented."""
        parts = urlsplit(url)
        claims: dict[str, Any] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method.upper(),
            "htu": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
            "iat": int(time.time()),
        }
        if nonce:
            claims["nonce"] = nonce
        if token:
            claims["ath"] = _b64(hashlib.sha256(token.encode()).digest())
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    return verifier, _b64(hashlib.sha256(verifier.encode()).digest())


@dataclass(frozen=True)
class AtprotoServer:
    """Where an account lives and who signs it in."""

    did: str
    handle: str
    pds: str  # https://host, from the DID document
    issuer: str
    par_endpoint: str
    authorization_endpoint: str
    token_endpoint: str


@dataclass(frozen=True)
class Started:
    authorization_url: str
    verifier: str
    nonce: str | None  # the authorization server's last DPoP nonce


class AtprotoOAuth:
    def __init__(self, http: httpx.Client | None = None, emulator: str | None = None) -> None:
        emulated = emulator if emulator is not None else os.environ.get("PLATFORM_EMULATOR_URL", "")
        self._http = http or (
            httpx.Client(timeout=TIMEOUT, follow_redirects=False) if emulated else pinned_client(TIMEOUT)
        )
        self._emulator = emulator

    # ------------------------------------------------------------------ discovery

    def resolve(self, handle: str, entryway: str = "bsky.social") -> AtprotoServer:
        """The account's DID, PDS and authorization server, from its handle (resolved at ``entryway``:
        bsky.social, or the PDS the user named)."""
        handle = handle.strip().lstrip("@").lower()
        answer = self._json(
            "GET", f"https://{entryway}/xrpc/com.atproto.identity.resolveHandle", params={"handle": handle}
        )
        did = str(answer.get("did") or "")
        if not did.startswith(("did:plc:", "did:web:")):
            raise NetworkRejected(f"{entryway} resolved {handle} to no DID this can read", details={"did": did})
        if did.startswith("did:plc:"):
            document = self._json("GET", f"{PLC_DIRECTORY}/{did}")
        else:
            document = self._json("GET", f"https://{did.removeprefix('did:web:')}/.well-known/did.json")
        pds = _pds_of(document, did)
        return self.server_of(pds, did=did, handle=handle)

    def server_of(self, pds: str, *, did: str = "", handle: str = "") -> AtprotoServer:
        """The authorization server the PDS names, and its endpoints: read again at each refresh, since a
        PDS may move its accounts to another authorization server (the tokens' issuer is not kept)."""
        offered = self._send("GET", f"{pds}/.well-known/oauth-protected-resource")
        servers = _body(offered).get("authorization_servers") if offered.status_code == 200 else None
        if not isinstance(servers, list) or not servers or not str(servers[0]).startswith("https://"):
            raise NetworkRejected(f"{_host(pds)} offers no OAuth authorization server; connect with an app password")
        issuer = str(servers[0]).rstrip("/")
        meta = self._json("GET", f"{issuer}/.well-known/oauth-authorization-server")
        if str(meta.get("issuer") or "").rstrip("/") != issuer:
            raise NetworkRejected(f"{_host(issuer)} describes another issuer than the one {_host(pds)} names")
        endpoints = {
            k: str(meta.get(k) or "")
            for k in ("pushed_authorization_request_endpoint", "authorization_endpoint", "token_endpoint")
        }
        if not all(v.startswith("https://") for v in endpoints.values()) or "ES256" not in (
            meta.get("dpop_signing_alg_values_supported") or []
        ):
            raise NetworkRejected(f"{_host(issuer)} does not offer atproto OAuth (PAR, DPoP ES256)")
        return AtprotoServer(
            did=did,
            handle=handle,
            pds=pds,
            issuer=issuer,
            par_endpoint=endpoints["pushed_authorization_request_endpoint"],
            authorization_endpoint=endpoints["authorization_endpoint"],
            token_endpoint=endpoints["token_endpoint"],
        )

    # ------------------------------------------------------------------ the flow

    def start(self, server: AtprotoServer, *, client_id: str, redirect_uri: str, state: str, key: DpopKey) -> Started:
        verifier, challenge = pkce()
        form = {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "scope": SCOPE,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "login_hint": server.handle,
        }
        answer, nonce = self._dpop_post(server.par_endpoint, form, key, None, rejected=NetworkRejected)
        request_uri = str(answer.get("request_uri") or "")
        if not request_uri:
            raise NetworkRejected(f"{_host(server.issuer)} answered the pushed request without a request_uri")
        query = urlencode({"client_id": client_id, "request_uri": request_uri})
        return Started(f"{server.authorization_endpoint}?{query}", verifier, nonce)

    def exchange(
        self,
        server: AtprotoServer,
        *,
        code: str,
        issuer: str | None,
        client_id: str,
        redirect_uri: str,
        verifier: str,
        key: DpopKey,
        nonce: str | None,
    ) -> tuple[TokenSet, str | None]:
        """The tokens for the code; refused unless they are DPoP-bound and for the DID resolved at start."""
        if issuer is not None and issuer.rstrip("/") != server.issuer:
            raise NetworkRejected(f"The callback's issuer {issuer} is not {server.issuer}")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": client_id,
        }
        answer, nonce = self._dpop_post(server.token_endpoint, form, key, nonce, rejected=TokenRejected)
        tokens = _tokens(answer, server.token_endpoint)
        if answer.get("sub") != server.did:
            raise NetworkRejected(
                f"{_host(server.issuer)} signed in another account ({answer.get('sub')}) than {server.handle}; "
                "nothing was kept",
                details={"expected": server.did, "sub": str(answer.get("sub") or "")},
            )
        return tokens.model_copy(update={"extra": {"did": server.did, "handle": server.handle}}), nonce

    def refresh(
        self, token_endpoint: str, *, refresh_token: str, client_id: str, key: DpopKey, nonce: str | None
    ) -> tuple[TokenSet, str | None]:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
        answer, nonce = self._dpop_post(token_endpoint, form, key, nonce, rejected=TokenRejected)
        return _tokens(answer, token_endpoint), nonce

    def pds_get(self, url: str, *, token: str, key: DpopKey) -> dict[str, Any]:
        """A GET on the PDS with the DPoP-bound token (the profile read at connect); a PDS asking for its
        DPoP nonce (401 ``use_dpop_nonce``) gets the call once more with it."""
        nonce = None
        for _ in range(2):
            response = self._send("GET", url, headers=proof_headers(key, "GET", url, token, nonce))
            if response.status_code == 401 and "use_dpop_nonce" in response.headers.get("www-authenticate", ""):
                nonce = response.headers.get("dpop-nonce") or nonce
                continue
            body = _body(response)
            if response.status_code >= 400:
                _refuse(NetworkRejected, response.status_code, body, url)
            return body
        _refuse(NetworkRejected, 401, {"error": "use_dpop_nonce"}, url)
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ HTTP

    def _dpop_post(
        self, url: str, form: dict[str, str], key: DpopKey, nonce: str | None, *, rejected: type[NetworkRejected]
    ) -> tuple[dict[str, Any], str | None]:
        """A form POST with a DPoP proof; a ``use_dpop_nonce`` refusal is tried once more with the nonce given."""
        for _ in range(2):
            response = self._send("POST", url, data=form, headers={"DPoP": key.proof("POST", url, nonce=nonce)})
            nonce = response.headers.get("dpop-nonce") or nonce
            body = _body(response)
            if response.status_code in (400, 401) and body.get("error") == "use_dpop_nonce":
                continue
            if response.status_code >= 400:
                _refuse(rejected, response.status_code, body, url)
            return body, nonce
        _refuse(rejected, 400, {"error": "use_dpop_nonce"}, url)
        raise AssertionError("unreachable")

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self._send(method, url, **kwargs)
        body = _body(response)
        if response.status_code >= 400:
            _refuse(NetworkRejected, response.status_code, body, url)
        return body

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, network_url(url, self._emulator), **kwargs)
        except HostRefused as refused:
            raise HostNotAllowed(f"{refused.message}; nothing was sent") from None
        except httpx.HTTPError as exc:
            raise NetworkUnavailable(f"{_host(url)} did not answer ({type(exc).__name__})") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise NetworkUnavailable(
                f"{_host(url)} answered {response.status_code}", details={"status": response.status_code}
            )
        return response


def proof_headers(key: DpopKey, method: str, url: str, token: str, nonce: str | None) -> dict[str, str]:
    """What a call to the PDS carries with a DPoP-bound access token."""
    return {"Authorization": f"DPoP {token}", "DPoP": key.proof(method, url, nonce=nonce, token=token)}


def _pds_of(document: dict[str, Any], did: str) -> str:
    if document.get("id") != did:
        raise NetworkRejected(f"The DID document of {did} is for another DID")
    for service in document.get("service") or []:
        if isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds"):
            endpoint = str(service.get("serviceEndpoint") or "").rstrip("/")
            if endpoint.startswith("https://") and not urlsplit(endpoint).path:
                return endpoint
    raise NetworkRejected(f"The DID document of {did} names no PDS")


def _tokens(answer: dict[str, Any], url: str) -> TokenSet:
    if not answer.get("access_token") or str(answer.get("token_type", "")).lower() != "dpop":
        raise NetworkRejected(f"{_host(url)} answered no DPoP-bound access token; nothing was kept")
    expires = answer.get("expires_in")
    return TokenSet(
        access_token=str(answer["access_token"]),
        refresh_token=str(answer["refresh_token"]) if answer.get("refresh_token") else None,
        expires_in=int(expires) if isinstance(expires, int) else None,
        scopes=str(answer.get("scope") or "").split() or None,
    )


def _refuse(rejected: type[NetworkRejected], status: int, body: dict[str, Any], url: str) -> None:
    code = str(body.get("error") or "")
    message = str(body.get("error_description") or body.get("message") or code or status)
    details = {"status": status, "error": code, "network_message": message}
    if rejected is TokenRejected and code not in REJECTED_TOKEN_ERRORS:
        rejected = NetworkRejected
    raise rejected(f"{_host(url)} refused: {message}", details=details)


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _host(url: str) -> str:
    return httpx.URL(url).host or "the network"
