"""Settings, validated from the environment at cold start: a function with a missing or malformed
variable fails on import, not on the first request that needs it. Each function gets only the
variables its template entry defines, and each router names the settings model it needs.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigurationError(RuntimeError):
    pass


def _default_cadence() -> str:
    """The analytics cadence's default, read where it is needed: importing the analytics domain (and
    the publishing and platform code it pulls in) would cost every function's cold start."""
    from socialpub.domain.analytics import CADENCE

    return ",".join(str(int(step.total_seconds())) for step in CADENCE)


class BaseSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    stage: str = Field("local", alias="STAGE")


class AuthSettings(BaseSettings):
    api_keys_table: str = Field(alias="API_KEYS_TABLE")


class KeyManagementSettings(AuthSettings):
    """Creating keys also records them on their workspaces."""

    workspaces_table: str = Field(alias="WORKSPACES_TABLE")


class ApiSettings(AuthSettings):
    # Bodies above this are refused with 413 before parsing; API Gateway's own cap is 10 MB.
    max_body_bytes: int = Field(1_048_576, alias="MAX_BODY_BYTES", gt=0)
    # Multipart media uploads may be larger: a Lambda request payload holds 6 MB, and API Gateway
    # base64-encodes binary bodies, so about 4.5 MB of file fits. Larger files use presigned uploads.
    max_upload_bytes: int = Field(4_500_000, alias="MAX_UPLOAD_BYTES", gt=0)


class PlatformsSettings(ApiSettings):
    pass


class PostScheduleSettings(BaseSettings):
    """Where scheduled posts' one-time schedules live; making them also needs what they call (the
    publish queue), the role they call it with, and where undeliverable firings go."""

    post_schedule_group: str = Field(alias="POST_SCHEDULE_GROUP")
    publish_queue_arn: str = Field("", alias="PUBLISH_QUEUE_ARN")
    post_scheduler_role_arn: str = Field("", alias="POST_SCHEDULER_ROLE_ARN")
    publish_dlq_arn: str = Field("", alias="PUBLISH_DLQ_ARN")


class PostsSettings(ApiSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    media_bucket: str = Field(alias="MEDIA_BUCKET")
    # How long the signed media URLs in responses stay valid (at most the signing role's session).
    media_url_ttl_seconds: int = Field(3600, alias="MEDIA_URL_TTL_SECONDS", ge=60, le=43_200)


class PublishingSettings(PostsSettings):
    """The posts API also starts publishing."""

    publish_queue_url: str = Field(alias="PUBLISH_QUEUE_URL")
    # POST /publish answers with the results when every target finishes within this; else 202.
    publish_wait_seconds: float = Field(12.0, alias="PUBLISH_WAIT_SECONDS", ge=0, le=25)
    # It reads the targets after pauses doubling from this, at most PUBLISH_WAIT_READS times, the
    # last at the end of the budget: one AWS call each, so a request makes at most 10 in all.
    publish_wait_first_seconds: float = Field(1.0, alias="PUBLISH_WAIT_FIRST_SECONDS", gt=0, le=25)
    publish_wait_reads: int = Field(4, alias="PUBLISH_WAIT_READS", ge=1, le=4)


class SchedulingSettings(PublishingSettings, PostScheduleSettings):
    """The posts API schedules and queues posts too."""


class SchedulesSettings(ApiSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")


class AnalyticsSettings(ApiSettings):
    """Reading analytics (GET /api/analytics, and the posts' and accounts' analytics routes), and
    refreshing a post's figures, which opens its accounts' tokens."""

    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    integration_defaults_secret: str = Field(alias="INTEGRATION_DEFAULTS_SECRET")


class MediaSettings(PostsSettings):
    pass


class WorkspacesSettings(ApiSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    workspace_purge_queue_url: str = Field(alias="WORKSPACE_PURGE_QUEUE_URL")


class IntegrationsSettings(ApiSettings, PostScheduleSettings):
    """Disconnecting an account (here and in /api/accounts) removes the schedules of posts left
    with nothing to publish to, and the account from schedules' slots."""

    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    # The deployment's own app credentials per network, for workspaces that register none.
    integration_defaults_secret: str = Field(alias="INTEGRATION_DEFAULTS_SECRET")


class AccountsSettings(IntegrationsSettings):
    # Where the hosted callback page is reached; derived from the request when empty (a custom
    # domain whose base path differs from the stage name needs it set).
    public_api_url: str = Field("", alias="PUBLIC_API_URL")


class PostsiderSettings(AccountsSettings):
    """The PostSider /public/v1 surface (api/postsider/): it checks keys itself, and connects and
    disconnects accounts as /api/accounts does (AccountsSettings: tokens, apps, post schedules)."""

    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    # The seed's API_LIMIT: requests a minute per organisation (workspace); unset, the key's tier
    # decides (starter: the seed's 60).
    api_limit: int | None = Field(None, alias="API_LIMIT", gt=0)
    # Uploads (the workspace's media library) and the files posts use.
    media_bucket: str = Field(alias="MEDIA_BUCKET")
    # The most read from a URL (upload-from-url, a post's image by URL); it is held in memory.
    remote_media_max_bytes: int = Field(100 * 1024 * 1024, alias="REMOTE_MEDIA_MAX_BYTES", gt=0)
    # Only the local stack (and tests) set this: files fetched by URL from loopback, over http too
    # (never other private addresses), as for webhook receivers.
    allow_loopback_targets: bool = Field(False, alias="ALLOW_LOOPBACK_TARGETS")


class PubloraSettings(PostsiderSettings):
    """The Publora /api/v1 surface (api/publora/): it checks keys itself, and creates, schedules and
    deletes posts and their uploads as the main API does (PostsiderSettings: the same tables, bucket,
    queue and schedules)."""

    # How long a get-upload-url PUT URL is valid: the seed's 15 minutes (tests shorten it).
    upload_url_ttl_seconds: int = Field(15 * 60, alias="PUBLORA_UPLOAD_URL_TTL_SECONDS", gt=0, le=7 * 24 * 3600)


class AccountRefresherSettings(BaseSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    integration_defaults_secret: str = Field(alias="INTEGRATION_DEFAULTS_SECRET")
    # Tokens expiring within this horizon are refreshed by each run (the schedule's period and more).
    refresh_horizon_seconds: int = Field(3600, alias="REFRESH_HORIZON_SECONDS", ge=300)


class PublisherSettings(BaseSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    media_bucket: str = Field(alias="MEDIA_BUCKET")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    integration_defaults_secret: str = Field(alias="INTEGRATION_DEFAULTS_SECRET")
    publish_queue_url: str = Field(alias="PUBLISH_QUEUE_URL")
    # How long a run owns a target: longer than the function's timeout, so a crashed run's target
    # is taken over only once that run is certainly gone.
    lease_seconds: int = Field(360, alias="PUBLISH_LEASE_SECONDS", ge=1)
    # The networks' signed URLs to media (Meta, Threads, TikTok and others pull the files).
    media_url_ttl_seconds: int = Field(3600, alias="MEDIA_URL_TTL_SECONDS", ge=60, le=43_200)


class AnalyticsCollectorSettings(BaseSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    integration_defaults_secret: str = Field(alias="INTEGRATION_DEFAULTS_SECRET")
    # When a published post is read again, in seconds after publishing (then daily up to
    # ANALYTICS_DAILY_UNTIL_DAYS); accounts every ANALYTICS_ACCOUNT_SECONDS. The local stack shortens them.
    analytics_cadence_seconds: str = Field(default_factory=_default_cadence, alias="ANALYTICS_CADENCE_SECONDS")
    analytics_daily_until_days: int = Field(30, alias="ANALYTICS_DAILY_UNTIL_DAYS", ge=1, le=365)
    analytics_account_seconds: int = Field(86_400, alias="ANALYTICS_ACCOUNT_SECONDS", ge=10)
    analytics_batch: int = Field(200, alias="ANALYTICS_BATCH", ge=1, le=1000)

    @field_validator("analytics_cadence_seconds")
    @classmethod
    def _cadence(cls, value: str) -> str:
        steps = [int(part) for part in value.split(",") if part.strip()]
        if not steps or any(step <= 0 for step in steps) or steps != sorted(steps):
            raise ValueError("a comma-separated list of increasing positive numbers of seconds")
        return value

    @property
    def cadence(self) -> tuple[timedelta, ...]:
        return tuple(timedelta(seconds=int(part)) for part in self.analytics_cadence_seconds.split(",") if part.strip())


class ScheduleSweeperSettings(BaseSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    publish_queue_url: str = Field(alias="PUBLISH_QUEUE_URL")
    # Scheduler fires within the minute of a post's time; a post still scheduled this long after
    # its time was missed, and the sweeper publishes it.
    sweep_grace_seconds: int = Field(120, alias="SWEEP_GRACE_SECONDS", ge=1)
    # A target whose message has not come this long after it was due is queued again (a run holding
    # it is taken over once its lease, PUBLISH_LEASE_SECONDS, has run out).
    stalled_after_seconds: int = Field(600, alias="STALLED_AFTER_SECONDS", ge=1)


class EventRelaySettings(BaseSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    webhook_queue_url: str = Field(alias="WEBHOOK_QUEUE_URL")


class WebhookDispatcherSettings(BaseSettings):
    users_table: str = Field(alias="USERS_TABLE")
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    webhook_queue_url: str = Field(alias="WEBHOOK_QUEUE_URL")
    webhook_dlq_url: str = Field(alias="WEBHOOK_DLQ_URL")
    # Only the local stack sets this: webhook receivers on loopback (never other private addresses).
    allow_loopback_targets: bool = Field(False, alias="ALLOW_LOOPBACK_TARGETS")


class WorkspacePurgerSettings(BaseSettings):
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    media_bucket: str = Field(alias="MEDIA_BUCKET")


class MediaProcessorSettings(BaseSettings):
    """Checks each upload that lands without a confirm call (workers/media_processor.py)."""

    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    media_bucket: str = Field(alias="MEDIA_BUCKET")


class AdminSettings(ApiSettings):
    users_table: str = Field(alias="USERS_TABLE")
    # The Secrets Manager secret whose value signs admin JWTs (HS256).
    admin_jwt_secret: str = Field(alias="ADMIN_JWT_SECRET")
    # How long an admin token lives; logging out ends it at once.
    admin_token_ttl_seconds: int = Field(28_800, alias="ADMIN_TOKEN_TTL_SECONDS", ge=300, le=86_400)
    # Webhooks: their secrets are sealed with this key; tests and redeliveries are sent from here.
    secrets_key_id: str = Field(alias="SECRETS_KEY_ID")
    webhook_queue_url: str = Field(alias="WEBHOOK_QUEUE_URL")
    # Only the local stack sets this: webhook receivers on loopback (127.0.0.0/8, ::1), over http too;
    # other private and metadata addresses stay refused.
    allow_loopback_targets: bool = Field(False, alias="ALLOW_LOOPBACK_TARGETS")
    # Keys are metered on the usage plans named <prefix>-<tier>; keys record their workspaces here.
    usage_plan_prefix: str = Field(alias="USAGE_PLAN_PREFIX")
    workspaces_table: str = Field(alias="WORKSPACES_TABLE")
    # What GET /admin/health probes.
    media_bucket: str = Field(alias="MEDIA_BUCKET")
    publish_queue_url: str = Field(alias="PUBLISH_QUEUE_URL")
    publish_dlq_url: str = Field(alias="PUBLISH_DLQ_URL")
    webhook_dlq_url: str = Field(alias="WEBHOOK_DLQ_URL")


S = TypeVar("S", bound=BaseSettings)


def load(model: type[S], environ: dict[str, str] | None = None) -> S:
    try:
        return model.model_validate(dict(os.environ if environ is None else environ))
    except ValidationError as exc:
        missing = ", ".join(str(e["loc"][0]) for e in exc.errors())
        raise ConfigurationError(f"{model.__name__}: invalid or missing environment: {missing}") from exc
