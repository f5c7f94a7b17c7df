"""Wiring: adapters built once per process from validated settings, handed to routes as a dependency.

Tests replace ``clock``/``epoch`` or any adapter attribute on the container; nothing else is global.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

from fastapi import Depends, Request

from socialpub import config
from socialpub.adapters.aws import deferred
from socialpub.adapters.dynamodb.api_keys import DynamoApiKeyRepository, DynamoRequestCounter

if TYPE_CHECKING:
    from socialpub.adapters.admin_tokens import SecretsManagerJwtSigner
    from socialpub.adapters.authorizer_cache import ApiGatewayAuthorizerCache
    from socialpub.adapters.default_credentials import SecretsManagerDefaults
    from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository, DynamoConnectSessionRepository
    from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
    from socialpub.adapters.dynamodb.audit import DynamoAuditLog
    from socialpub.adapters.dynamodb.idempotency import DynamoIdempotencyStore
    from socialpub.adapters.dynamodb.integrations import DynamoConfigurationRepository
    from socialpub.adapters.dynamodb.posts import DynamoPostRepository
    from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository
    from socialpub.adapters.dynamodb.schedules import DynamoScheduleRepository
    from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository
    from socialpub.adapters.health import AwsHealthProbe
    from socialpub.adapters.host_guard import PublicHostGuard
    from socialpub.adapters.media_probe import MediaProbe
    from socialpub.adapters.media_store import S3MediaStore
    from socialpub.adapters.network_auth import HttpNetworkAuth
    from socialpub.adapters.queues import SqsPublishQueue, SqsWorkspacePurgeQueue
    from socialpub.adapters.remote_media import HttpRemoteMedia
    from socialpub.adapters.scheduler import EventBridgePostScheduler
    from socialpub.adapters.secrets import KmsSecretBox
    from socialpub.adapters.usage_plans import ApiGatewayUsagePlans
    from socialpub.adapters.webhook_sender import HttpWebhookSender
    from socialpub.domain.channels import ChannelLister
    from socialpub.domain.publishing import Permalink
    from socialpub.domain.services.accounts import AccountDeps
    from socialpub.domain.services.admin_auth import AdminAuthDeps
    from socialpub.domain.services.admin_stats import StatsDeps
    from socialpub.domain.services.analytics import AnalyticsDeps
    from socialpub.domain.services.collector import CollectorDeps
    from socialpub.domain.services.keys import KeyAdmin
    from socialpub.domain.services.media_library import LibraryDeps
    from socialpub.domain.services.notifications import NotificationDeps
    from socialpub.domain.services.post_statistics import StatisticsDeps
    from socialpub.domain.services.schedules import ScheduleDeps
    from socialpub.domain.services.scheduling import SchedulingDeps
    from socialpub.domain.services.webhooks import WebhookDeps

S = TypeVar("S", bound=config.BaseSettings)


@dataclass(frozen=True)
class MediaLinks:
    """How responses show media: a signing function for object keys, and when its URLs expire."""

    sign: Callable[[str], str]
    expires_at: datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


class _OnFirstUse:
    """Stands for the adapter ``make`` returns, and calls it on the adapter's first use (an attribute
    read), so that a request which never uses it does not import its code."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], object]) -> None:
        self._make = make
        self._made: object | None = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


class Container:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self._settings: dict[type[Any], Any] = {}
        self.clock: Callable[[], datetime] = utcnow
        self.epoch: Callable[[], float] = time.time
        # How a publish request waits for its results (tests pass a sleep that only records).
        self.sleep: Callable[[float], None] = time.sleep
        self.monotonic: Callable[[], float] = time.monotonic

    def configure(self, **variables: str) -> None:
        """Change environment variables after start (tests; the local stack): settings are read again."""
        self._environ.update(variables)
        self._settings.clear()

    def settings(self, model: type[S]) -> S:
        if model not in self._settings:
            self._settings[model] = config.load(model, self._environ)
        loaded: S = self._settings[model]
        return loaded

    @cached_property
    def api_keys(self) -> DynamoApiKeyRepository:
        return DynamoApiKeyRepository(deferred("dynamodb"), self.settings(config.AuthSettings).api_keys_table)

    @cached_property
    def key_management(self) -> DynamoApiKeyRepository:
        s = self.settings(config.KeyManagementSettings)
        return DynamoApiKeyRepository(deferred("dynamodb"), s.api_keys_table, s.workspaces_table)

    @cached_property
    def authorizer_cache(self) -> ApiGatewayAuthorizerCache:
        from socialpub.adapters.authorizer_cache import ApiGatewayAuthorizerCache

        return ApiGatewayAuthorizerCache()

    @cached_property
    def request_counter(self) -> DynamoRequestCounter:
        return DynamoRequestCounter(deferred("dynamodb"), self.settings(config.AuthSettings).api_keys_table)

    @cached_property
    def idempotency(self) -> DynamoIdempotencyStore:
        from socialpub.adapters.dynamodb.idempotency import DynamoIdempotencyStore

        return DynamoIdempotencyStore(deferred("dynamodb"), self.settings(config.AuthSettings).api_keys_table)

    @cached_property
    def workspaces(self) -> DynamoWorkspaceRepository:
        from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository

        s = self.settings(config.WorkspacesSettings)
        return DynamoWorkspaceRepository(deferred("dynamodb"), s.workspaces_table, s.api_keys_table)

    @cached_property
    def post_workspaces(self) -> DynamoWorkspaceRepository:
        """Workspaces as the posts and media functions see them; the keys table only to read the
        tiers of a workspace's keys (its plan's monthly posts)."""
        from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository

        s = self.settings(config.PostsSettings)
        return DynamoWorkspaceRepository(deferred("dynamodb"), s.workspaces_table, s.api_keys_table)

    @cached_property
    def posts(self) -> DynamoPostRepository:
        from socialpub.adapters.dynamodb.posts import DynamoPostRepository

        return DynamoPostRepository(deferred("dynamodb"), self.settings(config.PostsSettings).workspaces_table)

    @cached_property
    def targets(self) -> DynamoTargetRepository:
        from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository

        return DynamoTargetRepository(deferred("dynamodb"), self.settings(config.PostsSettings).workspaces_table)

    @property
    def permalink(self) -> Permalink:
        """A network post's public address from its id, where the network makes one without a call."""
        from socialpub.adapters.publishers import permalink

        return permalink

    @cached_property
    def publish_queue(self) -> SqsPublishQueue:
        from socialpub.adapters.queues import SqsPublishQueue

        return SqsPublishQueue(deferred("sqs"), self.settings(config.PublishingSettings).publish_queue_url)

    @cached_property
    def post_accounts(self) -> DynamoAccountRepository:
        """Accounts as publishing sees them: which to publish to (no tokens are opened in the API)."""
        from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository

        return DynamoAccountRepository(deferred("dynamodb"), self.settings(config.PostsSettings).workspaces_table)

    @cached_property
    def post_scheduler(self) -> EventBridgePostScheduler:
        from socialpub.adapters.scheduler import EventBridgePostScheduler

        s = self.settings(config.PostScheduleSettings)
        return EventBridgePostScheduler(
            deferred("scheduler"),
            group=s.post_schedule_group,
            target_arn=s.publish_queue_arn,
            role_arn=s.post_scheduler_role_arn,
            dead_letter_arn=s.publish_dlq_arn,
        )

    @cached_property
    def schedules(self) -> DynamoScheduleRepository:
        from socialpub.adapters.dynamodb.schedules import DynamoScheduleRepository

        return DynamoScheduleRepository(deferred("dynamodb"), self.settings(config.SchedulesSettings).workspaces_table)

    @cached_property
    def schedule_workspaces(self) -> DynamoWorkspaceRepository:
        """Workspaces as the schedules function sees them (their time zone and accounts)."""
        from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository

        table = self.settings(config.SchedulesSettings).workspaces_table
        return DynamoWorkspaceRepository(deferred("dynamodb"), table)

    def scheduling_deps(self) -> SchedulingDeps:
        from socialpub.domain.services.scheduling import SchedulingDeps

        return SchedulingDeps(
            posts=self.posts,
            accounts=self.post_accounts,
            workspaces=self.post_workspaces,
            scheduler=self.post_scheduler,
            clock=self.clock,
        )

    def schedule_deps(self) -> ScheduleDeps:
        from socialpub.domain.services.schedules import ScheduleDeps

        return ScheduleDeps(schedules=self.schedules, workspaces=self.schedule_workspaces, clock=self.clock)

    @cached_property
    def media_objects(self) -> S3MediaStore:
        from socialpub.adapters.media_store import S3MediaStore

        return S3MediaStore(deferred("s3"), self.settings(config.PostsSettings).media_bucket)

    def media_links(self) -> MediaLinks:
        ttl = self.settings(config.PostsSettings).media_url_ttl_seconds
        return MediaLinks(
            sign=lambda key: self.media_objects.download_url(key, ttl),
            expires_at=self.clock() + timedelta(seconds=ttl),
        )

    @cached_property
    def media_probe(self) -> MediaProbe:
        # Imported here: Pillow costs every other function's cold start, and only media needs it.
        from socialpub.adapters.media_probe import MediaProbe

        return MediaProbe()

    @cached_property
    def configurations(self) -> DynamoConfigurationRepository:
        from socialpub.adapters.dynamodb.integrations import DynamoConfigurationRepository

        return DynamoConfigurationRepository(
            deferred("dynamodb"), self.settings(config.IntegrationsSettings).workspaces_table
        )

    @cached_property
    def secrets(self) -> KmsSecretBox:
        from socialpub.adapters.secrets import KmsSecretBox

        return KmsSecretBox(deferred("kms"), self.settings(config.IntegrationsSettings).secrets_key_id)

    # The accounts adapters are imported where first used: httpx and the network code would cost the
    # cold start of every function that never talks to a network.
    @cached_property
    def accounts(self) -> DynamoAccountRepository:
        from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository

        return DynamoAccountRepository(
            deferred("dynamodb"), self.settings(config.IntegrationsSettings).workspaces_table
        )

    @cached_property
    def account_posts(self) -> DynamoPostRepository:
        """Posts as disconnecting an account sees them (it only takes the account out of targets)."""
        from socialpub.adapters.dynamodb.posts import DynamoPostRepository

        return DynamoPostRepository(deferred("dynamodb"), self.settings(config.IntegrationsSettings).workspaces_table)

    @cached_property
    def connect_sessions(self) -> DynamoConnectSessionRepository:
        from socialpub.adapters.dynamodb.accounts import DynamoConnectSessionRepository

        return DynamoConnectSessionRepository(
            deferred("dynamodb"), self.settings(config.IntegrationsSettings).workspaces_table
        )

    @cached_property
    def default_credentials(self) -> SecretsManagerDefaults:
        from socialpub.adapters.default_credentials import SecretsManagerDefaults

        s = self.settings(config.IntegrationsSettings)
        return SecretsManagerDefaults(deferred("secretsmanager"), s.integration_defaults_secret)

    @cached_property
    def network_auth(self) -> HttpNetworkAuth:
        from socialpub.adapters.network_auth import HttpNetworkAuth

        return HttpNetworkAuth()

    @cached_property
    def host_guard(self) -> PublicHostGuard:
        from socialpub.adapters.host_guard import PublicHostGuard

        return PublicHostGuard()

    @cached_property
    def admin_signer(self) -> SecretsManagerJwtSigner:
        from socialpub.adapters.admin_tokens import SecretsManagerJwtSigner

        return SecretsManagerJwtSigner(deferred("secretsmanager"), self.settings(config.AdminSettings).admin_jwt_secret)

    def admin_auth_deps(self) -> AdminAuthDeps:
        from socialpub.adapters.dynamodb.users import (
            DynamoAdminSessionStore,
            DynamoAdminUserRepository,
            DynamoLoginFailures,
        )
        from socialpub.domain.services.admin_auth import AdminAuthDeps

        s = self.settings(config.AdminSettings)
        ddb = deferred("dynamodb")
        return AdminAuthDeps(
            users=DynamoAdminUserRepository(ddb, s.users_table),
            sessions=DynamoAdminSessionStore(ddb, s.users_table),
            failures=DynamoLoginFailures(ddb, s.users_table),
            signer=self.admin_signer,
            clock=self.clock,
            token_ttl=timedelta(seconds=s.admin_token_ttl_seconds),
            audit=self.admin_audit(),
        )

    @cached_property
    def usage_plans(self) -> ApiGatewayUsagePlans:
        """Cached: it looks the tiers' plan ids up once."""
        from socialpub.adapters.usage_plans import ApiGatewayUsagePlans

        prefix = self.settings(config.AdminSettings).usage_plan_prefix
        return ApiGatewayUsagePlans(deferred("apigateway"), name_prefix=prefix)

    def key_admin(self) -> KeyAdmin:
        from socialpub.domain.services.keys import KeyAdmin

        s = self.settings(config.AdminSettings)
        return KeyAdmin(
            keys=DynamoApiKeyRepository(deferred("dynamodb"), s.api_keys_table, s.workspaces_table),
            plans=self.usage_plans,
            audit=self.admin_audit(),
            clock=self.clock,
        )

    def stats_deps(self) -> StatsDeps:
        from socialpub.adapters.dynamodb.events import DynamoActivity
        from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository
        from socialpub.domain.services.admin_stats import StatsDeps

        s = self.settings(config.AdminSettings)
        return StatsDeps(
            workspaces=DynamoWorkspaceRepository(deferred("dynamodb"), s.workspaces_table),
            users=self.admin_auth_deps().users,
            keys=self.key_admin().keys,
            usage=self.request_counter.usage,
            activity=DynamoActivity(deferred("dynamodb"), s.workspaces_table),
            clock=self.clock,
        )

    def health_probe(self) -> AwsHealthProbe:
        from socialpub.adapters.health import AwsHealthProbe

        s = self.settings(config.AdminSettings)
        return AwsHealthProbe(
            ddb=deferred("dynamodb"),
            table=s.workspaces_table,
            s3=deferred("s3"),
            bucket=s.media_bucket,
            sqs=deferred("sqs"),
            queues={
                "publish": s.publish_queue_url,
                "webhooks": s.webhook_queue_url,
                "publish_dlq": s.publish_dlq_url,
                "webhooks_dlq": s.webhook_dlq_url,
            },
        )

    def admin_audit(self) -> DynamoAuditLog:
        from socialpub.adapters.dynamodb.audit import DynamoAuditLog

        return DynamoAuditLog(deferred("dynamodb"), self.settings(config.AdminSettings).users_table, self.clock)

    @cached_property
    def webhook_sender(self) -> HttpWebhookSender:
        from socialpub.adapters.webhook_sender import HttpWebhookSender

        return HttpWebhookSender(allow_loopback=self.settings(config.AdminSettings).allow_loopback_targets)

    def webhook_deps(self) -> WebhookDeps:
        from socialpub.adapters.dynamodb.webhooks import DynamoWebhookRepository
        from socialpub.adapters.queues import SqsWebhookQueue
        from socialpub.adapters.secrets import KmsSecretBox
        from socialpub.domain.services.webhooks import WebhookDeps

        s = self.settings(config.AdminSettings)
        return WebhookDeps(
            webhooks=DynamoWebhookRepository(deferred("dynamodb"), s.users_table),
            box=KmsSecretBox(deferred("kms"), s.secrets_key_id),
            sender=self.webhook_sender,
            queue=SqsWebhookQueue(deferred("sqs"), s.webhook_queue_url),
            clock=self.clock,
            audit=self.admin_audit(),
        )

    def account_deps(self) -> AccountDeps:
        from socialpub.domain.services.accounts import AccountDeps

        return AccountDeps(
            accounts=self.accounts,
            sessions=self.connect_sessions,
            configurations=self.configurations,
            defaults=self.default_credentials,
            # made on first use: most account routes (a list, a read) never talk to a network, and
            # importing the sign-in code (httpx, the networks') would cost their cold start
            network=cast("HttpNetworkAuth", _OnFirstUse(lambda: self.network_auth)),
            box=self.secrets,
            clock=self.clock,
            guard_host=self.host_guard,
            workspaces=self.account_workspaces,
        )

    @cached_property
    def account_channels(self) -> ChannelLister:
        """Each network's list of an account's channels (Slack's conversations.list), imported on first
        use like the sign-in code: only the route listing channels pays for the networks' HTTP client."""
        from socialpub.adapters.publishers import channels_for
        from socialpub.adapters.publishers.http import NetworkHttp

        http = NetworkHttp()
        return lambda platform: channels_for(platform, http)

    @cached_property
    def account_workspaces(self) -> DynamoWorkspaceRepository:
        """Workspaces as connecting sees them: their accounts counter and their keys' tiers (the
        plan's channels)."""
        from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository

        s = self.settings(config.IntegrationsSettings)
        return DynamoWorkspaceRepository(deferred("dynamodb"), s.workspaces_table, s.api_keys_table)

    @cached_property
    def analytics(self) -> DynamoAnalyticsRepository:
        from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository

        return DynamoAnalyticsRepository(deferred("dynamodb"), self.settings(config.AnalyticsSettings).workspaces_table)

    @property
    def analytics_deps(self) -> AnalyticsDeps:
        """What the analytics routes read (the posts, accounts and analytics functions alike)."""
        from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository
        from socialpub.adapters.dynamodb.posts import DynamoPostRepository
        from socialpub.domain.services.analytics import AnalyticsDeps

        table = self.settings(config.AnalyticsSettings).workspaces_table
        return AnalyticsDeps(
            analytics=self.analytics,
            posts=DynamoPostRepository(deferred("dynamodb"), table),
            accounts=DynamoAccountRepository(deferred("dynamodb"), table),
            clock=self.clock,
        )

    @cached_property
    def collector_deps(self) -> CollectorDeps:
        """What refreshing a post's figures needs: its accounts' tokens and the networks' insights."""
        return self._refresher(self.settings(config.AnalyticsSettings))

    def _refresher(self, s: config.AnalyticsSettings | config.PubloraSettings) -> CollectorDeps:
        """A fresh read of figures from the network (the analytics refresh, Publora's statistics)."""
        from socialpub.wiring import account_deps, collector_deps

        accounts = account_deps(
            s.workspaces_table,
            secrets_key_id=s.secrets_key_id,
            defaults_secret=s.integration_defaults_secret,
            clock=self.clock,
            network=self.network_auth,
        )
        return collector_deps(s.workspaces_table, accounts, clock=self.clock)

    @cached_property
    def surface_accounts(self) -> DynamoAccountRepository:
        """Accounts as the compatible surfaces (PostSider, Publora) list them: they open no tokens."""
        from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository

        table = self.settings(config.PostsiderSettings).workspaces_table
        return DynamoAccountRepository(deferred("dynamodb"), table)

    @property
    def postsider_analytics_deps(self) -> AnalyticsDeps:
        """What the PostSider analytics routes read (PostsiderFunction's table; it never refreshes)."""
        from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository
        from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
        from socialpub.adapters.dynamodb.posts import DynamoPostRepository
        from socialpub.domain.services.analytics import AnalyticsDeps

        table = self.settings(config.PostsiderSettings).workspaces_table
        return AnalyticsDeps(
            analytics=DynamoAnalyticsRepository(deferred("dynamodb"), table),
            posts=DynamoPostRepository(deferred("dynamodb"), table),
            accounts=DynamoAccountRepository(deferred("dynamodb"), table),
            clock=self.clock,
        )

    @property
    def postsider_notification_deps(self) -> NotificationDeps:
        """The workspace's lifecycle events, as PostSider's notifications read them."""
        from socialpub.adapters.dynamodb.events import DynamoEventLog
        from socialpub.domain.services.notifications import NotificationDeps

        table = self.settings(config.PostsiderSettings).workspaces_table
        return NotificationDeps(events=DynamoEventLog(deferred("dynamodb"), table), clock=self.clock)

    @cached_property
    def postsider_media(self) -> S3MediaStore:
        """The media bucket as PostSider's uploads and posts use it."""
        from socialpub.adapters.media_store import S3MediaStore

        return S3MediaStore(deferred("s3"), self.settings(config.PostsiderSettings).media_bucket)

    @cached_property
    def remote_media(self) -> HttpRemoteMedia:
        """Files fetched by URL, through the SSRF guard (loopback only where the stack allows it)."""
        from socialpub.adapters.remote_media import HttpRemoteMedia

        return HttpRemoteMedia(allow_loopback=self.settings(config.PostsiderSettings).allow_loopback_targets)

    def media_library_deps(self, accepted: Collection[str]) -> LibraryDeps:
        """The workspace's media library (PostSider's uploads) and the posts that use its files;
        ``accepted``: the MIME types the surface takes."""
        from socialpub.adapters.dynamodb.posts import DynamoPostRepository
        from socialpub.domain.services.media_library import LibraryDeps

        s = self.settings(config.PostsiderSettings)
        posts = DynamoPostRepository(deferred("dynamodb"), s.workspaces_table)
        return LibraryDeps(
            posts=posts,
            library=posts,
            objects=self.postsider_media,
            inspector=self.media_probe,
            remote=self.remote_media,
            clock=self.clock,
            accepted=accepted,
            remote_max_bytes=s.remote_media_max_bytes,
        )

    @cached_property
    def publora_statistics_deps(self) -> StatisticsDeps:
        """What Publora's post statistics read: the analytics store, and for a stale figure a fresh
        read from the network as the analytics refresh makes it (the account's token, its insights)."""
        from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
        from socialpub.domain.services.post_statistics import StatisticsDeps

        s = self.settings(config.PubloraSettings)
        return StatisticsDeps(
            store=DynamoAnalyticsRepository(deferred("dynamodb"), s.workspaces_table), collector=self._refresher(s)
        )

    @cached_property
    def workspace_purge_queue(self) -> SqsWorkspacePurgeQueue:
        from socialpub.adapters.queues import SqsWorkspacePurgeQueue

        return SqsWorkspacePurgeQueue(
            deferred("sqs"), self.settings(config.WorkspacesSettings).workspace_purge_queue_url
        )


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
