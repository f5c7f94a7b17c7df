"""Account use-cases: connect (OAuth redirect, hosted page, app password, bot token, page selection),
read, change, disconnect, and keep tokens fresh without ever losing a rotated refresh token.

Token rules (reference section 3 item 3, what went wrong for peers' users):
- one refresh at a time per account (a lease); the loser of a race waits and uses the winner's token;
- every token write asserts the version it read, so a newer token is never overwritten by an older;
- a reconnect or refresh that returns no refresh token keeps the stored one;
- only a definitive rejection (invalid_grant, 401) expires an account; a timeout or 5xx never does.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import BaseModel

from socialpub.domain import nostr
from socialpub.domain.accounts import (
    CONNECT_TTL_SECONDS,
    REFRESH_LEASE,
    Account,
    AccountExpired,
    AccountNotFound,
    AccountSettings,
    AccountStats,
    AccountStatus,
    AppCredentials,
    AuthenticationNotFound,
    ConnectSession,
    Health,
    Identity,
    IntegrationNotConfigured,
    InvalidState,
    NetworkRejected,
    NetworkUnavailable,
    NotRefreshable,
    TokenRejected,
    TokenSet,
    account_id,
    check_redirect_url,
    legacy_account_id,
    state_hash,
)
from socialpub.domain.errors import ApprovalPending, DependencyUnavailable, InvalidInput, WorkspaceNotFound
from socialpub.domain.events import Event, EventType
from socialpub.domain.integrations import (
    API_KEY_FIELD,
    APP_FID_FIELD,
    BOT_TOKEN_FIELD,
    CUSTODY_KEY_FIELD,
    Configuration,
    ConfigurationNotFound,
    integration,
)
from socialpub.domain.platforms import AuthType, Platform
from socialpub.domain.ports import (
    AccountRepository,
    Clock,
    ConfigurationRepository,
    ConnectSessionRepository,
    DefaultCredentials,
    NetworkAuth,
    PostRepository,
    PostScheduler,
    ScheduleRepository,
    WorkspaceRepository,
)
from socialpub.domain.posts import ConcurrentModification, Post, PostFilter, PostStatus
from socialpub.domain.quotas import Cap, channels_cap, plan_of
from socialpub.domain.records import changed
from socialpub.domain.secrets import SecretBox, mask
from socialpub.domain.services.posts import forget_schedule
from socialpub.domain.services.schedules import remove_account as remove_from_schedules
from socialpub.domain.workspaces import WorkspaceStatus

TOKEN_FIELDS = ("access_token", "refresh_token")
# What the flows that are not redirects take, by auth type, and which of it is a secret.
SIGN_IN_FIELDS: dict[AuthType, tuple[tuple[str, ...], tuple[str, ...]]] = {
    AuthType.APP_PASSWORD: (("identifier", "app_password"), ("app_password",)),
    AuthType.BOT_TOKEN: (("bot_token", "chat_id"), ("bot_token",)),
    AuthType.API_KEY: (("api_key",), ("api_key",)),
    # Farcaster: the signer is paired with the app's Neynar key, which stays in the app credentials; the
    # signer_uuid is the account's (sealed) token.
    AuthType.SIGNER: (("signer_uuid",), ("signer_uuid",)),
    AuthType.PASSWORD: (("username", "password"), ("password",)),
    # Nostr: the private key signs every note (sealed, never shown); the relays are the account's metadata.
    AuthType.KEY_PAIR: (("private_key", "relays"), ("private_key",)),
}
# Secrets used once to sign in and never stored: Lemmy's password (the session token it gives is kept).
USED_ONCE = {"password"}
ATPROTO_SCOPES = ["atproto", "transition:generic"]
LEASE_WAIT_SECONDS = 0.2


@dataclass
class AccountDeps:
    accounts: AccountRepository
    sessions: ConnectSessionRepository
    configurations: ConfigurationRepository
    defaults: DefaultCredentials
    network: NetworkAuth
    box: SecretBox
    clock: Clock
    guard_host: Callable[[str], str]  # SSRF guard for hosts a client names (a Mastodon instance)
    workspaces: WorkspaceRepository  # connecting counts against the plan's channels (domain/quotas.py)
    sleep: Callable[[float], None] = field(default=time.sleep)


class ConnectRequest(BaseModel):
    platform: str
    callback_url: str | None = None  # None: the product's hosted callback page finishes the connect
    return_url: str | None = None
    scopes: list[str] | None = None
    configuration_id: str | None = None
    instance: str | None = None
    credentials: dict[str, str] | None = None
    method: str | None = None  # "oauth": Bluesky with atproto OAuth rather than an app password


class ConnectStart(BaseModel):
    auth_url: str
    state: str
    expires_in: int
    approval_url: str | None = None  # Farcaster's signer: Warpcast's approval URL, shown on the hosted page


class ConnectResult(BaseModel):
    """Either the connected accounts, or the identities the client must choose among (pages)."""

    accounts: list[Account] = []
    choices: list[Identity] = []
    state: str | None = None
    return_url: str | None = None


class AccountChanges(BaseModel):
    name: str | None = None
    is_default: bool | None = None
    settings: AccountSettings | None = None
    group: str | None = None  # None (when sent) takes the account out of its group


class Disconnection(BaseModel):
    cancelled_posts: int
    token_revoked: bool


# ---------------------------------------------------------------------------- app credentials


def _app_configuration(
    deps: AccountDeps, workspace_id: str, platform: Platform, configuration_id: str | None, *, only_one: bool = True
) -> Configuration | None:
    """Which of the workspace's apps: the one named, else (``only_one``) its only one, else None (the
    deployment's default app). An app an account was connected with is named by the account, so a
    configuration added later does not take over its accounts (``only_one=False``)."""
    if configuration_id:
        config = deps.configurations.get(workspace_id, platform.id, configuration_id)
        if config is None:
            raise ConfigurationNotFound(details={"configuration_id": configuration_id})
        return config
    if not only_one:
        return None
    configs = deps.configurations.list(workspace_id, platform.id)
    if len(configs) > 1:
        raise InvalidInput(
            f"This workspace has {len(configs)} {platform.id} configurations; name one with configuration_id",
            details={"field": "configuration_id", "configurations": [c.id for c in configs]},
        )
    return configs[0] if configs else None


def _app_secret(
    deps: AccountDeps, workspace_id: str, platform: Platform, configuration_id: str | None, name: str, *, only_one: bool
) -> str | None:
    """One credential of that app (a bot token, an API key): the configuration's, or the deployment
    default's when no configuration is the app; None when that app has none (no fallback to another app)."""
    config = _app_configuration(deps, workspace_id, platform, configuration_id, only_one=only_one)
    if config is not None:
        return deps.box.open(config.sealed[name], config.context(name)) if name in config.sealed else None
    return (deps.defaults.get(platform.id) or {}).get(name) or None


def app_credentials(
    deps: AccountDeps, workspace_id: str, platform: Platform, configuration_id: str | None
) -> tuple[AppCredentials, Configuration | None]:
    """The workspace's app (the one named, or its only one), else the deployment's default app
    (with None for the configuration)."""
    config = _app_configuration(deps, workspace_id, platform, configuration_id)
    if config is not None:
        names = ("clientId", "clientSecret")
        opened = {n: deps.box.open(config.sealed[n], config.context(n)) for n in names if n in config.sealed}
        if len(opened) == len(names):
            return AppCredentials(client_id=opened["clientId"], client_secret=opened["clientSecret"]), config
    default = deps.defaults.get(platform.id)
    if default and default.get("clientId") and default.get("clientSecret"):
        return AppCredentials(client_id=default["clientId"], client_secret=default["clientSecret"]), None
    raise IntegrationNotConfigured(
        f"No app credentials for {platform.name}: register them with POST /api/{platform.id}/configurations",
        details={"platform": platform.id},
    )


def app_bot_token(deps: AccountDeps, workspace_id: str, platform: Platform, configuration_id: str | None) -> str:
    """The bot token of the app an account was (or is being) connected with: the workspace's
    configuration's ``botToken``, else the deployment default's. Only that app's bot was added to the
    user's guild, so another app's bot token would not do."""
    token = _app_secret(deps, workspace_id, platform, configuration_id, BOT_TOKEN_FIELD, only_one=False)
    if token:
        return token
    if configuration_id:
        where = f"PUT /api/{platform.id}/configurations/{configuration_id} with credentials.{BOT_TOKEN_FIELD}"
    else:
        where = f"{BOT_TOKEN_FIELD} in the deployment's default {platform.id} credentials"
    raise IntegrationNotConfigured(
        f"{platform.name} posts are made by the app's bot, and its app has no bot token: add it ({where})",
        details={"platform": platform.id, "configuration_id": configuration_id, "missing": BOT_TOKEN_FIELD},
    )


def signer_uuid(value: str) -> str:
    """A Neynar signer_uuid, which goes into Neynar's URL and is kept as the account's token: only a UUID
    (``../x`` or ``a&signer_uuid=...`` would reach another path or look up another signer)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(
            "signer_uuid is not a UUID (Neynar's signer_uuid, as POST /v2/farcaster/signer answers it)",
            details={"field": "credentials.signer_uuid"},
        ) from None


def app_api_key(deps: AccountDeps, workspace_id: str, platform: Platform, configuration_id: str | None) -> str:
    """Farcaster: the Neynar API key of the app an account's signer was made with: the named
    configuration's ``apiKey``, else the workspace's only configuration's, else the deployment default's."""
    key = _app_secret(deps, workspace_id, platform, configuration_id, API_KEY_FIELD, only_one=True)
    if key:
        return key
    raise IntegrationNotConfigured(
        f"{platform.name} calls are made with the app's API key, and there is none: register it with "
        f"POST /api/{platform.id}/configurations (credentials.{API_KEY_FIELD})",
        details={"platform": platform.id, "configuration_id": configuration_id, "missing": API_KEY_FIELD},
    )


def start_signer(
    deps: AccountDeps, workspace_id: str, request: ConnectRequest, *, page_url: str
) -> ConnectStart | None:
    """Farcaster, where the app holds its FID and custody key: a new Neynar signer whose signed key request
    the app signs, and a state to finish with once the user has approved it in Warpcast. ``auth_url`` is the
    hosted page (``page_url``) that shows the approval URL and finishes the connect once approved, as every
    network's auth_url is where to send the user; ``approval_url`` is Warpcast's, for a client that shows it
    itself. None: another network, or an app without them (its users bring an approved signer)."""
    platform = integration(request.platform)
    if platform.auth.auth_type is not AuthType.SIGNER:
        return None
    config = _app_configuration(deps, workspace_id, platform, request.configuration_id)
    config_id = config.id if config else None
    fid = _app_secret(deps, workspace_id, platform, config_id, APP_FID_FIELD, only_one=True)
    custody = _app_secret(deps, workspace_id, platform, config_id, CUSTODY_KEY_FIELD, only_one=True)
    if not fid and not custody:
        return None
    key_hex = (custody or "").strip().removeprefix("0x")
    if (
        not (fid or "").strip().isdigit()
        or len(key_hex) != 64
        or not all(c in "0123456789abcdefABCDEF" for c in key_hex)
    ):
        raise IntegrationNotConfigured(
            f"{platform.name} signers are requested by the app: its configuration needs {APP_FID_FIELD} (the "
            f"app's FID) and {CUSTODY_KEY_FIELD} (its custody address's private key, 64 hex digits)",
            details={"platform": platform.id, "configuration_id": config_id},
        )
    if request.return_url:
        check_redirect_url(request.return_url, "return_url")
    api_key = app_api_key(deps, workspace_id, platform, config_id)
    signer, approval = deps.network.create_signer(
        platform, api_key=api_key, app_fid=int(str(fid).strip()), custody_key=key_hex
    )
    state = secrets.token_urlsafe(32)
    workspace = deps.workspaces.get(workspace_id)  # its name, shown on the hosted page
    session = ConnectSession(
        state_hash=state_hash(state),
        workspace_id=workspace_id,
        platform=platform.id,
        configuration_id=config_id,
        redirect_uri=approval,  # where the user approves: Warpcast's approval of the signer
        return_url=request.return_url,
        scopes=[],
        workspace_name=workspace.name if workspace else None,
        expires_at=deps.clock() + timedelta(seconds=CONNECT_TTL_SECONDS),
    )
    sealed = {"access_token": deps.box.seal(signer, session.context("access_token"))}
    deps.sessions.create(session.model_copy(update={"sealed_tokens": sealed}))
    return ConnectStart(
        auth_url=f"{page_url}?state={state}", approval_url=approval, state=state, expires_in=CONNECT_TTL_SECONDS
    )


def awaits_signer(session: ConnectSession) -> bool:
    """A state of a signer made at start (Farcaster): finished once the user has approved it."""
    return (
        integration(session.platform).auth.auth_type is AuthType.SIGNER
        and not session.choices
        and bool(session.sealed_tokens)
    )


def complete_signer(deps: AccountDeps, platform: Platform, session: ConnectSession) -> ConnectResult:
    """The signer made at start, looked up: still waiting for the user's approval, the state is given back
    (ask again with it); approved, the account (its fid's profile) is stored with the signer as its token."""
    signer = deps.box.open(session.sealed_tokens["access_token"], session.context("access_token"))
    app_key = app_api_key(deps, session.workspace_id, platform, session.configuration_id)
    try:
        tokens = deps.network.sign_in(platform, {"signer_uuid": signer, "app_api_key": app_key})
        params = {**tokens.extra, "signer_uuid": signer, "app_api_key": app_key}
        identities = deps.network.identities(platform, tokens, instance=None, params=params)
    except NetworkRejected as exc:
        if exc.details.get("signer_status") not in ("generated", "pending_approval"):
            raise
        deps.sessions.await_selection(session)
        raise ApprovalPending(
            f"The user has not approved this {platform.name} signer yet: they approve it in Warpcast at "
            f"{session.redirect_uri}; then send the same state again",
            details={"platform": platform.id, "approval_url": session.redirect_uri},
        ) from None
    except DependencyUnavailable:
        # Neynar's passing failure (a 429, a 5xx, a timeout) while the user may have approved already: the
        # state stays good for the next ask instead of being spent with the signer never stored.
        deps.sessions.await_selection(session)
        raise
    if not identities:
        raise NetworkRejected(f"{platform.name} returned no profile", details={"platform": platform.id})
    cap = _channels_room(deps, session.workspace_id, platform, identities[:1])
    account = _store_account(
        deps,
        session.workspace_id,
        platform,
        identities[0],
        tokens,
        configuration_id=session.configuration_id,
        instance=None,
        scopes=[],
        cap=cap,
    )
    return ConnectResult(accounts=[account], return_url=session.return_url)


def _instance_app(
    deps: AccountDeps, workspace_id: str, platform: Platform, instance: str, redirect_uri: str, scopes: list[str]
) -> AppCredentials:
    """Mastodon: one app per instance, registered on first use and kept (sealed) for the next connects;
    registered again when a connect asks for another redirect URI."""
    stored = deps.sessions.app(workspace_id, platform.id, instance)
    if stored and stored.get("redirectUri") == redirect_uri:
        return _opened_instance_app(deps, workspace_id, platform, instance, stored)
    app = deps.network.register_app(platform, instance=instance, redirect_uri=redirect_uri, scopes=scopes)
    sealed = {
        "clientId": app.client_id,
        "clientSecret": deps.box.seal(app.client_secret, _instance_context(workspace_id, platform, instance)),
        "redirectUri": redirect_uri,
    }
    deps.sessions.save_app(workspace_id, platform.id, instance, sealed)
    return app


def _instance_context(workspace_id: str, platform: Platform, instance: str) -> dict[str, str]:
    return {"workspace_id": workspace_id, "record": f"app/{platform.id}/{instance}", "field": "clientSecret"}


def _opened_instance_app(
    deps: AccountDeps, workspace_id: str, platform: Platform, instance: str, stored: dict[str, str]
) -> AppCredentials:
    secret = deps.box.open(stored["clientSecret"], _instance_context(workspace_id, platform, instance))
    return AppCredentials(client_id=stored["clientId"], client_secret=secret)


def _session_app(deps: AccountDeps, platform: Platform, s: ConnectSession) -> AppCredentials:
    if platform.auth.per_instance:
        assert s.instance is not None
        return _instance_app(deps, s.workspace_id, platform, s.instance, s.redirect_uri, s.scopes)
    return app_credentials(deps, s.workspace_id, platform, s.configuration_id)[0]


# ---------------------------------------------------------------------------- connect


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def start_connect(
    deps: AccountDeps,
    workspace_id: str,
    request: ConnectRequest,
    *,
    hosted_callback: str,
    atproto_client_id: str = "",
) -> ConnectStart | Account | ConnectResult:
    """OAuth networks: an authorization URL and its state. Sign-in networks: the connected account, or
    the identities to choose among (a Hashnode user's publications). ``method="oauth"``: Bluesky through
    atproto OAuth, as ``atproto_client_id`` (the client metadata document's URL)."""
    platform = integration(request.platform)
    if request.method is not None:
        return _start_atproto(deps, workspace_id, platform, request, hosted_callback, atproto_client_id)
    if not platform.oauth_supported:
        return connect_with_credentials(
            deps,
            workspace_id,
            platform,
            request.credentials or {},
            instance=request.instance,
            configuration_id=request.configuration_id,
            return_url=request.return_url,
        )
    for name in ("callback_url", "return_url"):
        if getattr(request, name):
            check_redirect_url(getattr(request, name), name)
    redirect_uri = request.callback_url or hosted_callback
    instance = None
    if platform.auth.per_instance:
        if not request.instance:
            raise InvalidInput(
                f"{platform.name} needs the server to connect to: send instance (e.g. mastodon.social)",
                details={"field": "instance"},
            )
        instance = deps.guard_host(request.instance)
    config = None
    if instance is not None:
        scopes = request.scopes if request.scopes is not None else platform.auth.scopes
        app = _instance_app(deps, workspace_id, platform, instance, redirect_uri, scopes)
    else:
        app, config = app_credentials(deps, workspace_id, platform, request.configuration_id)
        if platform.auth.app_bot_token:  # said now, not at the first publish after the user consented
            app_bot_token(deps, workspace_id, platform, config.id if config else None)
        # The scopes asked for, else the configuration's, else the catalog's
        scopes = request.scopes if request.scopes is not None else (config or platform.auth).scopes
    configuration_id = config.id if config else None
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce_pair() if platform.auth.pkce else (None, None)
    session = ConnectSession(
        state_hash=state_hash(state),
        workspace_id=workspace_id,
        platform=platform.id,
        configuration_id=configuration_id,
        redirect_uri=redirect_uri,
        hosted=request.callback_url is None,
        return_url=request.return_url,
        scopes=scopes,
        instance=instance,
        expires_at=deps.clock() + timedelta(seconds=CONNECT_TTL_SECONDS),
    )
    if verifier is not None:
        session = session.model_copy(update={"sealed_verifier": deps.box.seal(verifier, session.context("verifier"))})
    deps.sessions.create(session)
    url = deps.network.authorization_url(
        platform,
        app,
        redirect_uri=redirect_uri,
        state=state,
        scopes=scopes,
        code_challenge=challenge,
        instance=instance,
    )
    return ConnectStart(auth_url=url, state=state, expires_in=CONNECT_TTL_SECONDS)


def atproto_oauth(platform: Platform) -> bool:
    """Bluesky: an app password's session (createSession on a PDS), or atproto OAuth where the PDS offers it."""
    return platform.auth.auth_type is AuthType.APP_PASSWORD and platform.auth.session_url is not None


def _start_atproto(
    deps: AccountDeps,
    workspace_id: str,
    platform: Platform,
    request: ConnectRequest,
    hosted_callback: str,
    client_id: str,
) -> ConnectStart:
    """atproto OAuth: the handle resolved to its PDS and authorization server, a pushed request made with a
    new DPoP key; the key and the PKCE verifier sealed in the connect session, the server's data beside
    them. The user comes back to the hosted callback (the one the client metadata document names)."""
    if request.method != "oauth" or not atproto_oauth(platform) or not client_id:
        raise InvalidInput(
            f"method oauth is for Bluesky only ({platform.name} connects as its catalog says)",
            details={"field": "method"},
        )
    if request.callback_url:
        raise InvalidInput(
            "Bluesky's OAuth comes back to the hosted callback its client metadata names: send return_url instead",
            details={"field": "callback_url"},
        )
    if request.return_url:
        check_redirect_url(request.return_url, "return_url")
    handle = str((request.credentials or {}).get("identifier") or "").strip().lstrip("@")
    if not handle or "." not in handle:
        raise InvalidInput(
            "Bluesky's OAuth connect needs the account's handle: send credentials.identifier (e.g. alice.bsky.social)",
            details={"field": "credentials", "missing": ["identifier"]},
        )
    named = (request.instance or "").strip()  # where the handle is resolved: the user's PDS, else bsky.social
    entryway = deps.guard_host(named) if named else str(platform.auth.default_instance)
    state = secrets.token_urlsafe(32)
    started = deps.network.start_atproto(
        platform, handle, entryway=entryway, client_id=client_id, redirect_uri=hosted_callback, state=state
    )
    session = ConnectSession(
        state_hash=state_hash(state),
        workspace_id=workspace_id,
        platform=platform.id,
        redirect_uri=hosted_callback,
        hosted=True,
        return_url=request.return_url,
        scopes=ATPROTO_SCOPES,
        instance=started.server["pds"].removeprefix("https://"),
        expires_at=deps.clock() + timedelta(seconds=CONNECT_TTL_SECONDS),
        server={**started.server, **({"nonce": started.nonce} if started.nonce else {})},
    )
    sealed = {
        "sealed_verifier": deps.box.seal(started.verifier, session.context("verifier")),
        "sealed_tokens": {"dpop_key": deps.box.seal(started.dpop_key, session.context("dpop_key"))},
    }
    deps.sessions.create(session.model_copy(update=sealed))
    return ConnectStart(auth_url=started.auth_url, state=state, expires_in=CONNECT_TTL_SECONDS)


def _complete_atproto(
    deps: AccountDeps, platform: Platform, session: ConnectSession, code: str, issuer: str | None
) -> ConnectResult:
    """The code exchanged with the session's key and verifier (the tokens' ``sub`` and the callback's
    ``iss`` checked: another account signed in is refused, nothing kept); the account stored with its key
    sealed, the client_id its tokens were issued to, and its PDS as its instance."""
    assert session.sealed_verifier is not None
    key = deps.box.open(session.sealed_tokens["dpop_key"], session.context("dpop_key"))
    tokens, identity = deps.network.exchange_atproto(
        platform,
        session.server,
        code=code,
        issuer=issuer,
        verifier=deps.box.open(session.sealed_verifier, session.context("verifier")),
        dpop_key=key,
        nonce=session.server.get("nonce"),
    )
    cap = _channels_room(deps, session.workspace_id, platform, [identity])
    account = _store_account(
        deps,
        session.workspace_id,
        platform,
        identity,
        tokens,
        configuration_id=None,
        instance=session.instance,
        scopes=tokens.scopes or session.scopes,
        cap=cap,
        extra_secrets={"dpop_key": key},
        metadata={"identifier": session.server["handle"], "client_id": session.server["client_id"]},
    )
    return ConnectResult(accounts=[account], return_url=session.return_url)


def proof_key(deps: AccountDeps, account: Account) -> str | None:
    """The DPoP key an atproto OAuth account's tokens are bound to (PEM), for the calls made with them."""
    if "dpop_key" not in account.sealed:
        return None
    return deps.box.open(account.sealed["dpop_key"], account.context("dpop_key"))


def complete_connect(
    deps: AccountDeps,
    *,
    state: str,
    code: str | None,
    error: str | None = None,
    workspace_id: str | None = None,
    selection: list[str] | None = None,
    callback: dict[str, str] | None = None,
) -> ConnectResult:
    """The network sent the user back: check the state, exchange the code, store the account(s).

    ``workspace_id`` is the caller's (the API); the hosted page has none and trusts the state alone.
    ``callback``: what else the redirect carried that the network's token endpoint wants again (VK ID's
    ``device_id``: the catalog's ``callback_params``), kept sealed with the account for its refreshes.
    """
    session = deps.sessions.claim(state_hash(state), deps.clock(), workspace_id)
    if session is None:
        raise InvalidState()
    platform = integration(session.platform)
    if awaits_signer(session):
        return complete_signer(deps, platform, session)  # a signer made at start: approved yet?
    if not session.choices and not platform.oauth_supported and not session.server:
        deps.sessions.await_selection(session)  # a sign-in page's state: given back, for its own page
        raise InvalidState()
    if session.server:  # atproto OAuth (Bluesky)
        if error:
            raise NetworkRejected(f"{platform.name} did not authorize the connect: {error}", details={"error": error})
        issuer = (callback or {}).get("iss")
        for name, value in (("code", code), ("iss", issuer)):  # atproto's server always sends iss with the code
            if not value:
                raise InvalidInput(f"{name} is required", details={"field": name})
        assert code is not None
        return _complete_atproto(deps, platform, session, code, issuer)
    if session.choices:  # second step: the client picks among the identities it was shown
        tokens = TokenSet(**{k: deps.box.open(v, session.context(k)) for k, v in session.sealed_tokens.items()})
        identities = session.choices
    else:
        if error:
            raise NetworkRejected(f"{platform.name} did not authorize the connect: {error}", details={"error": error})
        if not code:
            raise InvalidInput("code is required", details={"field": "code"})
        given = {n: v for n, v in (callback or {}).items() if n in platform.auth.callback_params and v}
        missing = [n for n in platform.auth.callback_params if n not in given]
        if missing:
            raise InvalidInput(
                f"{platform.name} sends {', '.join(missing)} back with the code: pass it on",
                details={"field": missing[0]},
            )
        verifier = (
            deps.box.open(session.sealed_verifier, session.context("verifier")) if session.sealed_verifier else None
        )
        app = _session_app(deps, platform, session)
        tokens = deps.network.exchange_code(
            platform,
            app,
            code=code,
            redirect_uri=session.redirect_uri,
            code_verifier=verifier,
            instance=session.instance,
            **({"callback": given} if given else {}),
        )
        identities = deps.network.identities(platform, tokens, instance=session.instance, params={})
        if not identities:
            raise NetworkRejected(
                f"This {platform.name} login has nothing to publish to (e.g. no page it manages)",
                details={"platform": platform.id},
            )
    if selection is None and len(identities) > 1:
        sealed = {
            k: deps.box.seal(v, session.context(k))
            for k, v in tokens.model_dump(include={"access_token", "refresh_token"}).items()
            if v
        }
        deps.sessions.await_selection(session.model_copy(update={"choices": identities, "sealed_tokens": sealed}))
        return ConnectResult(choices=identities, state=state, return_url=session.return_url)
    if selection is not None:
        by_id = {i.external_id: i for i in identities}
        unknown = [s for s in selection if s not in by_id]
        if unknown or not selection:
            if session.choices:
                deps.sessions.await_selection(session)  # let the client pick again
            raise InvalidInput(
                "Choose one or more of the identities offered",
                details={"field": "selection", "unknown": unknown, "choices": list(by_id)},
            )
        identities = [by_id[s] for s in selection]
    cap = _channels_room(deps, session.workspace_id, platform, identities)
    stored = [
        _store_account(
            deps,
            session.workspace_id,
            platform,
            identity,
            tokens,
            configuration_id=session.configuration_id,
            instance=session.instance,
            scopes=tokens.scopes or session.scopes,
            cap=cap,
            extra_secrets={n: tokens.extra[n] for n in platform.auth.callback_params if tokens.extra.get(n)},
        )
        for identity in identities
    ]
    return ConnectResult(accounts=stored, return_url=session.return_url)


def connect_with_credentials(
    deps: AccountDeps,
    workspace_id: str,
    platform: Platform,
    credentials: dict[str, str],
    *,
    instance: str | None = None,
    configuration_id: str | None = None,
    return_url: str | None = None,
) -> Account | ConnectResult:
    """Bluesky (handle + app password), Telegram (bot token + chat), Dev.to and Hashnode (API key): no
    redirect, checked at once. A key that yields several identities (a Hashnode user's publications)
    answers them as choices with a state, finished by ``complete_connect`` with a selection, as pages are."""
    needed, secret_names = SIGN_IN_FIELDS.get(platform.auth.auth_type, ((), ()))
    if not needed:
        raise InvalidInput(f"{platform.name} cannot be connected through the API", details={"platform": platform.id})
    missing = [n for n in needed if not str(credentials.get(n, "")).strip()]
    if missing:
        raise InvalidInput(
            f"{platform.name} connects with {', '.join(needed)}: send them in credentials",
            details={"field": "credentials", "missing": missing},
        )
    given = {n: credentials[n].strip() for n in needed}
    server = None
    app_key = None
    if platform.auth.per_instance:  # Lemmy: the instance a client names, SSRF-guarded before any call
        if not (instance or "").strip():
            raise InvalidInput(
                f"{platform.name} needs the server to connect to: send instance (e.g. lemmy.world)",
                details={"field": "instance"},
            )
        server = deps.guard_host(str(instance))
        # An account with two-factor sign-in also sends its current code (used once, never stored)
        code = str(credentials.get("totp_2fa_token") or "").strip()
        tokens = deps.network.sign_in(platform, {**given, **({"totp_2fa_token": code} if code else {})}, server)
    elif platform.auth.default_instance:  # Bluesky: the user's own PDS, SSRF-guarded, else bsky.social
        named = (instance or "").strip()
        server = deps.guard_host(named) if named else platform.auth.default_instance
        tokens = deps.network.sign_in(platform, given, server)
    elif platform.auth.auth_type is AuthType.SIGNER:  # Farcaster: the signer is checked with the app's key
        given["signer_uuid"] = signer_uuid(given["signer_uuid"])
        app_key = app_api_key(deps, workspace_id, platform, configuration_id)
        tokens = deps.network.sign_in(platform, {**given, "app_api_key": app_key})
    elif platform.auth.auth_type is AuthType.KEY_PAIR:  # Nostr: the key checked, each relay's host SSRF-guarded
        given["private_key"] = nostr.private_key(given["private_key"])
        given["relays"] = " ".join(nostr.relay_urls(given["relays"], deps.guard_host))
        tokens = deps.network.sign_in(platform, given)
    else:
        tokens = deps.network.sign_in(platform, given)
    params = {n: v for n, v in {**given, **tokens.extra}.items() if n not in USED_ONCE}
    if app_key is not None:
        params["app_api_key"] = app_key  # the profile read's key; never stored with the account
    identities = deps.network.identities(platform, tokens, instance=server, params=params)
    if not identities:
        raise NetworkRejected(f"{platform.name} returned no profile", details={"platform": platform.id})
    if len(identities) > 1:
        return _offer_choices(
            deps,
            workspace_id,
            platform,
            identities,
            tokens,
            configuration_id=configuration_id if app_key is not None else None,
            instance=server,
            return_url=return_url,
        )
    cap = _channels_room(deps, workspace_id, platform, identities[:1])
    return _store_account(
        deps,
        workspace_id,
        platform,
        identities[0],
        tokens,
        configuration_id=configuration_id if app_key is not None else None,  # Farcaster: the app its signer has
        instance=server,
        scopes=[],
        cap=cap,
        extra_secrets=_kept_apart(platform, tokens, given, secret_names),
        metadata={n: v for n, v in given.items() if n not in secret_names},
    )


def _kept_apart(
    platform: Platform, tokens: TokenSet, given: dict[str, str], secret_names: tuple[str, ...]
) -> dict[str, str]:
    """The sign-in secrets sealed beside the account's token: only where the token is a session of its own
    (Bluesky's app password beside its accessJwt). Where the token is the secret (an API key, a signer, a
    bot token) or is made of it (a self-hosted WordPress's HTTP Basic pair), keeping it too would seal the
    same secret twice, a KMS Encrypt and a ciphertext more for nothing."""
    if platform.auth.profile.auth == "basic":
        return {}
    return {n: given[n] for n in secret_names if n not in USED_ONCE and given[n] != tokens.access_token}


def _offer_choices(
    deps: AccountDeps,
    workspace_id: str,
    platform: Platform,
    identities: list[Identity],
    tokens: TokenSet,
    *,
    configuration_id: str | None,
    instance: str | None,
    return_url: str | None,
) -> ConnectResult:
    """A connect's second step, kept like an OAuth connect's page selection: a single-use state holding
    the identities offered and the sealed credential, claimed by ``complete_connect`` with the choice."""
    if return_url:
        check_redirect_url(return_url, "return_url")
    state = secrets.token_urlsafe(32)
    session = ConnectSession(
        state_hash=state_hash(state),
        workspace_id=workspace_id,
        platform=platform.id,
        configuration_id=configuration_id,
        redirect_uri="",
        hosted=True,
        return_url=return_url,
        scopes=[],
        instance=instance,
        expires_at=deps.clock() + timedelta(seconds=CONNECT_TTL_SECONDS),
        choices=identities,
    )
    sealed = {"access_token": deps.box.seal(tokens.access_token, session.context("access_token"))}
    deps.sessions.create(session.model_copy(update={"sealed_tokens": sealed}))
    return ConnectResult(choices=identities, state=state, return_url=return_url)


def _store_account(
    deps: AccountDeps,
    workspace_id: str,
    platform: Platform,
    identity: Identity,
    tokens: TokenSet,
    *,
    configuration_id: str | None,
    instance: str | None,
    scopes: list[str],
    cap: Cap,
    extra_secrets: dict[str, str] | None = None,
    metadata: dict[str, str] | None = None,
) -> Account:
    now = deps.clock()
    acc_id, previous = _connected(deps, workspace_id, platform, identity)
    plain = {"access_token": identity.access_token or tokens.access_token, **(extra_secrets or {})}
    if tokens.refresh_token and not identity.access_token:
        plain["refresh_token"] = tokens.refresh_token
    page_token = identity.access_token is not None  # page tokens from a long-lived user token do not expire
    draft = Account(
        id=acc_id,
        workspace_id=workspace_id,
        platform=platform.id,
        type=identity.type,
        external_id=identity.external_id,
        name=identity.name,
        username=identity.username,
        profile_image=identity.profile_image,
        connected_at=previous.connected_at if previous else now,
        updated_at=now,
        permissions=scopes,
        metadata={**identity.metadata, **(metadata or {})},
        stats=AccountStats(
            followers=identity.followers,
            following=identity.following,
            posts_total=identity.posts_total,
            posts_this_month=previous.stats.posts_this_month if previous else 0,
        ),
        health=Health(token_valid=True, last_sync=now),
        is_default=previous.is_default if previous else _first_of_network(deps, workspace_id, platform.id),
        settings=previous.settings if previous else AccountSettings(),
        group=previous.group if previous else None,
        configuration_id=configuration_id,
        instance=instance,
        token_updated_at=now,
        token_version=previous.token_version + 1 if previous else 1,
    )
    sealed = {k: v for k, v in (previous.sealed if previous else {}).items() if k == "refresh_token"}
    masked = {k: v for k, v in (previous.masked if previous else {}).items() if k == "refresh_token"}
    if page_token:
        sealed, masked = {}, {}
    for name, value in plain.items():
        sealed[name] = deps.box.seal(value, draft.context(name))
        masked[name] = mask(value)
    account = draft.model_copy(
        update={
            "sealed": sealed,
            "masked": masked,
            "token_expires_at": None
            if page_token or not tokens.expires_in
            else now + timedelta(seconds=tokens.expires_in),
            "refresh_expires_at": now + timedelta(seconds=tokens.refresh_expires_in)
            if tokens.refresh_expires_in
            else (previous.refresh_expires_at if previous else None),
        }
    )
    event = Event.of(
        EventType.ACCOUNT_CONNECTED, workspace_id, now, {**account.summary(), "reconnected": previous is not None}
    )
    # A new account counts against the plan's channels; a reconnect never does.
    deps.accounts.connect(account, previous, event, caps=[cap] if previous is None else [])
    return account


def _connected(
    deps: AccountDeps, workspace_id: str, platform: Platform, identity: Identity
) -> tuple[str, Account | None]:
    """The id the identity has in the workspace, and its account if it is connected there already."""
    acc_id = account_id(workspace_id, platform.id, identity.external_id)
    previous = deps.accounts.get(workspace_id, acc_id)
    if previous is None:
        # Connected before ids named the workspace: reconnecting updates that account, whose id its
        # posts and schedules hold.
        legacy = deps.accounts.get(workspace_id, legacy_account_id(platform.id, identity.external_id))
        if legacy is not None and (legacy.platform, legacy.external_id) == (platform.id, identity.external_id):
            acc_id, previous = legacy.id, legacy
    return acc_id, previous


def _channels_room(deps: AccountDeps, workspace_id: str, platform: Platform, identities: list[Identity]) -> Cap:
    """The plan's cap on channels; refuses (QuotaExceeded) before any account is stored when the new
    ones among ``identities`` (not reconnects) would go past it. The store checks each again, atomically."""
    workspace = deps.workspaces.get(workspace_id)
    if workspace is None or workspace.status is not WorkspaceStatus.ACTIVE:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})
    cap = channels_cap(plan_of(deps.workspaces.tiers_of(workspace.member_keys)))
    new = sum(1 for identity in identities if _connected(deps, workspace_id, platform, identity)[1] is None)
    cap.require_room(workspace.stats.accounts_count, new)
    return cap


def _first_of_network(deps: AccountDeps, workspace_id: str, platform: str) -> bool:
    return not any(a.platform == platform for a in deps.accounts.list(workspace_id))


# ---------------------------------------------------------------------------- read and change


def get_account(deps: AccountDeps, workspace_id: str, acc_id: str) -> Account:
    account = deps.accounts.get(workspace_id, acc_id)
    if account is None:
        raise AccountNotFound(details={"account_id": acc_id})
    return account


def get_authentication(deps: AccountDeps, workspace_id: str, integration_id: str, acc_id: str) -> Account:
    """Pizzly's authentication: an account of that integration, by id."""
    account = deps.accounts.get(workspace_id, acc_id)
    if account is None or account.platform != integration_id:
        raise AuthenticationNotFound(details={"authentication_id": acc_id, "integration": integration_id})
    return account


def list_accounts(
    deps: AccountDeps, workspace_id: str, *, platform: str | None = None, status: AccountStatus | None = None
) -> list[Account]:
    if platform is not None:
        integration(platform)
    return [
        a
        for a in deps.accounts.list(workspace_id)
        if (platform is None or a.platform == platform) and (status is None or a.status is status)
    ]


def update_account(deps: AccountDeps, workspace_id: str, acc_id: str, changes: AccountChanges) -> Account:
    """Rename, change settings or group, or make it the default account of its network (unsetting the others)."""
    for _ in range(3):
        previous = get_account(deps, workspace_id, acc_id)
        update = changes.model_dump(exclude_unset=True)
        if "name" in update and not (changes.name or "").strip():
            raise InvalidInput("name must not be blank", details={"field": "name"})
        account = changed(previous, {**update, "updated_at": deps.clock(), "token_version": previous.token_version + 1})
        if deps.accounts.save(account, previous):
            break
    else:
        raise ConcurrentModification(
            "The account kept changing meanwhile; read it again and retry", details={"account_id": acc_id}
        )
    if changes.is_default:
        for other in deps.accounts.list(workspace_id):
            if other.platform == account.platform and other.id != account.id and other.is_default:
                deps.accounts.save(
                    other.model_copy(update={"is_default": False, "token_version": other.token_version + 1}), other
                )
    return account


def disconnect_account(
    deps: AccountDeps,
    posts: PostRepository,
    workspace_id: str,
    acc_id: str,
    *,
    scheduler: PostScheduler,
    schedules: ScheduleRepository,
) -> Disconnection:
    """Revoke at the network where it can, take the account out of scheduled posts and schedules'
    slots, then remove it."""
    account = get_account(deps, workspace_id, acc_id)
    platform = integration(account.platform)
    revoked = False
    if platform.auth.revoke_url and "access_token" in account.sealed:
        try:
            token = deps.box.open(account.sealed["access_token"], account.context("access_token"))
            revoked = deps.network.revoke(platform, _revocation_app(deps, platform, account), token, account.instance)
        except (NetworkUnavailable, NetworkRejected, IntegrationNotConfigured, ConfigurationNotFound):
            revoked = False  # disconnecting here must not depend on the network answering
    others = {a.id for a in deps.accounts.list(workspace_id) if a.platform == account.platform and a.id != account.id}
    cancelled = _cancel_scheduled_targets(deps, posts, scheduler, account, others)
    remove_from_schedules(schedules, workspace_id, account.id, deps.clock())
    now = deps.clock()
    deps.accounts.delete(
        account,
        Event.of(
            EventType.ACCOUNT_DISCONNECTED, workspace_id, now, {**account.summary(), "cancelled_posts": cancelled}
        ),
    )
    return Disconnection(cancelled_posts=cancelled, token_revoked=revoked)


def _revocation_app(deps: AccountDeps, platform: Platform, account: Account) -> AppCredentials:
    if platform.auth.per_instance and account.instance:
        stored = deps.sessions.app(account.workspace_id, platform.id, account.instance)
        if stored is None:
            raise IntegrationNotConfigured()
        return _opened_instance_app(deps, account.workspace_id, platform, account.instance, stored)
    return app_credentials(deps, account.workspace_id, platform, account.configuration_id)[0]


def _cancel_scheduled_targets(
    deps: AccountDeps, posts: PostRepository, scheduler: PostScheduler, account: Account, others: set[str]
) -> int:
    """Scheduled posts lose this account as a target; one left with no target goes back to draft,
    and its schedule is removed."""
    cancelled = 0
    cursor: str | None = ""
    while cursor is not None:
        page, cursor = posts.after(
            account.workspace_id, PostFilter(status=PostStatus.SCHEDULED), cursor=cursor or None, per_page=100
        )
        for post in page:
            updated = _without_account(post, account, others)
            if updated is not None:
                posts.save(updated.model_copy(update={"updated_at": deps.clock()}), post)
                if updated.status is PostStatus.DRAFT:
                    forget_schedule(scheduler, post)
                cancelled += 1
    return cancelled


def _without_account(post: Post, account: Account, others: set[str]) -> Post | None:
    """The post without this account as a target, or None when it does not target it.

    A post names either accounts or whole networks (which mean the network's accounts): a named
    account is removed, and its network with it unless another of its accounts is named; a network
    named as such loses its target only when this was the workspace's last account on it.
    """
    account_ids = [a for a in post.account_ids if a != account.id]
    if account.id in post.account_ids:
        keeps_network = any(a in others for a in account_ids)
    elif account.platform in post.platforms and not others:
        keeps_network = False
    else:
        return None
    platforms = [p for p in post.platforms if p != account.platform or keeps_network]
    update: dict[str, object] = {"account_ids": account_ids, "platforms": platforms, "version": post.version + 1}
    if not platforms:
        return post.unscheduled(post.updated_at).model_copy(update={"account_ids": account_ids, "platforms": platforms})
    return post.model_copy(update=update)


# ---------------------------------------------------------------------------- tokens


def usable_access_token(deps: AccountDeps, workspace_id: str, acc_id: str, *, read: Account | None = None) -> str:
    """The account's access token, refreshed first when it is near expiry (publishers call this).
    ``read``: the account as the caller has just read it (consistently), so it is not read again."""
    account = refresh_account(deps, workspace_id, acc_id, force=False, read=read)
    if account.status is AccountStatus.EXPIRED:
        raise AccountExpired(details={"account_id": acc_id})
    return deps.box.open(account.sealed["access_token"], account.context("access_token"))


def renewed_access_token(deps: AccountDeps, workspace_id: str, acc_id: str, *, refused: str) -> str:
    """A new token in place of ``refused``, which the network has just called expired though the expiry we
    hold has not come (a Bluesky session cut short): refreshed now, unless a refresh or a reconnect has
    replaced it meanwhile (then that one: one renewal for every run that met the same expired token)."""
    current = refresh_account(deps, workspace_id, acc_id, force=False)
    if deps.box.open(current.sealed["access_token"], current.context("access_token")) == refused:
        current = refresh_account(deps, workspace_id, acc_id, force=True, read=current)
    if current.status is AccountStatus.EXPIRED:
        raise AccountExpired(details={"account_id": acc_id})
    return deps.box.open(current.sealed["access_token"], current.context("access_token"))


def refresh_account(
    deps: AccountDeps, workspace_id: str, acc_id: str, *, force: bool, read: Account | None = None
) -> Account:
    """Refresh the account's token (when near expiry, or always with ``force``); one refresh at a time.
    ``read``: the account just read by the caller, which serves as the first reading."""
    started = read or get_account(deps, workspace_id, acc_id)
    platform = integration(started.platform)
    deadline = deps.clock() + REFRESH_LEASE
    first = read
    while True:
        account = first or get_account(deps, workspace_id, acc_id)
        first = None
        if account.token_version != started.token_version and account.status is not AccountStatus.EXPIRED:
            return account  # someone refreshed (or reconnected) meanwhile: theirs is the newest token
        if account.status is AccountStatus.EXPIRED:
            raise AccountExpired(details={"account_id": acc_id})
        now = deps.clock()
        if not force and not account.needs_refresh(now):
            return account
        if not platform.auth.refresh.supported or (
            "refresh_token" not in account.sealed and not _self_refreshing(platform)
        ):
            if account.token_expires_at is not None and account.token_expires_at <= now:
                _expire(deps, account, f"{platform.name} tokens cannot be refreshed and this one has expired")
                raise AccountExpired(details={"account_id": acc_id})
            if force:
                reason = (
                    "reconnect the account before expires_at"
                    if account.token_expires_at
                    else "they do not expire, so there is nothing to refresh"
                )
                raise NotRefreshable(
                    f"{platform.name} tokens cannot be refreshed; {reason}",
                    details={"account_id": acc_id, "expires_at": account.token_expires_at},
                )
            return account
        if deps.accounts.take_refresh_lease(account, now, now + REFRESH_LEASE):
            return _refresh_holding_lease(deps, platform, account)
        if deps.clock() > deadline:
            raise NetworkUnavailable("Another refresh of this account is taking too long; retry")
        deps.sleep(LEASE_WAIT_SECONDS)


def _self_refreshing(platform: Platform) -> bool:
    """Threads refreshes its long-lived access token with the access token itself."""
    return platform.auth.refresh.token_param == "access_token"


def _refresh_holding_lease(deps: AccountDeps, platform: Platform, account: Account) -> Account:
    # VK ID: its device_id goes with each refresh; atproto OAuth: the DPoP key and the client_id the tokens are bound to
    kept = (*TOKEN_FIELDS, *platform.auth.callback_params, "dpop_key")
    opened = {k: deps.box.open(v, account.context(k)) for k, v in account.sealed.items() if k in kept}
    if "dpop_key" in opened:
        opened["client_id"] = account.metadata.get("client_id", "")
    try:
        # Bluesky's sessions are renewed with the refresh token alone: there is no app
        app = (
            app_credentials(deps, account.workspace_id, platform, account.configuration_id)[0]
            if platform.oauth_supported
            else AppCredentials(client_id="", client_secret="")
        )
        tokens = deps.network.refresh(platform, app, opened, account.instance)
    except TokenRejected as exc:
        current = get_account(deps, account.workspace_id, account.id)
        if current.token_version != account.token_version:
            return current  # a reconnect landed meanwhile; the rejected token was already replaced
        _expire(deps, account, exc.message)
        raise AccountExpired(details={"account_id": account.id, "reason": exc.message}) from exc
    except NetworkUnavailable as exc:
        failed = account.model_copy(
            update={
                "health": account.health.model_copy(update={"errors": [f"refresh failed, will retry: {exc.message}"]}),
                "token_version": account.token_version + 1,
            }
        )
        if not deps.accounts.save(failed, account):
            deps.accounts.release_refresh_lease(account)
        raise
    now = deps.clock()
    sealed, masked = dict(account.sealed), dict(account.masked)
    for name, value in (("access_token", tokens.access_token), ("refresh_token", tokens.refresh_token)):
        if value:  # a refresh that returns no refresh token keeps the stored one
            sealed[name] = deps.box.seal(value, account.context(name))
            masked[name] = mask(value)
    refreshed = account.model_copy(
        update={
            "sealed": sealed,
            "masked": masked,
            "status": AccountStatus.ACTIVE,
            "health": Health(token_valid=True, last_sync=now),
            "token_expires_at": now + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None,
            "token_updated_at": now,
            "updated_at": now,
            "token_version": account.token_version + 1,
        }
    )
    if not deps.accounts.save(refreshed, account):  # cannot happen while the lease holds; never overwrite
        return get_account(deps, account.workspace_id, account.id)
    return refreshed


def mark_needs_reconnect(deps: AccountDeps, workspace_id: str, acc_id: str, *, token: str, reason: str) -> bool:
    """A network refused the account's token while publishing: the account is expired (with its
    event) unless the token was replaced meanwhile (a reconnect or refresh landed). True if marked."""
    account = deps.accounts.get(workspace_id, acc_id)
    if account is None or account.status is AccountStatus.EXPIRED:
        return False
    if deps.box.open(account.sealed["access_token"], account.context("access_token")) != token:
        return False
    _expire(deps, account, reason)
    return True


def _expire(deps: AccountDeps, account: Account, reason: str) -> None:
    now = deps.clock()
    expired = account.model_copy(
        update={
            "status": AccountStatus.EXPIRED,
            "health": Health(token_valid=False, last_sync=account.health.last_sync, errors=[reason]),
            "updated_at": now,
            "token_version": account.token_version + 1,
        }
    )
    event = Event.of(EventType.ACCOUNT_EXPIRED, account.workspace_id, now, {**expired.summary(), "reason": reason})
    deps.accounts.save(expired, account, event)


class RefreshReport(BaseModel):
    refreshed: int = 0
    expired: int = 0
    skipped: int = 0  # cannot be refreshed, still valid: the user is asked to reconnect
    failed: int = 0


def refresh_due(deps: AccountDeps, *, horizon: timedelta) -> RefreshReport:
    """The scheduled refresher: every account whose token expires within ``horizon``."""
    report = RefreshReport()
    for workspace_id, acc_id in deps.accounts.due_for_refresh(deps.clock() + horizon):
        try:
            refresh_account(deps, workspace_id, acc_id, force=True)
            report.refreshed += 1
        except AccountExpired:
            report.expired += 1
        except NotRefreshable:
            report.skipped += 1
        except (NetworkUnavailable, AccountNotFound, IntegrationNotConfigured):
            report.failed += 1
    return report
