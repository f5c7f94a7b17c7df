"""Slack (docs.slack.dev/reference/methods/conversations.replies): a message's replies and reactions.

- posts: ``GET /api/conversations.replies?channel=&ts=&limit=1`` (one message a call; channels:history):
  the first message is the post itself, with ``reply_count`` (its thread's replies) and ``reactions``
  (``[{name, count}]``, each emoji's count summed). Kept as ``replies`` -> comments and ``reactions`` ->
  likes. A message Slack no longer has answers ``thread_not_found`` (or ``message_not_found``); a post
  whose channel the bot left answers ``not_in_channel``/``channel_not_found``. Slack gives no views or reach.
- account: a workspace has no followers or post count through the Web API: unavailable, without a call.
"""

from __future__ import annotations

from socialpub.adapters.insights import OnePostPerCall
from socialpub.adapters.publishers.slack import call, split_id
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, Rejected

GONE = "Slack no longer shows this message (deleted, or the channel is gone or the app left it)"
NO_ACCOUNT = "A Slack workspace has no followers or post count in Slack's Web API"
GONE_ERRORS = frozenset({"thread_not_found", "message_not_found", "channel_not_found", "not_in_channel"})


class Insights(OnePostPerCall):
    GONE = GONE

    def post(self, account: PublishAccount, token: str, post_id: str) -> PostInsight | None:
        channel, ts = split_id(post_id)
        if not ts:
            return None
        answer = call(
            self._http, token, "GET", "conversations.replies", params={"channel": channel, "ts": ts, "limit": 1}
        )
        messages = [m for m in answer.get("messages") or [] if isinstance(m, dict)]
        message = next((m for m in messages if m.get("ts") == ts), None)
        if message is None:
            return None
        reactions = [r for r in message.get("reactions") or [] if isinstance(r, dict)]
        native = {
            "replies": int(message.get("reply_count") or 0),
            "reactions": sum(int(r.get("count") or 0) for r in reactions),
        }
        metrics = PostMetrics(comments=native["replies"], likes=native["reactions"])
        return PostInsight(metrics=metrics.completed(), native=native)

    def gone(self, refused: Rejected) -> bool:
        return refused.network_message in GONE_ERRORS

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_ACCOUNT)
