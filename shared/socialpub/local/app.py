"""Every router in one app, for the local stack (uvicorn) and for tests."""

from __future__ import annotations

from fastapi import FastAPI

from socialpub.api.app_factory import create_app
from socialpub.api.container import Container
from socialpub.api.registry import ROUTERS
from socialpub.local.docs import serve_docs


def create_local_app(container: Container | None = None) -> FastAPI:
    app = create_app(*ROUTERS.values(), container=container, docs=True, name_functions=True)
    serve_docs(app)  # Swagger UI from a dev dependency's files, not a CDN; only the local app has it
    return app
