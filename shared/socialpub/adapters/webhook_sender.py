"""POSTs webhook deliveries, safely: only https, only to hosts whose every address is public,
checked when a webhook is saved and again at each send, and the connection made to the very
address checked (host_guard.PinnedTransport, as for every call to a network), so a DNS answer that
changes between check and connect cannot point it inside. No redirects are followed; the timeout
is short.

The local stack sets ``allow_loopback`` (ALLOW_LOOPBACK_TARGETS) so receivers on the developer's
machine (127.0.0.0/8, ::1) work, over plain http too; nothing else private is allowed there either,
and metadata addresses never are. Deployed stacks never set it.
"""

from __future__ import annotations

import time
from urllib.parse import SplitResult, urlsplit

import httpx

from socialpub.adapters.host_guard import HostRefused, PortResolver, connectable, pinned_client, resolve_addresses
from socialpub.domain.errors import InvalidInput
from socialpub.domain.webhooks import SEND_TIMEOUT_SECONDS, SendResult

MAX_URL_LENGTH = 2048
ANSWER_BYTES = 4096  # a little of the answer is read, then the connection let go


class HttpWebhookSender:
    def __init__(self, *, allow_loopback: bool = False, resolver: PortResolver = resolve_addresses) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._http = pinned_client(
            httpx.Timeout(SEND_TIMEOUT_SECONDS), allow_loopback=allow_loopback, resolver=resolver
        )

    def check(self, url: str) -> None:
        parts, port = self._parts(url)
        try:
            connectable(
                parts.scheme, parts.hostname or "", port, resolver=self._resolver, allow_loopback=self._allow_loopback
            )
        except HostRefused as refused:
            raise _refuse(refused.message) from refused

    def send(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        started = time.monotonic()
        try:
            self._parts(url)
            with self._http.stream("POST", url, content=body.encode(), headers=headers) as response:
                for _ in response.iter_raw(ANSWER_BYTES):
                    break
        except HostRefused as refused:  # checked again now, before connecting: nothing was sent
            return SendResult(status_code=None, latency_ms=0, error=f"Not sent: {_refuse(refused.message).message}")
        except InvalidInput as refused:
            return SendResult(status_code=None, latency_ms=0, error=f"Not sent: {refused.message}")
        except httpx.HTTPError as exc:
            elapsed = int((time.monotonic() - started) * 1000)
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
            return SendResult(status_code=None, latency_ms=elapsed, error=f"{kind}: {type(exc).__name__}")
        elapsed = int((time.monotonic() - started) * 1000)
        error = None if 200 <= response.status_code < 300 else f"the receiver answered {response.status_code}"
        return SendResult(status_code=response.status_code, latency_ms=elapsed, error=error)

    def _parts(self, url: str) -> tuple[SplitResult, int]:
        """The URL's parts and port, if its form is allowed (the addresses are checked apart)."""
        if len(url) > MAX_URL_LENGTH:
            raise _refuse(f"longer than {MAX_URL_LENGTH} characters")
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise _refuse("not a URL") from exc
        if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not self._allow_loopback):
            raise _refuse("only https URLs are accepted")
        if not parts.hostname or parts.username or parts.password:
            raise _refuse("it needs a host name and no user info")
        return parts, port


def _refuse(why: str) -> InvalidInput:
    return InvalidInput(f"The webhook URL is not allowed: {why}", details={"field": "url"})
