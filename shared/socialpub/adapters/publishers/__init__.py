"""Each network's publishing API: one module per catalog network id, each with a ``Publisher`` class
taking the shared ``NetworkHttp`` (see docs/adding-a-network.md), and, where the network makes a
post's public address from its id alone, a ``link(account, post_id)`` function; where a post names one of
the account's channels (Slack), a ``channels(http, token, cursor, limit)`` function listing them."""

from __future__ import annotations

import importlib

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.channels import ChannelReader
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


def channels_for(platform_id: str, http: NetworkHttp) -> ChannelReader | None:
    """The network's channel list (its module's ``channels``), or None where it has none."""
    if platform_id not in catalog():
        return None
    listing = getattr(importlib.import_module(f"{__name__}.{platform_id}"), "channels", None)
    if listing is None:
        return None
    return lambda token, cursor, limit: listing(http, token, cursor, limit)
