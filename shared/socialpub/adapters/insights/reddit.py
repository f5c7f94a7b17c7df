"""Reddit (www.reddit.com/dev/api#GET_api_info, www.reddit.com/dev/api#GET_user_{username}_about): a
submission's public counts and the account's, on ``oauth.reddit.com`` with the catalog's User-Agent.

- posts: ``GET /api/info?id=t3_...,t3_...`` (the fullnames the publisher returns, at most 100 a call; a
  Listing of the things Reddit still has) -> ``score`` -> likes (Reddit's net votes, what it shows as
  points), ``num_comments`` -> comments, ``num_crossposts`` -> shares. Reddit gives no impressions, reach,
  clicks or saves to the API (``view_count`` is always null). ``ups`` is ``score`` again and ``downs`` 0
  (Reddit fuzzes votes), so neither is kept; ``upvote_ratio`` is a fraction, not a count, so not kept either.
- account: ``GET /user/{username}/about`` -> ``subreddit.subscribers`` (the followers of the user's profile,
  which is how Reddit counts followers), ``link_karma``, ``comment_karma``. Reddit gives no count of the
  account's posts or of whom it follows. A user Reddit no longer has (404) or suspended is unavailable.

Errors as the publisher reads them: 429 after Retry-After or ``X-Ratelimit-Reset``, 401 reconnect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.publishers.reddit import BASE, classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import PublishAccount, Rejected

BATCH = 100
POST = {"score": "score", "num_comments": "comments", "num_crossposts": "crossposts"}
GONE = "Reddit no longer has this post"
NO_ACCOUNT = "Reddit no longer has this account (deleted or suspended)"
NO_USERNAME = "The account has no Reddit username to read its profile by; reconnect it"


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def _headers(self, token: str) -> dict[str, str]:
        # Reddit throttles generic User-Agents: every call carries the catalog's, as publishing does.
        return {"Authorization": f"Bearer {token}", **catalog()["reddit"].auth.request.headers}

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        names = list(dict.fromkeys(post_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(names), BATCH):
            answer = self._http.json(
                "GET",
                f"{BASE}/api/info",
                params={"id": ",".join(names[start : start + BATCH]), "raw_json": 1},
                headers=self._headers(token),
                classify=classify,
            )
            children = (answer.get("data") or {}).get("children") or [] if isinstance(answer, dict) else []
            things = [child.get("data") or {} for child in children if isinstance(child, dict)]
            found |= {str(t["name"]): t for t in things if t.get("name")}
        return {name: _insight(found[name]) if name in found else PostInsight.unavailable(GONE) for name in post_ids}

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        if not account.username:
            return AccountInsight.unavailable(NO_USERNAME)
        try:
            answer = self._http.json(
                "GET",
                f"{BASE}/user/{account.username}/about",
                params={"raw_json": 1},
                headers=self._headers(token),
                classify=classify,
            )
        except Rejected as refused:
            if refused.status == 404:
                return AccountInsight.unavailable(NO_ACCOUNT)
            raise
        user = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(user, dict) or user.get("is_suspended"):
            return AccountInsight.unavailable(NO_ACCOUNT)
        native = {key: int(user[key]) for key in ("link_karma", "comment_karma") if isinstance(user.get(key), int)}
        subscribers = (user.get("subreddit") or {}).get("subscribers")
        if isinstance(subscribers, int):
            native["followers"] = subscribers
        return AccountInsight(followers=native.get("followers"), native=native)


def _insight(thing: dict[str, Any]) -> PostInsight:
    native = {name: int(thing[key]) for key, name in POST.items() if isinstance(thing.get(key), int)}
    metrics = PostMetrics(
        likes=native.get("score"),
        comments=native.get("comments"),
        shares=native.get("crossposts"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
