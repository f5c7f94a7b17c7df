"""Social accounts in the seed's shapes (seeds/000, Social Accounts). Tokens never appear here."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from socialpub.api.main.schemas.common import PartialUpdate
from socialpub.domain.accounts import (
    Account,
    AccountSettings,
    AccountStats,
    AccountStatus,
    Health,
    Identity,
    channel_group,
)

MAX_URL = 2048


class ConnectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(max_length=40)
    callback_url: str | None = Field(
        None, max_length=MAX_URL, description="Where the network sends the user back; omit to use the hosted page"
    )
    return_url: str | None = Field(
        None, max_length=MAX_URL, description="Hosted flow: where the hosted page sends the user when done"
    )
    scopes: list[str] | None = Field(None, max_length=100)
    configuration_id: str | None = Field(None, max_length=100)
    instance: str | None = Field(
        None, max_length=253, description="Mastodon, Lemmy, self-hosted WordPress: the server, e.g. mastodon.social"
    )
    credentials: dict[str, str] | None = Field(
        None,
        max_length=5,
        description=(
            "Bluesky: identifier + app_password; Telegram: bot_token + chat_id; Lemmy: username + password"
            " (+ totp_2fa_token); self-hosted WordPress: identifier + app_password; Dev.to, Hashnode: api_key"
            "; Nostr: private_key (nsec1... or hex) + relays (wss:// URLs separated by spaces, at most 10)"
            " (no redirect); leave out credentials for the hosted sign-in page (auth_url)"
        ),
    )
    method: Literal["oauth"] | None = Field(
        None,
        description=(
            'Bluesky: "oauth" connects with atproto OAuth instead of an app password: send credentials.identifier'
            " (the handle) alone, and instance to resolve it on your own PDS (else bsky.social); answers auth_url"
            " and state, and the user comes back to the hosted callback (return_url as for OAuth networks)"
        ),
    )


class CallbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str = Field(min_length=1, max_length=200)
    code: str | None = Field(None, max_length=4096)
    error: str | None = Field(None, max_length=200)
    selection: list[str] | None = Field(None, max_length=100, description="The ids of the choices to connect")
    device_id: str | None = Field(
        None, max_length=512, description="VK: the device_id VK ID sent to your callback_url with the code"
    )
    iss: str | None = Field(
        None, max_length=500, description="Bluesky (atproto OAuth): the iss its authorization server sent with the code"
    )


class AccountChangesBody(PartialUpdate):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"group"})

    name: str | None = Field(None, max_length=200)
    is_default: bool | None = None
    settings: AccountSettings | None = None
    group: str | None = Field(
        None, description="A channel group label (at most 100 characters, stripped); null or blank clears it"
    )

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        return channel_group(value)


class AccountView(BaseModel):
    id: str
    platform: str
    type: str
    name: str
    username: str | None
    profile_image: str | None
    status: AccountStatus
    connected_at: datetime
    expires_at: datetime | None
    permissions: list[str]
    metadata: dict[str, str]
    stats: AccountStats
    health: Health
    is_default: bool
    settings: AccountSettings
    group: str | None = None
    instance: str | None = None

    @classmethod
    def of(cls, a: Account) -> AccountView:
        return cls(
            id=a.id,
            platform=a.platform,
            type=a.type,
            name=a.name,
            username=a.username,
            profile_image=a.profile_image,
            status=a.status,
            connected_at=a.connected_at,
            expires_at=a.token_expires_at,
            permissions=a.permissions,
            metadata=a.metadata,
            stats=a.stats,
            health=a.health,
            is_default=a.is_default,
            settings=a.settings,
            group=a.group,
            instance=a.instance,
        )


class AccountList(BaseModel):
    accounts: list[AccountView]


class AccountEnvelope(BaseModel):
    account: AccountView


class ChannelView(BaseModel):
    id: str = Field(description="The channel's id: what a post's channel setting takes")
    name: str
    is_member: bool = Field(description="The app's bot is in it; invite it first (/invite @app) to post elsewhere")
    is_private: bool


class ChannelList(BaseModel):
    channels: list[ChannelView]
    next_cursor: str | None = Field(None, description="Send it back as cursor for the next page; null on the last")


class ConnectStartView(BaseModel):
    auth_url: str
    state: str
    expires_in: int
    # Farcaster's signer made by socialpub: Warpcast's approval URL (auth_url is the hosted page showing it)
    approval_url: str | None = None


class ChoiceView(BaseModel):
    id: str
    type: str
    name: str
    username: str | None
    profile_image: str | None
    metadata: dict[str, str]

    @classmethod
    def of(cls, i: Identity) -> ChoiceView:
        return cls(
            id=i.external_id,
            type=i.type,
            name=i.name,
            username=i.username,
            profile_image=i.profile_image,
            metadata=i.metadata,
        )


class CallbackView(BaseModel):
    status: Literal["connected", "selection_required"]
    accounts: list[AccountView] = []
    state: str | None = None
    choices: list[ChoiceView] = []


class DisconnectView(BaseModel):
    message: str
    cancelled_posts: int
    token_revoked: bool
