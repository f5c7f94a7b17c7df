"""The main API's response envelope: ``{"success": true, "data": ...}`` or the error shape."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, PlainSerializer
from pydantic_core import to_jsonable_python

T = TypeVar("T")

# The seed writes instants as 2024-01-15T10:30:00Z.
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str),
]


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(BaseModel):
    success: bool = False
    error: ErrorDetail


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error envelope as plain JSON values. ``details`` are converted here, whatever a raiser put
    in them (datetimes, enums, sets, models, bytes, NaN, keys that are not strings): an error answer
    that cannot itself be serialised would become a 500 that hides the real error."""
    safe = to_jsonable_python(details or {}, fallback=str, bytes_mode="base64", inf_nan_mode="null")
    return ErrorEnvelope(error=ErrorDetail(code=code, message=message, details=safe)).model_dump()


# Every error the one error table (api/main/errors.py) can answer, documented on every route of /api and
# /admin through their routers (503: a network or AWS dependency is unavailable, with Retry-After).
# The model only serves the OpenAPI document, which no Lambda function serves (create_app(docs=False)),
# and FastAPI builds a serializer for each documented model of each status of each route at import:
# about a third of a router's import. So on Lambda (AWS_LAMBDA_FUNCTION_NAME, set by the runtime)
# the statuses are declared without it; the local server's /docs and the fuzz tests keep the model.
_ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": "Error"} if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else {"model": ErrorEnvelope}
    for status in _ERROR_STATUSES
}
