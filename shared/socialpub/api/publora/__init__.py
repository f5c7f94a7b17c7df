"""The Publora API, /api/v1 (seeds/003): post groups, uploads and statistics for Publora clients.

A surface of its own beside the main API (api/main/): its own routers, auth (auth.py) and error
table (errors.py), on the same domain services and store (a post group is a post, a platformId an
account). Like PostSider's, it is a FastAPI sub-application, mounted at /api/v1 before Pizzly's
/api/{integration} routes (registry order), so that "v1" is never taken for an integration id and
the surface's own error table answers for every path under it. Served on AWS by PubloraFunction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from socialpub.api.container import Container
from socialpub.api.publora.errors import edge_error_body, failure, install_error_handlers
from socialpub.api.publora.routers import connections, posts, statistics, uploads
from socialpub.api.surfaces import mount_at, sub_application
from socialpub.config import PubloraSettings

SETTINGS = PubloraSettings
PREFIXES = ("/api/v1",)
__all__ = ["PREFIXES", "SETTINGS", "create_surface", "edge_error_body", "mount", "router"]

router = APIRouter()
router.include_router(connections.router)
router.include_router(posts.router)
router.include_router(statistics.router)
router.include_router(uploads.router)


def create_surface(container: Container, dependencies: Sequence[Any] = ()) -> FastAPI:
    return sub_application("socialpub Publora API", router, install_error_handlers, container, dependencies)


def mount(app: FastAPI, container: Container, dependencies: Sequence[Any] = ()) -> None:
    """Serve the surface under /api/v1 of ``app``, /api/v1 itself included (which Pizzly's
    /api/{integration} would otherwise take for an integration id). ``dependencies``: the local app's,
    which name the function in log lines."""
    mount_at(app, create_surface(container, dependencies), PREFIXES, root=_no_route)


def _no_route(request: Request) -> JSONResponse:
    return JSONResponse(failure(f"Not found: {request.method} {request.url.path}"), status_code=404)
