"""Tumblr (tumblr.com/docs/en/api/v2): a post's notes, and the blog's followers.

- posts: ``GET /v2/blog/{uuid}/posts?id=`` (one post a call) -> ``note_count``: likes, reblogs and
  replies together, which Tumblr does not split through the API; kept as engagement. A post the blog
  no longer has answers 404. Tumblr gives no views or reach.
- account: ``GET /v2/user/info`` -> the blog among ``response.user.blogs``: ``followers``, ``posts``.
"""

from __future__ import annotations

from typing import Any

from socialpub.adapters.insights import OnePostPerCall
from socialpub.adapters.publishers.tumblr import BASE, classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

GONE = "The blog no longer has this post (deleted, or the blog is gone)"
NO_BLOG = "The account no longer owns this blog"


class Insights(OnePostPerCall):
    GONE = GONE

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight | None:
        answer = self._http.json(
            "GET",
            f"{BASE}/blog/{account.external_id}/posts",
            params={"id": post_id, "npf": "true"},
            headers={"Authorization": f"Bearer {token}"},
            classify=classify,
        )
        posts = (answer.get("response") or {}).get("posts") or []
        post = next((p for p in posts if str(p.get("id_string") or p.get("id")) == post_id), None)
        if post is None:
            return None
        native = {"notes": int(post["note_count"])} if isinstance(post.get("note_count"), int) else {}
        return PostInsight(metrics=PostMetrics(engagement=native.get("notes")).completed(), native=native)

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer: dict[str, Any] = self._http.json(
            "GET", f"{BASE}/user/info", headers={"Authorization": f"Bearer {token}"}, classify=classify
        )
        blogs = ((answer.get("response") or {}).get("user") or {}).get("blogs") or []
        blog = next((b for b in blogs if b.get("uuid") == account.external_id), None)
        if blog is None:
            return AccountInsight.unavailable(NO_BLOG)
        native = {name: int(blog[name]) for name in ("followers", "posts") if isinstance(blog.get(name), int)}
        return AccountInsight(followers=native.get("followers"), posts=native.get("posts"), native=native)
