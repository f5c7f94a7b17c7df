"""/admin: the admin plane (JWT, Authorization: Bearer). Here: login, logout, profile, audit; keys, users
and webhooks in keys.py, users.py and webhooks.py beside it, included below."""

from __future__ import annotations

import os
import platform
import resource
import time
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request

from socialpub import __version__
from socialpub.api.admin.auth import ActorDep, AdminDep, admin_with, client_ip
from socialpub.api.admin.errors import ERROR_RESPONSES
from socialpub.api.admin.routers import keys, users, webhooks
from socialpub.api.admin.schemas import (
    AnalyticsData,
    AuditData,
    DashboardData,
    HealthData,
    LoginData,
    LoginRequest,
    LoginUser,
    MessageData,
    PlatformHealthData,
    ProfileData,
    ProfileUser,
    StatsData,
    SystemData,
)
from socialpub.api.container import ContainerDep
from socialpub.api.main.envelope import Envelope, ok
from socialpub.config import AdminSettings
from socialpub.domain.admin_auth import AdminPermission
from socialpub.domain.audit import AuditFilter
from socialpub.domain.dates import read_bound
from socialpub.domain.health import network_health, overall
from socialpub.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Pagination
from socialpub.domain.platforms import catalog
from socialpub.domain.services import admin_auth as service
from socialpub.domain.services import admin_stats

SETTINGS = AdminSettings
STARTED = time.monotonic()  # this process's start: the uptime GET /admin/system reports
router = APIRouter(prefix="/admin", tags=["admin"], responses=ERROR_RESPONSES)
router.include_router(keys.router, prefix="/keys")
router.include_router(users.router, prefix="/users")
router.include_router(webhooks.router, prefix="/webhooks")


@router.post("/login")
def login(body: LoginRequest, request: Request, c: ContainerDep) -> Envelope[LoginData]:
    """Email and password for a token (JWT) that expires; failed logins are throttled per account and IP."""
    done = service.login(
        c.admin_auth_deps(),
        body.email,
        body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    user = LoginUser(id=done.user.id, email=done.user.email, name=done.user.name, role=done.user.role)
    return ok(LoginData(token=done.token, expires_at=done.expires_at, user=user))


@router.post("/logout")
def logout(principal: AdminDep, actor: ActorDep, c: ContainerDep) -> Envelope[MessageData]:
    """End this token's session: it stops working at once."""
    service.logout(c.admin_auth_deps(), principal, actor)
    return ok(MessageData(message="Logged out successfully"))


@router.get("/profile")
def profile(principal: AdminDep) -> Envelope[ProfileData]:
    """The signed-in user, with the permissions of their role."""
    return ok(ProfileData(user=ProfileUser.of(principal.user)))


@router.get("/audit", dependencies=[admin_with(AdminPermission.AUDIT_READ)])
def audit_log(
    c: ContainerDep,
    user_id: str | None = None,
    action: str | None = None,
    from_: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> Envelope[AuditData]:
    """Admin changes and security events, newest first, filtered by user, action and dates (ISO 8601;
    a bare date covers its whole day, a time without an offset is UTC)."""
    where = AuditFilter(
        user_id=user_id,
        action=action,
        start=read_bound(from_, "from", end=False),
        end=read_bound(to, "to", end=True),
    )
    entries, total = c.admin_audit().page(where, page=page, per_page=limit)
    return ok(AuditData(logs=entries, pagination=Pagination.of(page=page, per_page=limit, total_items=total)))


@router.get("/health", dependencies=[admin_with(AdminPermission.SYSTEM_READ)])
def health(c: ContainerDep) -> Envelope[HealthData]:
    """Each backing service, probed now: database and storage with their latency, the queues with
    the jobs waiting (and dead letters). There is no cache in this architecture."""
    probe = c.health_probe()
    components = {
        "database": probe.database(),
        "cache": {"status": "not_used"},
        "storage": probe.storage(),
        "queue": probe.queues(),
    }
    statuses = {v["status"] for v in components.values()}
    status = "unhealthy" if "unhealthy" in statuses else "degraded" if "degraded" in statuses else "healthy"
    return ok(HealthData(status=status, timestamp=c.clock(), components=components))


@router.get("/platform-health", dependencies=[admin_with(AdminPermission.SYSTEM_READ)])
def platform_health(c: ContainerDep) -> Envelope[PlatformHealthData]:
    """Each network, from its publishing counters of today and yesterday (UTC)."""
    now = c.clock()
    days = [(now - timedelta(days=1)).date().isoformat(), now.date().isoformat()]
    counters = c.targets.platform_days(sorted(catalog()), days)
    networks = {p: network_health(found) for p, found in counters.items()}
    return ok(
        PlatformHealthData(
            platforms=networks,
            overall_status=overall([n.status for n in networks.values()]),
            last_updated=now,
        )
    )


@router.get("/system", dependencies=[admin_with(AdminPermission.SYSTEM_READ)])
def system(c: ContainerDep) -> Envelope[SystemData]:
    """What runs: version, stage, runtime, this process's memory and uptime, and the features on."""
    limit = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    used_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ok(
        SystemData(
            version=__version__,
            environment=c.settings(AdminSettings).stage,
            runtime=f"Python {platform.python_version()}",
            database="Amazon DynamoDB",
            uptime_seconds=int(time.monotonic() - STARTED),
            memory={"used_mb": used_kb // 1024, "limit_mb": int(limit) if limit else None},
            features={
                "multi_platform": True,
                "scheduling": True,
                "analytics": True,
                "webhooks": True,
                "media_upload": True,
                "platforms": len(catalog()),
            },
        )
    )


@router.get("/dashboard", dependencies=[admin_with(AdminPermission.STATS_READ)])
def dashboard(c: ContainerDep) -> Envelope[DashboardData]:
    """Totals, today's and this week's activity, API usage, and posts per network (the top four)."""
    return ok(DashboardData.model_validate(admin_stats.dashboard(c.stats_deps())))


@router.get("/stats", dependencies=[admin_with(AdminPermission.STATS_READ)])
def stats(c: ContainerDep) -> Envelope[StatsData]:
    """Posts by status and network, accounts by status, storage and this month's API calls."""
    return ok(StatsData.model_validate(admin_stats.stats(c.stats_deps())))


@router.get("/analytics", dependencies=[admin_with(AdminPermission.STATS_READ)])
def analytics(c: ContainerDep, period: Annotated[str, Query(max_length=3)] = "30d") -> Envelope[AnalyticsData]:
    """Lifecycle events per day (posts created, published, failed; accounts connected...) over
    ``period`` (7d, 30d, 90d, 1y), with totals."""
    return ok(AnalyticsData.model_validate(admin_stats.analytics(c.stats_deps(), period)))
