"""LinkedIn's versioned REST API (learn.microsoft.com/linkedin/marketing/community-management/members/
post-statistics, /organizations/share-statistics, /members/follower-statistics, /organizations/
organization-lookup-api): with the catalog's ``LinkedIn-Version`` and Rest.li 2.0 headers, as the publisher.

A member's posts (``urn:li:person`` author):
- ``GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:<urn>)|(ugc:<urn>)&queryType=<type>
  &aggregation=TOTAL``: one figure of one post a call (r_member_postAnalytics), so five calls a post:
  ``IMPRESSION`` -> impressions, ``MEMBERS_REACHED`` -> reach, ``RESHARE`` -> shares, ``REACTION`` -> likes,
  ``COMMENT`` -> comments. No clicks for members.
- followers: ``GET /rest/memberFollowersCount?q=me`` -> ``memberFollowersCount``.

An organisation's posts (``urn:li:organization`` author; rw_organization_admin):
- ``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=<org>
  &shares=List(...)&ugcPosts=List(...)``: every post of the batch in one call, ``totalShareStatistics``:
  ``impressionCount`` -> impressions, ``uniqueImpressionsCount`` -> reach, ``clickCount`` -> clicks,
  ``likeCount`` -> likes, ``commentCount`` -> comments, ``shareCount`` -> shares. Its ``engagement`` is a
  rate, not a count: engagement is counted the one documented way instead.
- followers: ``GET /rest/networkSizes/<org urn>?edgeType=COMPANY_FOLLOWED_BY_MEMBER`` -> ``firstDegreeSize``.
- demographics (learn.microsoft.com/linkedin/marketing/community-management/organizations/follower-statistics),
  read with the account (daily): ``GET /rest/organizationalEntityFollowerStatistics?q=organizationalEntity
  &organizationalEntity=<org>`` (lifetime) -> ``followerCountsByGeoCountry[{geo, followerCounts:
  {organicFollowerCount, paidFollowerCount}}]``: the five largest countries in percent of the followers
  counted by country; a country is its geo urn (``urn:li:geo:103644278``), as LinkedIn names none there.
  LinkedIn has no age or gender (seniority, function, industry instead, not kept). A failure of this
  call: no demographics (None), the follower count kept. A member has no follower demographics.

A post LinkedIn no longer has: 404 (member) or left out of the elements (organisation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.publishers.linkedin import ORGANIZATION_TYPES, classify
from socialpub.domain.analytics import AccountInsight, Demographics, PostInsight, PostMetrics
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import PublishAccount, PublishFailure, Rejected

TOP_COUNTRIES = 5
BATCH = 20  # an organisation's posts in one call; a member's are read post by post (5 calls each)
GONE = "LinkedIn no longer has this post (deleted, or removed by LinkedIn)"
MEMBER_FIGURES = (
    ("impressions", "IMPRESSION"),
    ("members_reached", "MEMBERS_REACHED"),
    ("reshares", "RESHARE"),
    ("reactions", "REACTION"),
    ("comments", "COMMENT"),
)
ORGANIZATION_FIGURES = (
    ("impressions", "impressionCount"),
    ("unique_impressions", "uniqueImpressionsCount"),
    ("clicks", "clickCount"),
    ("likes", "likeCount"),
    ("comments", "commentCount"),
    ("shares", "shareCount"),
)


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http
        request = catalog()["linkedin"].auth.request
        self._base = request.base_url.rstrip("/")
        self._headers = {**request.headers, "X-Restli-Protocol-Version": "2.0.0"}

    def _get(self, token: str, path_and_query: str) -> Any:
        # The query is built by hand: Rest.li wants the URNs percent-encoded inside literal ( ) and List( ).
        headers = {**self._headers, "Authorization": f"Bearer {token}"}
        return self._http.json("GET", f"{self._base}{path_and_query}", headers=headers, classify=classify)

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        if account.type in ORGANIZATION_TYPES:
            return self._organization_posts(account, token, post_ids)
        return {post_id: self._member_post(token, post_id) for post_id in post_ids}

    def _member_post(self, token: str, urn: str) -> PostInsight:
        entity = f"({'ugc' if urn.startswith('urn:li:ugcPost:') else 'share'}:{quote(urn, safe='')})"
        native: dict[str, int] = {}
        for name, kind in MEMBER_FIGURES:
            try:
                answer = self._get(
                    token, f"/memberCreatorPostAnalytics?q=entity&entity={entity}&queryType={kind}&aggregation=TOTAL"
                )
            except Rejected as refused:
                if refused.status == 404:
                    return PostInsight.unavailable(GONE)
                raise
            counts = [e.get("count") for e in answer.get("elements") or [] if isinstance(e, dict)]
            if counts and isinstance(counts[0], int):
                native[name] = counts[0]
        metrics = PostMetrics(
            impressions=native.get("impressions"),
            reach=native.get("members_reached"),
            shares=native.get("reshares"),
            likes=native.get("reactions"),
            comments=native.get("comments"),
        )
        return PostInsight(metrics=metrics.completed(), native=native)

    def _organization_posts(
        self, account: PublishAccount, token: str, post_ids: Sequence[str]
    ) -> dict[str, PostInsight]:
        organization = quote(f"urn:li:organization:{account.external_id}", safe="")
        query = f"/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={organization}"
        for param, prefix in (("shares", "urn:li:share:"), ("ugcPosts", "urn:li:ugcPost:")):
            listed = [quote(urn, safe="") for urn in post_ids if urn.startswith(prefix)]
            if listed:
                query += f"&{param}=List({','.join(listed)})"
        answer = self._get(token, query)
        found: dict[str, dict[str, Any]] = {}
        for element in answer.get("elements") or []:
            if isinstance(element, dict):
                urn = element.get("share") or element.get("ugcPost")
                statistics = element.get("totalShareStatistics")
                if isinstance(urn, str) and isinstance(statistics, dict):
                    found[urn] = statistics
        return {
            post_id: _organization_insight(found[post_id]) if post_id in found else PostInsight.unavailable(GONE)
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        demographics = None
        if account.type in ORGANIZATION_TYPES:
            organization = quote(f"urn:li:organization:{account.external_id}", safe="")
            answer = self._get(token, f"/networkSizes/{organization}?edgeType=COMPANY_FOLLOWED_BY_MEMBER")
            followers = answer.get("firstDegreeSize") if isinstance(answer, dict) else None
            if isinstance(followers, int):
                demographics = self._demographics(token, organization)
        else:
            answer = self._get(token, "/memberFollowersCount?q=me")
            elements = [e for e in answer.get("elements") or [] if isinstance(e, dict)]
            followers = elements[0].get("memberFollowersCount") if elements else None
        if not isinstance(followers, int):
            return AccountInsight.unavailable("LinkedIn reported no follower count for this account")
        return AccountInsight(followers=followers, native={"followers": followers}, demographics=demographics)

    def _demographics(self, token: str, organization: str) -> Demographics | None:
        """The page's followers by country (lifetime); None when the read fails, so that the follower
        count read before is kept."""
        try:
            answer = self._get(
                token,
                f"/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity={organization}",
            )
        except PublishFailure:
            return None
        elements = [e for e in answer.get("elements") or [] if isinstance(e, dict)] if isinstance(answer, dict) else []
        counts: dict[str, int] = {}
        for entry in elements[0].get("followerCountsByGeoCountry") or [] if elements else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("geo"), str):
                continue
            found = entry.get("followerCounts") or {}
            count = sum(v for k in ("organicFollowerCount", "paidFollowerCount") if isinstance(v := found.get(k), int))
            counts[entry["geo"]] = counts.get(entry["geo"], 0) + count
        total = sum(counts.values())
        if not total:
            return None
        top = sorted(counts.items(), key=lambda item: -item[1])[:TOP_COUNTRIES]
        return Demographics(top_locations=[{"country": geo, "percentage": round(100 * n / total, 1)} for geo, n in top])


def _organization_insight(statistics: dict[str, Any]) -> PostInsight:
    native = {name: int(statistics[key]) for name, key in ORGANIZATION_FIGURES if isinstance(statistics.get(key), int)}
    metrics = PostMetrics(
        impressions=native.get("impressions"),
        reach=native.get("unique_impressions"),
        clicks=native.get("clicks"),
        likes=native.get("likes"),
        comments=native.get("comments"),
        shares=native.get("shares"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
