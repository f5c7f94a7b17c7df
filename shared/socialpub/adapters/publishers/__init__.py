"""Each network's publishing API: one module per catalog network id, each with a ``Publisher`` class
taking the shared ``NetworkHttp`` (see docs/adding-a-network.md)."""

from __future__ import annotations

import importlib

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import NetworkPublisher


def publisher_for(platform_id: str, http: NetworkHttp) -> NetworkPublisher:
    if platform_id not in catalog():
        raise KeyError(platform_id)
    module = importlib.import_module(f"{__name__}.{platform_id}")
    publisher: NetworkPublisher = module.Publisher(http)
    return publisher
