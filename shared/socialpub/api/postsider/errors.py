"""The PostSider surface's one error table: what a /public/v1 client sees for every error.

Bodies follow the real Postiz server (wire contract 2.1), not the main API's envelope:
- domain errors: the status of the main table (api/main/errors.py ``status_of``) with ``{"msg": "..."}``;
- request validation: 400 ``{"statusCode": 400, "message": [...], "error": "Bad Request"}`` (a string
  ``message`` for a body that is not JSON, as Nest's body parser answers);
- a route that does not exist (any method): Nest's 404 ``{"message": "Cannot GET /public/v1/x", ...}``;
- anything unexpected: ``{"statusCode": 500, "message": "Internal server error"}``, never a trace;
- a body over the cap (refused by the shared edge middleware): 413 in Nest's shape (``edge_error_body``);
- ``BadRequest`` (a check the surface makes itself, as Nest's BadRequestException): 400 with its
  ``message``, a string or, for DTO-like checks, an array of "<path> <problem>";
- a post a channel's rules refuse (the domain's ContentRejected): 400
  ``{"statusCode": 400, "provider": "<Postiz id>", "name": "<channel name>", "message": "..."}``, the
  channel being the account the route set on ``request.state.channel`` (else the first network refused).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from socialpub.api.main.errors import headers_of, status_of
from socialpub.api.postsider.identifiers import PROVIDER_OF_PLATFORM, identifier_of
from socialpub.domain import errors as e
from socialpub.domain.accounts import Account
from socialpub.domain.platforms import catalog
from socialpub.domain.services.posts import ContentRejected


class BadRequest(Exception):
    """A 400 the surface words itself, as Nest's BadRequestException: ``message`` is a string, or an
    array of "<path> <problem>" for checks that stand in for a DTO's."""

    def __init__(self, message: str | list[str]) -> None:
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.message = message


def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.DomainError)
    return JSONResponse({"msg": exc.message}, status_code=status_of(exc), headers=headers_of(exc))


def _bad_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadRequest)
    return JSONResponse({"statusCode": 400, "message": exc.message, "error": "Bad Request"}, status_code=400)


def _content_rejected(request: Request, exc: Exception) -> JSONResponse:
    """Postiz's post-validation shape: which channel refused the post, and why (every failing rule
    of that network, in one message)."""
    assert isinstance(exc, ContentRejected)
    network, findings = next(iter(exc.refused.items()))
    channel: Account | None = getattr(request.state, "channel", None)
    if channel is not None and channel.platform in exc.refused:
        network, findings = channel.platform, exc.refused[channel.platform]
        provider, name = identifier_of(channel), channel.name
    else:
        provider, name = PROVIDER_OF_PLATFORM.get(network, network), catalog()[network].name
    message = "; ".join(dict.fromkeys(f.message for f in findings))
    return JSONResponse({"statusCode": 400, "provider": provider, "name": name, "message": message}, status_code=400)


def _problem(p: dict[str, Any]) -> str:
    """One line per problem, as class-validator words them: the field, then what is wrong."""
    loc = [str(part) for part in p.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header"):
        loc = loc[1:]  # where it was sent, not part of the field's name (a field may be called "path")
    message = str(p.get("msg", "")).removeprefix("Value error, ")
    return f"{'.'.join(loc)} {message}".strip() if loc else message


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    invalid_json = next((p for p in problems if p.get("type") == "json_invalid"), None)
    message: str | list[str] = (
        f"The request body is not valid JSON: {invalid_json.get('ctx', {}).get('error', '')}".rstrip(": ")
        if invalid_json
        else [_problem(p) for p in problems]
    )
    return JSONResponse({"statusCode": 400, "message": message, "error": "Bad Request"}, status_code=400)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Nest has no 405: a method a path does not serve is a route that does not exist.
    if exc.status_code in (404, 405):
        return JSONResponse(
            {"message": f"Cannot {request.method} {request.url.path}", "error": "Not Found", "statusCode": 404},
            status_code=404,
        )
    return JSONResponse({"statusCode": exc.status_code, "message": str(exc.detail)}, status_code=exc.status_code)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged by the edge middleware around the app, with the request id; the client sees no detail.
    return JSONResponse({"statusCode": 500, "message": "Internal server error"}, status_code=500)


_REASONS = {413: "Payload Too Large", 500: "Internal Server Error"}


def edge_error_body(status: int, message: str) -> dict[str, Any]:
    """The answers the shared edge middleware makes before or around the surface (a body over the
    cap, the last-resort 500), in Nest's shape instead of the main API's envelope."""
    if status >= 500:
        return {"statusCode": 500, "message": "Internal server error"}
    return {"statusCode": status, "message": message, "error": _REASONS.get(status, "Error")}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ContentRejected, _content_rejected)
    app.add_exception_handler(e.DomainError, _domain_error)
    app.add_exception_handler(BadRequest, _bad_request)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
