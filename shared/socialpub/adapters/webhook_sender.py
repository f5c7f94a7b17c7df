"""POSTs webhook deliveries, safely: only https, only to hosts whose every address is public,
checked when a webhook is saved and again at each send, and the connection made to the very
address checked (so a DNS answer that changes between check and connect cannot point it inside).
No redirects are followed; the timeout is short.

The local stack sets ``allow_loopback`` (ALLOW_LOOPBACK_TARGETS) so receivers on the developer's
machine (127.0.0.0/8, ::1) work, over plain http too; nothing else private is allowed there either,
and metadata addresses never are. Deployed stacks never set it.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import certifi
import urllib3

from socialpub.adapters.host_guard import is_loopback_address, refused_addresses
from socialpub.domain.errors import InvalidInput
from socialpub.domain.webhooks import SEND_TIMEOUT_SECONDS, SendResult

Resolver = Callable[[str, int], list[str]]
MAX_URL_LENGTH = 2048


def _resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


class HttpWebhookSender:
    def __init__(self, *, allow_loopback: bool = False, resolver: Resolver = _resolve) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._tls = ssl.create_default_context(cafile=certifi.where())

    def check(self, url: str) -> None:
        self._addresses(url)

    def send(self, url: str, headers: dict[str, str], body: str) -> SendResult:
        started = time.monotonic()
        try:
            addresses = self._addresses(url)
        except InvalidInput as refused:
            return SendResult(status_code=None, latency_ms=0, error=f"Not sent: {refused.message}")
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timeout = urllib3.Timeout(connect=SEND_TIMEOUT_SECONDS, read=SEND_TIMEOUT_SECONDS)
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                addresses[0], port, timeout=timeout, retries=False, ssl_context=self._tls,
                server_hostname=host, assert_hostname=host,
            )  # fmt: skip
        else:
            pool = urllib3.HTTPConnectionPool(addresses[0], port, timeout=timeout, retries=False)
        try:
            with pool:
                response = pool.urlopen(
                    "POST",
                    path,
                    body=body.encode(),
                    headers={**headers, "host": parts.netloc.rsplit("@", 1)[-1]},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                )
                response.read(4096)  # a little of the answer, then let go
                response.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            elapsed = int((time.monotonic() - started) * 1000)
            kind = "timed out" if isinstance(exc, urllib3.exceptions.TimeoutError) else "connection failed"
            return SendResult(status_code=None, latency_ms=elapsed, error=f"{kind}: {type(exc).__name__}")
        elapsed = int((time.monotonic() - started) * 1000)
        error = None if 200 <= response.status < 300 else f"the receiver answered {response.status}"
        return SendResult(status_code=response.status, latency_ms=elapsed, error=error)

    def _addresses(self, url: str) -> list[str]:
        """The addresses to connect to, after checking the URL and every address its host has now."""

        def refuse(why: str) -> InvalidInput:
            return InvalidInput(f"The webhook URL is not allowed: {why}", details={"field": "url"})

        if len(url) > MAX_URL_LENGTH:
            raise refuse(f"longer than {MAX_URL_LENGTH} characters")
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise refuse("not a URL") from exc
        host = parts.hostname or ""
        if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not self._allow_loopback):
            raise refuse("only https URLs are accepted")
        if not host or parts.username or parts.password:
            raise refuse("it needs a host name and no user info")
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = self._resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise refuse(f"{host} does not resolve") from exc
        if not addresses:
            raise refuse(f"{host} does not resolve")
        refused = refused_addresses(addresses, allow_loopback=self._allow_loopback)
        if refused:
            raise refuse(f"{host} resolves to a non-public address ({'; '.join(refused)})")
        if parts.scheme == "http" and not all(is_loopback_address(a) for a in addresses):
            # Plain http only stays on the machine; anything that leaves it is sent over TLS.
            raise refuse("only https URLs are accepted")
        return addresses
