"""A self-hosted WordPress site: the comment count of a post (``X-WP-Total`` of
``GET /wp-json/wp/v2/comments?post=``); no views (no statistics API) and no account figures."""

from __future__ import annotations

from socialpub.adapters.insights import wordpress
from socialpub.domain.analytics import AccountInsight
from socialpub.domain.publishing import PublishAccount

NO_ACCOUNT = "A self-hosted WordPress site has no subscribers or statistics API"


class Insights(wordpress.Insights):
    network = "wordpress_selfhosted"

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_ACCOUNT)
