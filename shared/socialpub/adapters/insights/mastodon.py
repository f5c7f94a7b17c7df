"""Mastodon (docs.joinmastodon.org/methods/statuses, /methods/accounts): a status's public counts.

- posts: ``GET /api/v1/statuses?id[]=...`` (Mastodon 4.3+, at most 20 ids a call; ids the instance no
  longer has are left out of the answer) -> ``favourites_count``, ``reblogs_count``, ``replies_count``
  (and ``quotes_count`` where the instance reports it). Mastodon counts no impressions, reach or clicks.
- account: ``GET /api/v1/accounts/:id`` -> ``followers_count``, ``following_count``, ``statuses_count``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

BATCH = 20
GONE = "The instance no longer has this status (deleted, or its server removed it)"


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        answer = self._http.json(
            "GET",
            f"https://{account.instance}/api/v1/statuses",
            params=[("id[]", post_id) for post_id in post_ids],
            headers={"Authorization": f"Bearer {token}"},
        )
        found = {str(s["id"]): s for s in answer if isinstance(s, dict) and "id" in s}
        return {
            post_id: _insight(found[post_id]) if post_id in found else PostInsight.unavailable(GONE)
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer: dict[str, Any] = self._http.json(
            "GET",
            f"https://{account.instance}/api/v1/accounts/{account.external_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        native = {
            name: int(answer[key])
            for name, key in (
                ("followers", "followers_count"),
                ("following", "following_count"),
                ("statuses", "statuses_count"),
            )
            if isinstance(answer.get(key), int)
        }
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("following"),
            posts=native.get("statuses"),
            native=native,
        )


def _insight(status: dict[str, Any]) -> PostInsight:
    native = {
        name: int(status[key])
        for name, key in (
            ("favourites", "favourites_count"),
            ("reblogs", "reblogs_count"),
            ("replies", "replies_count"),
            ("quotes", "quotes_count"),
        )
        if isinstance(status.get(key), int)
    }
    metrics = PostMetrics(
        likes=native.get("favourites"),
        shares=(native["reblogs"] + native.get("quotes", 0)) if "reblogs" in native else None,
        comments=native.get("replies"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
