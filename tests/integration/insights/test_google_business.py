"""Google Business Profile's insights reader: Google gives no figures of a local post and no followers,
and the reader says so without calling Google."""

from __future__ import annotations

import httpx

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from tests.publishing import PublishHarness, signed_in

NETWORK = "google_business"


def test_google_business_insights__local_posts_and_the_account__not_available_and_nothing_asked(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two local posts published on the business's profile
    signed, settings = signed_in(harness, catalog()[NETWORK])
    ids = [harness.publish(harness.job(NETWORK, signed, f"News {n}", settings=settings)).post_id for n in range(2)]
    sent.clear()

    # When the posts' and the account's insights are read
    posts = reader.post_insights(signed.account, signed.token, ids)
    account = reader.account_insights(signed.account, signed.token)

    # Then Google is not asked, and each says why there are no figures, none presented as data
    assert sent == []
    for post_id in ids:
        assert not posts[post_id].available
        assert "local post" in (posts[post_id].reason or "")
        assert posts[post_id].metrics.figures() == {}
    assert not account.available
    assert account.reason
    assert account.followers is None
