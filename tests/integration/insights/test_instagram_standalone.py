"""Instagram with Instagram Login: its insights reader reads each media at graph.instagram.com (no
multi-id read there), maps the figures as Instagram through Facebook Login, and reads the account there."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import catalog
from tests.publishing import PublishHarness, any_media, signed_in

NETWORK = "instagram_standalone"
FIGURES = {"views": 900, "reach": 600, "likes": 40, "comments": 7, "shares": 5, "saved": 3, "total_interactions": 58}


def test_instagram_standalone_insights__two_media__one_insights_read_each_at_graph_instagram_com(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two media the account published, the first with known figures, the second deleted since
    platform = catalog()[NETWORK]
    signed, _ = signed_in(harness, platform)
    kept, gone = (
        harness.publish(harness.job(NETWORK, signed, f"Post {n}", media=any_media(harness, platform))).post_id
        for n in range(2)
    )
    harness.set_figures(NETWORK, kept, FIGURES)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != gone]
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, [kept, gone])

    # Then each media is read alone at graph.instagram.com for the seven metrics
    assert [r.url.path for r in sent] == [
        f"/graph.instagram.com/v21.0/{kept}/insights",
        f"/graph.instagram.com/v21.0/{gone}/insights",
    ]
    query = {k: v[0] for k, v in parse_qs(urlsplit(str(sent[0].url)).query).items()}
    assert query["metric"] == "views,reach,likes,comments,shares,saved,total_interactions"
    # And the figures map as Instagram's, the deleted media saying why it has none
    assert insights[kept].native == FIGURES
    assert insights[kept].metrics.figures()["engagement"] == 58
    assert not insights[gone].available
    assert "no longer" in (insights[gone].reason or "")


def test_instagram_standalone_insights__account__followers_read_at_graph_instagram_com(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a connected account
    signed, _ = signed_in(harness, catalog()[NETWORK])

    # When the account's insights are read
    account = reader.account_insights(signed.account, signed.token)

    # Then its figures come from graph.instagram.com
    assert sent[0].url.path == f"/graph.instagram.com/v21.0/{signed.account.external_id}"
    assert account.followers is not None
    assert account.posts is not None
