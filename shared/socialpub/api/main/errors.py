"""The main API's error table: errors to HTTP responses in the envelope, for every router on /api
and /admin (the admin plane's and Pizzly's errors.py reuse it; PostSider has its own)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from socialpub.api.main.envelope import error_body
from socialpub.api.main.idempotency import Replay, replay_response
from socialpub.domain import errors as e
from socialpub.domain.idempotency import IdempotencyKeyReused
from socialpub.domain.media import MediaTooLarge, UnsupportedMediaType

STATUS_BY_ERROR: list[tuple[type[e.DomainError], int]] = [
    (e.InvalidInput, 400),
    (e.Unauthenticated, 401),
    (e.QuotaExceeded, 402),
    (e.PermissionDenied, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (MediaTooLarge, 413),
    (UnsupportedMediaType, 415),
    (IdempotencyKeyReused, 422),
    (e.RateLimited, 429),
    (e.DependencyUnavailable, 503),
]

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def status_of(error: e.DomainError) -> int:
    return next(status for cls, status in STATUS_BY_ERROR if isinstance(error, cls))


def headers_of(error: e.DomainError) -> dict[str, str]:
    """When to come back, for every surface's answer to a refusal: the rate limit's window, or a
    second for a dependency that is briefly unavailable."""
    if isinstance(error, e.RateLimited):
        return {
            "Retry-After": str(error.retry_after),
            "X-RateLimit-Limit": str(error.details["limit"]),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(error.details["reset"]),
        }
    if isinstance(error, e.DependencyUnavailable):
        return {"Retry-After": "1"}
    return {}


def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.DomainError)
    body = error_body(exc.code, exc.message, exc.details)
    return JSONResponse(body, status_code=status_of(exc), headers=headers_of(exc))


_LOCATIONS = ("body", "query", "path", "header", "cookie")


def _field_path(loc: tuple[Any, ...]) -> str:
    """The field's path without its location (body, query...), which is reported separately."""
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in _LOCATIONS else [str(p) for p in loc]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return JSONResponse(
            error_body("INVALID_JSON", "The request body is not valid JSON", {"reason": problems[0].get("msg")}),
            status_code=400,
        )
    fields = [
        {
            "field": _field_path(tuple(p.get("loc", ()))),
            "location": str(p.get("loc", ("body",))[0]),
            "message": str(p.get("msg", "")).removeprefix("Value error, "),
            "type": p.get("type"),
        }
        for p in problems
    ]
    # A field the body does not define (request models forbid extras, api/main/schemas/common.py) is
    # refused as 422 naming it, rather than ignored: the client meant a change that would not happen.
    unknown = [f["field"] for f in fields if f["type"] == "extra_forbidden"]
    if unknown:
        return JSONResponse(
            error_body(
                "UNKNOWN_FIELD",
                f"Unknown field(s): {', '.join(unknown)}; see details.fields",
                {"unknown_fields": unknown, "fields": fields},
            ),
            status_code=422,
        )
    return JSONResponse(
        error_body("VALIDATION_ERROR", "The request is invalid; see details.fields", {"fields": fields}),
        status_code=400,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path. Starlette's 405 names only the methods of the
    first route whose path matched, but GET and POST on one path are two routes (and included
    routers nest them): each method is asked of the app's routes in turn."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        message = f"No route matches {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"} | {"Allow": _allowed_methods(request)}
    else:
        message = str(exc.detail)
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(e.DomainError, _domain_error)
    app.add_exception_handler(Replay, replay_response)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
