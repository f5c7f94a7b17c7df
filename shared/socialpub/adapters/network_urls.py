"""Where the product reaches a network. Deployed, at the URLs of the catalog; locally and in tests,
at the platform emulator: with ``PLATFORM_EMULATOR_URL`` set, ``https://<host>/<path>?<query>``
becomes ``<emulator>/<host>/<path>?<query>``. Every outbound call to a network goes through here."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit


def network_url(url: str, emulator: str | None = None) -> str:
    base = emulator if emulator is not None else os.environ.get("PLATFORM_EMULATOR_URL", "")
    if not base:
        return url
    parts = urlsplit(url)
    target = urlsplit(base.rstrip("/"))
    return urlunsplit((target.scheme, target.netloc, f"{target.path}/{parts.netloc}{parts.path}", parts.query, ""))
