"""Instagram business accounts (developers.facebook.com/docs/instagram-platform/reference/instagram-media/
insights, /reference/ig-user), with the token of the page linked to the account (``external_id`` is the
Instagram user id, as the publisher uses it).

- posts, up to 50 in one call (Graph's multi-id read): ``GET /?ids=a,b&fields=insights.metric(views,
  reach,likes,comments,shares,saved,total_interactions)`` -> ``{"a": {"insights": {"data": [{"name",
  "values": [{"value"}]}]}}}``. Mapping: views -> impressions, reach -> reach, likes, comments, shares,
  saved -> saves, total_interactions -> engagement (Instagram's own total). One id Instagram no longer
  has fails the whole read (#803, or #100/33): each media is then read alone, and those that fail so
  are not available.
- account: ``GET /{ig-user-id}?fields=followers_count,follows_count,media_count`` -> followers,
  following, posts.
- follower demographics (developers.facebook.com/docs/instagram-platform/reference/ig-user/insights), read
  with the account (daily): ``GET /{ig-user-id}/insights?metric=follower_demographics&period=lifetime
  &metric_type=total_value&breakdown=age`` (then ``gender``, ``country``) -> ``total_value.breakdowns[]
  .results[{dimension_values: [v], value: count}]``: each value's share of the breakdown's counts, in
  percent; genders F/M/U -> female/male/unknown; the five largest countries. Instagram refuses them for
  an account under 100 followers (an error, #100): such an account, like any failure of these calls, has
  no demographics (None), and its follower count is kept. Demographics stay out of ``native``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.insights.facebook import graph_values, insights_classifier, multi_read
from socialpub.adapters.publishers.facebook import GRAPH
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, Demographics, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, PublishFailure

BATCH = 50  # Graph's limit of ids in one multi-id read
CLASSIFY = insights_classifier("Instagram")
MEDIA_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
GENDERS = {"F": "female", "M": "male", "U": "unknown"}
TOP_COUNTRIES = 5
GONE = "Instagram no longer has this media (deleted, or the account is no longer a business account)"


class Insights:
    batch_size = BATCH
    graph = GRAPH  # graph.instagram.com for Instagram with Instagram Login (``instagram_standalone``)

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        fields = f"insights.metric({','.join(MEDIA_METRICS)})"
        nodes = multi_read(self._http, token, post_ids, fields, CLASSIFY)
        return {
            post_id: _insight(node) if node is not None else PostInsight.unavailable(GONE)
            for post_id, node in nodes.items()
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer: dict[str, Any] = self._http.json(
            "GET",
            f"{self.graph}/{account.external_id}",
            params={"fields": "followers_count,follows_count,media_count"},
            headers={"Authorization": f"Bearer {token}"},
            classify=CLASSIFY,
        )
        native = {
            name: answer[name]
            for name in ("followers_count", "follows_count", "media_count")
            if isinstance(answer.get(name), int)
        }
        native = {name.removesuffix("_count"): value for name, value in native.items()}
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("follows"),
            posts=native.get("media"),
            native=native,
            demographics=self._demographics(account, token),
        )

    def _demographics(self, account: PublishAccount, token: str) -> Demographics | None:
        """The followers' ages, genders and top countries; None when Instagram gives none (under 100
        followers) or a call fails: the follower count read before must not be lost for them."""
        shares: dict[str, dict[str, float]] = {}
        try:
            for breakdown in ("age", "gender", "country"):
                answer: dict[str, Any] = self._http.json(
                    "GET",
                    f"{self.graph}/{account.external_id}/insights",
                    params={
                        "metric": "follower_demographics",
                        "period": "lifetime",
                        "metric_type": "total_value",
                        "breakdown": breakdown,
                    },
                    headers={"Authorization": f"Bearer {token}"},
                    classify=CLASSIFY,
                )
                shares[breakdown] = percentages(breakdown_counts(answer))
        except PublishFailure:
            return None
        if not any(shares.values()):
            return None
        countries = sorted(shares["country"].items(), key=lambda item: -item[1])[:TOP_COUNTRIES]
        return Demographics(
            age_groups=shares["age"],
            genders={GENDERS.get(key, key.lower()): value for key, value in shares["gender"].items()},
            top_locations=[{"country": country, "percentage": value} for country, value in countries],
        )


def breakdown_counts(answer: Any) -> dict[str, int]:
    """Graph's ``total_value.breakdowns[].results[{dimension_values, value}]`` as ``{value: count}``."""
    counts: dict[str, int] = {}
    for metric in answer.get("data") or [] if isinstance(answer, dict) else []:
        total = metric.get("total_value") if isinstance(metric, dict) else None
        for breakdown in total.get("breakdowns") or [] if isinstance(total, dict) else []:
            for result in breakdown.get("results") or [] if isinstance(breakdown, dict) else []:
                keys, value = result.get("dimension_values"), result.get("value")
                if isinstance(keys, list) and keys and isinstance(value, int) and not isinstance(value, bool):
                    counts[str(keys[0])] = counts.get(str(keys[0]), 0) + value
    return counts


def percentages(counts: dict[str, int]) -> dict[str, float]:
    """Each count's share of their sum, in percent with one decimal; nothing when the sum is 0."""
    total = sum(counts.values())
    return {key: round(100 * count / total, 1) for key, count in counts.items()} if total else {}


def _insight(node: dict[str, Any]) -> PostInsight:
    native = {name: value for name, value in graph_values(node.get("insights")).items() if name in MEDIA_METRICS}
    metrics = PostMetrics(
        impressions=native.get("views"),
        reach=native.get("reach"),
        likes=native.get("likes"),
        comments=native.get("comments"),
        shares=native.get("shares"),
        saves=native.get("saved"),
        engagement=native.get("total_interactions"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
