"""Files fetched by URL for the media library (PostSider's /upload-from-url, and a post's image given
by URL), through the SSRF guard like every call to a host a client names (adapters/host_guard.py):

- https only, to hosts whose every address is public; never private, link-local or cloud metadata
  addresses. Loopback (127.0.0.0/8, ::1), over plain http too, only where the deployment allows it
  (ALLOW_LOOPBACK_TARGETS, set by the local stack and by tests, as for webhook receivers);
- each connection checked when it is made and pinned to the address checked (PinnedTransport);
  redirects are followed here, at most MAX_REDIRECTS, each hop checked the same way;
- the size cap is enforced while the body streams (a Content-Length over it stops the fetch at
  once; a missing or false one does not get past the count); a connect and read timeout, and an
  overall deadline so a slow trickle cannot hold the request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import httpx

from socialpub.adapters.host_guard import HostRefused, PortResolver, pinned_client, resolve_addresses
from socialpub.domain.media import MediaTooLarge, RemoteMediaRefused, RemoteMediaUnavailable

MAX_REDIRECTS = 3
MAX_URL_LENGTH = 2048
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
DEADLINE_SECONDS = 20.0  # within API Gateway's 29 s, with time left to inspect and store the file
_CHUNK = 64 * 1024


class HttpRemoteMedia:
    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        resolver: PortResolver = resolve_addresses,
        deadline_seconds: float = DEADLINE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._allow_loopback = allow_loopback
        self._deadline_seconds = deadline_seconds
        self._monotonic = monotonic
        self._http = pinned_client(TIMEOUT, allow_loopback=allow_loopback, resolver=resolver)

    def fetch(self, url: str, max_bytes: int) -> bytes:
        deadline = self._monotonic() + self._deadline_seconds
        for _ in range(MAX_REDIRECTS + 1):
            self._check_form(url)
            try:
                with self._http.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response:
                    if response.is_redirect and response.headers.get("location"):
                        # Joined to the URL asked for: the response's own URL names the pinned address.
                        url = urljoin(url, response.headers["location"])
                        continue
                    if not response.is_success:
                        raise RemoteMediaUnavailable(details={"url": url, "status": response.status_code})
                    return self._body(response, url, max_bytes, deadline)
            except HostRefused as refused:
                raise RemoteMediaRefused(details={"url": url, "reason": refused.message}) from refused
            except httpx.HTTPError as exc:
                raise RemoteMediaUnavailable(details={"url": url, "reason": type(exc).__name__}) from exc
        raise RemoteMediaUnavailable(details={"url": url, "reason": f"more than {MAX_REDIRECTS} redirects"})

    def _body(self, response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(max_bytes, int(declared))
        data = bytearray()
        for chunk in response.iter_bytes(_CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise _too_large(max_bytes, None)
            if self._monotonic() > deadline:
                raise RemoteMediaUnavailable(details={"url": url, "reason": "too slow"})
        return bytes(data)

    def _check_form(self, url: str) -> None:
        """https (http only where loopback is allowed: it then may not leave the machine), a host,
        no user info. The addresses are checked by the transport, at each connection."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a malformed port
        except ValueError as exc:
            raise RemoteMediaRefused(details={"url": url[:MAX_URL_LENGTH], "reason": "not a URL"}) from exc
        allowed = ("https", "http") if self._allow_loopback else ("https",)
        if len(url) > MAX_URL_LENGTH or parts.scheme not in allowed or not parts.hostname or parts.username:
            raise RemoteMediaRefused(details={"url": url[:MAX_URL_LENGTH]})


def _too_large(max_bytes: int, size: int | None) -> MediaTooLarge:
    return MediaTooLarge(
        f"Files fetched by URL are accepted up to {max_bytes} bytes",
        details={"max_bytes": max_bytes, **({"size": size} if size is not None else {})},
    )
