"""Facebook Pages (developers.facebook.com/docs/graph-api/reference/page-post/insights,
/docs/graph-api/reference/v21.0/insights, /docs/graph-api/reference/post, /docs/graph-api/reference/page),
with the page's access token. Also the Graph helpers the Instagram and Threads readers share.

- posts, up to 50 in one call (Graph's multi-id read, developers.facebook.com/docs/graph-api/batch-requests
  "multiple ID read requests"): ``GET /?ids=a,b&fields=insights.metric(post_impressions,
  post_impressions_unique,post_clicks),reactions.summary(total_count).limit(0),
  comments.summary(total_count).limit(0),shares`` -> ``{"a": {"insights": {"data": [{"name",
  "values": [{"value"}]}]}, "reactions": {"summary": {"total_count"}}, "comments": {...}, "shares":
  {"count"}}, "b": ...}``. Graph leaves ``shares`` out of a post nobody shared (0).
  Mapping: post_impressions -> impressions, post_impressions_unique -> reach, post_clicks -> clicks,
  reactions -> likes, comments -> comments, shares -> shares (engagement: their sum).
  One id Graph no longer has fails the whole read (#803, or #100/33): each post is then read alone,
  and those that fail so are not available.
- account: ``GET /{page-id}?fields=followers_count,fan_count`` -> followers (``followers_count``) and
  fans (``fan_count``, the page's likes). Page demographics are left out: Meta removed the page
  audience metrics (``page_fans_gender_age``...) from the Insights API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from socialpub.adapters.publishers.facebook import GRAPH, graph_classifier
from socialpub.adapters.publishers.http import Classifier, NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, PublishFailure, Rejected

BATCH = 50  # Graph's limit of ids in one multi-id read
POST_INSIGHTS = ("post_impressions", "post_impressions_unique", "post_clicks")
POST_FIELDS = (
    f"insights.metric({','.join(POST_INSIGHTS)}),"
    "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
)
GONE = "Facebook no longer has this post (deleted from the page, or the page is gone)"


class Gone(Rejected):
    """Graph's answer for ids that do not exist (or that the token can no longer reach)."""

    code = "NOT_FOUND"


def insights_classifier(network: str) -> Classifier:
    """The publishers' Graph reading, plus: an unknown id is ``Gone`` (#803 "some of the aliases you
    requested do not exist", #100 subcode 33 "object does not exist"), which a reader reports as not
    available instead of failing the whole read."""
    publishing = graph_classifier(network)

    def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and response.status_code < 500:
            code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
            if code == 803 or (code == 100 and subcode == 33):
                said = str(error.get("message") or message)
                return Gone(f"{network}: {said}", network_message=said, status=response.status_code)
        return publishing(response, body, message)

    return classify


CLASSIFY = insights_classifier("Facebook")


def graph_values(answer: Any) -> dict[str, int]:
    """A Graph insights answer (``{"data": [{"name", "values": [{"value"}]}]}``, or ``total_value``
    for totals) as ``{metric: latest value}``; metrics whose value is not a number are left out."""
    figures: dict[str, int] = {}
    for entry in answer.get("data", []) if isinstance(answer, dict) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        values = entry.get("values")
        value = (entry.get("total_value") or {}).get("value")
        if isinstance(values, list) and values and isinstance(values[-1], dict):
            value = values[-1].get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            figures[entry["name"]] = value
    return figures


def multi_read(
    http: NetworkHttp, token: str, ids: Sequence[str], fields: str, classify: Classifier
) -> dict[str, dict[str, Any] | None]:
    """Each id's node from Graph's multi-id read (None: Graph no longer has it)."""
    headers = {"Authorization": f"Bearer {token}"}

    def read(some: Sequence[str]) -> dict[str, Any]:
        answer = http.json(
            "GET", f"{GRAPH}/", params={"ids": ",".join(some), "fields": fields}, headers=headers, classify=classify
        )
        return answer if isinstance(answer, dict) else {}

    try:
        answer = read(ids)
        return {i: answer.get(i) if isinstance(answer.get(i), dict) else None for i in ids}
    except Gone:
        if len(ids) == 1:
            return {ids[0]: None}
    # One missing id fails them all: read each alone to tell which.
    found: dict[str, dict[str, Any] | None] = {}
    for one in ids:
        found.update(multi_read(http, token, [one], fields, classify))
    return found


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        nodes = multi_read(self._http, token, post_ids, POST_FIELDS, CLASSIFY)
        return {
            post_id: _insight(node) if node is not None else PostInsight.unavailable(GONE)
            for post_id, node in nodes.items()
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer: dict[str, Any] = self._http.json(
            "GET",
            f"{GRAPH}/{account.external_id}",
            params={"fields": "followers_count,fan_count"},
            headers={"Authorization": f"Bearer {token}"},
            classify=CLASSIFY,
        )
        native = {
            name: answer[key]
            for name, key in (("followers", "followers_count"), ("fans", "fan_count"))
            if isinstance(answer.get(key), int)
        }
        return AccountInsight(followers=native.get("followers"), native=native)


def _insight(node: dict[str, Any]) -> PostInsight:
    insights = graph_values(node.get("insights"))
    native = {
        name: insights[metric]
        for name, metric in zip(("impressions", "impressions_unique", "clicks"), POST_INSIGHTS, strict=True)
        if metric in insights
    }
    for name in ("reactions", "comments"):
        total = ((node.get(name) or {}).get("summary") or {}).get("total_count")
        if isinstance(total, int):
            native[name] = total
    shares = (node.get("shares") or {}).get("count", 0)  # absent: nobody shared it
    if isinstance(shares, int):
        native["shares"] = shares
    metrics = PostMetrics(
        impressions=native.get("impressions"),
        reach=native.get("impressions_unique"),
        clicks=native.get("clicks"),
        likes=native.get("reactions"),
        comments=native.get("comments"),
        shares=native.get("shares"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
