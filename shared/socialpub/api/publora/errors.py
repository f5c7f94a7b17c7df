"""The Publora surface's one error table: what an /api/v1 client sees for every error.

Publora answers every failure as ``{"success": false, "error": "<message>"}``:
- domain errors: the status of the main table (api/main/errors.py ``status_of``: 400 bad input,
  401 bad key, 402 plan limit, 403 permission, 404 unknown or another tenant's id, 409 conflict,
  413 too large, 415 unsupported type, 429 rate limit with Retry-After) and the domain's message;
- a post a network's rules refuse (ContentRejected): 400 naming each refusing platform and why;
- request validation: 400, one message naming each field and its problem ("<field>: <problem>");
- a path or method the surface does not serve: 404 / 405;
- a body over the cap (refused by the shared edge middleware): 413 (``edge_error_body``);
- anything unexpected: 500 "Internal server error", never a trace (logged with the request id).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialpub.api.main.errors import headers_of, status_of
from socialpub.domain import errors as e
from socialpub.domain.platforms import catalog
from socialpub.domain.services.posts import ContentRejected


def failure(message: str) -> dict[str, Any]:
    return {"success": False, "error": message}


def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.DomainError)
    return JSONResponse(failure(exc.message), status_code=status_of(exc), headers=headers_of(exc))


def _content_rejected(request: Request, exc: Exception) -> JSONResponse:
    """Every refusing network by its Publora platform name, with each rule it failed."""
    assert isinstance(exc, ContentRejected)
    parts = [
        f"{network} ({catalog()[network].name}): " + "; ".join(dict.fromkeys(f.message for f in findings))
        for network, findings in exc.refused.items()
    ]
    return JSONResponse(failure("The post was refused by " + " | ".join(parts)), status_code=400)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]  # where it was sent is not part of the field's name
    return ".".join(parts) or "body"


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return JSONResponse(failure("The request body is not valid JSON"), status_code=400)
    message = "; ".join(
        f"{_field(tuple(p.get('loc', ())))}: {str(p.get('msg', '')).removeprefix('Value error, ')}" for p in problems
    )
    return JSONResponse(failure(message), status_code=400)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        message = f"Not found: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return JSONResponse(failure(message), status_code=exc.status_code)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged by the edge middleware around the app, with the request id; the client sees no detail.
    return JSONResponse(failure("Internal server error"), status_code=500)


def edge_error_body(status: int, message: str) -> dict[str, Any]:
    """The answers the shared edge middleware makes before or around the surface (a body over the
    cap, the last-resort 500), in Publora's shape instead of the main API's envelope."""
    return failure("Internal server error" if status >= 500 else message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ContentRejected, _content_rejected)
    app.add_exception_handler(e.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
