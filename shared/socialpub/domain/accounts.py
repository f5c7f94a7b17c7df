"""Social accounts: an identity on a network that a workspace may publish as, with its sealed tokens.

An account's id is derived from its network and the network's id for it, so connecting the same
identity again (a reconnect) updates the account instead of adding a second one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from socialpub.domain.errors import Conflict, DependencyUnavailable, InvalidInput, NotFound
from socialpub.domain.workspaces import counter_moves, normalize_hashtag

CONNECT_TTL_SECONDS = 600  # how long a connect's state (and its auth_url) stays usable
REFRESH_MARGIN = timedelta(minutes=10)  # a token this close to expiry is refreshed before use
REFRESH_LEASE = timedelta(seconds=30)  # one refresh at a time per account; a crashed holder expires
HOSTED = "hosted"  # the redirect_uri kind when the product's own callback page completes the connect
GROUP_MAX_LENGTH = 100


class AccountStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # the network rejected the token for good: reconnect
    ERROR = "error"  # the last attempt to use or refresh it failed for a reason that may pass


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"
    default_message = "Account not found"


class AuthenticationNotFound(NotFound):
    code = "AUTHENTICATION_NOT_FOUND"
    default_message = "Authentication not found"


class InvalidState(InvalidInput):
    code = "INVALID_STATE"
    default_message = "This connect state is unknown, already used, expired or of another workspace; start again"


class TooManyAttempts(InvalidState):
    """A hosted sign-in page's state that was refused too many credentials: it cannot be tried again, so
    the page cannot be used to guess a password; the user starts the connect again."""

    code = "TOO_MANY_ATTEMPTS"
    default_message = "Too many failed sign-ins with this page; start the connect again"


class IntegrationNotConfigured(InvalidInput):
    code = "INTEGRATION_NOT_CONFIGURED"
    default_message = "No app credentials for this network"


class NetworkRejected(InvalidInput):
    """The network refused the request for good (bad code, bad credentials, missing permission)."""

    code = "NETWORK_REJECTED"
    default_message = "The network refused the request"


class HostNotAllowed(NetworkRejected):
    """The network's host (an account's Mastodon instance) resolves now to an address the server
    may not reach: nothing was sent."""

    code = "HOST_NOT_ALLOWED"


class TokenRejected(NetworkRejected):
    """The network rejected the token or refresh token (invalid_grant, 401): only a reconnect helps."""

    code = "TOKEN_REJECTED"


class NetworkUnavailable(DependencyUnavailable):
    """A timeout, a connection failure or a 5xx from the network, after retries: try again later."""

    code = "NETWORK_UNAVAILABLE"
    default_message = "The network did not answer; retry shortly"


class NotRefreshable(InvalidInput):
    code = "TOKEN_NOT_REFRESHABLE"
    default_message = "This network's tokens cannot be refreshed; reconnect the account before they expire"


class AccountExpired(Conflict):
    code = "ACCOUNT_EXPIRED"
    default_message = "The network rejected this account's token; reconnect it"


class AppCredentials(BaseModel):
    """An app's client id and secret, opened for one call; never stored like this."""

    client_id: str
    client_secret: str


class TokenSet(BaseModel):
    """What a network's token endpoint (or sign-in) answered."""

    access_token: str
    refresh_token: str | None = None
    expires_in: int | None = None
    refresh_expires_in: int | None = None
    scopes: list[str] | None = None
    extra: dict[str, str] = Field(default_factory=dict)  # e.g. Bluesky's did, Telegram's chat id


class AtprotoStart(BaseModel):
    """An atproto OAuth connect started (Bluesky): where to send the user, and what the exchange needs
    again. ``verifier`` (PKCE) and ``dpop_key`` (PEM) are secrets, sealed in the connect session; ``server``
    (the DID, handle, PDS, issuer, endpoints) and ``nonce`` are not."""

    auth_url: str
    verifier: str
    dpop_key: str
    nonce: str | None = None
    server: dict[str, str]


class Identity(BaseModel):
    """An identity the network says the token may act as."""

    external_id: str
    type: str
    name: str
    username: str | None = None
    profile_image: str | None = None
    followers: int | None = None
    following: int | None = None
    posts_total: int | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    access_token: str | None = None  # its own token, where the network issues one (Facebook pages)


class AccountStats(BaseModel):
    followers: int | None = None
    following: int | None = None
    posts_total: int | None = None
    posts_this_month: int = 0


class Health(BaseModel):
    token_valid: bool = True
    last_sync: datetime | None = None
    errors: list[str] = Field(default_factory=list)


class AccountSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto_hashtags: bool = False
    default_hashtags: list[str] = Field(default_factory=list, max_length=30)

    @field_validator("default_hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        return [normalize_hashtag(tag) for tag in value]


def channel_group(value: str | None) -> str | None:
    """A channel group's label as stored: stripped, at most GROUP_MAX_LENGTH characters; a blank
    label is no group (as null is), so that a group list never shows an empty name."""
    if value is None:
        return None
    label = value.strip()
    if len(label) > GROUP_MAX_LENGTH:
        raise ValueError(f"must be at most {GROUP_MAX_LENGTH} characters")
    return label or None


def account_id(workspace_id: str, platform: str, external_id: str) -> str:
    """The id of a network identity connected in a workspace: the same on every reconnect there (so a
    reconnect updates the account), and another in every other workspace, so that no tenant can tell
    from an id that another connected the same identity."""
    return "acc_" + hashlib.sha256(f"{workspace_id}\n{platform}\n{external_id}".encode()).hexdigest()[:24]


def legacy_account_id(platform: str, external_id: str) -> str:
    """How ids were made before they included the workspace; accounts stored so keep their id."""
    return "acc_" + hashlib.sha256(f"{platform}\n{external_id}".encode()).hexdigest()[:24]


class Account(BaseModel):
    id: str
    workspace_id: str
    platform: str
    type: str
    external_id: str
    name: str
    username: str | None = None
    profile_image: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    connected_at: datetime
    updated_at: datetime
    permissions: list[str] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)
    stats: AccountStats = Field(default_factory=AccountStats)
    health: Health = Field(default_factory=Health)
    is_default: bool = False
    settings: AccountSettings = Field(default_factory=AccountSettings)
    # A label the workspace files the account under (PostSider's channel "customer"); None: no group.
    group: str | None = None
    configuration_id: str | None = None  # the workspace's app it was connected with; None: the deployment's
    instance: str | None = None  # Mastodon: the server it lives on
    sealed: dict[str, str] = Field(default_factory=dict)  # access_token, refresh_token, app_password, bot_token
    masked: dict[str, str] = Field(default_factory=dict)
    token_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    token_updated_at: datetime
    token_version: int = 1  # every token write asserts the version it read: a newer token is never lost

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        return channel_group(value)

    def context(self, field: str) -> dict[str, str]:
        """A sealed token opens only for this account and field (see SecretBox)."""
        return {"workspace_id": self.workspace_id, "record": f"account/{self.platform}/{self.id}", "field": field}

    def needs_refresh(self, now: datetime) -> bool:
        return self.token_expires_at is not None and self.token_expires_at - now <= REFRESH_MARGIN

    def summary(self) -> dict[str, Any]:
        """What account events carry."""
        return {
            "account_id": self.id,
            "platform": self.platform,
            "name": self.name,
            "username": self.username,
            "status": self.status.value,
        }


class ConnectSession(BaseModel):
    """A started connect, found again by its state (stored hashed) when the network sends the user back."""

    state_hash: str
    workspace_id: str
    platform: str
    configuration_id: str | None = None
    redirect_uri: str
    hosted: bool = False
    return_url: str | None = None
    scopes: list[str]
    instance: str | None = None
    sealed_verifier: str | None = None
    expires_at: datetime
    # Set when the sign-in yielded several identities (pages) and the client must pick some:
    choices: list[Identity] = Field(default_factory=list)
    sealed_tokens: dict[str, str] = Field(default_factory=dict)
    # The hosted sign-in page's: the workspace's name it shows, and its refused sign-ins so far
    workspace_name: str | None = None
    failed_attempts: int = 0
    # atproto OAuth (Bluesky): the account's DID, handle, PDS, authorization server and its endpoints, the
    # client_id and the server's last DPoP nonce (nothing secret: the key and verifier are sealed)
    server: dict[str, str] = Field(default_factory=dict)

    def context(self, field: str) -> dict[str, str]:
        return {"workspace_id": self.workspace_id, "record": f"connect/{self.state_hash}", "field": field}


def state_hash(state: str) -> str:
    """States are stored hashed: a read of the table does not give a usable state."""
    return hashlib.sha256(state.encode()).hexdigest()


def check_redirect_url(url: str, field: str) -> str:
    """An absolute https URL, or http on loopback (RFC 8252, for apps and development), without fragment."""
    parts = urlsplit(url)
    loopback = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not loopback):
        raise InvalidInput(f"{field} must be an absolute https URL (http only on localhost)", details={"field": field})
    if parts.fragment:
        raise InvalidInput(f"{field} must not have a #fragment", details={"field": field})
    return url


def account_counters(account: Account | None) -> dict[str, int]:
    """What one account adds to its workspace's counters: in all and by status."""
    return {"accounts_count": 1, f"accounts_{account.status.value}": 1} if account is not None else {}


def account_deltas(before: Account | None, after: Account | None) -> dict[str, int]:
    return counter_moves(account_counters(before), account_counters(after))
