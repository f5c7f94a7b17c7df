"""Every router, for the local server and for tests/infra, which checks them against template.yaml:
URL prefix = router module (or surface package) = functions/<name>/ = <Name>Function.

One folder per surface: api/main/ (seeds/000), api/admin/ (/admin), api/pizzly/ (/api/{integration}),
api/postsider/ (/public/v1), api/publora/ (/api/v1); each has its routers and its one error table (errors.py)."""

from __future__ import annotations

from types import ModuleType

from socialpub.api import postsider, publora
from socialpub.api.admin.routers import admin
from socialpub.api.main.routers import accounts, analytics, media, platforms, posts, schedules, workspaces
from socialpub.api.pizzly.routers import integrations

# integrations last: its /api/{integration} must not shadow the other routers' static paths locally
# (API Gateway prefers static resources by itself); postsider, a surface mounted at /public/v1 and
# /api/public/v1 (api/postsider/), and publora, mounted at /api/v1 (api/publora/), come before it for
# the same reason.
ROUTERS: dict[str, ModuleType] = {
    "accounts": accounts,
    "admin": admin,
    "analytics": analytics,
    "media": media,
    "platforms": platforms,
    "posts": posts,
    "schedules": schedules,
    "workspaces": workspaces,
    "postsider": postsider,
    "publora": publora,
    "integrations": integrations,
}
