"""SSRF guard for what the server connects to on a client's word (a Mastodon instance, a webhook
receiver): which addresses are allowed, and which host names a client may name.

Addresses: public ones only. Never private, link-local (cloud metadata: 169.254.169.254,
fd00:ec2::254), multicast or reserved ones, including when they hide inside an IPv6 address
(IPv4-mapped, 6to4, Teredo, NAT64). Loopback (127.0.0.0/8, ::1) only where a caller allows it:
the local stack, for webhook receivers on the developer's machine (ALLOW_LOOPBACK_TARGETS).

Names (PublicHostGuard): only public DNS names whose every address is public. No IP literals, no
single-label or internal names. With the platform emulator configured (local stack, tests), calls
never go to the named host, so its name is checked but not resolved.

Calls (PinnedTransport, under every httpx client that reaches a host a client chose or that the
networks name: webhook receivers, Mastodon instances, every network's API): the host is resolved
and checked again at each call, and the connection is made to the very address checked, TLS still
verifying the name, so a DNS answer that changes after a check cannot point a call inside.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from socialpub.domain.errors import InvalidInput

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_INTERNAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home", ".corp", ".intranet")

Resolver = Callable[[str], list[str]]


def _resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)})


# Cloud metadata services: link-local IPv4 (AWS, GCP, Azure at 169.254.169.254) and IPv6 (fe80::/10;
# AWS's IPv6 endpoint fd00:ec2::254 is a unique-local address). Named so a refusal says what it is.
_METADATA = [ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128")]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Addresses whose destination is not what they look like: local-use NAT64 and the deprecated
# IPv4-compatible form (which Python counts as global).
_OPAQUE = [ipaddress.ip_network(n) for n in ("64:ff9b:1::/48", "::/96")]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _destinations(ip: Address) -> list[Address]:
    """The address and any IPv4 address it carries: an IPv6 address that embeds one can reach it."""
    found: list[Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            found.append(ip.sixtofour)
        if ip.teredo is not None:
            found.append(ip.teredo[1])
        if ip in _NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_metadata_address(address: str) -> bool:
    return any(ip in net for ip in _destinations(ipaddress.ip_address(address)) for net in _METADATA)


def is_loopback_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if any(ip in net for net in _OPAQUE):
        return False
    return all(d.is_global and not d.is_multicast for d in _destinations(ip))


def refused_addresses(addresses: list[str], *, allow_loopback: bool = False) -> list[str]:
    """The addresses a request must not go to, each with why: metadata and link-local always,
    loopback unless allowed, anything else that is not public."""
    refused = []
    for address in addresses:
        if is_metadata_address(address):
            refused.append(f"{address}: link-local or cloud metadata")
        elif is_public_address(address) or (allow_loopback and is_loopback_address(address)):
            continue
        else:
            refused.append(f"{address}: not public")
    return refused


class PublicHostGuard:
    def __init__(self, resolver: Resolver | None = _resolve, *, resolve: bool | None = None) -> None:
        self._resolver = resolver
        self._resolve = not os.environ.get("PLATFORM_EMULATOR_URL") if resolve is None else resolve

    def __call__(self, value: str) -> str:
        """The host of ``value`` (a host or an https URL), lower-cased, if it is a public name."""
        text = value.strip().lower()
        try:
            host = urlsplit(text if "//" in text else f"https://{text}").hostname or ""
        except ValueError:  # "[x": a bracket that opens no IPv6 address
            raise InvalidInput(f"{value!r} is not a host name", details={"field": "instance"}) from None
        problem = self._problem(host)
        if problem:
            raise InvalidInput(f"{value!r} is not allowed: {problem}", details={"field": "instance", "host": host})
        return host

    def _problem(self, host: str) -> str | None:
        try:
            ipaddress.ip_address(host)
            return "give the server's DNS name, not an IP address"
        except ValueError:
            pass
        labels = host.split(".")
        if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
            return "not a public DNS name"
        if host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
            return "an internal name"
        if not self._resolve or self._resolver is None:
            return None
        try:
            addresses = self._resolver(host)
        except (OSError, UnicodeError):
            return "the name does not resolve"
        if not addresses:
            return "the name does not resolve"
        refused = refused_addresses(addresses)
        if refused:
            return f"it resolves to a non-public address ({'; '.join(refused)})"
        return None


# ---------------------------------------------------------------------- calls: checked and pinned at call time

PortResolver = Callable[[str, int], list[str]]


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address of ``host``, in the system's order of preference (RFC 6724 ranks addresses with
    no usable route last, e.g. IPv6 where only IPv4 goes out), without repeats."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class HostRefused(InvalidInput):
    """A call that must not be made: its host resolves now to an address the server may not reach."""


class HostUnresolvable(HostRefused):
    """The host has no address now (which may pass: a call sees it as a connection failure)."""


def connectable(scheme: str, host: str, port: int, *, resolver: PortResolver, allow_loopback: bool) -> list[str]:
    """The addresses a call to ``host`` may connect to, now (HostRefused, saying why, if none): every
    address the name has must be allowed, one bad answer is enough to refuse, and plain http never
    leaves this machine."""
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise HostUnresolvable(f"{host} does not resolve", details={"host": host}) from exc
    if not addresses:
        raise HostUnresolvable(f"{host} does not resolve", details={"host": host})
    refused = refused_addresses(addresses, allow_loopback=allow_loopback)
    if refused:
        raise HostRefused(f"{host} resolves to a non-public address ({'; '.join(refused)})", details={"host": host})
    if scheme == "http" and not all(is_loopback_address(a) for a in addresses):
        raise HostRefused("only https URLs are accepted beyond this machine", details={"host": host})
    return addresses


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport that checks each request's host when the request is made (``connectable``)
    and connects to the address it checked: the URL is sent to that address, while the Host header
    and TLS (SNI and the certificate's name) keep the name. If an address cannot be connected to,
    the next checked one is tried (nothing was sent). Connections are pooled per host name, never
    shared between two names that happen to share an address."""

    MAX_HOSTS = 64  # pools kept; the least recently used is let go beyond this

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        resolver: PortResolver = resolve_addresses,
        transport: Callable[[], httpx.BaseTransport] = httpx.HTTPTransport,
    ) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._transport = transport
        self._pools: OrderedDict[str, httpx.BaseTransport] = OrderedDict()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host = url.raw_host.decode("ascii")  # an international name in its DNS (IDNA) form
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = connectable(
                url.scheme, host, port, resolver=self._resolver, allow_loopback=self._allow_loopback
            )
        except HostUnresolvable as exc:
            raise httpx.ConnectError(exc.message, request=request) from exc
        pool = self._pool(f"{url.scheme}://{host}:{port}")
        request.extensions = {**request.extensions, "sni_hostname": host}
        for index, address in enumerate(addresses):
            request.url = url.copy_with(host=address)
            try:
                return pool.handle_request(request)
            except httpx.ConnectError:
                if index == len(addresses) - 1:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            pool.close()

    def _pool(self, origin: str) -> httpx.BaseTransport:
        with self._lock:
            pool = self._pools.pop(origin, None) or self._transport()
            self._pools[origin] = pool
            if len(self._pools) > self.MAX_HOSTS:
                # Dropped, not closed: a call on another thread may still be using it.
                self._pools.popitem(last=False)
        return pool


def pinned_client(
    timeout: httpx.Timeout, *, allow_loopback: bool = False, resolver: PortResolver = resolve_addresses
) -> httpx.Client:
    """An httpx client whose every call goes through PinnedTransport. No redirects (each hop would
    need the same check), and no proxies from the environment (they would connect unchecked)."""
    return httpx.Client(
        transport=PinnedTransport(allow_loopback=allow_loopback, resolver=resolver),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
