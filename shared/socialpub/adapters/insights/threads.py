"""Threads (developers.facebook.com/documentation/threads/insights), with the user's token.

- posts: ``GET /{threads-media-id}/insights?metric=views,likes,replies,reposts,quotes,shares``, one
  call per post (Threads has no multi-id read) -> ``{"data": [{"name", "values": [{"value"}]}]}``.
  views -> impressions; likes -> likes; replies -> comments; reposts + quotes + shares -> shares.
  A media id Threads no longer has is Graph's code 100: not available.
- account: ``GET /{threads-user-id}/threads_insights?metric=followers_count`` ->
  ``{"data": [{"name": "followers_count", "total_value": {"value"}}]}``.
"""

from __future__ import annotations

from socialpub.adapters.insights import OnePostPerCall
from socialpub.adapters.insights.facebook import Gone, graph_values, insights_classifier
from socialpub.adapters.publishers.threads import API
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, Rejected

CLASSIFY = insights_classifier("Threads")
POST_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
GONE = "Threads no longer has this post (deleted by its author or removed by Threads)"


class Insights(OnePostPerCall):
    GONE = GONE

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight:
        answer = self._http.json(
            "GET",
            f"{API}/{post_id}/insights",
            params={"metric": ",".join(POST_METRICS)},
            headers={"Authorization": f"Bearer {token}"},
            classify=CLASSIFY,
        )
        native = {name: value for name, value in graph_values(answer).items() if name in POST_METRICS}
        shared = [native[name] for name in ("reposts", "quotes", "shares") if name in native]
        metrics = PostMetrics(
            impressions=native.get("views"),
            likes=native.get("likes"),
            comments=native.get("replies"),
            shares=sum(shared) if shared else None,
        )
        return PostInsight(metrics=metrics.completed(), native=native)

    def gone(self, refused: Rejected) -> bool:
        return isinstance(refused, Gone)

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer = self._http.json(
            "GET",
            f"{API}/{account.external_id}/threads_insights",
            params={"metric": "followers_count"},
            headers={"Authorization": f"Bearer {token}"},
            classify=CLASSIFY,
        )
        figures = graph_values(answer)
        native = {"followers": figures["followers_count"]} if "followers_count" in figures else {}
        return AccountInsight(followers=native.get("followers"), native=native)
