"""TikTok's insights reader against the emulated TikTok API: the video query it makes, how TikTok's figures
map, private posts (no public video id), and TikTok's own error codes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.domain.analytics import InsightsReader
from socialpub.domain.publishing import Retryable
from tests.media_files import video
from tests.publishing import PublishHarness, Signed

NETWORK = "tiktok"


def _publish(harness: PublishHarness, signed: Signed, text: str, privacy: str = "PUBLIC_TO_EVERYONE") -> str:
    media = [harness.media(video(), "video/mp4", filename="clip.mp4", duration=12.5)]
    job = harness.job(NETWORK, signed, text, media=media, settings={"privacy_level": privacy})
    return harness.publish(job).post_id


def _fields(request: httpx.Request) -> set[str]:
    return set(parse_qs(urlsplit(str(request.url)).query)["fields"][0].split(","))


def test_tiktok_insights__public_and_private_posts__one_video_query_for_the_public_ones(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given three public videos and one private (SELF_ONLY) video, whose result is its publish_id
    signed = harness.sign_in(NETWORK)
    public = [_publish(harness, signed, f"Clip {n}") for n in range(3)]
    private = _publish(harness, signed, "Private cut", privacy="SELF_ONLY")
    sent.clear()

    # When their insights are read together
    insights = reader.post_insights(signed.account, signed.token, [*public, private])

    # Then TikTok is asked once, for the three video ids and the four counts
    (request,) = sent
    assert request.method == "POST"
    assert request.url.path.endswith("/open.tiktokapis.com/v2/video/query/")
    assert json.loads(request.content) == {"filters": {"video_ids": public}}
    assert _fields(request) == {"id", "view_count", "like_count", "comment_count", "share_count"}
    assert reader.batch_size == 20
    assert all(insights[i].available and insights[i].metrics.video_views is not None for i in public)
    # And the private post says why it has no figures, with nothing invented
    assert not insights[private].available
    assert "SELF_ONLY" in (insights[private].reason or "")
    assert insights[private].metrics.figures() == {}


def test_tiktok_insights__only_private_posts__no_call(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a private video, and TikTok's video query failing if it were called
    signed = harness.sign_in(NETWORK)
    private = _publish(harness, signed, "Private cut", privacy="SELF_ONLY")
    harness.fault(NETWORK, "insights", 500, count=10)
    sent.clear()

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [private])[private]

    # Then nothing is asked of TikTok, and the post is not available
    assert sent == []
    assert not insight.available


def test_tiktok_insights__figures__kept_under_tiktoks_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a public video whose counts on TikTok are known
    signed = harness.sign_in(NETWORK)
    post_id = _publish(harness, signed, "Launch clip")
    harness.set_figures(
        NETWORK, post_id, {"view_count": 5000, "like_count": 300, "comment_count": 40, "share_count": 12}
    )

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then TikTok's counts are kept under its names, and mapped (views are video views; no impressions)
    assert insight.native == {"views": 5000, "likes": 300, "comments": 40, "shares": 12}
    assert insight.metrics.figures() == {
        "video_views": 5000,
        "likes": 300,
        "comments": 40,
        "shares": 12,
        "engagement": 300 + 40 + 12,
    }


def test_tiktok_insights__rate_limit_code__retryable_after_a_minute(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a public video, and TikTok answering its rate-limit error (TikTok sends no Retry-After)
    signed = harness.sign_in(NETWORK)
    post_id = _publish(harness, signed, "Launch clip")
    body = {"error": {"code": "rate_limit_exceeded", "message": "Too many requests", "log_id": "2026X"}}
    harness.fault(NETWORK, "insights", 429, body=body)

    # When its insights are read, then the read is retried no sooner than TikTok's per-minute window
    with pytest.raises(Retryable) as raised:
        reader.post_insights(signed.account, signed.token, [post_id])
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after == 60


def test_tiktok_insights__the_account__user_info_counts(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given a creator whose counts on TikTok are known
    signed = harness.sign_in(NETWORK)
    figures = {"follower_count": 2500, "following_count": 80, "likes_count": 91000, "video_count": 64}
    harness.set_figures(NETWORK, signed.account.external_id, figures)
    sent.clear()

    # When the account's insights are read
    insight = reader.account_insights(signed.account, signed.token)

    # Then user/info is asked for the four counts, kept under TikTok's names and mapped
    (request,) = sent
    assert request.method == "GET"
    assert request.url.path.endswith("/open.tiktokapis.com/v2/user/info/")
    assert _fields(request) == set(figures)
    assert insight.native == {"followers": 2500, "following": 80, "likes": 91000, "videos": 64}
    assert (insight.followers, insight.following, insight.posts) == (2500, 80, 64)
