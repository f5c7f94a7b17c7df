"""Each network's metrics (insights) API: one module per catalog network id, each with an ``Insights``
class taking the shared ``NetworkHttp`` (see socialpub.domain.analytics and docs/analytics.md)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import InsightsReader, PostInsight
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import PublishAccount, Rejected


def insights_for(platform_id: str, http: NetworkHttp) -> InsightsReader:
    if platform_id not in catalog():
        raise KeyError(platform_id)
    module = importlib.import_module(f"{__name__}.{platform_id}")
    reader: InsightsReader = module.Insights(http)
    return reader


class OnePostPerCall:
    """A reader for a network that answers one post's figures a call: ``post`` makes that call and
    maps its fields; a post the network no longer has (a refusal ``gone`` says is one, or a ``post``
    that answers ``None``) is not available, with the network's ``GONE`` reason."""

    batch_size = 1
    GONE = "The network no longer has this post"

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        return {post_id: self._read(account, token, post_id) for post_id in post_ids}

    def _read(self, account: PublishAccount, token: str, post_id: str) -> PostInsight:
        try:
            found = self.post(account, token, post_id)
        except Rejected as refused:
            if not self.gone(refused):
                raise
            found = None
        return PostInsight.unavailable(self.GONE) if found is None else found

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight | None:
        """One call for one post, its fields mapped; None when the answer does not hold the post."""
        raise NotImplementedError

    def gone(self, refused: Rejected) -> bool:
        """Whether a refusal means the post is gone (a 404, for most networks)."""
        return refused.status == 404
