"""X (docs.x.com/x-api/posts/get-posts-by-ids, docs.x.com/x-api/fundamentals/metrics,
docs.x.com/x-api/users/get-user-by-id): a post's public and owner-only metrics, the account's counts.

- posts: ``GET /2/tweets?ids=`` (at most 100 ids a call) with ``tweet.fields=public_metrics,non_public_metrics``.
  ``public_metrics``: ``like_count`` -> likes, ``reply_count`` -> comments, ``retweet_count`` + ``quote_count``
  -> shares, ``bookmark_count`` -> saves, ``impression_count`` -> impressions. ``non_public_metrics`` (the
  author's own posts, the last 30 days only): ``url_link_clicks`` + ``user_profile_clicks`` -> clicks (its
  ``impression_count`` is the public one again, kept once). X gives no engagement total: likes + comments
  + shares + saves.
- X answers 200 with what it found in ``data`` and one ``errors[]`` entry per id it will not give: a post it
  no longer has (``resource-not-found``) or may not show (``not-authorized-for-resource``) is unavailable; a
  post it refuses ``non_public_metrics`` for (``not-authorized-for-field``: older than 30 days) is asked
  again with ``public_metrics`` only, in one more call for all of them.
- account: ``GET /2/users/:id?user.fields=public_metrics`` -> ``followers_count``, ``following_count``,
  ``tweet_count`` (posts), ``listed_count``, ``like_count``.

Errors as the publisher reads them (429 with Retry-After or ``x-rate-limit-reset``, 401 reconnect), except
the monthly usage cap (429 ``usage-capped``): a post cannot wait for it, a reading can -- Retryable
QUOTA_EXCEEDED, after ``x-rate-limit-reset`` when X sends it, else a day (X does not say when it reopens).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, retry_after
from socialpub.adapters.publishers.twitter import API, classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, PublishFailure, Retryable

BATCH = 100
CAP_WAIT_SECONDS = 24 * 3600.0
PUBLIC = ("like_count", "reply_count", "retweet_count", "quote_count", "bookmark_count", "impression_count")
PRIVATE = ("url_link_clicks", "user_profile_clicks")
NATIVE = {  # X's field -> the name kept
    "like_count": "likes",
    "reply_count": "replies",
    "retweet_count": "retweets",
    "quote_count": "quotes",
    "bookmark_count": "bookmarks",
    "impression_count": "impressions",
    "url_link_clicks": "link_clicks",
    "user_profile_clicks": "profile_clicks",
}
ACCOUNT = {
    "followers_count": "followers",
    "following_count": "following",
    "tweet_count": "tweets",
    "listed_count": "listed",
    "like_count": "likes",
}
GONE = "X no longer has this post (deleted, or its account is suspended)"
HIDDEN = "X does not show this post to the account (protected or withheld)"
NO_ACCOUNT = "X has no such account (deleted or suspended)"


def classify_insights(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    problem = body if isinstance(body, dict) else {}
    capped = "usage-capped" in str(problem.get("type") or "") or problem.get("title") == "UsageCapExceeded"
    if response.status_code == 429 and capped:
        detail = str(problem.get("detail") or message or "usage cap exceeded")
        return Retryable(
            f"X answered 429: {detail}",
            code="QUOTA_EXCEEDED",
            network_message=detail,
            status=429,
            sent=False,
            retry_after=retry_after(response, "x-rate-limit-reset") or CAP_WAIT_SECONDS,
        )
    return classify(response, body, message)


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        ids = list(dict.fromkeys(post_ids))
        found: dict[str, dict[str, Any]] = {}
        refused: dict[str, str] = {}
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            given, refusals = self._tweets(token, batch, "public_metrics,non_public_metrics")
            found |= given
            refused |= refusals
            older = [i for i in batch if i not in given and refusals.get(i) == "field"]
            if older:  # past X's 30 days of owner-only metrics: the public ones are still there
                given, refusals = self._tweets(token, older, "public_metrics")
                found |= given
                refused |= refusals
        return {
            post_id: _insight(found[post_id])
            if post_id in found
            else PostInsight.unavailable(HIDDEN if refused.get(post_id) == "hidden" else GONE)
            for post_id in post_ids
        }

    def _tweets(self, token: str, ids: list[str], fields: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """The posts X gave (by id), and why it refused the others ("gone", "hidden", "field")."""
        answer = self._http.json(
            "GET",
            f"{API}/tweets",
            params={"ids": ",".join(ids), "tweet.fields": fields},
            headers={"Authorization": f"Bearer {token}"},
            classify=classify_insights,
        )
        answer = answer if isinstance(answer, dict) else {}
        found = {str(t["id"]): t for t in answer.get("data") or [] if isinstance(t, dict) and "id" in t}
        refused: dict[str, str] = {}
        for error in answer.get("errors") or []:
            if not isinstance(error, dict):
                continue
            post_id = str(error.get("resource_id") or error.get("value") or "")
            kind = str(error.get("type") or "")
            if kind.endswith("not-authorized-for-field"):
                refused.setdefault(post_id, "field")
            elif kind.endswith("not-authorized-for-resource"):
                refused[post_id] = "hidden"
            else:
                refused[post_id] = "gone"
        return found, refused

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer = self._http.json(
            "GET",
            f"{API}/users/{account.external_id}",
            params={"user.fields": "public_metrics"},
            headers={"Authorization": f"Bearer {token}"},
            classify=classify_insights,
        )
        user = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(user, dict):
            return AccountInsight.unavailable(NO_ACCOUNT)
        counts = user.get("public_metrics") or {}
        native = {name: int(counts[key]) for key, name in ACCOUNT.items() if isinstance(counts.get(key), int)}
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("following"),
            posts=native.get("tweets"),
            native=native,
        )


def _insight(tweet: dict[str, Any]) -> PostInsight:
    public = tweet.get("public_metrics") or {}
    private = tweet.get("non_public_metrics") or {}
    figures = {key: public[key] for key in PUBLIC if isinstance(public.get(key), int)}
    figures |= {key: private[key] for key in PRIVATE if isinstance(private.get(key), int)}
    native = {NATIVE[key]: int(value) for key, value in figures.items()}

    def total(*names: str) -> int | None:
        present = [native[n] for n in names if n in native]
        return sum(present) if present else None

    metrics = PostMetrics(
        impressions=native.get("impressions"),
        likes=native.get("likes"),
        comments=native.get("replies"),
        shares=total("retweets", "quotes"),
        saves=native.get("bookmarks"),
        clicks=total("link_clicks", "profile_clicks"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
