"""What the domain needs from the outside world. Adapters implement these; tests may fake them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from socialpub.domain.accounts import Account, AppCredentials, AtprotoStart, ConnectSession, Identity, TokenSet
from socialpub.domain.admin_auth import AdminSession
from socialpub.domain.analytics import TargetMetrics
from socialpub.domain.api_keys import ApiKey
from socialpub.domain.audit import AuditEntry, AuditFilter
from socialpub.domain.events import Event
from socialpub.domain.integrations import Configuration
from socialpub.domain.media import Inspection, Media
from socialpub.domain.platforms import Platform
from socialpub.domain.posts import Post, PostFilter, PostStatus
from socialpub.domain.publishing import PublishMessage, PublishStat, ScheduledPublish, Target
from socialpub.domain.quotas import Cap
from socialpub.domain.schedules import Claim, Schedule
from socialpub.domain.tiers import Tier
from socialpub.domain.users import AdminUser
from socialpub.domain.webhooks import Attempt, Delivery, DeliveryStatus, SendResult, Webhook
from socialpub.domain.workspaces import AccountRef, Workspace


class Clock(Protocol):
    def __call__(self) -> datetime: ...


class ApiKeyRepository(Protocol):
    def get(self, key_id: str) -> ApiKey | None: ...
    def create(self, key: ApiKey) -> None: ...
    def list(self) -> list[ApiKey]: ...
    def revoke(self, key_id: str) -> None: ...
    def save(self, key: ApiKey, previous: ApiKey) -> None: ...


class UsagePlans(Protocol):
    """API Gateway's per-tier metering of keys (deployed stacks; moto in tests)."""

    def bind(self, key_id: str, tier: Tier) -> str: ...
    def move(self, key_id: str, old: Tier, new: Tier) -> None: ...
    def disable(self, key_id: str) -> None: ...


class RequestCounter(Protocol):
    def consume(self, key_id: str, window_start: int, limit: int) -> int | None:
        """Count one request in the window atomically; the new count, or None when the limit is reached."""
        ...


class WorkspaceRepository(Protocol):
    def create(self, workspace: Workspace, *, owner_key_id: str) -> None: ...
    def get(self, workspace_id: str) -> Workspace | None: ...
    def get_many(self, workspace_ids: Iterable[str]) -> list[Workspace]: ...
    def save(self, workspace: Workspace) -> None: ...
    def accounts(self, workspace_id: str) -> list[AccountRef]: ...
    def get_with_accounts(self, workspace_id: str) -> tuple[Workspace | None, list[AccountRef]]:
        """The workspace and its connected accounts (as ``accounts`` lists them), read together."""
        ...

    def mark_deleting(self, workspace: Workspace, now: datetime) -> None: ...
    def purge_items(self, workspace_id: str, budget: int) -> int: ...
    def delete_meta(self, workspace_id: str) -> None: ...
    def tiers_of(self, key_ids: Iterable[str]) -> list[Tier]:
        """The tiers of those of these API keys that exist and are active (a workspace's plan,
        domain/quotas.py)."""
        ...


class WorkspacePurgeQueue(Protocol):
    def request_purge(self, workspace_id: str) -> None: ...


class WorkspaceObjectStore(Protocol):
    def delete_workspace_objects(self, workspace_id: str, budget: int) -> int: ...


class AdminUserRepository(Protocol):
    def get_by_email(self, email: str) -> AdminUser | None: ...
    def get(self, user_id: str) -> AdminUser | None: ...
    def create(self, user: AdminUser) -> None: ...
    def all(self) -> list[AdminUser]: ...
    def save(self, user: AdminUser, previous: AdminUser) -> None:
        """LastAdmin if no active admin would be left."""
        ...

    def delete(self, user: AdminUser) -> None: ...
    def record_login(self, user_id: str, at: datetime) -> None: ...


class AdminSessionStore(Protocol):
    def open(self, session: AdminSession) -> None: ...
    def get(self, session_id: str) -> AdminSession | None: ...
    def close(self, session_id: str) -> None: ...


class LoginFailures(Protocol):
    """Failed logins counted per key (``email:<email>``, ``ip:<address>``) in fixed windows."""

    def count(self, keys: list[str], window: datetime) -> dict[str, int]: ...
    def add(self, keys: list[str], window: datetime, expires: datetime) -> None: ...


class TokenSigner(Protocol):
    def sign(self, claims: dict[str, Any]) -> str: ...
    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this deployment signed (with ``exp``, ``sub``, ``sid``); else SessionEnded."""
        ...


class PostRepository(Protocol):
    """Posts and their media items; every write keeps the workspace's post counters in step."""

    def create(self, post: Post, event: Event | None = None, *, caps: Sequence[Cap] = ()) -> None:
        """Store a new post; each cap's counter moves up with it, and a cap it would go past
        refuses the whole write with the cap's error (QuotaExceeded)."""
        ...

    def get(self, workspace_id: str, post_id: str) -> Post | None: ...
    def save(self, post: Post, previous: Post, event: Event | None = None) -> None:
        """Write ``post`` (and its event) if the stored one is still ``previous`` (else
        ConcurrentModification). A post queued into a schedule's slot claims the slot for each of
        its networks; a slot taken meanwhile by another post is a ConcurrentModification too."""
        ...

    def delete(self, post: Post, event: Event | None = None) -> None: ...
    def page(self, workspace_id: str, where: PostFilter, *, page: int, per_page: int) -> tuple[list[Post], int]:
        """One page, newest first, and the exact number of matching posts."""
        ...

    def after(
        self, workspace_id: str, where: PostFilter, *, cursor: str | None, per_page: int
    ) -> tuple[list[Post], str | None]:
        """The posts after an opaque cursor, and the cursor for the next ones (None at the end)."""
        ...

    def sweepable(self, status: PostStatus, start: datetime, end: datetime) -> Iterable[tuple[str, str]]:
        """(workspace id, post id) of every post, in any workspace, in ``status`` (scheduled) whose
        due time (``scheduled_at``) lies between ``start`` and ``end``, oldest first. An index
        query, never a scan."""
        ...

    def get_media(self, workspace_id: str, media_id: str) -> Media | None: ...
    def add_pending_media(self, media: Media, *, expires_at: int) -> None: ...
    def pending_media(self, workspace_id: str, post_id: str) -> list[Media]:
        """The post's pending uploads (its attached files are on the post)."""
        ...

    def attach_media(self, post: Post, previous: Post, media: Media) -> None: ...
    def detach_media(self, post: Post, previous: Post, media: Media) -> None: ...
    def forget_media(self, media: Media) -> None:
        """Drop a media item that is attached to no post (a pending upload)."""
        ...


class ByteSource(Protocol):
    """A file to inspect, read in ranges (a request body, or an S3 object)."""

    size: int

    def read(self, offset: int, length: int) -> bytes: ...


class MediaInspector(Protocol):
    def inspect(self, source: ByteSource) -> Inspection:
        """Type from the bytes (UnsupportedMediaType otherwise), dimensions, duration, thumbnail."""
        ...


class ImageConverter(Protocol):
    def to_jpeg(self, data: bytes) -> bytes:
        """A JPEG of the image (its first frame; transparency on white). UnsupportedMediaType if the
        bytes are not a readable image, MediaTooLarge above MAX_IMAGE_PIXELS."""
        ...


class MediaObjectStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def source(self, key: str) -> ByteSource | None: ...
    def keep(self, key: str) -> None:
        """Mark a presigned upload as confirmed, so the unconfirmed-upload expiry leaves it alone."""
        ...

    def upload_headers(self, content_type: str) -> dict[str, str]:
        """The headers a client must send with its PUT to an upload URL."""
        ...

    def delete(self, keys: list[str]) -> None: ...
    def download_url(self, key: str, ttl_seconds: int) -> str: ...
    def upload_url(self, key: str, *, content_type: str, size: int, ttl_seconds: int) -> str: ...
    def arrival_upload_url(self, key: str, *, content_type: str, ttl_seconds: int) -> str:
        """A PUT URL bound to the content type alone (the client sends no other header), for a file
        checked when it lands rather than confirmed."""
        ...

    def copy(self, source_key: str, key: str) -> None:
        """A copy of an object under another key (a library file given to a post)."""
        ...


class MediaLibraryRepository(Protocol):
    """The workspace's media library: media items with no post (domain/services/media_library.py)."""

    def get_media(self, workspace_id: str, media_id: str) -> Media | None: ...
    def add_library_media(self, media: Media) -> None:
        """Record a library file (its object is stored), refused if the workspace is not active."""
        ...

    def find_upload(self, media_id: str) -> Media | None:
        """A library file by its id alone, whichever workspace holds it (its public path)."""
        ...

    def remove_library_media(self, media: Media) -> None: ...


class RemoteMedia(Protocol):
    def fetch(self, url: str, max_bytes: int) -> bytes:
        """The file at ``url`` (https; public addresses only, checked at each connection), at most
        ``max_bytes`` (MediaTooLarge past that). RemoteMediaRefused for a URL or address the server
        must not call, RemoteMediaUnavailable when it cannot get the file."""
        ...


class ConfigurationRepository(Protocol):
    def create(self, config: Configuration) -> None: ...
    def get(self, workspace_id: str, integration: str, configuration_id: str) -> Configuration | None: ...
    def list(self, workspace_id: str, integration: str) -> list[Configuration]: ...
    def save(self, config: Configuration) -> None: ...
    def delete(self, config: Configuration) -> None: ...


class DefaultCredentials(Protocol):
    """The deployment's own app credentials per network (Secrets Manager), used when a workspace
    registered none."""

    def get(self, integration: str) -> dict[str, str] | None: ...


class AccountRepository(Protocol):
    def get(self, workspace_id: str, account_id: str) -> Account | None: ...
    def list(self, workspace_id: str) -> list[Account]: ...
    def connect(self, account: Account, previous: Account | None, event: Event, *, caps: Sequence[Cap] = ()) -> None:
        """Create the account (counting it on its workspace) or replace ``previous``, with its event;
        a cap whose counter the write would push past its limit refuses it with the cap's error."""
        ...

    def save(self, account: Account, previous: Account, event: Event | None = None) -> bool:
        """Write ``account`` if the stored one still has ``previous.token_version``; False otherwise."""
        ...

    def take_refresh_lease(self, account: Account, now: datetime, until: datetime) -> bool: ...
    def release_refresh_lease(self, account: Account) -> None: ...
    def delete(self, account: Account, event: Event) -> None: ...
    def due_for_refresh(self, before: datetime) -> Iterable[tuple[str, str]]:
        """(workspace id, account id) of every account whose token expires before ``before``."""
        ...


class ConnectSessionRepository(Protocol):
    def create(self, session: ConnectSession) -> None: ...
    def claim(self, state_hash: str, now: datetime, workspace_id: str | None) -> ConnectSession | None:
        """The session, once: a second claim, one after it expired, or one from another workspace
        (when ``workspace_id`` is given) gets None, and the latter does not use it up."""
        ...

    def await_selection(self, session: ConnectSession) -> None:
        """Keep the claimed session for one more claim: the client is choosing among its identities."""
        ...

    def app(self, workspace_id: str, platform: str, instance: str) -> dict[str, str] | None:
        """A per-instance app registration (Mastodon), its secret sealed, or None."""
        ...

    def save_app(self, workspace_id: str, platform: str, instance: str, sealed: dict[str, str]) -> None: ...


class NetworkAuth(Protocol):
    """A network's sign-in endpoints (OAuth 2, app passwords, bot tokens), as the catalog describes them."""

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
    ) -> str: ...

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
        """``callback``: the values of the catalog's ``callback_params`` the network's redirect carried."""
        ...

    def refresh(
        self, platform: Platform, app: AppCredentials, tokens: dict[str, str], instance: str | None
    ) -> TokenSet:
        """Raises TokenRejected when the network refuses for good, NetworkUnavailable when it may pass."""
        ...

    def revoke(self, platform: Platform, app: AppCredentials, token: str, instance: str | None) -> bool: ...

    def identities(
        self, platform: Platform, tokens: TokenSet, *, instance: str | None, params: dict[str, str]
    ) -> list[Identity]: ...

    def register_app(
        self, platform: Platform, *, instance: str, redirect_uri: str, scopes: list[str]
    ) -> AppCredentials: ...

    def create_signer(self, platform: Platform, *, api_key: str, app_fid: int, custody_key: str) -> tuple[str, str]:
        """Farcaster (Neynar): a new managed signer, its signed key request signed by the app's custody key
        (EIP-712) and registered; its signer_uuid and the approval URL the user opens in Warpcast."""
        ...

    def sign_in(self, platform: Platform, credentials: dict[str, str], instance: str | None = None) -> TokenSet:
        """The flows that are not redirects: Bluesky (handle + app password), Telegram (bot token),
        Lemmy (username + password on ``instance``)."""
        ...

    def start_atproto(
        self, platform: Platform, handle: str, *, entryway: str, client_id: str, redirect_uri: str, state: str
    ) -> AtprotoStart:
        """Bluesky's atproto OAuth: the handle resolved (at ``entryway``) to its PDS and authorization
        server, a pushed request made with a new DPoP key; NetworkRejected where the PDS offers no OAuth."""
        ...

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
        """The code for DPoP-bound tokens (refused unless their ``sub`` is the DID resolved at start and
        ``issuer`` the server's), and the profile they act as."""
        ...


@dataclass(frozen=True)
class StoredRun:
    """A target read together with its post and the post's other targets (one read for a run).
    ``target`` None: not stored; ``targets``: every readable target of the post, by account;
    ``post()`` loads the post when it is needed (DamagedItem there, if it no longer reads)."""

    target: Target | None
    targets: dict[str, Target]
    post: Callable[[], Post | None]


class TargetRepository(Protocol):
    """Publishing targets (one post to one account) and the post's progress derived from them."""

    def begin(self, post: Post, previous: Post, targets: list[Target]) -> None: ...
    def settle(self, post: Post, previous: Post, event: Event | None) -> None: ...
    def get(self, workspace_id: str, post_id: str, account_id: str) -> Target | None: ...
    def run_of(self, workspace_id: str, post_id: str, account_id: str) -> StoredRun:
        """The target, its post and its siblings at once; DamagedItem if the target does not read."""
        ...

    def post_and_targets(self, workspace_id: str, post_id: str) -> tuple[Post | None, list[Target]]:
        """The post (None: not stored; DamagedItem if it does not read) and its readable targets, at once."""
        ...

    def of_post(self, workspace_id: str, post_id: str) -> list[Target]: ...
    def save(self, target: Target, expected_rev: int) -> None:
        """ConcurrentModification if the stored revision is not ``expected_rev``."""
        ...

    def finish(
        self,
        target: Target,
        expected_rev: int | None,
        stat: PublishStat,
        tracking: TargetMetrics | None = None,
        settled: tuple[Post, Post, Event | None] | None = None,
    ) -> None:
        """``expected_rev`` None replaces a stored target that could not be read (DamagedItem). With
        ``settled`` (the post, the post it replaces, its event), the post is settled in the same
        write: ConcurrentModification if either moved on meanwhile."""
        ...

    def record(
        self,
        target: Target,
        expected_rev: int,
        tracking: TargetMetrics | None,
        post: Post,
        previous: Post,
        event: Event | None,
    ) -> None:
        """A target made final by hand and the post settled from it, at once: ConcurrentModification if
        the target moved on from ``expected_rev`` or the post from ``previous`` meanwhile."""
        ...

    def stalled(self, now: datetime, patience: timedelta, limit: int) -> list[tuple[str, str, str]]:
        """(workspace, post, account) of targets that may be stalled (Target.stalled), oldest first."""
        ...


class PublishQueue(Protocol):
    def send(self, messages: list[PublishMessage]) -> None:
        """DependencyUnavailable if any message could not be queued."""
        ...


class PostScheduler(Protocol):
    """One one-time schedule per scheduled post, which delivers its ScheduledPublish when due."""

    def put(self, message: ScheduledPublish) -> None:
        """Create the post's schedule, or move it (DependencyUnavailable if the service failed)."""
        ...

    def delete(self, post_id: str) -> None:
        """Remove the post's schedule; one already gone (fired, or never made) is fine."""
        ...


class ScheduleRepository(Protocol):
    """Slot sets, the slots queued posts have claimed in them, and their publishing counts."""

    def create(self, schedule: Schedule) -> None: ...
    def get(self, workspace_id: str, schedule_id: str) -> Schedule | None: ...
    def of_workspace(self, workspace_id: str) -> list[Schedule]: ...
    def save(self, schedule: Schedule, previous: Schedule) -> None:
        """ConcurrentModification if the stored schedule is not ``previous`` any more."""
        ...

    def delete(self, schedule: Schedule) -> None: ...
    def claims(self, workspace_id: str, schedule_id: str, after: datetime, limit: int = 1000) -> list[Claim]:
        """The slots claimed at or after ``after``, in time order."""
        ...

    def get_with_counts(self, workspace_id: str, schedule_id: str) -> tuple[Schedule | None, dict[str, int]]:
        """The schedule, and ``total`` and one count per ISO week (``2026-W05``) of posts published
        through it, read together."""
        ...


class WebhookRepository(Protocol):
    """Webhooks, their deliveries and attempt logs, and their counters."""

    def create(self, webhook: Webhook) -> None: ...
    def get(self, webhook_id: str) -> Webhook | None: ...
    def all(self) -> list[Webhook]: ...
    def save(self, webhook: Webhook, previous: Webhook) -> None:
        """ConcurrentModification if the stored webhook is not ``previous`` any more."""
        ...

    def delete(self, webhook: Webhook) -> None: ...
    def add_delivery(self, delivery: Delivery) -> bool:
        """Store a new delivery and count it; False (nothing written) if it exists already."""
        ...

    def get_delivery(self, webhook_id: str, delivery_id: str) -> Delivery | None: ...
    def deliveries(self, webhook_id: str, *, limit: int, before: str | None) -> list[Delivery]:
        """Newest first; ``before``: a delivery id, to page on."""
        ...

    def record(self, delivery: Delivery, attempt: Attempt, *, outcome: DeliveryStatus | None) -> Delivery:
        """Log an attempt on the delivery, and count it (and ``outcome``: ``succeeded`` or
        ``failed``, when the delivery ends) in the webhook's stats, at once."""
        ...


class WebhookQueue(Protocol):
    def fan_out(self, events: list[Event]) -> None:
        """Queue events for the dispatcher to make their deliveries."""
        ...

    def deliver(self, webhook_id: str, delivery_ids: list[str]) -> None: ...


class WebhookSender(Protocol):
    def check(self, url: str) -> None:
        """InvalidInput (field ``url``) unless the URL is https to a host whose addresses are all public."""
        ...

    def send(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        """POST once, to the addresses checked at this moment (no redirects, a short timeout)."""
        ...


class EventLog(Protocol):
    """A workspace's lifecycle events, as recorded with the changes (kept events.RETENTION)."""

    def page(self, workspace_id: str, since: datetime, *, page: int, per_page: int) -> tuple[list[Event], int]:
        """Page ``page`` (from 0) of the events that occurred from ``since`` on, newest first, and
        how many there are in all."""
        ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...
    def page(self, where: AuditFilter, *, page: int, per_page: int) -> tuple[list[AuditEntry], int]:
        """Newest first, and how many match in all."""
        ...
