"""Bluesky (docs.bsky.app/docs/api/app-bsky-feed-get-posts, docs.bsky.app/docs/api/app-bsky-actor-get-profiles):
a post's public counts and the account's, through the account's PDS (which proxies the AppView).

- posts: ``GET app.bsky.feed.getPosts?uris=...`` (at most 25 ``at://`` URIs a call, as the publisher
  returns them; posts the AppView no longer has are left out of ``posts``) -> ``likeCount`` -> likes,
  ``repostCount`` + ``quoteCount`` -> shares, ``replyCount`` -> comments. Bluesky counts no impressions,
  reach, clicks or saves.
- account: ``GET app.bsky.actor.getProfiles?actors=<did>`` (the profile view the sign-in read, by the
  account's DID) -> ``followersCount``, ``followsCount``, ``postsCount``; an actor it no longer has is left out.

Calls carry the account's token as the publisher's ``Pds`` does: a session's bearer, or, for an account
connected with atproto OAuth, ``Authorization: DPoP`` with a proof of its key (``account.proof_key``).
Errors as the publisher reads them: 429 after Retry-After or ``ratelimit-reset``, ``ExpiredToken``/
``InvalidToken``/401 -> reconnect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.publishers.bluesky import Pds, xrpc_of
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount

BATCH = 25
POST = {"likeCount": "likes", "repostCount": "reposts", "replyCount": "replies", "quoteCount": "quotes"}
ACCOUNT = {"followersCount": "followers", "followsCount": "follows", "postsCount": "posts"}
GONE = "Bluesky no longer has this post (deleted, or its account was taken down)"
NO_ACCOUNT = "Bluesky no longer has this account (deleted, deactivated or taken down)"


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        uris = list(dict.fromkeys(post_ids))
        found: dict[str, dict[str, Any]] = {}
        pds = Pds(self._http, token, account.proof_key)  # a bearer, or DPoP for an atproto OAuth token
        for start in range(0, len(uris), BATCH):
            answer = pds.json(
                "GET",
                f"{xrpc_of(account)}/app.bsky.feed.getPosts",
                params=[("uris", uri) for uri in uris[start : start + BATCH]],
            )
            posts = answer.get("posts") if isinstance(answer, dict) else None
            found |= {str(p["uri"]): p for p in posts or [] if isinstance(p, dict) and "uri" in p}
        return {uri: _insight(found[uri]) if uri in found else PostInsight.unavailable(GONE) for uri in post_ids}

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        pds = Pds(self._http, token, account.proof_key)
        answer = pds.json(
            "GET", f"{xrpc_of(account)}/app.bsky.actor.getProfiles", params={"actors": account.external_id}
        )
        profiles = answer.get("profiles") if isinstance(answer, dict) else None
        profile = next((p for p in profiles or [] if isinstance(p, dict) and p.get("did") == account.external_id), None)
        if profile is None:
            return AccountInsight.unavailable(NO_ACCOUNT)
        native = {name: int(profile[key]) for key, name in ACCOUNT.items() if isinstance(profile.get(key), int)}
        return AccountInsight(
            followers=native.get("followers"),
            following=native.get("follows"),
            posts=native.get("posts"),
            native=native,
        )


def _insight(post: dict[str, Any]) -> PostInsight:
    native = {name: int(post[key]) for key, name in POST.items() if isinstance(post.get(key), int)}
    metrics = PostMetrics(
        likes=native.get("likes"),
        shares=(native["reposts"] + native.get("quotes", 0)) if "reposts" in native else None,
        comments=native.get("replies"),
    )
    return PostInsight(metrics=metrics.completed(), native=native)
