"""Dev.to (developers.forem.com/api/v1#tag/articles/operation/getUserAllArticles): the account's own
articles, ``GET /api/articles/me/all`` (drafts too, up to 1,000 a page), each with
``page_views_count``, ``public_reactions_count`` and ``comments_count``. There is no endpoint for one
article's figures by id, so the reader pages through the account's articles until it has found every
id asked for (or the pages end: those articles are gone). The API reports no follower count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.devto import API, headers
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

PER_PAGE = 1000
MAX_PAGES = 10
GONE = "Dev.to no longer has this article (deleted or unpublished by its author)"
NO_ACCOUNT_FIGURES = "Dev.to's API reports no follower or article count for an account"
FIGURES = (("page_views", "page_views_count"), ("reactions", "public_reactions_count"), ("comments", "comments_count"))


class Insights:
    batch_size = 100

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        wanted = set(post_ids)
        found: dict[str, dict[str, Any]] = {}
        for page in range(1, MAX_PAGES + 1):
            answer = self._http.json(
                "GET",
                f"{API}/articles/me/all",
                params={"page": page, "per_page": PER_PAGE},
                headers=headers(token),
            )
            articles = [a for a in answer if isinstance(a, dict)] if isinstance(answer, list) else []
            found.update({str(a["id"]): a for a in articles if str(a.get("id")) in wanted})
            if len(articles) < PER_PAGE or wanted <= set(found):
                break
        return {
            post_id: _insight(found[post_id]) if post_id in found else PostInsight.unavailable(GONE)
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_ACCOUNT_FIGURES)


def _insight(article: dict[str, Any]) -> PostInsight:
    native = {name: int(article[key]) for name, key in FIGURES if isinstance(article.get(key), int)}
    metrics = PostMetrics(
        impressions=native.get("page_views"),
        likes=native.get("reactions"),
        comments=native.get("comments"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
