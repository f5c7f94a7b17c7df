"""VK (dev.vk.com/en/method/wall.getById): each post's ``views``, ``likes``, ``reposts`` and ``comments``
counts, up to 100 posts a call (``posts=<owner>_<id>,...``); a post VK no longer has is left out of
the answer. The account: ``users.get`` with ``fields=followers_count``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.publishers.vk import call
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

BATCH = 100
GONE = "VK no longer has this post (deleted from the wall)"
FIGURES = ("views", "likes", "reposts", "comments")


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        answer = call(self._http, token, "wall.getById", {"posts": ",".join(post_ids)})
        items = answer.get("items") if isinstance(answer, dict) else answer
        found = {f"{i['owner_id']}_{i['id']}": i for i in items or [] if isinstance(i, dict) and "id" in i}
        return {
            post_id: _insight(found[post_id]) if post_id in found else PostInsight.unavailable(GONE)
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        users = call(self._http, token, "users.get", {"fields": "followers_count"})
        user: dict[str, Any] = users[0] if isinstance(users, list) and users else {}
        native = {"followers": int(user["followers_count"])} if isinstance(user.get("followers_count"), int) else {}
        return AccountInsight(followers=native.get("followers"), native=native)


def _insight(item: dict[str, Any]) -> PostInsight:
    native = {
        name: int(item[name]["count"])
        for name in FIGURES
        if isinstance(item.get(name), dict) and isinstance(item[name].get("count"), int)
    }
    metrics = PostMetrics(
        impressions=native.get("views"),
        likes=native.get("likes"),
        shares=native.get("reposts"),
        comments=native.get("comments"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
