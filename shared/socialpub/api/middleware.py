"""ASGI middleware: request ids, the body-size cap, rate-limit headers, and the last-resort 500.

Written as plain ASGI (not BaseHTTPMiddleware) so it adds no task switching per request.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from socialpub.api.main.envelope import error_body
from socialpub.domain.idempotency import StoredResponse
from socialpub.observability import log_keys, logger

# Multipart media uploads: the routes that take more than a JSON body's cap (the main API's, and
# PostSider's /upload under both its prefixes), each with where a larger file goes instead.
UPLOAD_PATH = re.compile(r"^/api/posts/[^/]+/media$|^(/api)?/public/v1/upload$")
LARGER_FILES = {
    "/api/posts/": "ask POST /api/posts/{id}/media/uploads for a presigned upload URL instead",
    "/public/v1/": "give its https URL to POST /public/v1/upload-from-url instead",
    "/api/public/v1/": "give its https URL to POST /api/public/v1/upload-from-url instead",
}


class _BodyTooLarge(Exception):
    pass


async def _settle(scope: Scope, record: str, messages: list[Message]) -> None:
    """Store a finished response under its Idempotency-Key reservation, or release it after a 5xx."""
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    store = scope["app"].state.container.idempotency
    if start["status"] >= 500:
        await run_in_threadpool(store.release, record)
        return
    content_type = dict(start.get("headers", [])).get(b"content-type", b"application/json").decode()
    stored = StoredResponse(status=start["status"], body=body.decode(), content_type=content_type)
    await run_in_threadpool(store.complete, record, stored, int(scope["app"].state.container.epoch()))


def _request_id(scope: Scope) -> str:
    event = scope.get("aws.event") or {}
    return str((event.get("requestContext") or {}).get("requestId") or uuid.uuid4())


# A surface with error bodies of its own (api/postsider/): (status, message) -> body.
EdgeErrorBody = Callable[[int, str], dict[str, Any]]


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        error_bodies: Mapping[str, EdgeErrorBody] | None = None,
    ) -> None:
        """``error_bodies``: by path prefix, how the answers made here (413, the last-resort 500)
        are worded for a surface whose clients expect another shape than the envelope."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.error_bodies = dict(error_bodies or {})

    def _surface_body(self, scope: Scope) -> EdgeErrorBody | None:
        path = scope.get("path", "")
        return next((b for prefix, b in self.error_bodies.items() if path.startswith(prefix + "/")), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        with log_keys(correlation_id=request_id):  # this request's lines only, not concurrent ones'
            await self._handle(scope, receive, send, request_id)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = False

        held: list[Message] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                rate = state.get("rate_limit")
                if rate is not None and not any(k.lower() == b"x-ratelimit-limit" for k, _ in headers):
                    headers.extend((k.lower().encode(), v.encode()) for k, v in rate.headers().items())
                message = {**message, "headers": headers}
            if state.get("idempotency_record") is None:
                started = started or message["type"] == "http.response.start"
                await send(message)
                return
            # Under an Idempotency-Key reservation: hold the response, store it, then send it, so a
            # replay arriving right after this response already finds it.
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await _settle(scope, state.pop("idempotency_record"), held)
                started = True
                for part in held:
                    await send(part)

        surface_body = self._surface_body(scope)

        async def respond(status: int, body: dict[str, Any]) -> None:
            if surface_body is not None:
                body = surface_body(status, str(body["error"]["message"]))
            payload = json.dumps(body).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": payload})

        cap = self.max_upload_bytes if UPLOAD_PATH.match(scope.get("path", "")) else self.max_body_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await respond(413, self._too_large(cap, scope))
            return

        # A body without Content-Length (Transfer-Encoding: chunked) is counted as it streams in.
        received = 0
        over_cap = False

        async def counting_receive() -> Message:
            nonlocal received, over_cap
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    over_cap = True
                    raise _BodyTooLarge
            return message

        async def send_unless_over_cap(message: Message) -> None:
            # FastAPI turns any error while reading a body into its own 400; once the cap is passed,
            # whatever the app answers is replaced by the 413 below.
            if not over_cap:
                await send_with_headers(message)

        try:
            await self.app(scope, counting_receive, send_unless_over_cap)
        except Exception:
            if not over_cap:  # past the cap, the error is only the body cut short: answered below
                logger.exception("Unhandled error", extra={"path": scope.get("path"), "method": scope.get("method")})
                if not started:
                    held.clear()  # a half-built response is replaced by the 500 (which releases the key)
                    await respond(
                        500,
                        error_body(
                            "INTERNAL_ERROR",
                            "An unexpected error occurred; quote the request id when reporting it",
                            {"request_id": request_id},
                        ),
                    )
        if over_cap and not started:
            held.clear()
            await respond(413, self._too_large(cap, scope))

    def _too_large(self, cap: int, scope: Scope) -> dict[str, Any]:
        path = scope.get("path", "")
        if UPLOAD_PATH.match(path):
            instead = next(hint for prefix, hint in LARGER_FILES.items() if path.startswith(prefix))
            return error_body(
                "PAYLOAD_TOO_LARGE",
                f"Files above {cap} bytes cannot be sent through the API; {instead}",
                {"max_bytes": cap},
            )
        return error_body("PAYLOAD_TOO_LARGE", f"The request body exceeds {cap} bytes", {"max_bytes": cap})
