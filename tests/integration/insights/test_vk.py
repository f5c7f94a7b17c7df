"""VK's insights reader against the emulated VK API: the calls it makes and how VK's counts map."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

from socialpub.domain.analytics import InsightsReader
from tests.publishing import PublishHarness, Signed

NETWORK = "vk"
FIGURES = {"views": 1500, "likes": 80, "reposts": 12, "comments": 9}


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed = harness.sign_in(NETWORK)
    return signed, [harness.publish(harness.job(NETWORK, signed, f"Post {n}")).post_id for n in range(count)]


def test_vk_insights__two_posts__one_wall_getbyid_call_naming_both(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given two posts on the user's wall
    signed, ids = _posts(harness, 2)
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then VK is asked once, with both posts by <owner>_<id>, and the API version
    (request,) = sent
    assert request.url.path == "/api.vk.com/method/wall.getById"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert (form["posts"], form["v"]) == (",".join(ids), "5.199")
    assert all(insights[i].available for i in ids)


def test_vk_insights__figures__kept_under_vks_names_and_mapped(harness: PublishHarness, reader: InsightsReader) -> None:
    # Given a post whose counts on VK are known
    signed, (post_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, post_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then views are the impressions, reposts the shares, likes and comments themselves
    assert insight.native == FIGURES
    assert insight.metrics.figures() == {
        "impressions": 1500,
        "likes": 80,
        "shares": 12,
        "comments": 9,
        "engagement": 101,
    }
