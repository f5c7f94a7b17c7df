"""A channel's other routes on /public/v1: GET /social/:integration (start connecting one),
GET /integration-settings/:id and POST /integration-trigger/:id (what a post to it may carry, and
its tools), GET /find-slot/:id (when a post to it could go next). Channels are the workspace's
accounts; another tenant's id is not found, like any unknown id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field

from socialpub.api.container import Container, ContainerDep
from socialpub.api.main.routers.accounts import hosted_callback
from socialpub.api.postsider.auth import Organisation, requires
from socialpub.api.postsider.identifiers import platform_of
from socialpub.domain.accounts import Account, AccountNotFound, AccountStatus
from socialpub.domain.errors import InvalidInput, NotFound
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import CharacterCounting, Platform, catalog
from socialpub.domain.services import accounts as accounts_service
from socialpub.domain.services.scheduling import next_free_slot

router = APIRouter(tags=["postsider"])

NOT_ALLOWED = "Integration not allowed"
NEEDS_EXTERNAL_URL = "This integration requires an external URL and is not supported via the public API"
NO_SETTINGS = "No additional settings required"
MAX_ID = 200  # longer is no id of the product's (and too long for a table key)


def channel(c: Container, org: Organisation, integration_id: str, *, active: bool = False) -> Account:
    """The organisation's account ``integration_id`` (an active one, with ``active``), else the
    404 Postiz's clients expect."""
    account = c.surface_accounts.get(org.workspace_id, integration_id) if len(integration_id) <= MAX_ID else None
    if account is None or (active and account.status is not AccountStatus.ACTIVE):
        raise AccountNotFound("Integration not found", details={"integration": integration_id})
    return account


# ---------------------------------------------------------------------------- connect


class ConnectUrl(BaseModel):
    url: str


@router.get("/social/{integration}")
def connect_url(
    integration: str,
    request: Request,
    c: ContainerDep,
    org: Organisation = requires(Permission.ACCOUNTS_WRITE),
    refresh: Annotated[str | None, Query(max_length=MAX_ID)] = None,
    instance: Annotated[str | None, Query(max_length=253)] = None,
    configuration_id: Annotated[str | None, Query(max_length=100)] = None,
) -> ConnectUrl:
    """The network's authorization URL, as POST /api/accounts starts a connect without a
    callback_url: the product's hosted callback page finishes it. ``refresh``: an account of that
    network to reconnect (the same identity comes back as the same account). Mastodon needs the
    server, as ``instance`` (or the refreshed account's). Networks that connect with credentials
    instead of a redirect (Bluesky, Telegram) have no URL to give."""
    network = platform_of(integration)
    platform = catalog().get(network) if network else None
    if platform is None or not platform.oauth_supported:
        raise InvalidInput(NOT_ALLOWED, details={"integration": integration})
    if refresh is not None:
        again = channel(c, org, refresh)
        if again.platform != platform.id:
            raise AccountNotFound("Integration not found", details={"integration": refresh})
        instance = instance or again.instance
    if platform.auth.per_instance and not instance:
        raise InvalidInput(NEEDS_EXTERNAL_URL, details={"integration": integration})
    started = accounts_service.start_connect(
        c.account_deps(),
        org.workspace_id,
        accounts_service.ConnectRequest(platform=platform.id, instance=instance, configuration_id=configuration_id),
        hosted_callback=hosted_callback(request, c),
    )
    assert isinstance(started, accounts_service.ConnectStart)  # an OAuth network always redirects
    return ConnectUrl(url=started.auth_url)


# ---------------------------------------------------------------------------- settings and tools


# Postiz's tools are lookups a network's provider makes for a post's settings (boards, flairs...).
# The product's adapters make no such lookup today, so no channel has a tool: settings list none,
# and every trigger of a known channel answers 404 "Tool not found".


class ChannelSettings(BaseModel):
    rules: str
    maxLength: int
    settings: dict[str, Any] | str
    tools: list[dict[str, Any]]  # {"methodName", "description", "dataSchema"} each; none today


class SettingsOutput(BaseModel):
    output: ChannelSettings


_COUNTING = {
    CharacterCounting.TWITTER_WEIGHTED: "weighted: every URL counts 23, emoji and CJK characters 2",
    CharacterCounting.GRAPHEMES: "as graphemes",
    CharacterCounting.EMOJI_AS_BYTES: "emoji count as their UTF-8 bytes",
    CharacterCounting.UTF16: "as UTF-16 units",
    CharacterCounting.CODEPOINTS: "as code points",
    CharacterCounting.MASTODON: "as graphemes, content warning included; every http(s) URL counts 23; "
    "the instance may set another limit",
}


def rules_of(platform: Platform) -> str:
    """The network's rules of the catalog (what validation checks), in one readable string."""
    caps, limits = platform.capabilities, platform.limits
    text = f"at most {limits.max_characters} characters ({_COUNTING[limits.character_counting]})"
    if limits.max_bytes:
        text += f" and {limits.max_bytes} bytes"
    rules = [text]
    counts = [(limits.max_images, "image"), (limits.max_videos, "video"), (limits.max_documents, "document")]
    media = [f"up to {count} {kind}" + ("s" if count > 1 else "") for count, kind in counts if count]
    if media:
        joined = ", ".join(media) + ("" if limits.allow_mixed_media or len(media) == 1 else ", not mixed")
        rules.append(joined)
    else:
        rules.append("no media")
    if limits.requires_media or not caps.supports_text_only:
        rules.append(f"at least one {' or '.join(kind for count, kind in counts if count)} is required")
    if limits.requires_title:
        rules.append(f"a title is required (at most {limits.max_title_length} characters)")
    elif caps.supports_title and limits.max_title_length:
        rules.append(f"an optional title of at most {limits.max_title_length} characters")
    if limits.max_hashtags:
        rules.append(f"at most {limits.max_hashtags} hashtags")
    required = [key for key, spec in platform.settings.items() if spec.required]
    if required:
        rules.append(f"settings required: {', '.join(required)}")
    if limits.daily_post_limit:
        rules.append(f"about {limits.daily_post_limit} posts a day")
    return f"{platform.name}: " + "; ".join(rules) + "."


def settings_schema(platform: Platform) -> dict[str, Any] | str:
    """The JSON schema of the network's typed per-post settings (catalog ``settings``), which a
    post's ``settings`` may carry under these names."""
    if not platform.settings:
        return NO_SETTINGS
    properties: dict[str, Any] = {}
    for key, spec in platform.settings.items():
        properties[key] = {
            "type": spec.type.value,
            **({"enum": spec.enum} if spec.enum else {}),
            **({"description": spec.description} if spec.description else {}),
        }
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = [key for key, spec in platform.settings.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


@router.get("/integration-settings/{integration_id}")
def integration_settings(
    integration_id: str, c: ContainerDep, org: Organisation = requires(Permission.ACCOUNTS_READ)
) -> SettingsOutput:
    platform = catalog()[channel(c, org, integration_id).platform]
    return SettingsOutput(
        output=ChannelSettings(
            rules=rules_of(platform),
            maxLength=platform.limits.max_characters,
            settings=settings_schema(platform),
            tools=[],
        )
    )


class TriggerBody(BaseModel):
    methodName: str = Field(max_length=100)
    data: dict[str, Any] = Field(default_factory=dict)


@router.post("/integration-trigger/{integration_id}", status_code=status.HTTP_201_CREATED)
def integration_trigger(
    integration_id: str, body: TriggerBody, c: ContainerDep, org: Organisation = requires(Permission.ACCOUNTS_READ)
) -> dict[str, Any]:
    """201 ``{"output": ...}`` for a channel's tool; no channel has one (see above)."""
    channel(c, org, integration_id)
    raise NotFound("Tool not found", details={"tool": body.methodName})


# ---------------------------------------------------------------------------- the next free slot


class FreeSlot(BaseModel):
    date: str  # UTC, without zone or milliseconds, as Postiz answers


@router.get("/find-slot/{integration_id}")
def find_slot(
    integration_id: str, c: ContainerDep, org: Organisation = requires(Permission.SCHEDULES_READ)
) -> FreeSlot:
    """The next free time of the workspace's schedules for the channel, else of Postiz's defaults
    (domain/services/scheduling.py ``next_free_slot``)."""
    account = channel(c, org, integration_id, active=True)
    at = next_free_slot(c.posts, c.schedules, account, c.clock())
    return FreeSlot(date=at.strftime("%Y-%m-%dT%H:%M:%S"))
