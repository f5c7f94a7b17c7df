"""Discord (discord.com/developers/docs/resources/message#get-channel-message,
/resources/guild#get-guild): nothing socialpub can read, so nothing is called.

- posts: Discord counts no views, reach or clicks of a message. Its only figures are the emoji
  reactions (``reactions[].count`` of ``GET /channels/{channel.id}/messages/{message.id}``), which
  are not likes (any emoji, any meaning). And that read needs the message's channel, a setting of
  each post (``channel_id``) that the published result does not keep: the post id is the message
  id alone. So every post is not available, with that reason.
- account: a Discord connection is the app's bot in a guild, with no followers. The guild's
  ``approximate_member_count`` (``GET /guilds/{guild.id}?with_counts=true``) needs the guild's id,
  which the connection does not record (its account is the user who installed the bot). Not
  available either.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.analytics import AccountInsight, PostInsight
from socialpub.domain.publishing import PublishAccount

NO_POST_FIGURES = (
    "Discord reports no views or reach for a message, only emoji reactions (not likes), and reading "
    "them needs the message's channel, which is not kept with the published message id"
)
NO_ACCOUNT_FIGURES = (
    "A Discord connection is a bot in a guild, which has no followers; the guild's member count needs "
    "its id, which the connection does not record"
)


class Insights:
    batch_size = 100  # nothing is called per post; any batch is answered at once

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        return {post_id: PostInsight.unavailable(NO_POST_FIGURES) for post_id in post_ids}

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_ACCOUNT_FIGURES)
