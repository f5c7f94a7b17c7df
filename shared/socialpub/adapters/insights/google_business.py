"""Google Business Profile (developers.google.com/my-business/reference/businessprofileperformance/rest):
nothing socialpub reads, so nothing is called.

- posts: Google retired the v4 ``localPosts.reportInsights`` (and ``locations.reportInsights``) with
  the Business Profile Performance API, which has no per-post figures: every local post is not
  available, with that reason.
- account: a profile has no followers. The Performance API's
  ``locations/{id}:fetchMultiDailyMetricsTimeSeries`` gives the location's daily
  ``BUSINESS_IMPRESSIONS_*``, ``WEBSITE_CLICKS`` and ``CALL_CLICKS``: figures of the business per day,
  which the account figures here (followers, following, posts, read daily as a snapshot) have no
  place for, so the account is not available either.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight
from socialpub.domain.publishing import PublishAccount

NO_POST_FIGURES = (
    "Google's Business Profile APIs give no figures for a local post (the Performance API reports "
    "the location per day, not its posts)"
)
NO_ACCOUNT_FIGURES = (
    "A Business Profile has no followers; Google reports the location's daily impressions and "
    "clicks, not account figures"
)


class Insights:
    batch_size = 100  # nothing is called per post; any batch is answered at once

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        return {post_id: PostInsight.unavailable(NO_POST_FIGURES) for post_id in post_ids}

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_ACCOUNT_FIGURES)
