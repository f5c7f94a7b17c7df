"""The platform emulator: each network's sign-in endpoints, on loopback, for the local stack and tests.

The product reaches a network through the URLs of its catalog entry; with ``PLATFORM_EMULATOR_URL``
set, ``https://<host>/<path>`` becomes ``<emulator>/<host>/<path>`` (`socialpub.adapters.network_urls`),
and this app answers there as the network would (shapes and error bodies of each network). What it
answers at is the emulator's own description of each network's sign-in (``SIGN_IN`` in each module of
networks/, from the network's docs), never the product's catalog: a wrong URL in the catalog fails here.

- ``GET  authorization_url``: a consent page a person (or a headless browser) can click through;
  approving redirects to ``redirect_uri`` with ``code`` and ``state``, denying with ``error``.
- ``POST token_url``: ``authorization_code`` (one use, bound to client, redirect URI and PKCE
  challenge) and ``refresh_token`` (rotating the refresh token where the network does); Meta's
  long-lived exchanges and Threads' refresh are GETs, as there.
- ``POST revoke_url`` (``DELETE /me/permissions`` on Graph): revokes a token and its family.
- each network's profile URL (``SIGN_IN.profile``), answering with that network's shape,
  for the bearer of a live token; Facebook/Instagram list two pages, each with its own page token.
- Bluesky ``createSession`` (handle + app password), Telegram ``getMe``/``getChat`` (bot token in the
  path), Mastodon ``POST /api/v1/apps`` (per-instance app registration).

Behaviour per network (PKCE, rotation, lifetimes) comes from its ``SIGN_IN``. ``POST /_emulator/faults``
makes the next calls of an endpoint fail (e.g. a 503 from a token endpoint), for tests of resilience;
``POST /_emulator/holds`` holds one call before or after it takes effect (``GET`` says when one is
waiting, ``DELETE`` releases it), for tests that kill the caller at that moment. Each network's insights
endpoints report figures that grow with the time since publishing (``EmulatorState.figures``);
``POST /_emulator/metrics`` freezes them for a post or account, ``GET`` reads a post's back.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from socialpub.local.emulator.networks import network_routers, sign_ins
from socialpub.local.emulator.signin import SignIn
from socialpub.local.emulator.state import (
    EmulatorState,
    Fault,
    Grant,
    Hold,
    TokenFamily,
    number_of,
    same_provider,
    unauthorized,
)

CODE_TTL_SECONDS = 600


@dataclass(frozen=True)
class Route:
    platform: SignIn
    kind: str  # authorize, token, refresh, long_lived, revoke, profile, session, bot, apps
    method: str
    host: str  # "{instance}" matches any host
    path: re.Pattern[str]
    query: dict[str, str]


def _path_pattern(url: str) -> tuple[str, re.Pattern[str]]:
    parts = urlsplit(url.replace("{", "%7B").replace("}", "%7D"))
    path = parts.path.replace("%7B", "{").replace("%7D", "}").rstrip("/")
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return parts.netloc.replace("%7B", "{").replace("%7D", "}"), re.compile(f"^{regex}/?$")


def _routes() -> list[Route]:
    routes: list[Route] = []

    def add(platform: SignIn, kind: str, method: str, url: str | None) -> None:
        if url:
            host, pattern = _path_pattern(url)
            query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
            routes.append(Route(platform, kind, method, host, pattern, query))

    for platform in sign_ins().values():
        add(platform, "authorize", "GET", platform.authorization_url)
        add(platform, "authorize", "POST", platform.authorization_url)
        add(platform, "token", "GET", platform.self_refresh_url)
        if platform.long_lived:
            add(platform, "long_lived", "GET", platform.long_lived.url)
        add(platform, "token", "POST", platform.token_url)
        add(platform, "revoke", platform.revoke_method, platform.revoke_url)
        add(platform, "session", "POST", platform.session_url)
        add(platform, "apps", "POST", platform.app_registration_url)
        if platform.bot_token:
            add(platform, "bot", "GET", f"{platform.api}/bot{{bot_token}}/getMe")
        add(platform, "profile", "GET", platform.profile.url)
    return routes


def _route_of(method: str, host: str, path: str, query: dict[str, str]) -> tuple[Route, dict[str, str]] | None:
    """The endpoint a request is for. Networks sharing a URL (Facebook and Instagram read the same
    Graph endpoint) are told apart by the query, as the real API answers what ``fields`` asks for."""
    found = []
    for route in _routes_cache():
        if route.method != method or (route.host != host and route.host != "{instance}"):
            continue
        match = route.path.match("/" + path.rstrip("/"))
        if match:
            found.append((route, match.groupdict()))
    found.sort(key=lambda f: f[0].host == "{instance}")  # a network's own host before any-instance routes
    for route, params in found:
        if route.kind == "profile" and route.query.items() <= query.items() and route.query:
            return route, params
    return found[0] if found else None


_ROUTES: list[Route] = []


def _routes_cache() -> list[Route]:
    if not _ROUTES:
        _ROUTES.extend(_routes())
    return _ROUTES


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


def _place(body: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at a dotted path (``items.0.snippet.title``), creating what is missing."""
    parts = path.split(".")
    node: Any = body
    for part, following in zip(parts, [*parts[1:], None], strict=True):
        if following is None:
            if isinstance(node, list):
                node.append(value)
            else:
                node[part] = value
            return
        child: Any = [] if following.isdigit() else {}
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(child if len(node) == index else {})
            node = node[index]
        else:
            node = node.setdefault(part, child)


def _profile_values(platform: SignIn, user: str, suffix: str = "") -> dict[str, Any]:
    return {
        "id": number_of(platform.network, user, suffix),
        "name": user.replace("-", " ").title() + suffix,
        "username": user + suffix.replace(" ", "-").lower(),
        "image": f"https://{platform.site}/avatars/{user}.png",
        "followers": 1200,
        "following": 180,
        "posts": 42,
        "category": "Company",
    }


APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
BOT_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")


def create_emulator(state: EmulatorState | None = None) -> FastAPI:
    app = FastAPI(title="socialpub platform emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = state = state or EmulatorState()

    @app.post("/_emulator/faults")
    def add_fault(body: dict[str, Any]) -> dict[str, str]:
        fault = Fault(
            status=int(body.get("status", 503)),
            remaining=int(body.get("count", 1)),
            # an empty body given ({}) is answered as given: a network's 200 that says nothing
            body=body["body"]
            if body.get("body") is not None
            else {"error": "temporarily_unavailable", "error_description": "Try again later"},
            headers={str(k): str(v) for k, v in (body.get("headers") or {}).items()},
            delay=float(body.get("delay", 0)),
            after=bool(body.get("after", False)),
        )
        with state.lock:
            state.faults[(str(body["network"]), str(body.get("endpoint", "token")))] = fault
        return {"status": "armed"}

    @app.delete("/_emulator/faults")
    def clear_faults() -> dict[str, str]:
        with state.lock:
            state.faults.clear()
        return {"status": "cleared"}

    @app.post("/_emulator/holds")
    def add_hold(body: dict[str, Any]) -> Response:
        """Hold one call of an endpoint (after ``skip`` others) ``before`` or ``after`` it takes
        effect, until ``DELETE /_emulator/holds``: crash tests kill the caller while it waits."""
        at = str(body.get("at", "before"))
        if at not in ("before", "after"):
            return JSONResponse({"error": "`at` is before or after"}, status_code=400)
        with state.lock:
            state.holds[(str(body["network"]), str(body["endpoint"]))] = Hold(at=at, skip=int(body.get("skip", 0)))
        return JSONResponse({"status": "armed"})

    @app.get("/_emulator/holds")
    def list_holds() -> dict[str, Any]:
        """Each hold and whether a call is waiting in it now (``held``)."""
        with state.lock:
            holds = [
                {"network": n, "endpoint": e, "at": h.at, "skip": h.skip, "held": h.held and not h.released}
                for (n, e), h in state.holds.items()
            ]
        return {"holds": holds}

    @app.delete("/_emulator/holds")
    def release_holds() -> dict[str, str]:
        state.release_holds()
        return {"status": "released"}

    @app.get("/_emulator/posts")
    def list_posts(network: str | None = None) -> dict[str, Any]:
        """What each network holds as published (for tests and for looking at the local stack)."""
        with state.lock:
            posts = [asdict(p) for p in state.posts if network is None or p.network == network]
        return {"posts": posts}

    @app.delete("/_emulator/posts")
    def clear_posts() -> dict[str, str]:
        with state.lock:
            state.posts.clear()
            state.objects.clear()
        return {"status": "cleared"}

    @app.post("/_emulator/metrics")
    def set_metrics(body: dict[str, Any]) -> Response:
        """Freeze the figures a network's insights report for one post or account (``id``: the
        network's id of it), in the network's own names (each network module lists them)."""
        figures = body.get("figures")
        if not isinstance(figures, dict) or not all(isinstance(v, int) for v in figures.values()):
            return JSONResponse({"error": "`figures` is an object of integers"}, status_code=400)
        state.set_figures(str(body["network"]), str(body["id"]), figures)
        return JSONResponse({"status": "set"})

    @app.get("/_emulator/metrics")
    def get_metrics(network: str, id: str) -> Response:
        """The figures a network's insights report now on one of its posts (for tests to compare)."""
        figures = state.post_figures_of(network, id)
        if figures is None:
            return JSONResponse({"error": "no such post"}, status_code=404)
        return JSONResponse({"figures": figures})

    @app.delete("/_emulator/metrics")
    def clear_metrics() -> dict[str, str]:
        with state.lock:
            state.figures_set.clear()
        return {"status": "cleared"}

    @app.post("/_emulator/revoke")
    def revoke(body: dict[str, Any]) -> dict[str, int]:
        """Revoke every token of a network, as a user removing the app on the network's side does."""
        return {"revoked": state.revoke_all(str(body["network"]))}

    for router in network_routers(state):
        app.include_router(router)

    @app.api_route("/{host}/{path:path}", methods=["GET", "POST", "DELETE"])
    async def network(host: str, path: str, request: Request) -> Response:
        found = _route_of(request.method, host, path, dict(request.query_params))
        if found is None:
            return JSONResponse({"error": "not_found"}, status_code=404)
        route, params = found
        platform = route.platform
        form: dict[str, str] = dict(request.query_params)
        if request.method == "POST":
            if request.headers.get("content-type", "").startswith("application/json"):
                payload = await request.json()
                form.update({k: str(v) for k, v in (payload if isinstance(payload, dict) else {}).items()})
            else:
                form.update({k: str(v) for k, v in (await request.form()).items()})
        with state.lock:
            fault = state.faults.get((platform.network, route.kind))
            if fault and fault.remaining > 0:
                fault.remaining -= 1
                return JSONResponse(fault.body, status_code=fault.status)
            if route.kind == "authorize":
                return _consent(platform, host, path, request) if request.method == "GET" else _decide(platform, form)
            if route.kind == "token":
                return _token(platform, request, form)
            if route.kind == "long_lived":
                return _long_lived(platform, form)
            if route.kind == "revoke":
                return _revoke(platform, request, form)
            if route.kind == "session":
                return _create_session(platform, form)
            if route.kind == "apps":
                return _register_app(form)
            if route.kind == "bot":
                return _bot(platform, params)
            return _profile(platform, host, request, params, form)

    def _consent(platform: SignIn, host: str, path: str, request: Request) -> Response:
        q = request.query_params
        client_id = q.get("client_id") or q.get("client_key")
        redirect_uri = q.get("redirect_uri")
        if not client_id or not redirect_uri:
            return HTMLResponse("<h1>Invalid request</h1><p>client_id and redirect_uri are required.</p>", 400)
        if platform.pkce and not q.get("code_challenge"):
            return HTMLResponse("<h1>Invalid request</h1><p>This network requires PKCE (code_challenge).</p>", 400)
        if platform.per_instance and client_id not in state.apps:
            return HTMLResponse("<h1>Invalid request</h1><p>Unknown client: register the app first.</p>", 400)
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

    def _decide(platform: SignIn, form: dict[str, str]) -> Response:
        redirect_uri = form["redirect_uri"]
        params = {"state": form.get("state", "")}
        if form.get("decision") != "allow":
            params.update(error="access_denied", error_description="The user denied access")
        else:
            code = secrets.token_urlsafe(24)
            state.codes[code] = Grant(
                network=platform.network,
                client_id=form.get("client_id") or form.get("client_key", ""),
                redirect_uri=redirect_uri,
                scope=form.get("scope", ""),
                challenge=form.get("code_challenge"),
                challenge_method=form.get("code_challenge_method"),
                user=form.get("user") or "emulated-user",
                expires_at=time.time() + CODE_TTL_SECONDS,
            )
            params["code"] = code
            if platform.device_id:  # VK ID: the redirect names the device, its tokens are bound to it
                device = state.codes[code].device_id = secrets.token_urlsafe(24)
                params.update(device_id=device, type="code_v2", expires_in="600")
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)

    def _token(platform: SignIn, request: Request, form: dict[str, str]) -> Response:
        grant_type = form.get("grant_type")
        if platform.self_refresh_url and grant_type == platform.self_refresh_grant:
            # Threads, Instagram Login: the long-lived access token refreshes itself
            known = state.family_of_access(form.get("access_token", ""))
            if known is None or not same_provider(known.network, platform):
                return unauthorized(platform)
            return _issue(platform, known, new_refresh=False)
        client_id, client_secret = _client_credentials(request, form)
        if not client_id or not client_secret:
            return _oauth_error("invalid_client", "Client authentication failed", 401)
        if platform.per_instance and state.apps.get(client_id) != client_secret:
            return _oauth_error("invalid_client", "Client authentication failed due to unknown client", 401)
        if platform.device_id and len(form.get("state", "")) < 32:  # VK ID: a state of the client's own
            return _oauth_error("invalid_request", "state is required and must be at least 32 characters")
        if grant_type == "authorization_code":
            grant = state.codes.pop(form.get("code", ""), None)  # one use, whatever happens next
            if grant is None or grant.expires_at < time.time() or not same_provider(grant.network, platform):
                return _oauth_error("invalid_grant", "The authorization code is invalid or expired")
            if grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
                return _oauth_error("invalid_grant", "client_id or redirect_uri does not match the authorization")
            if not _pkce_ok(grant, form.get("code_verifier")):
                return _oauth_error("invalid_grant", "The code_verifier does not match the code_challenge")
            if grant.device_id is not None and form.get("device_id") != grant.device_id:
                return _oauth_error("invalid_request", "device_id is missing or does not match the authorization")
            new = TokenFamily(network=platform.network, client_id=client_id, scope=grant.scope, user=grant.user)
            new.device_id = grant.device_id
            state.families.append(new)
            return _issue(platform, new, new_refresh=True, echo=form.get("state"))
        if grant_type == "refresh_token":
            known = state.family_of_refresh(form.get("refresh_token", ""))
            if known is None or not same_provider(known.network, platform) or known.client_id != client_id:
                return _oauth_error("invalid_grant", "The refresh token is invalid, expired or revoked")
            if known.device_id is not None and form.get("device_id") != known.device_id:
                return _oauth_error("invalid_request", "device_id is missing or does not match the refresh token")
            return _issue(platform, known, new_refresh=platform.rotates_refresh_token, echo=form.get("state"))
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _long_lived(platform: SignIn, form: dict[str, str]) -> Response:
        """Meta: a short-lived user token traded for a long-lived one (about 60 days)."""
        assert platform.long_lived is not None
        if form.get("grant_type") != platform.long_lived.grant_type or not form.get("client_secret"):
            return _oauth_error("invalid_request", "grant_type and client_secret are required")
        known = state.family_of_access(form.get(platform.long_lived.token_param, ""))
        if known is None or not same_provider(known.network, platform):
            return unauthorized(platform)
        access = secrets.token_urlsafe(32)
        known.access_tokens.add(access)
        return JSONResponse({"access_token": access, "token_type": "bearer", "expires_in": 5_184_000})

    def _issue(platform: SignIn, family: TokenFamily, *, new_refresh: bool, echo: str | None = None) -> JSONResponse:
        access = secrets.token_urlsafe(32)
        family.access_tokens.add(access)
        if new_refresh and platform.refresh_tokens:
            family.refresh_token = secrets.token_urlsafe(32)
        body: dict[str, Any] = {"access_token": access, "token_type": "bearer", "scope": family.scope}
        if platform.device_id:  # VK ID's answer also names the user and echoes the client's state
            body.update(user_id=int(number_of(platform.network, family.user)), state=echo or "")
        if platform.access_token_ttl:
            body["expires_in"] = platform.access_token_ttl
        if family.refresh_token:
            body["refresh_token"] = family.refresh_token
        return JSONResponse(body)

    def _revoke(platform: SignIn, request: Request, form: dict[str, str]) -> Response:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        token = form.get(platform.revoke_token_field) or bearer
        family = state.family_of_refresh(token) or state.family_of_access(token)
        if family is not None:
            family.revoked = True
        if platform.revoke_method == "DELETE":
            return JSONResponse({"success": True})
        return Response(status_code=200)  # RFC 7009: unknown tokens are not an error

    def _create_session(platform: SignIn, form: dict[str, str]) -> Response:
        """Bluesky: com.atproto.server.createSession with a handle and an app password."""
        identifier, password = form.get("identifier", ""), form.get("password", "")
        if not identifier or not APP_PASSWORD.match(password):
            return JSONResponse(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, status_code=401
            )
        handle = identifier if "." in identifier else f"{identifier}.bsky.social"
        family = TokenFamily(network=platform.network, client_id="", scope="", user=handle)
        family.access_tokens.add(access := secrets.token_urlsafe(32))
        family.refresh_token = secrets.token_urlsafe(32)
        state.families.append(family)
        did = f"did:plc:{hashlib.sha256(handle.encode()).hexdigest()[:24]}"
        return JSONResponse(
            {"did": did, "handle": handle, "accessJwt": access, "refreshJwt": family.refresh_token, "active": True}
        )

    def _register_app(form: dict[str, str]) -> Response:
        """Mastodon: POST /api/v1/apps registers a client on the instance."""
        if not form.get("client_name") or not form.get("redirect_uris"):
            return JSONResponse({"error": "Validation failed: Name can't be blank"}, status_code=422)
        client_id, client_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
        state.apps[client_id] = client_secret
        return JSONResponse(
            {
                "id": number_of(client_id),
                "name": form["client_name"],
                "website": form.get("website"),
                "redirect_uri": form["redirect_uris"],
                "client_id": client_id,
                "client_secret": client_secret,
                "vapid_key": secrets.token_urlsafe(16),
            }
        )

    def _bot(platform: SignIn, params: dict[str, str]) -> Response:
        token = params.get("bot_token", "")
        if not BOT_TOKEN.match(token):
            return unauthorized(platform)
        bot_id = token.split(":")[0]
        return JSONResponse(
            {
                "ok": True,
                "result": {
                    "id": int(bot_id),
                    "is_bot": True,
                    "first_name": "Emulated Bot",
                    "username": f"bot{bot_id}_bot",
                },
            }
        )

    def _profile(
        platform: SignIn, host: str, request: Request, params: dict[str, str], form: dict[str, str]
    ) -> Response:
        spec = platform.profile
        if spec.credential_in_url:  # Telegram: the bot token in the path is the credential
            if not BOT_TOKEN.match(params.get("bot_token", "")):
                return unauthorized(platform)
            chat = form.get("chat_id", "")
            name = chat.lstrip("@") or "channel"
            result = {
                "id": -int("100" + number_of(platform.network, chat)[:10]),
                "title": f"{name} channel",
                "type": "channel",
            }
            if chat.startswith("@"):
                result["username"] = name
            return JSONResponse({"ok": True, "result": result})
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or form.get("access_token", "")
        family = state.family_of_access(token)
        if family is None or not same_provider(family.network, platform):
            return unauthorized(platform)
        if spec.choices:  # Facebook/Instagram: two pages, each with its own token; one has Instagram
            entries = []
            for index in (1, 2):
                values = _profile_values(platform, family.user, f" Page {index}")
                entry: dict[str, Any] = {}
                for name, path in spec.fields.items():
                    if path.startswith("instagram_business_account.") and index == 2:
                        continue
                    _place(entry, path, values.get(name))
                if spec.token:
                    page_token = secrets.token_urlsafe(32)
                    family.access_tokens.add(page_token)
                    _place(entry, spec.token, page_token)
                entries.append(entry)
            body: dict[str, Any] = {}
            _place(body, spec.choices, entries)
            body[spec.choices] = entries
            return JSONResponse(body)
        body = {}
        values = _profile_values(platform, family.user)
        if platform.network == "bluesky":
            values["id"] = f"did:plc:{hashlib.sha256(family.user.encode()).hexdigest()[:24]}"
            values["username"] = family.user
        for name, path in spec.fields.items():
            _place(body, path, values.get(name))
        return JSONResponse(body)

    return app
