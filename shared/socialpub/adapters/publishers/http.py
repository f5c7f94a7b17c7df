"""HTTP for the publishers: one client, the emulator mapping (``network_url``), and the translation
of a network's answers into publishing failures. Every call to a network (an account's Mastodon
instance too) is checked and pinned at call time (host_guard.PinnedTransport): a host that resolves
to a non-public address is a permanent ``HOST_NOT_ALLOWED``, and nothing is sent. With the platform
emulator configured (local stack, tests) every call goes to it instead, which the operator chose.

- no answer (timeout, connection lost): Retryable, outcome unknown (``sent=None``);
- 429: Retryable ``RATE_LIMITED`` with the network's Retry-After; 5xx: Retryable, outcome unknown;
- 401: NeedsReconnect ``TOKEN_REJECTED``; 403: Rejected ``PERMISSION_DENIED``;
- 413: Rejected ``MEDIA_REJECTED``; any other 4xx: Rejected ``VALIDATION_FAILED``.

A publisher passes ``classify`` to read its network's own error bodies first (Graph's codes, X's
duplicate-content 403, TikTok's ``error.code``...); it returns None to fall back to the above.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.host_guard import HostRefused, pinned_client
from socialpub.adapters.network_auth import error_of
from socialpub.adapters.network_urls import network_url
from socialpub.domain.publishing import NeedsReconnect, PublishFailure, Rejected, Retryable

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
Classifier = Callable[[httpx.Response, Any, str], PublishFailure | None]
CLOCK_SKEW = timedelta(seconds=60)  # between us and a network, when matching a post's time to an attempt


class NetworkHttp:
    def __init__(
        self, http: httpx.Client | None = None, emulator: str | None = None, timeout: httpx.Timeout = TIMEOUT
    ) -> None:
        emulated = emulator if emulator is not None else os.environ.get("PLATFORM_EMULATOR_URL", "")
        self._http = http or (
            httpx.Client(timeout=timeout, follow_redirects=False) if emulated else pinned_client(timeout)
        )
        self._emulator = emulator

    def url(self, url: str) -> str:
        """Where a network URL is reached (the emulator's address, locally)."""
        return network_url(url, self._emulator)

    def call(self, method: str, url: str, *, classify: Classifier | None = None, **kwargs: Any) -> httpx.Response:
        host = httpx.URL(url).host or "the network"
        try:
            response = self._http.request(method, self.url(url), **kwargs)
        except HostRefused as refused:
            raise Rejected(f"{refused.message}; nothing was sent", code="HOST_NOT_ALLOWED", sent=False) from None
        except httpx.ConnectError:
            raise Retryable(f"{host} could not be reached", code="NETWORK_UNAVAILABLE", sent=False) from None
        except httpx.HTTPError as exc:
            raise Retryable(
                f"{host} did not answer in time ({type(exc).__name__})", code="NETWORK_TIMEOUT", sent=None
            ) from None
        if response.status_code < 400:
            return response
        raise failure_of(response, host, classify)

    def json(self, method: str, url: str, *, classify: Classifier | None = None, **kwargs: Any) -> Any:
        """The decoded JSON answer of a successful call (Rejected ``BAD_RESPONSE`` if it is not JSON)."""
        response = self.call(method, url, classify=classify, **kwargs)
        body = decoded(response)
        if body is None:
            host = httpx.URL(url).host
            raise Rejected(f"{host} answered something that is not JSON", code="BAD_RESPONSE")
        return body


def decoded(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def made_since(value: Any, armed_at: datetime, skew: timedelta = CLOCK_SKEW) -> bool:
    """Whether a network's ISO 8601 timestamp (``Z``, ``+0000`` or ``+00:00``; naive is UTC, as Lemmy
    before 0.19) is at or after the moment a step was armed, less some clock skew. No timestamp (a
    draft) or an unreadable one is not: a lost answer's lookup only takes what this attempt could make."""
    try:
        when = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return False
    if when is None:
        return False
    return when.replace(tzinfo=when.tzinfo or UTC) >= armed_at.replace(tzinfo=armed_at.tzinfo or UTC) - skew


def retry_after(response: httpx.Response, reset_header: str | None = None) -> float | None:
    """Retry-After in seconds or as an HTTP date; else, with ``reset_header``, the epoch second the
    network's rate-limit window reopens (X's ``x-rate-limit-reset``, atproto's ``ratelimit-reset``)."""
    value = response.headers.get("retry-after")
    if not value:
        reset = response.headers.get(reset_header) if reset_header else None
        try:
            return max(0.0, float(reset) - time.time()) if reset else None
        except ValueError:
            return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else None


def failure_of(response: httpx.Response, host: str, classify: Classifier | None = None) -> PublishFailure:
    body = decoded(response)
    code, message = error_of(body)
    if not message and response.text and body is None:
        message = response.text[:300]
    if classify is not None:
        specific = classify(response, body, message)
        if specific is not None:
            return specific
    return default_failure(response, host, message or code)


def default_failure(response: httpx.Response, host: str, message: str) -> PublishFailure:
    status = response.status_code
    said = f"{host} answered {status}" + (f": {message}" if message else "")
    if status == 429:
        return Retryable(
            said, code="RATE_LIMITED", network_message=message, status=status, retry_after=retry_after(response)
        )
    if status >= 500:
        return Retryable(said, network_message=message, status=status, sent=None, retry_after=retry_after(response))
    if status == 401:
        return NeedsReconnect(said, network_message=message, status=status)
    if status == 403:
        return Rejected(said, code="PERMISSION_DENIED", network_message=message, status=status)
    if status == 413:
        return Rejected(said, code="MEDIA_REJECTED", network_message=message, status=status)
    return Rejected(said, network_message=message, status=status)
