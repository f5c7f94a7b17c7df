"""SSRF guard for what the server connects to on a client's word (a Mastodon instance, a webhook
receiver): which addresses are allowed, and which host names a client may name.

Addresses: public ones only. Never private, link-local (cloud metadata: 169.254.169.254,
fd00:ec2::254), multicast or reserved ones, including when they hide inside an IPv6 address
(IPv4-mapped, 6to4, Teredo, NAT64). Loopback (127.0.0.0/8, ::1) only where a caller allows it:
the local stack, for webhook receivers on the developer's machine (ALLOW_LOOPBACK_TARGETS).

Names (PublicHostGuard): only public DNS names whose every address is public. No IP literals, no
single-label or internal names. With the platform emulator configured (local stack, tests), calls
never go to the named host, so its name is checked but not resolved.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

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
        host = urlsplit(text if "//" in text else f"https://{text}").hostname or ""
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
