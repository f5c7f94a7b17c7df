"""The hosted sign-in page: networks that connect with credentials (an app password, a bot token, a
password, an API key, a signer) get a page of their own, as OAuth networks get the network's consent
screen and the hosted callback page.

A connect started without ``credentials`` answers an ``auth_url`` to that page and a state, kept like an
OAuth state (single-use, expiring, bound to the workspace). The page asks for the fields the catalog's
auth type needs and submits them to the same ``connect_with_credentials`` the API uses (same checks,
SSRF guard, sealed secrets). A refused sign-in gives the state back, so the user can correct a typo,
up to ``MAX_FAILED_ATTEMPTS`` refusals: then the state is refused (TOO_MANY_ATTEMPTS) until it expires.

A Farcaster signer made by socialpub has the same page, with no form: it shows Warpcast's approval URL and
asks Neynar each time it is shown (it refreshes itself) with the call ``POST /api/accounts/callback`` makes,
until the user has approved the signer; then it finishes the connect as the callback would.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from pydantic import BaseModel

from socialpub.domain.accounts import (
    CONNECT_TTL_SECONDS,
    ConnectSession,
    InvalidState,
    TooManyAttempts,
    check_redirect_url,
    state_hash,
)
from socialpub.domain.errors import ApprovalPending, DependencyUnavailable, DomainError, InvalidInput
from socialpub.domain.integrations import integration
from socialpub.domain.platforms import Platform
from socialpub.domain.services.accounts import (
    SIGN_IN_FIELDS,
    AccountDeps,
    ConnectRequest,
    ConnectResult,
    ConnectStart,
    awaits_signer,
    complete_signer,
    connect_with_credentials,
)

INSTANCE = "instance"
OPTIONAL_CODE = "totp_2fa_token"
# Refused sign-ins one state may have: enough for typos, too few to guess a password through the page
MAX_FAILED_ATTEMPTS = 5
LABELS = {
    "identifier": "Handle, username or email",
    "app_password": "App password",
    "bot_token": "Bot token",
    "chat_id": "Chat (@channel or numeric id)",
    "api_key": "API key",
    "signer_uuid": "Signer UUID",
    "private_key": "Private key (nsec1... or 64 hex digits)",
    "relays": "Relays (wss:// URLs, separated by spaces)",
    "username": "Username or email",
    "password": "Password",
    OPTIONAL_CODE: "Two-factor code (only if enabled)",
    INSTANCE: "Server",
}


class FormField(BaseModel):
    name: str
    label: str
    secret: bool = False  # rendered as a password input, never filled in again
    required: bool = True
    placeholder: str = ""


def form_fields(platform: Platform) -> list[FormField]:
    """What the page asks for, from the catalog: the server (per-instance networks; Bluesky's PDS,
    optional), the sign-in fields of the auth type, and Lemmy's optional two-factor code."""
    needed, secret_names = SIGN_IN_FIELDS.get(platform.auth.auth_type, ((), ()))
    fields: list[FormField] = []
    if platform.auth.per_instance:
        fields.append(FormField(name=INSTANCE, label=LABELS[INSTANCE], placeholder="e.g. example.social"))
    elif platform.auth.default_instance:
        fields.append(
            FormField(
                name=INSTANCE,
                label=f"{LABELS[INSTANCE]} (leave empty for {platform.auth.default_instance})",
                required=False,
                placeholder=platform.auth.default_instance,
            )
        )
    fields += [FormField(name=n, label=LABELS.get(n, n), secret=n in secret_names) for n in needed]
    if platform.auth.per_instance and "password" in needed:
        fields.append(FormField(name=OPTIONAL_CODE, label=LABELS[OPTIONAL_CODE], secret=True, required=False))
    return fields


def start(
    deps: AccountDeps, workspace_id: str, platform: Platform, request: ConnectRequest, *, page_url: str
) -> ConnectStart:
    """A state for the hosted sign-in page, and the page's URL with it."""
    if not form_fields(platform):
        raise InvalidInput(f"{platform.name} cannot be connected through the API", details={"platform": platform.id})
    if request.return_url:
        check_redirect_url(request.return_url, "return_url")
    state = secrets.token_urlsafe(32)
    workspace = deps.workspaces.get(workspace_id)  # its name, shown on the page
    deps.sessions.create(
        ConnectSession(
            state_hash=state_hash(state),
            workspace_id=workspace_id,
            platform=platform.id,
            configuration_id=request.configuration_id,
            redirect_uri=page_url,
            hosted=True,
            return_url=request.return_url,
            scopes=[],
            instance=(request.instance or "").strip() or None,  # a default for the form; guarded at submit
            workspace_name=workspace.name if workspace else None,
            expires_at=deps.clock() + timedelta(seconds=CONNECT_TTL_SECONDS),
        )
    )
    return ConnectStart(auth_url=f"{page_url}?state={state}", state=state, expires_in=CONNECT_TTL_SECONDS)


class SignerApproval(BaseModel):
    """A signer still waiting for the user's approval: what its page shows (the state stays usable)."""

    platform: Platform
    approval_url: str
    workspace_name: str | None = None


def open_page(deps: AccountDeps, state: str) -> tuple[ConnectSession, Platform] | SignerApproval | ConnectResult:
    """The session behind a state, still usable afterwards (the page is only being shown). A signer's state
    is checked at Neynar instead: still pending, what to show; approved, the connect is finished."""
    session = _claim_sign_in(deps, state, signer=True)
    platform = integration(session.platform)
    if awaits_signer(session):
        try:
            return complete_signer(deps, platform, session)
        except (ApprovalPending, DependencyUnavailable):  # the state was given back: asked again on refresh
            return SignerApproval(
                platform=platform, approval_url=session.redirect_uri, workspace_name=session.workspace_name
            )
    deps.sessions.await_selection(session)  # shown, not used: the submit claims it
    return session, platform


def submit(deps: AccountDeps, state: str, values: dict[str, str]) -> ConnectResult:
    """Connect with what the user typed; a refusal (a wrong password, the plan's cap) gives the state
    back for another try and is raised to be shown on the page."""
    session = _claim_sign_in(deps, state)
    platform = integration(session.platform)
    given = {f.name: (values.get(f.name) or "").strip() for f in form_fields(platform)}
    instance = given.pop(INSTANCE, "") or session.instance
    try:
        connected = connect_with_credentials(
            deps,
            session.workspace_id,
            platform,
            {k: v for k, v in given.items() if v},
            instance=instance,
            configuration_id=session.configuration_id,
            return_url=session.return_url,
        )
    except DomainError as refused:
        # Counted on the state's own item, in the write that gives it back: the claim is held until this
        # write, so no other attempt reads or writes the count meanwhile (no lost increment, no extra call).
        failed = session.failed_attempts + 1
        deps.sessions.await_selection(session.model_copy(update={"failed_attempts": failed}))
        if failed >= MAX_FAILED_ATTEMPTS:
            raise TooManyAttempts(details={"failed_attempts": failed}) from refused
        raise
    if isinstance(connected, ConnectResult):  # several identities (publications): the choice comes next
        return connected
    return ConnectResult(accounts=[connected], return_url=session.return_url)


def _claim_sign_in(deps: AccountDeps, state: str, *, signer: bool = False) -> ConnectSession:
    """``signer``: a signer's state may be taken (the page is shown); no form is ever submitted with one."""
    session = deps.sessions.claim(state_hash(state), deps.clock(), None) if state else None
    if session is None or integration(session.platform).oauth_supported or (awaits_signer(session) and not signer):
        if session is not None:
            deps.sessions.await_selection(session)  # an OAuth state belongs to the callback page
        raise InvalidState()
    if session.failed_attempts >= MAX_FAILED_ATTEMPTS:
        deps.sessions.await_selection(session)  # given back refused: every later try says why, until it expires
        raise TooManyAttempts(details={"failed_attempts": session.failed_attempts})
    return session
