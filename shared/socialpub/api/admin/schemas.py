from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from socialpub.api.main.envelope import Timestamp
from socialpub.api.main.schemas.common import PartialUpdate, RequestBody
from socialpub.domain.admin_auth import ROLE_PERMISSIONS
from socialpub.domain.api_keys import ApiKey
from socialpub.domain.audit import AuditEntry
from socialpub.domain.events import EventType
from socialpub.domain.health import NetworkHealth
from socialpub.domain.pagination import Pagination
from socialpub.domain.permissions import Permission
from socialpub.domain.tiers import Tier
from socialpub.domain.users import AdminUser, Role
from socialpub.domain.webhooks import Delivery, Webhook, WebhookStats


class LoginRequest(RequestBody):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class LoginUser(BaseModel):
    id: str
    email: str
    name: str
    role: Role


class LoginData(BaseModel):
    token: str
    expires_at: Timestamp
    user: LoginUser


class ProfileUser(LoginUser):
    created_at: Timestamp
    last_login: Timestamp | None
    permissions: list[str]

    @classmethod
    def of(cls, user: AdminUser) -> ProfileUser:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            created_at=user.created_at,
            last_login=user.last_login,
            permissions=sorted(p.value for p in ROLE_PERMISSIONS[user.role]),
        )


class ProfileData(BaseModel):
    user: ProfileUser


class MessageData(BaseModel):
    message: str


class CreateWebhookRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"url": "https://example.com/hooks/socialpub", "events": ["post.published"]}]}
    )

    url: str = Field(max_length=2048)
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))
    secret: str | None = Field(None, max_length=256, description="Left out: one is generated and shown once")
    workspace_ids: list[str] = Field(default_factory=list, max_length=100, description="Empty: every workspace")
    description: str | None = Field(None, max_length=1000)
    is_active: bool = True


class UpdateWebhookRequest(PartialUpdate):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"description"})

    url: str | None = Field(None, max_length=2048)
    events: list[EventType] | None = Field(None, min_length=1, max_length=len(EventType))
    secret: str | None = Field(None, max_length=256)
    workspace_ids: list[str] | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=1000)
    is_active: bool | None = None


class WebhookView(BaseModel):
    id: str
    url: str
    events: list[str]
    workspace_ids: list[str]
    description: str | None
    is_active: bool
    secret: str = Field(description="Masked; shown in full only when created")
    created_at: Timestamp
    updated_at: Timestamp
    last_triggered_at: Timestamp | None
    stats: WebhookStats

    @classmethod
    def of(cls, w: Webhook, secret: str | None = None) -> WebhookView:
        return cls(
            id=w.id,
            url=w.url,
            events=[e.value for e in w.events],
            workspace_ids=w.workspace_ids,
            description=w.description,
            is_active=w.is_active,
            secret=secret or w.masked_secret,
            created_at=w.created_at,
            updated_at=w.updated_at,
            last_triggered_at=w.last_triggered_at,
            stats=w.stats,
        )


class WebhookData(BaseModel):
    webhook: WebhookView


class WebhookListData(BaseModel):
    webhooks: list[WebhookView]


class AttemptView(BaseModel):
    at: Timestamp
    status_code: int | None
    latency_ms: int
    error: str | None
    manual: bool


class DeliveryView(BaseModel):
    id: str
    event_id: str
    event_type: str
    workspace_id: str | None
    status: str
    attempt_count: int
    created_at: Timestamp
    delivered_at: Timestamp | None
    attempts: list[AttemptView]
    payload: str

    @classmethod
    def of(cls, d: Delivery) -> DeliveryView:
        return cls(
            id=d.id,
            event_id=d.event_id,
            event_type=d.event_type,
            workspace_id=d.workspace_id,
            status=d.status.value,
            attempt_count=d.attempt_count,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
            attempts=[AttemptView.model_validate(a.model_dump()) for a in d.attempts],
            payload=d.payload,
        )


class DeliveryListData(BaseModel):
    deliveries: list[DeliveryView]
    next_before: str | None


class AttemptData(BaseModel):
    delivery: DeliveryView
    attempt: AttemptView


class AuditView(BaseModel):
    id: str
    user_id: str | None
    user_email: str | None
    action: str
    resource_type: str
    resource_id: str | None
    details: dict[str, Any]
    ip_address: str | None
    user_agent: str | None
    created_at: Timestamp


class AuditData(BaseModel):
    logs: list[AuditView]
    pagination: Pagination

    @field_validator("logs", mode="before")
    @classmethod
    def _entries(cls, value: list[Any]) -> list[Any]:
        return [v.model_dump() if isinstance(v, AuditEntry) else v for v in value]


class CreateUserRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"email": "ed@example.com", "name": "Ed Itor", "password": "correct horse battery", "role": "editor"}
            ]
        }
    )

    email: str = Field(max_length=320)
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(max_length=1024)
    role: Role = Role.VIEWER
    # The seed's body carries it; a user's permissions are those of their role (GET /admin/profile).
    permissions: list[str] | None = Field(
        None, max_length=100, description="Accepted for compatibility; permissions come from the role"
    )


class UpdateUserRequest(PartialUpdate):
    name: str | None = Field(None, min_length=1, max_length=100)
    role: Role | None = None
    is_active: bool | None = None
    password: str | None = Field(None, max_length=1024)


class UserView(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: Timestamp
    last_login: Timestamp | None

    @classmethod
    def of(cls, u: AdminUser) -> UserView:
        return cls(
            id=u.id,
            email=u.email,
            name=u.name,
            role=u.role,
            is_active=u.is_active,
            created_at=u.created_at,
            last_login=u.last_login,
        )


class UserData(BaseModel):
    user: UserView


class UserListData(BaseModel):
    users: list[UserView]


class CreateKeyRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Integration key", "tier": "professional"}]})

    name: str = Field(min_length=1, max_length=100)
    tier: Tier = Tier.STARTER
    workspaces: list[str] = Field(default_factory=list, max_length=99)
    permissions: list[Permission] | None = Field(None, description="Left out: every permission")


class UpdateKeyRequest(PartialUpdate):
    name: str | None = Field(None, min_length=1, max_length=100)
    tier: Tier | None = None
    permissions: list[Permission] | None = None


class KeyUsage(BaseModel):
    requests_today: int
    requests_this_month: int


class KeyView(BaseModel):
    id: str
    name: str
    prefix: str
    tier: Tier
    is_active: bool
    workspaces: list[str]
    permissions: list[str]
    created_at: Timestamp
    last_used_at: Timestamp | None
    usage: KeyUsage | None = None

    @classmethod
    def of(cls, k: ApiKey, usage: tuple[int, int] | None = None) -> KeyView:
        return cls(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            tier=k.tier,
            is_active=k.is_active,
            workspaces=sorted(k.workspaces),
            permissions=sorted(p.value for p in k.permissions),
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            usage=KeyUsage(requests_today=usage[0], requests_this_month=usage[1]) if usage else None,
        )


class KeyListData(BaseModel):
    keys: list[KeyView]


class CreatedKey(BaseModel):
    id: str
    name: str
    api_key: str = Field(description="Shown this once")
    tier: Tier
    created_at: Timestamp


class CreatedKeyData(BaseModel):
    key: CreatedKey


class RotatedKey(BaseModel):
    id: str
    new_api_key: str = Field(description="Shown this once")
    old_key_expires_at: Timestamp


class RotatedKeyData(BaseModel):
    key: RotatedKey


class KeyData(BaseModel):
    key: KeyView


class HealthData(BaseModel):
    status: str
    timestamp: Timestamp
    components: dict[str, dict[str, Any]]


class PlatformHealthData(BaseModel):
    platforms: dict[str, NetworkHealth]
    overall_status: str
    last_updated: Timestamp


class SystemData(BaseModel):
    version: str
    environment: str
    runtime: str
    database: str
    uptime_seconds: int
    memory: dict[str, int | None]
    features: dict[str, bool | int]


class Overview(BaseModel):
    total_workspaces: int
    total_posts: int
    total_accounts: int
    total_users: int


class Activity(BaseModel):
    posts_today: int
    posts_this_week: int
    scheduled_posts: int
    failed_posts: int


class ApiUsage(BaseModel):
    requests_today: int
    requests_this_month: int
    active_keys: int


class DashboardData(BaseModel):
    overview: Overview
    activity: Activity
    api_usage: ApiUsage
    platform_distribution: dict[str, int]


class PostFigures(BaseModel):
    total: int
    by_status: dict[str, int]
    by_platform: dict[str, int]


class AccountFigures(BaseModel):
    total: int
    by_status: dict[str, int]


class UsageFigures(BaseModel):
    storage_used_mb: float
    storage_limit_mb: float | None
    api_calls_this_month: int


class StatsData(BaseModel):
    posts: PostFigures
    accounts: AccountFigures
    usage: UsageFigures


class AnalyticsData(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period: str
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    totals: dict[str, int]
    timeline: list[dict[str, int | str]] = Field(description="One entry per day: date, then each event's count")
