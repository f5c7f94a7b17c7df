"""Every router, for the local server and for tests/infra, which checks them against template.yaml:
URL prefix = router module = functions/<name>/ = <Name>Function."""

from __future__ import annotations

from types import ModuleType

from socialpub.api.routers import (
    accounts,
    admin,
    analytics,
    integrations,
    media,
    platforms,
    posts,
    schedules,
    workspaces,
)

# integrations last: its /api/{integration} must not shadow the other routers' static paths locally
# (API Gateway prefers static resources by itself).
ROUTERS: dict[str, ModuleType] = {
    "accounts": accounts,
    "admin": admin,
    "analytics": analytics,
    "media": media,
    "platforms": platforms,
    "posts": posts,
    "schedules": schedules,
    "workspaces": workspaces,
    "integrations": integrations,
}
