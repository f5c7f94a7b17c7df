"""TikTok (developers.tiktok.com/doc/tiktok-api-v2-video-query, /doc/tiktok-api-v2-get-user-info).

- posts: ``POST /v2/video/query/?fields=id,view_count,like_count,comment_count,share_count`` with
  ``{"filters": {"video_ids": [...]}}`` (at most 20 ids a call, scope ``video.list``; ids TikTok no
  longer has are left out of ``data.videos``) -> ``views`` (video_views), ``likes``, ``comments``,
  ``shares``. TikTok gives no impressions, reach, clicks or saves through this API.
- account: ``GET /v2/user/info/?fields=follower_count,following_count,likes_count,video_count``
  (scope ``user.info.stats``) -> ``followers``, ``following``, ``likes`` (hearts received on all the
  account's videos), ``videos``.

A post is read by its public video id, which TikTok gives once a post is public
(``publicaly_available_post_id``). A private (``SELF_ONLY``) post never gets one: the publisher then
keeps the ``publish_id`` (``v_pub_...``/``p_pub_...``), which no read endpoint takes, so such a post
is not available, without a call.

Errors are TikTok's ``{"error": {"code", "message", "log_id"}}``, sometimes with HTTP 200: read with
the publisher's ``classify`` and codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp, decoded
from socialpub.adapters.publishers.tiktok import BASE, _error_of, _refusal, classify
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, Rejected

BATCH = 20
VIDEO_FIELDS = "id,view_count,like_count,comment_count,share_count"
USER_FIELDS = "follower_count,following_count,likes_count,video_count"
GONE = "TikTok no longer has this video (deleted, or made private)"
PRIVATE = (
    "TikTok gave this post no public video id (it was posted private, SELF_ONLY), and its figures "
    "are only readable by that id"
)
POST_NAMES = (
    ("views", "view_count"),
    ("likes", "like_count"),
    ("comments", "comment_count"),
    ("shares", "share_count"),
)
ACCOUNT_NAMES = (
    ("followers", "follower_count"),
    ("following", "following_count"),
    ("likes", "likes_count"),
    ("videos", "video_count"),
)


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        # Video ids are numbers; anything else is a publish_id kept for a post that never went public.
        videos = [post_id for post_id in post_ids if post_id.isdigit()]
        found: dict[str, dict[str, Any]] = {}
        if videos:
            data = self._api(
                token,
                "POST",
                f"{BASE}/video/query/",
                params={"fields": VIDEO_FIELDS},
                json={"filters": {"video_ids": videos}},
            )
            listed = data.get("videos")
            found = {str(v["id"]): v for v in listed or [] if isinstance(v, dict) and "id" in v}
        return {
            post_id: (
                _insight(found[post_id])
                if post_id in found
                else PostInsight.unavailable(GONE if post_id.isdigit() else PRIVATE)
            )
            for post_id in post_ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        data = self._api(token, "GET", f"{BASE}/user/info/", params={"fields": USER_FIELDS})
        user = data.get("user")
        native = _figures(user if isinstance(user, dict) else {}, ACCOUNT_NAMES)
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("following"),
            posts=native.get("videos"),
            native=native,
        )

    def _api(self, token: str, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """``data`` of an answer whose ``error.code`` is ``ok`` (TikTok may put an error in a 200)."""
        response = self._http.call(
            method,
            url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=UTF-8"},
            classify=classify,
            **kwargs,
        )
        answer = decoded(response)
        if not isinstance(answer, dict):
            raise Rejected("TikTok answered something that is not JSON", code="BAD_RESPONSE")
        code, message = _error_of(answer)
        if code and code != "ok":
            raise _refusal(code, message, response.status_code, response)
        data = answer.get("data")
        return data if isinstance(data, dict) else {}


def _figures(source: dict[str, Any], names: tuple[tuple[str, str], ...]) -> dict[str, int]:
    return {name: int(source[key]) for name, key in names if isinstance(source.get(key), int)}


def _insight(video: dict[str, Any]) -> PostInsight:
    native = _figures(video, POST_NAMES)
    metrics = PostMetrics(
        video_views=native.get("views"),
        likes=native.get("likes"),
        comments=native.get("comments"),
        shares=native.get("shares"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
