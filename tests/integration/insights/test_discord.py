"""Discord's insights reader: Discord gives nothing socialpub can read, and the reader says so without
calling Discord."""

from __future__ import annotations

import httpx

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from tests.publishing import PublishHarness, signed_in

NETWORK = "discord"


def test_discord_insights__messages_and_the_account__not_available_and_nothing_asked(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two messages the bot posted in a channel
    signed, settings = signed_in(harness, catalog()[NETWORK])
    ids = [harness.publish(harness.job(NETWORK, signed, f"News {n}", settings=settings)).post_id for n in range(2)]
    sent.clear()

    # When the messages' and the account's insights are read
    posts = reader.post_insights(signed.account, signed.token, ids)
    account = reader.account_insights(signed.account, signed.token)

    # Then Discord is not asked, and each says why there are no figures, none presented as data
    assert sent == []
    for post_id in ids:
        assert not posts[post_id].available
        assert "reactions" in (posts[post_id].reason or "")
        assert posts[post_id].metrics.figures() == {}
    assert not account.available
    assert account.reason
    assert account.followers is None
