"""Lemmy (join-lemmy.org/api, HTTP API v3): a post's public counts, on the account's instance.

- posts: ``GET /api/v3/post?id=`` (one post a call) -> ``post_view.counts``: ``score``, ``upvotes``,
  ``downvotes``, ``comments``. A post the instance no longer has answers 404 ``couldnt_find_post``.
  Lemmy counts no views, reach or clicks.
- account: none. A Lemmy person has no followers (people subscribe to communities), and
  ``GET /api/v3/user`` counts only posts and comments, so no account figures are read.
"""

from __future__ import annotations

from typing import Any

from socialpub.adapters.insights import OnePostPerCall
from socialpub.adapters.publishers.lemmy import classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, Rejected

GONE = "The instance no longer has this post (deleted, removed by a moderator, or purged)"
NO_FOLLOWERS = "Lemmy has no followers of a person (people subscribe to communities)"
POST_COUNTS = ("score", "upvotes", "downvotes", "comments")


class Insights(OnePostPerCall):
    GONE = GONE

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight:
        answer = self._http.json(
            "GET",
            f"https://{account.instance}/api/v3/post",
            params={"id": post_id},
            headers={"Authorization": f"Bearer {token}"},
            classify=classify,
        )
        counts: dict[str, Any] = (answer.get("post_view") or {}).get("counts") or {}
        native = {name: int(counts[name]) for name in POST_COUNTS if isinstance(counts.get(name), int)}
        metrics = PostMetrics(likes=native.get("upvotes"), comments=native.get("comments"))
        return PostInsight(metrics=metrics.completed(), native=native)

    def gone(self, refused: Rejected) -> bool:
        return refused.status == 404 or refused.network_message == "couldnt_find_post"

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_FOLLOWERS)
