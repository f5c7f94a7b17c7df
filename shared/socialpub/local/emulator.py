"""The platform emulator: each network's OAuth 2 endpoints, on loopback, for the local stack and tests.

The product reaches a network through the URLs of its catalog entry; with ``PLATFORM_EMULATOR_URL``
set, ``https://<host>/<path>`` becomes ``<emulator>/<host>/<path>`` (`socialpub.adapters.network_urls`),
and this app answers there as the network would (RFC 6749 shapes and error bodies):

- ``GET  authorization_url``: a consent page a person (or a headless browser) can click through;
  approving redirects to ``redirect_uri`` with ``code`` and ``state``, denying with ``error``.
- ``POST token_url``: ``authorization_code`` (one use, bound to client, redirect URI and PKCE
  challenge) and ``refresh_token`` (rotating the refresh token where the network does).
- ``POST revoke_url``: revokes a token and its family.

Behaviour per network (PKCE, rotation, lifetimes) comes from the catalog. ``POST /_emulator/faults``
makes the next calls of an endpoint fail (e.g. a 503 from a token endpoint), for tests of resilience.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from socialpub.domain.platforms import Platform, catalog

CODE_TTL_SECONDS = 600


@dataclass
class Grant:
    network: str
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    challenge_method: str | None
    user: str
    expires_at: float


@dataclass
class TokenFamily:
    network: str
    client_id: str
    scope: str
    user: str
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str | None = None
    revoked: bool = False


@dataclass
class Fault:
    status: int
    remaining: int
    body: dict[str, Any]


class EmulatorState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, Grant] = {}
        self.families: list[TokenFamily] = []
        self.faults: dict[tuple[str, str], Fault] = {}

    def family_of_refresh(self, token: str) -> TokenFamily | None:
        return next((f for f in self.families if f.refresh_token == token and not f.revoked), None)

    def family_of_access(self, token: str) -> TokenFamily | None:
        return next((f for f in self.families if token in f.access_tokens and not f.revoked), None)


def _endpoint_of(host: str, path: str) -> tuple[Platform, str] | None:
    """Which network and which of its endpoints (authorize, token, revoke) a host and path are."""
    for platform in catalog().values():
        auth = platform.auth
        for kind, url in (
            ("authorize", auth.authorization_url),
            ("token", auth.token_url),
            ("revoke", auth.revoke_url),
        ):
            if not url:
                continue
            parts = urlsplit(url)
            same_host = parts.netloc == host or parts.netloc == "{instance}"
            if same_host and parts.path.rstrip("/") == "/" + path.rstrip("/"):
                return platform, kind
    return None


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """client_secret_basic or client_secret_post (TikTok names the id ``client_key``)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user, password
    return form.get("client_id") or form.get("client_key") or "", form.get("client_secret", "")


def _pkce_ok(grant: Grant, verifier: str | None) -> bool:
    if grant.challenge is None:
        return True
    if not verifier:
        return False
    if grant.challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant.challenge
    return verifier == grant.challenge


def create_emulator(state: EmulatorState | None = None) -> FastAPI:
    app = FastAPI(title="socialpub platform emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = state = state or EmulatorState()

    @app.post("/_emulator/faults")
    def add_fault(body: dict[str, Any]) -> dict[str, str]:
        fault = Fault(
            status=int(body.get("status", 503)),
            remaining=int(body.get("count", 1)),
            body=body.get("body") or {"error": "temporarily_unavailable", "error_description": "Try again later"},
        )
        with state.lock:
            state.faults[(str(body["network"]), str(body.get("endpoint", "token")))] = fault
        return {"status": "armed"}

    @app.get("/{host}/{path:path}")
    def authorize(host: str, path: str, request: Request) -> Response:
        found = _endpoint_of(host, path)
        if found is None or found[1] != "authorize":
            return JSONResponse({"error": "not_found"}, status_code=404)
        platform, _ = found
        q = request.query_params
        client_id = q.get("client_id") or q.get("client_key")
        redirect_uri = q.get("redirect_uri")
        if not client_id or not redirect_uri:
            return HTMLResponse("<h1>Invalid request</h1><p>client_id and redirect_uri are required.</p>", 400)
        if platform.auth.pkce and not q.get("code_challenge"):
            return HTMLResponse("<h1>Invalid request</h1><p>This network requires PKCE (code_challenge).</p>", 400)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in q.items()
        )
        page = f"""<!doctype html><html><head><title>{html.escape(platform.name)} - authorize</title></head>
<body><h1>{html.escape(platform.name)} (emulated)</h1>
<p>An app (client <code>{html.escape(client_id)}</code>) asks to act on your account with the scopes
<code>{html.escape(q.get("scope", ""))}</code>.</p>
<form method="post" action="/{html.escape(host)}/{html.escape(path)}">{hidden}
<label>Account <input name="user" value="emulated-user"></label>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button></form></body></html>"""
        return HTMLResponse(page)

    @app.post("/{host}/{path:path}")
    async def post(host: str, path: str, request: Request) -> Response:
        found = _endpoint_of(host, path)
        if found is None:
            return JSONResponse({"error": "not_found"}, status_code=404)
        platform, kind = found
        form = {k: str(v) for k, v in (await request.form()).items()}
        with state.lock:
            fault = state.faults.get((platform.id, kind))
            if fault and fault.remaining > 0:
                fault.remaining -= 1
                return JSONResponse(fault.body, status_code=fault.status)
            if kind == "authorize":
                return _decide(platform, form)
            if kind == "token":
                return _token(platform, request, form)
            return _revoke(form)

    def _decide(platform: Platform, form: dict[str, str]) -> Response:
        redirect_uri = form["redirect_uri"]
        params = {"state": form.get("state", "")}
        if form.get("decision") != "allow":
            params.update(error="access_denied", error_description="The user denied access")
        else:
            code = secrets.token_urlsafe(24)
            state.codes[code] = Grant(
                network=platform.id,
                client_id=form.get("client_id") or form.get("client_key", ""),
                redirect_uri=redirect_uri,
                scope=form.get("scope", ""),
                challenge=form.get("code_challenge"),
                challenge_method=form.get("code_challenge_method"),
                user=form.get("user") or "emulated-user",
                expires_at=time.time() + CODE_TTL_SECONDS,
            )
            params["code"] = code
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)

    def _token(platform: Platform, request: Request, form: dict[str, str]) -> Response:
        client_id, client_secret = _client_credentials(request, form)
        if not client_id or not client_secret:
            return _oauth_error("invalid_client", "Client authentication failed", 401)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = state.codes.pop(form.get("code", ""), None)  # one use, whatever happens next
            if grant is None or grant.expires_at < time.time() or grant.network != platform.id:
                return _oauth_error("invalid_grant", "The authorization code is invalid or expired")
            if grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
                return _oauth_error("invalid_grant", "client_id or redirect_uri does not match the authorization")
            if not _pkce_ok(grant, form.get("code_verifier")):
                return _oauth_error("invalid_grant", "The code_verifier does not match the code_challenge")
            new = TokenFamily(network=platform.id, client_id=client_id, scope=grant.scope, user=grant.user)
            state.families.append(new)
            return _issue(platform, new, new_refresh=True)
        if grant_type == "refresh_token":
            known = state.family_of_refresh(form.get("refresh_token", ""))
            if known is None or known.network != platform.id or known.client_id != client_id:
                return _oauth_error("invalid_grant", "The refresh token is invalid, expired or revoked")
            return _issue(platform, known, new_refresh=platform.auth.refresh.rotates_refresh_token)
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _issue(platform: Platform, family: TokenFamily, *, new_refresh: bool) -> JSONResponse:
        access = secrets.token_urlsafe(32)
        family.access_tokens.add(access)
        if new_refresh and platform.auth.refresh.supported:
            family.refresh_token = secrets.token_urlsafe(32)
        body: dict[str, Any] = {"access_token": access, "token_type": "bearer", "scope": family.scope}
        if platform.auth.access_token_ttl_seconds:
            body["expires_in"] = platform.auth.access_token_ttl_seconds
        if family.refresh_token:
            body["refresh_token"] = family.refresh_token
        return JSONResponse(body)

    def _revoke(form: dict[str, str]) -> Response:
        token = form.get("token", "")
        family = state.family_of_refresh(token) or state.family_of_access(token)
        if family is not None:
            family.revoked = True
        return Response(status_code=200)  # RFC 7009: unknown tokens are not an error

    return app
