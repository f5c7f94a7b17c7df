"""How a network signs people in, as the emulator describes it for itself.

Each network module under networks/ holds its own ``SIGN_IN``, written from that network's sign-in
docs (cited next to it), never read from the product's catalog: the emulator is an independent
witness, so a wrong URL, scope, profile shape or lifetime in the product's catalog shows up as a
failed sign-in against the emulator instead of being shared by both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# RFC 6750's answer to a missing, expired or revoked bearer token, which most networks give.
INVALID_TOKEN: dict[str, Any] = {
    "error": "invalid_token",
    "error_description": "The access token is invalid or has been revoked",
}


@dataclass(frozen=True)
class Profile:
    """Where the signed-in identity is read, and where each of its values sits in the answer.

    ``fields`` maps id/name/username/image/followers/following/posts/category to dotted paths
    (``data.user.open_id``, ``items.0.id``). Where one sign-in yields several identities (Facebook
    pages), ``choices`` is the path of their list and ``token`` the path of each one's own token.
    ``credential_in_url``: no bearer token, the credential is in the URL (Telegram's bot token)."""

    url: str  # may hold {instance}, {did}, {bot_token}, {chat_id}
    fields: dict[str, str]
    choices: str | None = None
    token: str | None = None
    credential_in_url: bool = False


@dataclass(frozen=True)
class LongLivedExchange:
    """Meta: the code gives a short-lived token, traded at a GET endpoint for a long-lived one."""

    url: str
    grant_type: str
    token_param: str


@dataclass(frozen=True)
class SignIn:
    network: str
    name: str
    docs: str  # the network's page on signing in (avatars are served from its host)
    api: str  # the base URL of the network's API
    profile: Profile
    authorization_url: str | None = None
    token_url: str | None = None
    pkce: bool = False
    access_token_ttl: int | None = None  # seconds; None: the token answer has no expires_in
    refresh_tokens: bool = False  # the code exchange also gives a refresh token
    rotates_refresh_token: bool = False  # each refresh gives a new refresh token
    self_refresh_url: str | None = None  # Threads: a GET that refreshes the long-lived access token itself
    self_refresh_grant: str = "th_refresh_token"  # its grant_type (Instagram Login: ig_refresh_token)
    long_lived: LongLivedExchange | None = None
    revoke_url: str | None = None
    revoke_method: str = "POST"  # Graph: DELETE /me/permissions
    revoke_token_field: str = "token"  # the form field naming the token (VK ID's logout: access_token)
    session_url: str | None = None  # Bluesky: createSession with a handle and an app password
    app_registration_url: str | None = None  # Mastodon: POST /api/v1/apps on the instance
    bot_token: bool = False  # Telegram: getMe with the bot token in the path
    per_instance: bool = False  # Mastodon: the app is registered on each instance
    # VK ID: the redirect back carries a device_id, which the code exchange and every refresh must send
    # again (with a state of the client's own of at least 32 characters); a wrong or missing one is refused.
    device_id: bool = False
    unauthorized: dict[str, Any] = field(default_factory=lambda: INVALID_TOKEN)  # the 401 body

    @property
    def provider(self) -> str:
        """Who issues the tokens: networks signing in at the same token endpoint (Google for YouTube
        and Business Profile, Meta for Facebook and Instagram) share their tokens, as they do for real."""
        return urlsplit(self.token_url or self.session_url or f"https://{self.network}").netloc

    @property
    def site(self) -> str:
        return urlsplit(self.docs).netloc
