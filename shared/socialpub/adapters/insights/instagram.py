"""Instagram business accounts (developers.facebook.com/docs/instagram-platform/reference/instagram-media/
insights, /reference/ig-user), with the token of the page linked to the account (``external_id`` is the
Instagram user id, as the publisher uses it).

- posts, up to 50 in one call (Graph's multi-id read): ``GET /?ids=a,b&fields=insights.metric(views,
  reach,likes,comments,shares,saved,total_interactions)`` -> ``{"a": {"insights": {"data": [{"name",
  "values": [{"value"}]}]}}}``. Mapping: views -> impressions, reach -> reach, likes, comments, shares,
  saved -> saves, total_interactions -> engagement (Instagram's own total). One id Instagram no longer
  has fails the whole read (#803, or #100/33): each media is then read alone, and those that fail so
  are not available.
- account: ``GET /{ig-user-id}?fields=followers_count,follows_count,media_count`` -> followers,
  following, posts. Follower demographics (``/insights?metric=follower_demographics``) take one call per
  breakdown (age, gender, country) and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.insights.facebook import graph_values, insights_classifier, multi_read
from socialpub.adapters.publishers.facebook import GRAPH
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

BATCH = 50  # Graph's limit of ids in one multi-id read
CLASSIFY = insights_classifier("Instagram")
MEDIA_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
GONE = "Instagram no longer has this media (deleted, or the account is no longer a business account)"


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        fields = f"insights.metric({','.join(MEDIA_METRICS)})"
        nodes = multi_read(self._http, token, post_ids, fields, CLASSIFY)
        return {
            post_id: _insight(node) if node is not None else PostInsight.unavailable(GONE)
            for post_id, node in nodes.items()
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer: dict[str, Any] = self._http.json(
            "GET",
            f"{GRAPH}/{account.external_id}",
            params={"fields": "followers_count,follows_count,media_count"},
            headers={"Authorization": f"Bearer {token}"},
            classify=CLASSIFY,
        )
        native = {
            name: answer[name]
            for name in ("followers_count", "follows_count", "media_count")
            if isinstance(answer.get(name), int)
        }
        native = {name.removesuffix("_count"): value for name, value in native.items()}
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("follows"),
            posts=native.get("media"),
            native=native,
        )


def _insight(node: dict[str, Any]) -> PostInsight:
    native = {name: value for name, value in graph_values(node.get("insights")).items() if name in MEDIA_METRICS}
    metrics = PostMetrics(
        impressions=native.get("views"),
        reach=native.get("reach"),
        likes=native.get("likes"),
        comments=native.get("comments"),
        shares=native.get("shares"),
        saves=native.get("saved"),
        engagement=native.get("total_interactions"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
