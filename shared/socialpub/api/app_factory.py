"""Build a FastAPI app from one or more routers, with the one error table and the edge middleware.

Each Lambda builds an app with its own router; the local server builds one with all of them.
Settings every router needs are validated here, at cold start.
"""

from __future__ import annotations

from types import ModuleType

from fastapi import FastAPI

from socialpub.api.container import Container
from socialpub.api.errors import install_error_handlers
from socialpub.api.middleware import EdgeMiddleware
from socialpub.config import ApiSettings


def create_app(*routers: ModuleType, container: Container | None = None, docs: bool = False) -> FastAPI:
    container = container or Container()
    for module in routers:
        container.settings(module.SETTINGS)
    app = FastAPI(
        title="socialpub",
        version="0.1.0",
        docs_url=None,  # FastAPI's page loads Swagger UI from a CDN; the local app serves its own /docs
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.container = container
    for module in routers:
        app.include_router(module.router)
    install_error_handlers(app)
    api = container.settings(ApiSettings)
    app.add_middleware(EdgeMiddleware, max_body_bytes=api.max_body_bytes, max_upload_bytes=api.max_upload_bytes)
    return app
