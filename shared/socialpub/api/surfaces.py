"""What the compatible surfaces (api/postsider/, api/publora/) share: each is a FastAPI sub-application
with its own routers and error table, mounted under its prefixes of the outer app, so that its table,
not the main one, answers for every path under them (also in the local app that serves every
surface); the outer app's edge middleware (request id, body cap, rate-limit headers, logging) still
wraps it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI

from socialpub.api.container import Container

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def sub_application(
    title: str,
    router: APIRouter,
    install_error_handlers: Callable[[FastAPI], None],
    container: Container,
    dependencies: Sequence[Any] = (),
) -> FastAPI:
    surface = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    surface.state.container = container
    surface.include_router(router, dependencies=list(dependencies))
    install_error_handlers(surface)
    return surface


def mount_at(app: FastAPI, surface: FastAPI, prefixes: Sequence[str], root: Callable[..., Any] | None = None) -> None:
    """``root``: what answers the prefix itself, which a mount does not serve (only what is under it);
    a plain route, not an API route, since it takes no body model and is no endpoint of the surface."""
    for prefix in prefixes:
        if root is not None:
            app.add_route(prefix, root, methods=_METHODS, include_in_schema=False)
        app.mount(prefix, surface)
