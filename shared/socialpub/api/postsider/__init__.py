"""The PostSider / Postiz public API, /public/v1 (and /api/public/v1, the self-hosted prefix).

A surface of its own beside the main API (api/main/): its own routers, auth (auth.py) and error
table (errors.py), on the same domain services and store. It is a FastAPI sub-application mounted
at both prefixes, so that its error table answers for every request under them, also in the local
app that serves every surface in one process (the main API's handlers are the outer app's).
Served on AWS by PostsiderFunction (functions/postsider/).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI

from socialpub.api.container import Container
from socialpub.api.postsider.errors import edge_error_body, install_error_handlers
from socialpub.api.postsider.routers import analytics, channels, integrations, notifications, posts, uploads, video
from socialpub.api.surfaces import mount_at, sub_application
from socialpub.config import PostsiderSettings

SETTINGS = PostsiderSettings
PREFIXES = ("/public/v1", "/api/public/v1")
__all__ = ["PREFIXES", "SETTINGS", "create_surface", "edge_error_body", "mount", "router"]

router = APIRouter()
router.include_router(integrations.router)
router.include_router(channels.router)
router.include_router(posts.router)
router.include_router(analytics.router)
router.include_router(notifications.router)
router.include_router(video.router)
router.include_router(uploads.router)


def create_surface(container: Container, dependencies: Sequence[Any] = ()) -> FastAPI:
    return sub_application("socialpub PostSider API", router, install_error_handlers, container, dependencies)


def mount(app: FastAPI, container: Container, dependencies: Sequence[Any] = ()) -> None:
    """Serve the surface under both prefixes of ``app``. Mounted before Pizzly's /api/{integration}
    routes (registry order), so that those never see /api/public/...; ``dependencies``: the local
    app's, which name the function in log lines."""
    mount_at(app, create_surface(container, dependencies), PREFIXES)
