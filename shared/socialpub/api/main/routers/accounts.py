"""/api/accounts: connect (seed's OAuth flow, hosted callback page, app passwords, bot tokens),
list, read, change and disconnect a workspace's social accounts."""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from socialpub.api.container import Container, ContainerDep
from socialpub.api.main.auth import workspace_scope
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.idempotency import IDEMPOTENT
from socialpub.api.main.schemas.accounts import (
    AccountChangesBody,
    AccountEnvelope,
    AccountList,
    AccountView,
    CallbackBody,
    CallbackView,
    ChannelList,
    ChoiceView,
    ConnectBody,
    ConnectStartView,
    DisconnectView,
)
from socialpub.config import AccountsSettings
from socialpub.domain.accounts import AccountStatus, Identity, InvalidState, TooManyAttempts
from socialpub.domain.errors import DomainError
from socialpub.domain.integrations import integration
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import AuthType, Platform
from socialpub.domain.services import account_channels, sign_in_page
from socialpub.domain.services import accounts as service

SETTINGS = AccountsSettings
CALLBACK_PATH = "/api/accounts/callback"
SIGN_IN_PATH = "/api/accounts/connect"
# atproto OAuth's client_id is the URL of the client's metadata document, fetched by the PDS's
# authorization server: served here, beside the callback it names, with no API key.
CLIENT_METADATA_PATH = "/api/oauth/bluesky/client-metadata.json"
PREFIXES = ("/api/accounts", "/api/oauth")
ATPROTO_SCOPE = "atproto transition:generic"
router = APIRouter(prefix="/api/accounts", tags=["accounts"], responses=ERROR_RESPONSES)

Reader = Annotated[str, workspace_scope(Permission.ACCOUNTS_READ)]
Writer = Annotated[str, workspace_scope(Permission.ACCOUNTS_WRITE)]


def public_url(request: Request, c: Container, path: str) -> str:
    """A public URL of this API: configured, or API Gateway's domain and stage."""
    configured = c.settings(AccountsSettings).public_api_url
    if configured:
        return configured.rstrip("/") + path
    context = request.scope.get("aws.event", {}).get("requestContext", {})
    if context.get("domainName") and context.get("stage"):
        return f"https://{context['domainName']}/{context['stage']}{path}"
    return str(request.base_url).rstrip("/") + path


def hosted_callback(request: Request, c: Container) -> str:
    """The hosted callback page's public URL."""
    return public_url(request, c, CALLBACK_PATH)


def atproto_client_id(request: Request, c: Container) -> str:
    """atproto OAuth's client_id: the client metadata document's URL where it is https (an authorization
    server fetches it); on http (the local stack, tests) the development client atproto OAuth defines,
    ``http://localhost`` naming the callback and scope in its query, since no server could fetch an http one."""
    metadata = public_url(request, c, CLIENT_METADATA_PATH)
    if metadata.startswith("https://"):
        return metadata
    query = urlencode({"redirect_uri": hosted_callback(request, c), "scope": ATPROTO_SCOPE}, quote_via=quote)
    return f"http://localhost?{query}"


@router.get("")
def list_accounts(
    workspace_id: Reader,
    c: ContainerDep,
    platform: Annotated[str | None, Query(max_length=40)] = None,
    account_status: Annotated[AccountStatus | None, Query(alias="status")] = None,
) -> Envelope[AccountList]:
    """The workspace's accounts, optionally of one platform or status (active, expired, error)."""
    found = service.list_accounts(c.account_deps(), workspace_id, platform=platform, status=account_status)
    return ok(AccountList(accounts=[AccountView.of(a) for a in found]))


@router.post("", dependencies=[IDEMPOTENT], responses={201: {"description": "Connected (no redirect needed)"}})
def connect_account(
    body: ConnectBody, workspace_id: Writer, request: Request, response: Response, c: ContainerDep
) -> Envelope[ConnectStartView] | Envelope[AccountEnvelope] | Envelope[CallbackView]:
    """Start a connect: OAuth networks answer with auth_url and state; Bluesky (app password) and
    Telegram (bot token) connect at once and answer 201 with the account. A credential network sent
    without ``credentials`` answers auth_url and state too: the hosted sign-in page asks the user (Farcaster,
    where its app holds ``appFid`` and ``appCustodyKey``: a new signer, ``approval_url`` where the user approves
    it in Warpcast, and auth_url a hosted page showing it that finishes the connect once approved; or finish
    with ``POST /api/accounts/callback`` {state}, 409 ``APPROVAL_PENDING`` until the user approves it). A
    key with several identities (a Hashnode user's publications) answers ``selection_required`` with
    the choices and a state: finish with ``POST /api/accounts/callback`` {state, selection}."""
    platform = integration(body.platform)
    page = hosted_callback(request, c).removesuffix(CALLBACK_PATH) + SIGN_IN_PATH
    if platform.auth.auth_type is AuthType.SIGNER and body.credentials is None and body.method is None:
        # Farcaster, where the app holds its FID and custody key: a new signer for the user to approve
        request_ = service.ConnectRequest.model_validate(body.model_dump())
        signer = service.start_signer(c.account_deps(), workspace_id, request_, page_url=page)
        if signer is not None:
            return ok(ConnectStartView.model_validate(signer.model_dump()))
    if not platform.oauth_supported and body.credentials is None and body.method is None:
        request_ = service.ConnectRequest.model_validate(body.model_dump())
        hosted = sign_in_page.start(c.account_deps(), workspace_id, platform, request_, page_url=page)
        return ok(ConnectStartView.model_validate(hosted.model_dump()))
    started = service.start_connect(
        c.account_deps(),
        workspace_id,
        service.ConnectRequest.model_validate(body.model_dump()),
        hosted_callback=hosted_callback(request, c),
        atproto_client_id=atproto_client_id(request, c),
    )
    if isinstance(started, service.ConnectStart):
        return ok(ConnectStartView.model_validate(started.model_dump()))
    if isinstance(started, service.ConnectResult):  # several identities: choose with POST /callback
        return ok(_callback_view(started))
    response.status_code = status.HTTP_201_CREATED
    return ok(AccountEnvelope(account=AccountView.of(started)))


@router.post("/callback")
def complete_connect(body: CallbackBody, workspace_id: Writer, c: ContainerDep) -> Envelope[CallbackView]:
    """Finish a connect with the code and state the network sent to your callback_url. Where the
    login gives several identities (Facebook pages), answer again with ``selection``."""
    result = service.complete_connect(
        c.account_deps(),
        state=body.state,
        code=body.code,
        error=body.error,
        workspace_id=workspace_id,
        selection=body.selection,
        callback={k: v for k, v in {"device_id": body.device_id, "iss": body.iss}.items() if v} or None,
    )
    return ok(_callback_view(result))


# The page answers in HTML, but what is refused before it runs (an invalid query, a body too large)
# comes in the JSON envelope as everywhere else; a connect that fails is a page (400 either way).
_ENVELOPE = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
_PAGE = {"text/html": {"schema": {"type": "string"}}}
CALLBACK_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: {"description": HTTPStatus(int(code)).phrase, "content": _ENVELOPE} for code in ERROR_RESPONSES},
    302: {"description": "Connected: on to the return_url given when the connect started"},
    400: {"description": "Not connected (a page), or an invalid query (the envelope)", "content": _PAGE | _ENVELOPE},
}


@router.get("/callback", include_in_schema=True, response_class=HTMLResponse, responses=CALLBACK_PAGE_RESPONSES)
def hosted_callback_page(
    c: ContainerDep,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    selection: Annotated[list[str] | None, Query(max_length=100)] = None,
    device_id: Annotated[str | None, Query(max_length=512)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The hosted callback page (no API key: the single-use state is the credential). Finishes the
    connect and sends the user to the return_url given at the start, or shows the outcome."""
    try:
        result = service.complete_connect(
            c.account_deps(),
            state=state,
            code=code,
            error=error,
            workspace_id=None,
            selection=selection,
            # VK ID's device_id; atproto OAuth's iss (its authorization server, checked against the one resolved)
            callback={k: v for k, v in {"device_id": device_id, "iss": iss}.items() if v} or None,
        )
    except DomainError as exc:
        return _outcome_page("The account could not be connected", exc.message, status.HTTP_400_BAD_REQUEST)
    if result.choices:
        return _selection_page(result.state or "", result.choices)
    return _finished(result, status.HTTP_302_FOUND)


def _finished(result: service.ConnectResult, redirect_code: int) -> Response:
    """Connected: on to the return_url with the accounts' ids, else a page saying so."""
    ids = [a.id for a in result.accounts]
    if result.return_url:
        query = urlencode({"status": "connected", "account_id": ",".join(ids)})
        separator = "&" if "?" in result.return_url else "?"
        return RedirectResponse(f"{result.return_url}{separator}{query}", status_code=redirect_code)
    names = ", ".join(f"{a.name} ({a.platform})" for a in result.accounts)
    return _outcome_page("Account connected", f"{names} can now be published to. You may close this page.")


# The sign-in page is a form the user's browser shows and posts: no API key, the single-use state is the
# credential (and the CSRF token: it is unguessable and bound to the workspace that started the connect).
# Secrets are never written back into the page; it may not be framed, cached or leak the state as a referrer.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
SIGN_IN_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **CALLBACK_PAGE_RESPONSES,
    200: {"description": "The sign-in form", "content": _PAGE},
    303: {"description": "Connected: on to the return_url given when the connect started"},
    429: {
        "description": "Too many failed sign-ins with this state (a page): start the connect again",
        "content": _PAGE | _ENVELOPE,
    },
}


@router.get("/connect", response_class=HTMLResponse, responses=SIGN_IN_PAGE_RESPONSES)
def sign_in_form(c: ContainerDep, state: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The hosted sign-in page of a network that connects with credentials (app password, bot token,
    password, API key): a form of the fields the network needs. A Farcaster signer's: its approval link,
    the page asking Neynar again each time it refreshes, until the user has approved it."""
    try:
        opened = sign_in_page.open_page(c.account_deps(), state)
    except DomainError as exc:
        return _refused_page(exc)
    if isinstance(opened, sign_in_page.SignerApproval):
        return _approval_page(opened)
    if isinstance(opened, service.ConnectResult):  # the signer was approved: connected
        return _finished(opened, status.HTTP_303_SEE_OTHER)
    session, platform = opened
    return _sign_in_form(state, platform, {"instance": session.instance or ""}, session.workspace_name)


@router.post("/connect", response_class=HTMLResponse, responses=SIGN_IN_PAGE_RESPONSES)
async def submit_sign_in(request: Request, c: ContainerDep) -> Response:
    """The sign-in form's submit: connects as ``POST /api/accounts`` with credentials would, then goes
    on as the hosted callback page does; a refusal shows the network's message on the form again."""
    form = {k: v[-1] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    state = form.get("state", "")[:200]
    deps = c.account_deps()
    try:
        result = await run_in_threadpool(sign_in_page.submit, deps, state, form)
    except InvalidState as exc:  # unknown, used, expired, or refused too many sign-ins
        return _refused_page(exc)
    except DomainError as exc:
        try:
            opened = await run_in_threadpool(sign_in_page.open_page, deps, state)
        except DomainError as gone:  # taken meanwhile by another submit of the same state
            return _refused_page(gone)
        if not isinstance(opened, tuple):  # a signer's state is refused before any submit: never here
            return _refused_page(InvalidState())
        session, platform = opened
        return _sign_in_form(state, platform, form, session.workspace_name, error=exc.message)
    if result.choices:  # several identities (a Hashnode user's publications): the hosted choice page
        return _selection_page(result.state or "", result.choices)
    return _finished(result, status.HTTP_303_SEE_OTHER)


@router.get("/{account_id}")
def get_account(account_id: str, workspace_id: Reader, c: ContainerDep) -> Envelope[AccountEnvelope]:
    return ok(AccountEnvelope(account=AccountView.of(service.get_account(c.account_deps(), workspace_id, account_id))))


@router.get("/{account_id}/channels")
def list_channels(
    account_id: str,
    workspace_id: Reader,
    c: ContainerDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=account_channels.MAX_LIMIT)] = account_channels.DEFAULT_LIMIT,
) -> Envelope[ChannelList]:
    """The channels a post to this account may name in its ``channel`` setting (Slack: the workspace's
    public channels, each saying whether the app's bot is in it), read from the network a page at a
    time: send ``next_cursor`` back as ``cursor``. An account whose posts name no channel answers 400."""
    page = account_channels.list_channels(
        c.account_deps(), c.account_channels, workspace_id, account_id, cursor=cursor, limit=limit
    )
    return ok(ChannelList.model_validate(page.model_dump()))


@router.put("/{account_id}")
def update_account(
    account_id: str, body: AccountChangesBody, workspace_id: Writer, c: ContainerDep
) -> Envelope[AccountEnvelope]:
    """Rename, change settings, or make it its network's default account."""
    changes = service.AccountChanges.model_validate(body.model_dump(exclude_unset=True))
    account = service.update_account(c.account_deps(), workspace_id, account_id, changes)
    return ok(AccountEnvelope(account=AccountView.of(account)))


@router.delete("/{account_id}")
def disconnect_account(account_id: str, workspace_id: Writer, c: ContainerDep) -> Envelope[DisconnectView]:
    """Revoke the tokens at the network, take the account out of scheduled posts, remove it."""
    done = service.disconnect_account(
        c.account_deps(), c.account_posts, workspace_id, account_id, scheduler=c.post_scheduler, schedules=c.schedules
    )
    return ok(
        DisconnectView(
            message="Account disconnected successfully",
            cancelled_posts=done.cancelled_posts,
            token_revoked=done.token_revoked,
        )
    )


def _callback_view(result: service.ConnectResult) -> CallbackView:
    if result.choices:
        return CallbackView(
            status="selection_required", state=result.state, choices=[ChoiceView.of(i) for i in result.choices]
        )
    return CallbackView(status="connected", accounts=[AccountView.of(a) for a in result.accounts])


def _outcome_page(title: str, text: str, code: int = status.HTTP_200_OK, error_code: str = "") -> HTMLResponse:
    body = f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
    if error_code:
        body += f'<p><code id="error-code">{html.escape(error_code)}</code></p>'
    return HTMLResponse(body, status_code=code)


def _refused_page(exc: DomainError) -> HTMLResponse:
    """A sign-in page's state that cannot be used: 400, or 429 once it was refused too many sign-ins."""
    code = status.HTTP_429_TOO_MANY_REQUESTS if isinstance(exc, TooManyAttempts) else status.HTTP_400_BAD_REQUEST
    return _outcome_page("The account could not be connected", exc.message, code, error_code=exc.code)


def _selection_page(state: str, choices: list[Identity]) -> HTMLResponse:
    options = "".join(
        f'<label><input type="checkbox" name="selection" value="{html.escape(i.external_id)}"> '
        f"{html.escape(i.name)}</label><br>"
        for i in choices
    )
    body = (
        "<!doctype html><title>Choose what to connect</title><h1>Choose what to connect</h1>"
        # relative: the page is served at .../api/accounts/callback, whatever the stage prefix
        f'<form method="get" action="callback"><input type="hidden" name="state" value="{html.escape(state)}">'
        f'{options}<button type="submit" id="connect">Connect</button></form>'
    )
    return HTMLResponse(body)


def _sign_in_form(
    state: str, platform: Platform, typed: dict[str, str], workspace: str | None, error: str | None = None
) -> HTMLResponse:
    """The form; what the user typed comes back only in the fields that are not secrets. It names the
    workspace the account will join, so the user knows whose app they are giving it to."""
    rows = "".join(_input(f, typed.get(f.name, "")) for f in sign_in_page.form_fields(platform))
    title = f"Connect {platform.name}"
    alert = f'<p role="alert" id="error">{html.escape(error)}</p>' if error else ""
    joins = f'<p id="workspace">To the workspace <strong>{html.escape(workspace)}</strong></p>' if workspace else ""
    body = (
        f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{joins}{alert}"
        # relative: the page is served at .../api/accounts/connect, whatever the stage prefix
        f'<form method="post" action="connect"><input type="hidden" name="state" value="{html.escape(state)}">'
        f'{rows}<button type="submit" id="connect">Connect</button></form>'
    )
    code = status.HTTP_400_BAD_REQUEST if error else status.HTTP_200_OK
    return HTMLResponse(body, status_code=code, headers=_PAGE_HEADERS)


# How often the signer's page asks Neynar again (a meta refresh: the page runs no script, per its CSP)
APPROVAL_REFRESH_SECONDS = 5


def _approval_page(waiting: sign_in_page.SignerApproval) -> HTMLResponse:
    """A signer waiting for the user: the approval link (no QR code: socialpub has no QR encoder) and
    "waiting for approval"; the page reloads itself and finishes the connect once approved."""
    title = f"Connect {waiting.platform.name}"
    name = waiting.workspace_name
    joins = f'<p id="workspace">To the workspace <strong>{html.escape(name)}</strong></p>' if name else ""
    link = html.escape(waiting.approval_url)
    body = (
        f'<!doctype html><meta http-equiv="refresh" content="{APPROVAL_REFRESH_SECONDS}">'
        f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{joins}"
        f'<p>Open this link on the phone where Warpcast is signed in, and approve: <a id="approval" href="{link}">'
        f'{link}</a></p><p id="status">Waiting for approval. This page refreshes itself.</p>'
    )
    return HTMLResponse(body, headers=_PAGE_HEADERS)


def _input(field: sign_in_page.FormField, typed: str) -> str:
    name = html.escape(field.name)
    kind = "password" if field.secret else "text"
    value = "" if field.secret else f' value="{html.escape(typed)}"'  # a secret is never sent back
    required = " required" if field.required else ""
    return (
        f'<label>{html.escape(field.label)}<br><input name="{name}" id="{name}" type="{kind}" autocomplete="off"'
        f'{value} placeholder="{html.escape(field.placeholder)}"{required}></label><br>'
    )


# ---------------------------------------------------------------------------- atproto OAuth client

oauth_router = APIRouter(prefix="/api/oauth", tags=["accounts"])


@oauth_router.get("/bluesky/client-metadata.json")
def bluesky_client_metadata(request: Request, c: ContainerDep) -> dict[str, Any]:
    """atproto OAuth's client metadata document (no API key: a Bluesky authorization server fetches it).
    Its own URL is the client_id; the tokens are DPoP-bound and the client public (no secret)."""
    return {
        "client_id": public_url(request, c, CLIENT_METADATA_PATH),
        "client_name": "socialpub",
        "redirect_uris": [hosted_callback(request, c)],
        "scope": ATPROTO_SCOPE,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "web",
        "dpop_bound_access_tokens": True,
    }


# The module's one router (app_factory includes ``router``): the accounts routes and the client metadata.
_accounts_router = router
router = APIRouter()
router.include_router(_accounts_router)
router.include_router(oauth_router)
