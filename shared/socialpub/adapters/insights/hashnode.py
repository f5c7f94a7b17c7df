"""Hashnode (apidocs.hashnode.com): each post's ``views``, ``reactionCount`` and ``responseCount`` through
``post(id:)``, several posts in one GraphQL request under aliases (``p0: post(id: $p0) {...}``); a post
Hashnode no longer has answers null. The account: ``me { followersCount followingsCount }``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.hashnode import graphql
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

BATCH = 20
GONE = "Hashnode no longer has this post (deleted by its author)"
POST_FIGURES = (("views", "views"), ("reactions", "reactionCount"), ("responses", "responseCount"))
ACCOUNT = "query Me { me { id followersCount followingsCount } }"


def _query(count: int) -> str:
    variables = ", ".join(f"$p{i}: ID!" for i in range(count))
    fields = " ".join(f"p{i}: post(id: $p{i}) {{ id views reactionCount responseCount }}" for i in range(count))
    return f"query PostFigures({variables}) {{ {fields} }}"


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        ids = list(post_ids)
        data = graphql(self._http, token, _query(len(ids)), {f"p{i}": post_id for i, post_id in enumerate(ids)})
        found = {post_id: data.get(f"p{i}") for i, post_id in enumerate(ids)}
        return {
            post_id: _insight(post) if isinstance(post, dict) else PostInsight.unavailable(GONE)
            for post_id, post in found.items()
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        me: dict[str, Any] = graphql(self._http, token, ACCOUNT, {}).get("me") or {}
        native = {
            name: int(me[key])
            for name, key in (("followers", "followersCount"), ("following", "followingsCount"))
            if isinstance(me.get(key), int)
        }
        return AccountInsight(followers=native.get("followers"), following=native.get("following"), native=native)


def _insight(post: dict[str, Any]) -> PostInsight:
    native = {name: int(post[key]) for name, key in POST_FIGURES if isinstance(post.get(key), int)}
    metrics = PostMetrics(
        impressions=native.get("views"),
        likes=native.get("reactions"),
        comments=native.get("responses"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
