"""Networks' sign-in endpoints over HTTP, as each catalog entry describes them (RFC 6749 and the
networks' own variants), translating their answers into domain values and errors:

- a timeout, a connection failure, a 5xx or a 429 is retried, then raised as NetworkUnavailable;
- ``invalid_grant`` / ``invalid_token`` / a 401 on a token is TokenRejected (reconnect needed);
- any other refusal is NetworkRejected, with the network's own message.

Every URL goes through ``network_url`` (the platform emulator, locally); without the emulator every
call is checked and pinned at call time (host_guard.PinnedTransport), so a Mastodon instance that
now resolves to a non-public address is refused (HostNotAllowed) before anything is sent. Tokens
travel in headers and bodies; httpx's request log, which would print URLs, is silenced because
Telegram puts its bot token in the path.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
import secrets
import time
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from socialpub.adapters.host_guard import HostRefused, pinned_client
from socialpub.adapters.network_urls import network_url
from socialpub.domain.accounts import (
    AppCredentials,
    AtprotoStart,
    HostNotAllowed,
    Identity,
    NetworkRejected,
    NetworkUnavailable,
    TokenRejected,
    TokenSet,
)
from socialpub.domain.platforms import AuthType, Platform, ProfileSpec

logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

ATTEMPTS = 3
BACKOFF_SECONDS = 0.25
TIMEOUT = httpx.Timeout(8.0, connect=4.0)
# OAuth's codes, and atproto's for a refused refreshJwt (refreshSession answers 400 with them)
REJECTED_TOKEN_ERRORS = {
    "invalid_grant",
    "invalid_token",
    "unauthorized_client",
    "expired_token",
    "ExpiredToken",
    "InvalidToken",
}
APP_NAME = "socialpub"
# Google Business Profile: the user's business accounts, then each one's locations (Account Management
# and Business Information APIs), each location an identity to choose at connect.
GOOGLE_ACCOUNTS = "https://mybusinessaccountmanagement.googleapis.com/v1/accounts"
GOOGLE_LOCATIONS = "https://mybusinessbusinessinformation.googleapis.com/v1/{account}/locations"
MAX_PAGES = 20  # pages of 100 accounts or locations each
SIGNED_KEY_REQUEST_SECONDS = 86400  # Neynar: a signed key request's deadline, 24 hours from now recommended


def _fill(template: str, values: dict[str, str | None]) -> str:
    for name, value in values.items():
        if value is not None:
            template = template.replace("{" + name + "}", value)
    return template


def dig(data: Any, path: str) -> Any:
    """``data.user.open_id`` or ``items.0.id`` in a decoded JSON answer; None where missing."""
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def error_of(body: Any) -> tuple[str, str]:
    """(code, message) from the error bodies networks use: RFC 6749, Graph, X, Telegram, atproto, GraphQL."""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error")
    if isinstance(error, dict):  # Graph: {"error": {"message", "type", "code"}}
        if error.get("code") == "ok":  # TikTok wraps every success in {"error": {"code": "ok"}}
            return "", ""
        return str(error.get("type") or error.get("code") or ""), str(error.get("message") or "")
    if isinstance(body.get("code"), str) and isinstance(body.get("data"), dict):  # WordPress REST
        return str(body["code"]), str(body.get("message") or "")
    message = body.get("error_description") or body.get("message") or body.get("description") or body.get("detail")
    errors = body.get("errors")
    if not (error or message) and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        # GraphQL (Hashnode): {"errors": [{"message", "extensions": {"code"}}]}, often with a 200
        extensions = errors[0].get("extensions")
        code = extensions.get("code") if isinstance(extensions, dict) else None
        return str(code or "GRAPHQL_ERROR"), str(errors[0].get("message") or "")
    return str(error or body.get("title") or ""), str(message or error or "")


class HttpNetworkAuth:
    def __init__(self, http: httpx.Client | None = None, emulator: str | None = None, sleep: Any = time.sleep) -> None:
        emulated = emulator if emulator is not None else os.environ.get("PLATFORM_EMULATOR_URL", "")
        self._http = http or (
            httpx.Client(timeout=TIMEOUT, follow_redirects=False) if emulated else pinned_client(TIMEOUT)
        )
        self._emulator = emulator
        self._sleep = sleep

    # ------------------------------------------------------------------ OAuth 2

    def authorization_url(
        self,
        platform: Platform,
        app: AppCredentials,
        *,
        redirect_uri: str,
        state: str,
        scopes: list[str],
        code_challenge: str | None,
        instance: str | None,
    ) -> str:
        auth = platform.auth
        assert auth.authorization_url is not None
        params = {
            auth.client_id_param: app.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            **auth.authorization_params,
        }
        if scopes:
            params["scope"] = auth.scope_separator.join(scopes)
        if code_challenge:
            params.update(code_challenge=code_challenge, code_challenge_method="S256")
        url = _fill(auth.authorization_url, {"instance": instance})
        return self._url(url) + ("&" if "?" in url else "?") + urlencode(params)

    def exchange_code(
        self,
        platform: Platform,
        app: AppCredentials,
        *,
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
        instance: str | None,
        callback: dict[str, str] | None = None,
    ) -> TokenSet:
        auth = platform.auth
        assert auth.token_url is not None
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, **auth.token_params}
        if code_verifier:
            form["code_verifier"] = code_verifier
        kept = {name: value for name, value in (callback or {}).items() if name in auth.callback_params}
        form.update(kept)
        if auth.token_state:
            form["state"] = secrets.token_urlsafe(32)
        answer = self._token_call(platform, app, "POST", _fill(auth.token_url, {"instance": instance}), form)
        tokens = self._tokens(answer)
        if kept:  # VK ID's device_id: stored with the account, for each refresh
            tokens = tokens.model_copy(update={"extra": {**tokens.extra, **kept}})
        if auth.long_lived is not None:  # Meta: trade the short-lived token for a long-lived one at once
            params = {
                "grant_type": auth.long_lived.grant_type,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                auth.long_lived.token_param: tokens.access_token,
            }
            long_lived = self._tokens(self._call("GET", auth.long_lived.url, params=params))
            tokens = long_lived.model_copy(update={"scopes": tokens.scopes})
        return tokens

    def refresh(
        self, platform: Platform, app: AppCredentials, tokens: dict[str, str], instance: str | None
    ) -> TokenSet:
        settings = platform.auth.refresh
        assert settings.url is not None
        presented = tokens.get(settings.token_param)
        if not presented:
            raise TokenRejected(f"No {settings.token_param} stored to refresh with")
        if platform.auth.session_url and platform.auth.auth_type is AuthType.APP_PASSWORD:
            if tokens.get("dpop_key"):  # connected with atproto OAuth rather than an app password
                return self._refresh_atproto_oauth(platform, presented, tokens, instance)
            return self._refresh_session(platform, presented, instance)
        form = {"grant_type": settings.grant_type or "refresh_token", settings.token_param: presented}
        form.update({name: tokens[name] for name in platform.auth.callback_params if tokens.get(name)})
        if platform.auth.token_state:
            form["state"] = secrets.token_urlsafe(32)
        answer = self._token_call(
            platform, app, settings.method, _fill(str(settings.url), {"instance": instance}), form
        )
        return self._tokens(answer)

    def revoke(self, platform: Platform, app: AppCredentials, token: str, instance: str | None) -> bool:
        auth = platform.auth
        assert auth.revoke_url is not None
        url = _fill(auth.revoke_url, {"instance": instance})
        if auth.revoke_method == "DELETE":  # Graph: DELETE /me/permissions with the user's token
            self._call("DELETE", url, headers={"Authorization": f"Bearer {token}"})
        else:
            self._token_call(platform, app, "POST", url, {auth.revoke_token_param: token}, expect_json=False)
        return True

    def register_app(
        self, platform: Platform, *, instance: str, redirect_uri: str, scopes: list[str]
    ) -> AppCredentials:
        assert platform.auth.app_registration_url is not None
        body = {
            "client_name": APP_NAME,
            "redirect_uris": redirect_uri,
            "scopes": " ".join(scopes),
            "website": "https://github.com/socialpub",
        }
        answer = self._call("POST", _fill(platform.auth.app_registration_url, {"instance": instance}), json=body)
        return AppCredentials(client_id=str(answer["client_id"]), client_secret=str(answer["client_secret"]))

    # ------------------------------------------------------------------ sign-in without redirects

    def sign_in(self, platform: Platform, credentials: dict[str, str], instance: str | None = None) -> TokenSet:
        if platform.auth.auth_type is AuthType.PASSWORD:
            return self._password_sign_in(platform, credentials, instance)
        if platform.auth.auth_type is AuthType.SIGNER:
            return self._signer_sign_in(platform, credentials)
        if platform.auth.auth_type is AuthType.KEY_PAIR:  # Nostr: no server; the key is the credential
            return _key_pair(credentials["private_key"])
        if platform.auth.profile.auth == "basic":
            # WordPress (self-hosted): the username and an application password are the credential, sent
            # as HTTP Basic on every call; the profile read (users/me) proves them.
            pair = f"{credentials['identifier']}:{credentials['app_password']}"
            return TokenSet(access_token=base64.b64encode(pair.encode()).decode())
        if platform.auth.session_url:  # Bluesky: com.atproto.server.createSession, on the user's PDS
            body = {"identifier": credentials["identifier"], "password": credentials["app_password"]}
            url = _fill(platform.auth.session_url, {"instance": instance or platform.auth.default_instance})
            answer = self._call("POST", url, json=body, rejected=NetworkRejected)
            return _session_tokens(platform, answer, url).model_copy(
                update={"extra": {"did": str(answer["did"]), "handle": str(answer["handle"])}}
            )
        if platform.auth.auth_type is AuthType.API_KEY:  # Dev.to, Hashnode: the profile read proves the key
            return TokenSet(access_token=credentials["api_key"])
        # Telegram: the bot token is the credential; getMe proves it.
        token = credentials["bot_token"]
        me = self._call("GET", f"{platform.auth.request.base_url}/bot{token}/getMe", rejected=NetworkRejected)
        return TokenSet(access_token=token, extra={"bot_username": str(dig(me, "result.username") or "")})

    def _refresh_session(self, platform: Platform, refresh_jwt: str, instance: str | None) -> TokenSet:
        """Bluesky: ``com.atproto.server.refreshSession`` on the account's own PDS, the refreshJwt as the
        bearer; it answers a new accessJwt and a new refreshJwt (the one presented is used up). A refused
        refreshJwt (400/401 ExpiredToken or InvalidToken: revoked, used, or older than its ~2 months) is
        definitive: the account must be connected again."""
        url = _fill(str(platform.auth.refresh.url), {"instance": instance or platform.auth.default_instance})
        answer = self._call("POST", url, headers={"Authorization": f"Bearer {refresh_jwt}"}, rejected=TokenRejected)
        return _session_tokens(platform, answer, url)

    def _refresh_atproto_oauth(
        self, platform: Platform, refresh_token: str, tokens: dict[str, str], instance: str | None
    ) -> TokenSet:
        """Bluesky connected with atproto OAuth: the token endpoint is found again from the account's PDS
        (its authorization server may have changed), and the refresh token is sent with a DPoP proof of
        the key the tokens are bound to and the ``client_id`` they were issued to (both kept with the
        account: ``dpop_key`` sealed, ``client_id`` the metadata document's URL used at connect)."""
        # Imported here: cryptography is loaded only by the refresh that signs a proof, not at every cold start
        from socialpub.adapters.atproto_oauth import AtprotoOAuth, DpopKey

        oauth = AtprotoOAuth(self._http, self._emulator)
        pds = f"https://{instance or platform.auth.default_instance}"
        server = oauth.server_of(pds)
        renewed, _ = oauth.refresh(
            server.token_endpoint,
            refresh_token=refresh_token,
            client_id=tokens["client_id"],
            key=DpopKey.from_pem(tokens["dpop_key"]),
            nonce=None,  # the server's nonce is asked for again (one retry), not kept between refreshes
        )
        return renewed

    def start_atproto(
        self, platform: Platform, handle: str, *, entryway: str, client_id: str, redirect_uri: str, state: str
    ) -> AtprotoStart:
        from socialpub.adapters.atproto_oauth import AtprotoOAuth, DpopKey

        oauth = AtprotoOAuth(self._http, self._emulator)
        server = oauth.resolve(handle, entryway)
        key = DpopKey.new()
        started = oauth.start(server, client_id=client_id, redirect_uri=redirect_uri, state=state, key=key)
        return AtprotoStart(
            auth_url=started.authorization_url,
            verifier=started.verifier,
            dpop_key=key.pem(),
            nonce=started.nonce,
            server={**dataclasses.asdict(server), "client_id": client_id, "redirect_uri": redirect_uri},
        )

    def exchange_atproto(
        self,
        platform: Platform,
        server: dict[str, str],
        *,
        code: str,
        issuer: str | None,
        verifier: str,
        dpop_key: str,
        nonce: str | None,
    ) -> tuple[TokenSet, Identity]:
        from socialpub.adapters.atproto_oauth import AtprotoOAuth, AtprotoServer, DpopKey

        oauth = AtprotoOAuth(self._http, self._emulator)
        found = AtprotoServer(**{f.name: server[f.name] for f in dataclasses.fields(AtprotoServer)})
        key = DpopKey.from_pem(dpop_key)
        tokens, _ = oauth.exchange(
            found,
            code=code,
            issuer=issuer,
            client_id=server["client_id"],
            redirect_uri=server["redirect_uri"],
            verifier=verifier,
            key=key,
            nonce=nonce,
        )
        # The profile the tokens act as, read on their PDS with a DPoP proof (app.bsky.actor.getProfiles: the
        # same profile view as the catalog's getProfile, and the read the insights make with these tokens)
        url = f"{found.pds}/xrpc/app.bsky.actor.getProfiles?{urlencode({'actors': found.did})}"
        answer = oauth.pds_get(url, token=tokens.access_token, key=key)
        profiles = answer.get("profiles")
        listed = profiles if isinstance(profiles, list) else []
        profile = next((p for p in listed if isinstance(p, dict) and p.get("did") == found.did), None)
        identity = self._identity(platform.auth.profile, profile, profile) if profile else None
        if identity is None:
            raise NetworkRejected(f"{platform.name} returned no profile", details={"platform": platform.id})
        return tokens, identity

    def create_signer(self, platform: Platform, *, api_key: str, app_fid: int, custody_key: str) -> tuple[str, str]:
        """Neynar's signer flow (docs.neynar.com/docs/write-to-farcaster-with-neynar-managed-signers):
        ``POST /signer`` makes it (``generated``, its Ed25519 public key), then ``POST /signer/signed_key``
        registers the app's request for that key, signed by the app FID's custody key and valid for a day,
        which answers ``pending_approval`` and the Warpcast URL where the user approves it."""
        from socialpub.adapters.eip712 import signed_key_request_signature

        base = platform.auth.request.base_url
        headers = {"x-api-key": api_key}
        made = self._call("POST", f"{base}/signer", headers=headers, json={})
        deadline = int(time.time()) + SIGNED_KEY_REQUEST_SECONDS
        signature = signed_key_request_signature(custody_key, app_fid, str(made["public_key"]), deadline)
        body = {"signer_uuid": made["signer_uuid"], "app_fid": app_fid, "deadline": deadline, "signature": signature}
        registered = self._call("POST", f"{base}/signer/signed_key", headers=headers, json=body)
        approval = str(registered.get("signer_approval_url") or "")
        if not approval:
            raise NetworkRejected("Neynar gave no approval URL for the new signer", details={"platform": platform.id})
        return str(made["signer_uuid"]), approval

    def _signer_sign_in(self, platform: Platform, credentials: dict[str, str]) -> TokenSet:
        """Farcaster (Neynar): ``GET /v2/farcaster/signer?signer_uuid=`` with the app's API key. Only an
        approved signer can cast; one still waiting for the user's approval in Warpcast is refused with
        its approval URL, so the user can approve it and connect again."""
        assert platform.auth.session_url is not None
        # quoted: the value is the caller's, and only ever names one signer in the query
        url = _fill(platform.auth.session_url, {"signer_uuid": quote(credentials["signer_uuid"], safe="")})
        answer = self._call("GET", url, headers={"x-api-key": credentials["app_api_key"]}, rejected=NetworkRejected)
        status = str(answer.get("status") or "")
        if status != "approved" or not answer.get("fid"):
            approval = str(answer.get("signer_approval_url") or "")
            raise NetworkRejected(
                f"This Farcaster signer is {status or 'unknown'}, not approved: "
                + (f"approve it in Warpcast at {approval}, then connect again" if approval else "use an approved one"),
                details={
                    "status": 200,
                    "error": "signer_not_approved",
                    "signer_status": status,
                    "approval_url": approval,
                },
            )
        return TokenSet(access_token=credentials["signer_uuid"], extra={"fid": str(answer["fid"])})

    def _password_sign_in(self, platform: Platform, credentials: dict[str, str], instance: str | None) -> TokenSet:
        """Lemmy: ``POST /api/v3/user/login`` with ``username_or_email`` and ``password`` answers a JWT
        that does not expire (it ends at logout or a password change); the password is not kept. A
        ``jwt`` of null means the instance has not let the account in yet (email or application)."""
        assert platform.auth.session_url is not None
        body = {"username_or_email": credentials["username"], "password": credentials["password"]}
        if credentials.get("totp_2fa_token"):
            body["totp_2fa_token"] = credentials["totp_2fa_token"]
        url = _fill(platform.auth.session_url, {"instance": instance})
        answer = self._call("POST", url, json=body, rejected=NetworkRejected)
        if not answer.get("jwt"):
            waiting = "verify the account's email" if answer.get("verify_email_sent") else "approve the account"
            raise NetworkRejected(
                f"{_host(url)} gave no session yet: {waiting} on the instance, then connect again",
                details={"status": 200, "error": "no_jwt", "network_message": ""},
            )
        return TokenSet(access_token=str(answer["jwt"]))

    def identities(
        self, platform: Platform, tokens: TokenSet, *, instance: str | None, params: dict[str, str]
    ) -> list[Identity]:
        spec = platform.auth.profile
        if platform.auth.auth_type is AuthType.KEY_PAIR:  # Nostr: the key's public key, no call
            pubkey, npub = tokens.extra["pubkey"], tokens.extra["npub"]
            return [Identity(external_id=pubkey, type=spec.type, name=npub, username=npub)]
        url = _fill(spec.url, {"instance": instance or platform.auth.default_instance, **params})
        headers = {"Authorization": f"Bearer {tokens.access_token}"} if spec.auth == "bearer" else {}
        if spec.listing == "google_business_locations":
            return self._business_locations(spec.type, headers)
        if spec.auth == "basic":
            headers = {"Authorization": f"Basic {tokens.access_token}"}
        if spec.auth == "api_key":  # Farcaster: the app's key (its signer is the account's token)
            headers = {spec.key_header: params.get("app_api_key") or tokens.access_token}
        if spec.query:  # GraphQL (Hashnode): the profile is a query POSTed to the API's one URL
            answer = self._call("POST", url, headers=headers, json={"query": spec.query}, rejected=NetworkRejected)
        else:
            answer = self._call("GET", url, headers=headers, rejected=NetworkRejected)
        entries = dig(answer, spec.choices) if spec.choices else [answer]
        found = [self._identity(spec, answer, entry) for entry in (entries if isinstance(entries, list) else [])]
        return [identity for identity in found if identity is not None]

    @staticmethod
    def _identity(spec: ProfileSpec, answer: Any, entry: Any) -> Identity | None:
        """One identity of a profile read's answer (``entry``: the answer, or one of its choices)."""
        external_id = dig(entry, spec.fields["id"])
        if external_id in (None, ""):
            return None  # e.g. a Facebook page without an Instagram business account
        # "$.a.b": a value of the whole answer shared by every choice (Hashnode's user, for each publication)
        value = {n: dig(answer, p[2:]) if p.startswith("$.") else dig(entry, p) for n, p in spec.fields.items()}
        name = value.get("name") or value.get("username") or str(external_id)
        return Identity(
            external_id=str(external_id),
            type=spec.type,
            name=str(name),
            username=str(value["username"]) if value.get("username") else None,
            profile_image=str(value["image"]) if value.get("image") else None,
            followers=_int(value.get("followers")),
            following=_int(value.get("following")),
            posts_total=_int(value.get("posts")),
            metadata={
                k: str(v)
                for k, v in value.items()
                if k not in {"id", "name", "username", "image", "followers", "following", "posts"} and v
            },
            access_token=str(dig(entry, spec.token)) if spec.token and dig(entry, spec.token) else None,
        )

    def _business_locations(self, kind: str, headers: dict[str, str]) -> list[Identity]:
        """Google Business Profile: every location of every business account the user manages, as
        ``accounts/{a}/locations/{l}`` (what localPosts are created under)."""
        found: list[Identity] = []
        for account in self._pages(GOOGLE_ACCOUNTS, headers, "accounts", {"pageSize": 20}):
            name = str(account.get("name") or "")
            if not name:
                continue
            params = {"readMask": "name,title", "pageSize": 100}
            for location in self._pages(GOOGLE_LOCATIONS.format(account=name), headers, "locations", params):
                if not location.get("name"):
                    continue
                full = f"{name}/{location['name']}"
                found.append(
                    Identity(
                        external_id=full,
                        type=kind,
                        name=str(location.get("title") or full),
                        metadata={"location": full, "account": str(account.get("accountName") or name)},
                    )
                )
        return found

    def _pages(self, url: str, headers: dict[str, str], key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a paged Google list (``nextPageToken``)."""
        items: list[dict[str, Any]] = []
        page: str | None = None
        for _ in range(MAX_PAGES):
            answer = self._call("GET", url, headers=headers, params={**params, **({"pageToken": page} if page else {})})
            items += [i for i in answer.get(key) or [] if isinstance(i, dict)]
            page = answer.get("nextPageToken")
            if not page:
                break
        return items

    # ------------------------------------------------------------------ HTTP

    def _url(self, url: str) -> str:
        return network_url(url, self._emulator)

    def _token_call(
        self,
        platform: Platform,
        app: AppCredentials,
        method: str,
        url: str,
        form: dict[str, str],
        *,
        expect_json: bool = True,
    ) -> Any:
        """A call to a token endpoint, with the client authenticated the way the network wants."""
        headers: dict[str, str] = {}
        if platform.auth.client_auth == "basic":
            headers["Authorization"] = "Basic " + _basic(app)
        else:
            form = {**form, platform.auth.client_id_param: app.client_id, "client_secret": app.client_secret}
        if method == "GET":
            return self._call("GET", url, params=form, headers=headers, rejected=TokenRejected, expect_json=expect_json)
        return self._call("POST", url, data=form, headers=headers, rejected=TokenRejected, expect_json=expect_json)

    def _call(
        self,
        method: str,
        url: str,
        *,
        rejected: type[NetworkRejected] = NetworkRejected,
        expect_json: bool = True,
        **kwargs: Any,
    ) -> Any:
        target = self._url(url)
        for attempt in range(ATTEMPTS):
            last = attempt == ATTEMPTS - 1
            try:
                response = self._http.request(method, target, **kwargs)
            except HostRefused as refused:
                raise HostNotAllowed(f"{refused.message}; nothing was sent") from None
            except httpx.HTTPError as exc:
                if last:
                    raise NetworkUnavailable(f"{_host(url)} did not answer ({type(exc).__name__})") from None
                self._sleep(BACKOFF_SECONDS * 2**attempt)
                continue
            if response.status_code >= 500 or response.status_code == 429:
                if last:
                    raise NetworkUnavailable(
                        f"{_host(url)} answered {response.status_code}", details={"status": response.status_code}
                    )
                retry_after = _int(response.headers.get("retry-after"))
                self._sleep(min(retry_after, 5) if retry_after is not None else BACKOFF_SECONDS * 2**attempt)
                continue
            body = _json(response)
            code, message = error_of(body)
            if response.status_code >= 400 or (code and isinstance(body, dict) and "access_token" not in body):
                self._raise(rejected, response.status_code, code, message, url)
            if expect_json and not isinstance(body, dict):
                raise NetworkRejected(f"{_host(url)} answered something that is not JSON")
            return body
        raise AssertionError("unreachable")

    @staticmethod
    def _raise(rejected: type[NetworkRejected], status: int, code: str, message: str, url: str) -> None:
        details = {"status": status, "error": code, "network_message": message}
        text = f"{_host(url)} refused: {message or code or status}"
        if rejected is TokenRejected and (code in REJECTED_TOKEN_ERRORS or status == 401):
            raise TokenRejected(text, details=details)
        raise NetworkRejected(text, details=details)

    @staticmethod
    def _tokens(answer: dict[str, Any]) -> TokenSet:
        scope = answer.get("scope")
        scopes = [s for s in str(scope).replace(",", " ").split() if s] if scope else None
        refresh_expires = answer.get("refresh_expires_in") or answer.get("refresh_token_expires_in")
        return TokenSet(
            access_token=str(answer["access_token"]),
            refresh_token=str(answer["refresh_token"]) if answer.get("refresh_token") else None,
            expires_in=_int(answer.get("expires_in")),
            refresh_expires_in=_int(refresh_expires),
            scopes=scopes,
        )


# What createSession and refreshSession must answer (their lexicons' required output)
SESSION_FIELDS = ("accessJwt", "refreshJwt", "handle", "did")


def _key_pair(text: str) -> TokenSet:
    """Nostr: the private key (hex, from hex or nsec; InvalidInput if it is none) kept as the token,
    its x-only public key (the account's id) and npub (its name) beside it."""
    from socialpub.adapters.nostr import npub, private_key, public_key  # coincurve: only where Nostr is

    key = private_key(text)
    pubkey = public_key(key)
    return TokenSet(access_token=key, extra={"pubkey": pubkey, "npub": npub(pubkey)})


def _session_tokens(platform: Platform, answer: dict[str, Any], url: str) -> TokenSet:
    """An atproto session's tokens; the accessJwt lives until its ``exp`` claim (about 2 hours on
    bsky.social), else the catalog's access_token_ttl_seconds is assumed. A session missing one of its
    lexicon's fields (a PDS answering 200 ``{}``) is the network's bad answer: refused, nothing kept."""
    missing = [name for name in SESSION_FIELDS if not isinstance(answer.get(name), str) or not answer[name]]
    if missing:
        raise NetworkRejected(
            f"{_host(url)} answered a session without {', '.join(missing)}; nothing was kept",
            details={"status": 200, "error": "incomplete_session", "missing": missing},
        )
    access = str(answer["accessJwt"])
    lifetime = _jwt_lifetime(access)
    return TokenSet(
        access_token=access,
        refresh_token=str(answer.get("refreshJwt") or "") or None,
        expires_in=lifetime if lifetime is not None else platform.auth.access_token_ttl_seconds,
    )


def _jwt_lifetime(token: str) -> int | None:
    """Seconds until a JWT's ``exp`` (read, not verified: the PDS checks it), or None if it is not one."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return max(int(claims["exp"]) - int(time.time()), 0)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _basic(app: AppCredentials) -> str:
    return base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()


def _host(url: str) -> str:
    return httpx.URL(url).host or "the network"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
