"""Each network's metrics (insights) API: one module per catalog network id, each with an ``Insights``
class taking the shared ``NetworkHttp`` (see socialpub.domain.analytics and docs/analytics.md)."""

from __future__ import annotations

import importlib

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog


def insights_for(platform_id: str, http: NetworkHttp) -> InsightsReader:
    if platform_id not in catalog():
        raise KeyError(platform_id)
    module = importlib.import_module(f"{__name__}.{platform_id}")
    reader: InsightsReader = module.Insights(http)
    return reader
