"""SSRF guard for hosts a client names (a Mastodon instance; webhook receivers later): only public
DNS names whose every address is public. No IP literals, no loopback, private, link-local (cloud
metadata at 169.254.169.254), multicast or reserved ranges, and no single-label or internal names.

With the platform emulator configured (local stack, tests), calls never go to the named host, so
its name is checked but not resolved.
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


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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
        private = [a for a in addresses if not is_public_address(a)]
        if private:
            return f"it resolves to a non-public address ({', '.join(private)})"
        return None
