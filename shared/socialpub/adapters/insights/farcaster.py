"""Farcaster through Neynar (docs.neynar.com/reference/fetch-bulk-casts): many casts in one call,
``GET /v2/farcaster/casts?casts=hash1,hash2`` with the app's API key (``token``: the app's key, casts
are public), each with ``reactions.likes_count``, ``reactions.recasts_count`` and ``replies.count``.
The account's figures come from ``GET /v2/farcaster/user/bulk?fids=`` (follower and following counts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.farcaster import API, classify, headers
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

BATCH = 25  # hashes per call, kept short of URL length limits
GONE = "Farcaster no longer has this cast (deleted by its author)"
FIGURES = (("likes", "reactions.likes_count"), ("recasts", "reactions.recasts_count"), ("replies", "replies.count"))


def _dig(value: Any, path: str) -> Any:
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        answer = self._http.json(
            "GET",
            f"{API}/casts",
            params={"casts": ",".join(post_ids)},
            headers=headers(token),
            classify=classify,
        )
        casts = _dig(answer, "result.casts")
        found = (
            {str(c["hash"]): c for c in casts if isinstance(c, dict) and "hash" in c} if isinstance(casts, list) else {}
        )
        return {
            post_id: _insight(found[post_id]) if post_id in found else PostInsight.unavailable(GONE)
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer = self._http.json(
            "GET",
            f"{API}/user/bulk",
            params={"fids": account.external_id},
            headers=headers(token),
            classify=classify,
        )
        users = answer.get("users") if isinstance(answer, dict) else None
        user = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
        native = {
            name: int(user[key])
            for name, key in (("followers", "follower_count"), ("following", "following_count"))
            if isinstance(user.get(key), int)
        }
        return AccountInsight(followers=native.get("followers"), following=native.get("following"), native=native)


def _insight(cast: dict[str, Any]) -> PostInsight:
    native = {name: int(_dig(cast, path)) for name, path in FIGURES if isinstance(_dig(cast, path), int)}
    metrics = PostMetrics(likes=native.get("likes"), shares=native.get("recasts"), comments=native.get("replies"))
    return PostInsight(metrics=metrics.completed(), native=native)
