"""The platform catalog: one JSON file per network in ``socialpub/catalog/``, the single source of truth
for what each network supports, its limits (served by GET /api/platforms, used by validation) and how
to authenticate against it (Pizzly-style integration fields).
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator


class AuthType(StrEnum):
    OAUTH2 = "OAUTH2"
    OAUTH1 = "OAUTH1"
    APP_PASSWORD = "APP_PASSWORD"
    BOT_TOKEN = "BOT_TOKEN"
    WEBHOOK_URL = "WEBHOOK_URL"
    # Farcaster: the app's Neynar API key (app credentials) and the user's approved Neynar signer
    SIGNER = "SIGNER"
    API_KEY = "API_KEY"  # a key or personal token the user makes on the network (Dev.to, Hashnode)
    # A username and password exchanged once for a session token, the password never kept (Lemmy's
    # /api/v3/user/login JWT).
    PASSWORD = "PASSWORD"
    # Nostr: the user's own private key (nsec), sealed and used to sign each event; the account is its
    # public key, and no server is asked anything at connect.
    KEY_PAIR = "KEY_PAIR"


JPEG = "image/jpeg"
# Still images converted to a JPEG copy for networks that take JPEG but not their own type; GIFs are
# left out (an animation would lose its frames).
CONVERTED_TO_JPEG = frozenset({"image/png", "image/webp"})


class CharacterCounting(StrEnum):
    """How a network counts the length of a text (see reference section 2)."""

    TWITTER_WEIGHTED = "twitter_weighted"  # twitter-text weighted length: URLs 23, CJK/emoji 2
    GRAPHEMES = "graphemes"  # user-perceived characters (Bluesky), plus a byte cap
    EMOJI_AS_BYTES = "emoji_as_bytes"  # Threads: emoji count as their UTF-8 byte length
    UTF16 = "utf16"  # UTF-16 code units (TikTok "runes", Instagram, Facebook)
    CODEPOINTS = "codepoints"  # Unicode code points
    MASTODON = "mastodon"  # instance-defined, URLs count characters_reserved_per_url


class RefreshSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supported: bool
    url: HttpUrl | None = None
    grant_type: str | None = None
    rotates_refresh_token: bool = False
    refresh_token_ttl_seconds: int | None = None
    method: Literal["POST", "GET"] = "POST"
    token_param: str = "refresh_token"  # Threads refreshes the long-lived access token itself


class LongLivedExchange(BaseModel):
    """Meta's networks: the code gives a short-lived token, exchanged at once for a long-lived one."""

    model_config = ConfigDict(extra="forbid")

    url: str
    grant_type: str
    token_param: str


class ProfileSpec(BaseModel):
    """Where the connected identity is read after sign-in, and where its fields are in the answer.

    ``fields`` maps id/name/username/image/followers/following/posts (and extra metadata such as
    category) to dotted paths (``data.user.open_id``, ``items.0.id``). Where one sign-in yields several
    publishable identities (Facebook pages, Instagram business accounts), ``choices`` is the path of
    their list and ``token`` the path of each one's own access token; a field path starting ``$.`` is
    read from the whole answer instead of each choice (Hashnode: the user, for each publication). An API
    key with several choices is answered as choices too (``selection_required``).
    """

    model_config = ConfigDict(extra="forbid")

    url: str  # may hold {instance}, {did}, {bot_token}, {chat_id}
    type: str = "profile"
    choices: str | None = None
    token: str | None = None
    # "none": the credential is in the URL (Telegram); "basic": HTTP Basic (a self-hosted WordPress's
    # username and application password)
    auth: Literal["bearer", "none", "api_key", "basic"] = "bearer"
    key_header: str = "Authorization"  # "api_key": the header carrying the key as is (Dev.to: api-key)
    query: str | None = None  # a GraphQL API (Hashnode): the profile is POSTed as this query
    fields: dict[str, str]
    # Identities listed by a network's own walk instead of ``url``: Google Business Profile's locations
    # (each business account's, from the Account Management and Business Information APIs).
    listing: Literal["google_business_locations"] | None = None


class RequestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str
    headers: dict[str, str] = Field(default_factory=dict)


class AuthSettings(BaseModel):
    """What a Pizzly integration file holds."""

    model_config = ConfigDict(extra="forbid")

    auth_type: AuthType
    authorization_url: str | None = None
    token_url: str | None = None
    revoke_url: str | None = None
    revoke_method: Literal["POST", "DELETE"] = "POST"  # Graph: DELETE /me/permissions
    revoke_token_param: str = "token"  # the form field naming the token to revoke (VK ID: access_token)
    scopes: list[str] = Field(default_factory=list)
    scope_separator: str = " "
    pkce: bool = False
    token_params: dict[str, str] = Field(default_factory=dict)
    authorization_params: dict[str, str] = Field(default_factory=dict)
    access_token_ttl_seconds: int | None = None
    refresh: RefreshSettings
    request: RequestSettings
    per_instance: bool = False  # Mastodon: the app is registered on each instance
    client_auth: Literal["post", "basic"] = "post"  # client_secret_post or client_secret_basic
    client_id_param: str = "client_id"  # TikTok: client_key
    long_lived: LongLivedExchange | None = None
    app_registration_url: str | None = None  # Mastodon: POST /api/v1/apps on the instance
    session_url: str | None = None  # Bluesky: createSession with the handle and an app password
    # Discord: posts are made by the app's own bot (``Authorization: Bot <botToken>``, the bot token of
    # the app the account was connected with), never with the user's OAuth token, which Discord refuses.
    app_bot_token: bool = False
    # Bluesky: the host its URLs' ``{instance}`` is when the user names none (bsky.social); a host the user
    # names (their own PDS) is SSRF-guarded like a Mastodon instance.
    default_instance: str | None = None
    # VK ID: values the network adds to the redirect back from its consent page (``device_id``), which its
    # token endpoint wants again at the code exchange and at each refresh: kept sealed with the account.
    callback_params: list[str] = Field(default_factory=list)
    # VK ID: its token endpoint also takes a ``state`` of its own (a fresh random string, echoed back).
    token_state: bool = False
    profile: ProfileSpec


class Capabilities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supports_text_only: bool
    supports_images: bool
    supports_videos: bool
    supports_carousel: bool
    supports_stories: bool
    supports_reels: bool = False
    supports_threads: bool
    supports_first_comment: bool
    supports_alt_text: bool
    supports_title: bool = False
    supports_links: bool = True
    supports_documents: bool = False  # PDF/PPT/DOC posts (LinkedIn document carousels)


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_characters: int
    character_counting: CharacterCounting
    max_bytes: int | None = None
    url_length: int | None = None  # characters a URL counts for, where the network shortens links
    max_images: int
    max_videos: int
    max_documents: int = 0  # where supports_documents: how many documents one post may carry
    # Where the images and the post's link are attached alike (Farcaster's embeds): how many in all
    max_embeds: int | None = None
    # False where a post with an image or a link is its title alone (Reddit's image and link posts)
    text_with_media_or_link: bool = True
    # False where a carousel carries one alt text for the whole post (Pinterest's Pin: its items have none)
    alt_text_per_image: bool = True
    allow_mixed_media: bool
    requires_media: bool = False
    max_image_size_mb: float | None = None
    max_video_size_mb: float | None = None
    max_video_duration: int | None = None  # seconds
    min_video_duration: int | None = None
    image_types: list[str] = Field(default_factory=list)
    video_types: list[str] = Field(default_factory=list)
    min_carousel_items: int | None = None
    max_carousel_items: int | None = None
    max_title_length: int | None = None
    requires_title: bool = False
    max_alt_text_length: int | None = None
    max_hashtags: int | None = None
    max_thread_parts: int | None = None
    daily_post_limit: int | None = None

    def sent_as_jpeg(self, mime_type: str) -> bool:
        """Whether an image of this type goes to the network as a JPEG copy: a PNG or WebP the network
        does not take where it takes JPEG (Instagram takes JPEG alone). The original stays as uploaded,
        for the other networks."""
        return mime_type in CONVERTED_TO_JPEG and mime_type not in self.image_types and JPEG in self.image_types


class SettingType(StrEnum):
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    ARRAY = "array"  # a list of strings (tags)


class SettingSpec(BaseModel):
    """One per-network setting a post may carry in ``platform_content.<network>.settings``."""

    model_config = ConfigDict(extra="forbid")

    type: SettingType
    enum: list[str] | None = None
    required: bool = False
    description: str = ""
    max_items: int | None = None  # arrays: how many items the network takes (Dev.to: 4 tags)
    pattern: str | None = None  # strings, and each item of an array: what the network accepts (a regex)

    def problem(self, value: object) -> str | None:
        """Why ``value`` is not acceptable, or None."""
        if self.type is SettingType.ARRAY:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return "must be an array of strings"
            if self.max_items is not None and len(value) > self.max_items:
                return f"takes at most {self.max_items} items; this one has {len(value)}"
            return next(filter(None, (self._string_problem(item) for item in value)), None)
        expected = {SettingType.STRING: str, SettingType.BOOLEAN: bool, SettingType.INTEGER: int}[self.type]
        if not isinstance(value, expected) or (self.type is SettingType.INTEGER and isinstance(value, bool)):
            return f"must be a {self.type.value}"
        if self.enum is not None and value not in self.enum:
            return f"must be one of {', '.join(self.enum)}"
        return self._string_problem(value) if isinstance(value, str) else None

    def _string_problem(self, value: str) -> str | None:
        if not value.strip():
            return "must not be blank"
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"does not accept {value!r} ({self.description or 'see GET /api/platforms'})"
        return None


class Platform(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    docs_url: HttpUrl
    logo_url: HttpUrl  # a stable public URL of the network's logo (Pizzly's integration ``image``)
    auth: AuthSettings
    capabilities: Capabilities
    limits: Limits
    settings: dict[str, SettingSpec] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    # The network's posts carry the media's own URL, which its clients fetch each time the post is shown
    # (Farcaster's embeds), not once while publishing: that URL is signed for the longest it can last.
    lasting_media_urls: bool = False

    @model_validator(mode="after")
    def _claims_match_limits(self) -> Platform:
        """A capability and its count say the same: a network that takes no videos has no video slots,
        so validation, GET /api/platforms and the publisher cannot disagree."""
        caps, limits = self.capabilities, self.limits
        for kind, claimed, count in (
            ("images", caps.supports_images, limits.max_images),
            ("videos", caps.supports_videos, limits.max_videos),
            ("documents", caps.supports_documents, limits.max_documents),
        ):
            if claimed != (count > 0):
                raise ValueError(f"{self.id}: supports_{kind} is {claimed} but max_{kind} is {count}")
        return self

    @property
    def oauth_supported(self) -> bool:
        return self.auth.auth_type in (AuthType.OAUTH1, AuthType.OAUTH2)


@cache
def catalog() -> dict[str, Platform]:
    """Every platform of the catalog, by id, in a stable (alphabetical) order."""
    folder = resources.files("socialpub") / "catalog"
    platforms = [
        Platform.model_validate(json.loads(entry.read_text()))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    return {p.id: p for p in sorted(platforms, key=lambda p: p.id)}
