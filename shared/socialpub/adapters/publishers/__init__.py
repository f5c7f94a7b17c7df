"""Each network's publishing API: one module per catalog network id, each with a ``Publisher`` class
taking the shared ``NetworkHttp`` (see docs/adding-a-network.md), and, where the network makes a
post's public address from its id alone, a ``link(account, post_id)`` function."""

from __future__ import annotations

import importlib

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import NetworkPublisher, PublishAccount


def publisher_for(platform_id: str, http: NetworkHttp) -> NetworkPublisher:
    if platform_id not in catalog():
        raise KeyError(platform_id)
    module = importlib.import_module(f"{__name__}.{platform_id}")
    publisher: NetworkPublisher = module.Publisher(http)
    return publisher


def permalink(platform_id: str, account: PublishAccount, post_id: str) -> str | None:
    """The public address of a network's post from its id (domain/publishing.py ``Permalink``), where
    the network's module can make one without a call; else None."""
    if platform_id not in catalog():
        return None
    link = getattr(importlib.import_module(f"{__name__}.{platform_id}"), "link", None)
    found: str | None = link(account, post_id) if link is not None else None
    return found
