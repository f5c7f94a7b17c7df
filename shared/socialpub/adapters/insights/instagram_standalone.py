"""Instagram with Instagram Login (developers.facebook.com/docs/instagram-platform/reference/instagram-media/
insights): the figures of ``instagram.py`` read at graph.instagram.com, which has no multi-id read.

- posts, one call each: ``GET /{media-id}/insights?metric=views,reach,likes,comments,shares,saved,
  total_interactions`` -> ``{"data": [{"name", "values": [{"value"}]}]}``, mapped as ``instagram.py`` does;
  a media Instagram no longer has (#100/33, #803) is not available.
- account and follower demographics: as ``instagram.py``, at graph.instagram.com.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialpub.adapters.insights import instagram
from socialpub.adapters.insights.facebook import Gone
from socialpub.adapters.publishers.instagram_standalone import GRAPH
from socialpub.domain.analytics import PostInsight
from socialpub.domain.publishing import PublishAccount


class Insights(instagram.Insights):
    batch_size = 1  # graph.instagram.com reads one media's insights a call
    graph = GRAPH

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        found: dict[str, PostInsight] = {}
        for post_id in post_ids:
            try:
                answer = self._http.json(
                    "GET",
                    f"{GRAPH}/{post_id}/insights",
                    params={"metric": ",".join(instagram.MEDIA_METRICS)},
                    headers={"Authorization": f"Bearer {token}"},
                    classify=instagram.CLASSIFY,
                )
            except Gone:
                found[post_id] = PostInsight.unavailable(instagram.GONE)
                continue
            found[post_id] = instagram._insight({"insights": answer})
        return found
