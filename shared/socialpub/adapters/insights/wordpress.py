"""WordPress.com: a post's views (WordPress.com Stats) and comments, and the site's subscribers.

- posts, one a call: ``GET /rest/v1.1/sites/{site}/stats/post/{id}`` -> ``views``; the comment count is
  ``X-WP-Total`` of ``GET /wp/v2/sites/{site}/comments?post={id}&per_page=1``. A post the site no
  longer has: the stats answer 404.
- account: ``GET /rest/v1.1/sites/{site}`` -> ``subscribers_count`` (followers), ``post_count``.

``wordpress_selfhosted`` reads the comment count alone (a self-hosted site has no statistics API).
"""

from __future__ import annotations

from typing import Any

from socialpub.adapters.insights import OnePostPerCall
from socialpub.adapters.publishers.wordpress import COM, api_base, auth_headers
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, Rejected

GONE = "The site no longer has this post (deleted, or the site is gone)"


class Insights(OnePostPerCall):
    GONE = GONE
    network = "wordpress"

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight:
        headers = auth_headers(self.network, token)
        native: dict[str, int] = {}
        if self.network == "wordpress":
            stats = self._http.json(
                "GET", f"{COM}/rest/v1.1/sites/{account.external_id}/stats/post/{post_id}", headers=headers
            )
            if isinstance(stats.get("views"), int):
                native["views"] = int(stats["views"])
        response = self._http.call(
            "GET",
            f"{api_base(account, self.network)}/comments",
            params={"post": post_id, "per_page": 1},
            headers=headers,
        )
        total = response.headers.get("x-wp-total")
        if total is not None and total.isdigit():
            native["comments"] = int(total)
        metrics = PostMetrics(impressions=native.get("views"), comments=native.get("comments"))
        return PostInsight(metrics=metrics.completed(), native=native)

    def gone(self, refused: Rejected) -> bool:
        return refused.status in (400, 404)  # rest_post_invalid_id, unknown_post

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer: dict[str, Any] = self._http.json(
            "GET", f"{COM}/rest/v1.1/sites/{account.external_id}", headers=auth_headers(self.network, token)
        )
        native = {
            name: int(answer[key])
            for name, key in (("subscribers", "subscribers_count"), ("posts", "post_count"))
            if isinstance(answer.get(key), int)
        }
        return AccountInsight(followers=native.get("subscribers"), posts=native.get("posts"), native=native)
