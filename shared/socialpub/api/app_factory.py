"""Build a FastAPI app from one or more routers, with the main error table and the edge middleware.

Each Lambda builds an app with its own router; the local server builds one with all of them.
Settings every router needs are validated here, at cold start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType

from fastapi import Depends, FastAPI

from socialpub.api.container import Container
from socialpub.api.main.errors import install_error_handlers
from socialpub.api.middleware import EdgeMiddleware
from socialpub.config import ApiSettings
from socialpub.observability import logger


def function_of(router: ModuleType) -> str:
    """The function of template.yaml that serves a router: main/routers/posts.py is PostsFunction."""
    return "".join(part.capitalize() for part in router.__name__.rsplit(".", 1)[-1].split("_")) + "Function"


def _logs_as(function_name: str) -> Callable[[], Awaitable[None]]:
    async def logs_as() -> None:
        # async, so that it runs in the request's own task: the key then holds for the rest of the
        # request (the endpoint, the error table, the edge middleware), and for no other request.
        logger.thread_safe_append_keys(function_name=function_name)

    return logs_as


def create_app(
    *routers: ModuleType, container: Container | None = None, docs: bool = False, name_functions: bool = False
) -> FastAPI:
    """With ``name_functions`` (the local server, which serves every router in one process), each
    request's log lines name the function that serves its route on AWS, where the Lambda context
    names it instead."""
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
        if hasattr(module, "mount"):
            # A surface with an error table of its own (api/postsider/) is a sub-application: the
            # main table below then never answers for its paths.
            module.mount(
                app, container, dependencies=[Depends(_logs_as(function_of(module)))] if name_functions else []
            )
            continue
        app.include_router(
            module.router, dependencies=[Depends(_logs_as(function_of(module)))] if name_functions else []
        )
    install_error_handlers(app)  # the main table, also admin's and Pizzly's (same envelope: their errors.py)
    api = container.settings(ApiSettings)
    error_bodies = {
        prefix: module.edge_error_body
        for module in routers
        if hasattr(module, "edge_error_body")
        for prefix in module.PREFIXES
    }
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=api.max_body_bytes,
        max_upload_bytes=api.max_upload_bytes,
        error_bodies=error_bodies,
    )
    return app
