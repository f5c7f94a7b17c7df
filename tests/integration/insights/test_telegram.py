"""Telegram's insights reader against the emulated Bot API: no figures for a bot's messages, and the
chat's member count."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import NeedsReconnect, Retryable
from tests.publishing import PublishHarness, Signed, signed_in

NETWORK = "telegram"


def _channel(harness: PublishHarness) -> Signed:
    signed, _ = signed_in(harness, catalog()[NETWORK])
    return signed


def test_telegram_insights__posts__not_available_and_nothing_asked(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two messages the bot posted in its channel
    signed = _channel(harness)
    ids = [harness.publish(harness.job(NETWORK, signed, f"News {n}")).post_id for n in range(2)]
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then Telegram is not asked, and each says the Bot API gives no figures, none presented as data
    assert sent == []
    for post_id in ids:
        assert not insights[post_id].available
        assert "Bot API" in (insights[post_id].reason or "")
        assert insights[post_id].metrics.figures() == {}


def test_telegram_insights__the_channel__its_member_count_as_followers(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a channel of 4,200 members
    signed = _channel(harness)
    harness.set_figures(NETWORK, signed.account.external_id, {"member_count": 4200})
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then getChatMemberCount is asked for the channel's id, and the members are the followers
    (request,) = sent
    assert request.url.path.endswith("/getChatMemberCount")
    assert parse_qs(urlsplit(str(request.url)).query)["chat_id"] == [signed.account.external_id]
    assert insight.native == {"members": 4200}
    assert insight.followers == 4200


def test_telegram_insights__flood_limit__retryable_after_telegrams_retry_after(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given Telegram answering its flood limit, with parameters.retry_after
    signed = _channel(harness)
    body = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 35",
        "parameters": {"retry_after": 35},
    }
    harness.fault(NETWORK, "account_insights", 429, body=body)

    # When the account's insights are read, then the read is retried after what Telegram said
    with pytest.raises(Retryable) as raised:
        reader.account_insights(signed.account, signed.token)
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after == 35


def test_telegram_insights__bot_removed_from_the_channel__reconnect(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given the bot no longer in the channel
    signed = _channel(harness)
    body = {"ok": False, "error_code": 403, "description": "Forbidden: bot is not a member of the channel chat"}
    harness.fault(NETWORK, "account_insights", 403, body=body)

    # When the account's insights are read, then the account must be reconnected
    with pytest.raises(NeedsReconnect):
        reader.account_insights(signed.account, signed.token)
