"""Nostr (NIP-01, github.com/nostr-protocol/nips/blob/master/01.md): keys, events and relays.

- Keys: a secp256k1 private key, given as 64 hex digits or NIP-19's ``nsec1...`` (bech32); the
  account is its x-only public key (hex), shown as ``npub1...``. Notes are named ``note1...``.
- Events: the id is the sha256 of ``[0, pubkey, created_at, kind, tags, content]`` serialized as
  NIP-01 says (UTF-8, no whitespace), the signature a BIP-340 Schnorr signature of the id (coincurve).
  The id depends on the event alone, so an event built and signed once is the same event however
  often it is sent: relays keep one event per id.
- Relays: ``["EVENT", event]`` answered ``["OK", id, accepted, message]``; ``["REQ", sub, filters...]``
  answered with ``["EVENT", sub, event]``s then ``["EOSE", sub]`` (or ``["CLOSED", sub, message]``).
  Each relay is reached over its own WebSocket, all of them at once, each call bounded in time.

Relay URLs come from the user: each host was refused at connect if it is not a public DNS name, and
is checked again at each call (``host_guard.connectable``), the connection made to the very address
checked, TLS still verifying the name. With the platform emulator configured (local stack, tests),
``wss://<host>/<path>`` is reached at ``ws://<emulator>/<host>/<path>`` instead, as every network's
URL is (``network_urls``).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from coincurve import PrivateKey
from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from socialpub.adapters.host_guard import HostRefused, HostUnresolvable, connectable, resolve_addresses
from socialpub.adapters.network_urls import network_url
from socialpub.domain.nostr import MAX_RELAYS, note_link, npub, private_key

__all__ = ["MAX_RELAYS", "RelayAnswer", "Relays", "note_link", "npub", "prefix", "private_key", "public_key"]

OPEN_TIMEOUT = 5.0  # seconds to open a relay's WebSocket
ANSWER_TIMEOUT = 10.0  # seconds a relay has to answer an EVENT (OK) or a REQ (EOSE)
MAX_MESSAGE = 4 * 1024 * 1024  # a relay's message we read at most (an event is far smaller)
MAX_EVENTS = 20_000  # events kept from one relay's answer to a REQ: what the filters' limits can ask for


def public_key(key: str) -> str:
    """The x-only public key (hex) of a private key (hex), as BIP-340 and NIP-01 name an account."""
    return PrivateKey(bytes.fromhex(key)).public_key_xonly.format().hex()


def serialized(event: dict[str, Any]) -> bytes:
    """NIP-01's serialization, whose sha256 is the event's id: UTF-8, no whitespace, no \\u escapes of
    non-ASCII characters."""
    fields = [0, event["pubkey"], event["created_at"], event["kind"], event["tags"], event["content"]]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


def signed_event(key: str, kind: int, content: str, tags: list[list[str]], created_at: int) -> dict[str, Any]:
    event: dict[str, Any] = {
        "pubkey": public_key(key),
        "created_at": created_at,
        "kind": kind,
        "tags": tags,
        "content": content,
    }
    event_id = hashlib.sha256(serialized(event)).digest()
    signature = PrivateKey(bytes.fromhex(key)).sign_schnorr(event_id, os.urandom(32))
    return {"id": event_id.hex(), **event, "sig": signature.hex()}


# ---------------------------------------------------------------------- talking to relays


@dataclass
class RelayAnswer:
    """One relay's answer: ``accepted`` (OK true, or EOSE), ``refused`` (OK false or CLOSED, with its
    message), ``unreachable`` (nothing was sent), ``forbidden`` (its host resolves to an address the
    server may not reach: nothing was sent) or ``silent`` (sent, no answer in time: outcome unknown)."""

    relay: str
    outcome: str
    message: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)


class Relays:
    def __init__(
        self,
        mapping: Callable[[str], str] = network_url,
        *,
        answer_timeout: float = ANSWER_TIMEOUT,
        resolver: Callable[[str, int], list[str]] = resolve_addresses,
    ) -> None:
        """``mapping``: where a network's https URL is reached (``NetworkHttp.url``: the emulator's
        address for it, locally), which the relay's wss URL follows."""
        self._mapping = mapping
        self._timeout = answer_timeout
        self._resolver = resolver

    def url(self, relay: str) -> str:
        """Where a relay is reached: itself, or the emulator's address for it (ws over its http)."""
        https = "https://" + relay.split("://", 1)[1]
        mapped = self._mapping(https)
        return relay if mapped == https else "ws" + mapped.removeprefix("http")

    def publish(self, relays: Sequence[str], event: dict[str, Any]) -> list[RelayAnswer]:
        """``["EVENT", event]`` to every relay at once, each answer awaited (``["OK", id, ok, msg]``)."""
        return self._each(relays, lambda relay: self._publish_one(relay, event))

    def query(self, relays: Sequence[str], filters: list[dict[str, Any]]) -> list[RelayAnswer]:
        """``["REQ", sub, *filters]`` on every relay at once, each relay's events until its EOSE."""
        return self._each(relays, lambda relay: self._query_one(relay, filters))

    def _each(self, relays: Sequence[str], call: Callable[[str], RelayAnswer]) -> list[RelayAnswer]:
        with ThreadPoolExecutor(max_workers=max(1, min(len(relays), MAX_RELAYS))) as pool:
            return list(pool.map(call, relays))

    def _open(self, relay: str) -> ClientConnection:
        options: dict[str, Any] = {
            "open_timeout": OPEN_TIMEOUT,
            "close_timeout": 1,
            "max_size": MAX_MESSAGE,
            "proxy": None,  # never a proxy from the environment: it would connect unchecked
            "compression": None,
        }
        target = self.url(relay)
        if target != relay:  # the emulator, which the operator chose
            return connect(target, **options)
        parts = urlsplit(relay)
        host, port = parts.hostname or "", parts.port or 443
        addresses = connectable("https", host, port, resolver=self._resolver, allow_loopback=False)
        last: OSError | None = None
        for address in addresses:  # the very addresses checked; TLS still verifies the name
            try:
                sock = socket.create_connection((address, port), timeout=OPEN_TIMEOUT)
            except OSError as exc:
                last = exc
                continue
            return connect(target, sock=sock, server_hostname=host, **options)
        raise last or OSError(f"{host} could not be reached")

    def _publish_one(self, relay: str, event: dict[str, Any]) -> RelayAnswer:
        try:
            ws = self._open(relay)
        except HostUnresolvable as unresolved:
            return RelayAnswer(relay, "unreachable", unresolved.message)
        except HostRefused as refused:
            return RelayAnswer(relay, "forbidden", refused.message)
        except (OSError, WebSocketException, TimeoutError, ValueError) as exc:  # ValueError: a redirect
            return RelayAnswer(relay, "unreachable", f"could not be reached ({type(exc).__name__})")
        with ws:
            deadline = time.monotonic() + self._timeout
            try:
                ws.send(json.dumps(["EVENT", event], ensure_ascii=False))
                while True:
                    message = _next(ws, deadline)
                    if len(message) >= 3 and message[0] == "OK" and message[1] == event["id"]:
                        said = str(message[3]) if len(message) > 3 else ""
                        return RelayAnswer(relay, "accepted" if message[2] is True else "refused", said)
                    if message[:1] == ["NOTICE"] and len(message) > 1:
                        continue  # a notice is not an answer to the event
            except (OSError, WebSocketException, TimeoutError) as exc:
                return RelayAnswer(relay, "silent", f"no answer ({type(exc).__name__})")

    def _query_one(self, relay: str, filters: list[dict[str, Any]]) -> RelayAnswer:
        try:
            ws = self._open(relay)
        except HostUnresolvable as unresolved:
            return RelayAnswer(relay, "unreachable", unresolved.message)
        except HostRefused as refused:
            return RelayAnswer(relay, "forbidden", refused.message)
        except (OSError, WebSocketException, TimeoutError, ValueError) as exc:  # ValueError: a redirect
            return RelayAnswer(relay, "unreachable", f"could not be reached ({type(exc).__name__})")
        sub = "sp" + secrets.token_hex(6)
        events: list[dict[str, Any]] = []
        with ws:
            deadline = time.monotonic() + self._timeout
            try:
                ws.send(json.dumps(["REQ", sub, *filters]))
                while True:
                    message = _next(ws, deadline)
                    if len(message) >= 3 and message[0] == "EVENT" and message[1] == sub:
                        if isinstance(message[2], dict):
                            events.append(message[2])
                        if len(events) > MAX_EVENTS:  # more than was asked for: a relay flooding us
                            return RelayAnswer(relay, "silent", f"sent more than {MAX_EVENTS} events")
                    elif message[:2] == ["EOSE", sub]:
                        ws.send(json.dumps(["CLOSE", sub]))
                        return RelayAnswer(relay, "accepted", events=events)
                    elif message[:2] == ["CLOSED", sub]:
                        return RelayAnswer(relay, "refused", str(message[2]) if len(message) > 2 else "")
            except (OSError, WebSocketException, TimeoutError) as exc:
                return RelayAnswer(relay, "silent", f"no answer ({type(exc).__name__})")


def _next(ws: ClientConnection, deadline: float) -> list[Any]:
    """The relay's next message; TimeoutError once the deadline has passed, even while the relay keeps
    sending (``recv(timeout=0)`` still returns a queued message, so a chatty relay would never time out)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the relay's time to answer is up")
    return _decoded(ws.recv(timeout=left))


def _decoded(frame: str | bytes) -> list[Any]:
    try:
        message = json.loads(frame)
    except ValueError:
        return []
    return message if isinstance(message, list) else []


def prefix(message: str) -> str:
    """NIP-01's machine-readable prefix of a relay's refusal (``invalid``, ``rate-limited``...)."""
    head, sep, _ = message.partition(":")
    return head.strip().lower() if sep else ""
