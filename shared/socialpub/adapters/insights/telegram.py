"""Telegram Bot API (core.telegram.org/bots/api#getchatmembercount).

- posts: none. The Bot API gives a bot no views, forwards or reactions of the messages it posts in
  a channel (the app shows them to the channel's admins only), so every post is not available,
  without a call.
- account: ``getChatMemberCount?chat_id=<the chat's id>`` -> ``members`` (followers: a channel's
  subscribers, a group's members, the bots among them).
"""

from __future__ import annotations

from collections.abc import Sequence

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.publishers.telegram import classify
from socialpub.domain.analytics import AccountInsight, PostInsight
from socialpub.domain.publishing import PublishAccount

API = "https://api.telegram.org"
NO_POST_FIGURES = (
    "The Telegram Bot API gives a bot no views, forwards or reactions of the messages it posts "
    "(Telegram shows them to the channel's admins in the app only)"
)


class Insights:
    batch_size = 100  # nothing is called per post; any batch is answered at once

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        return {post_id: PostInsight.unavailable(NO_POST_FIGURES) for post_id in post_ids}

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        answer = self._http.json(
            "GET",
            f"{API}/bot{token}/getChatMemberCount",
            params={"chat_id": account.external_id},
            classify=classify,
        )
        members = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(members, int):
            return AccountInsight.unavailable("Telegram answered getChatMemberCount without a count")
        return AccountInsight(followers=members, native={"members": members})
