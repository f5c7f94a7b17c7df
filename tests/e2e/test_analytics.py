"""Done-when of the analytics issue, on the local stack: a post published to many networks, its
figures frozen on the emulated networks, read by the collector on its (shortened) cadence, and
shown by GET /api/posts/{id}/analytics and summed by GET /api/analytics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import TIMEOUT, poll
from tests.e2e.networks import connect_every_network, post_with_media, wait_until_published
from tests.media_files import image

pytestmark = pytest.mark.slow

# The networks whose emulator reports figures of an image post, and those that give none.
WITH_FIGURES = (
    "bluesky",
    "facebook",
    "instagram",
    "linkedin",
    "mastodon",
    "pinterest",
    "reddit",
    "threads",
    "tiktok",
    "twitter",
)
WITHOUT_FIGURES = ("discord", "google_business", "telegram")
# Read again a minute after publishing, then every minute: each reading is its own timeline point
# (points are taken to the minute), and the test waits a minute or two, not an hour.
ENV = {"ANALYTICS_CADENCE_SECONDS": ",".join(str(60 * n) for n in range(1, 16))}
NORMALISED = ("impressions", "reach", "engagement", "clicks")
# Each network's figure names on the emulator (as the network's API spells them) -> the name the post's
# analytics show it under (docs/analytics.md, "What each network reports").
NATIVE = {
    "bluesky": {"likeCount": "likes", "repostCount": "reposts", "replyCount": "replies", "quoteCount": "quotes"},
    "facebook": {
        "post_impressions": "impressions",
        "post_impressions_unique": "impressions_unique",
        "post_clicks": "clicks",
        "reactions": "reactions",
        "comments": "comments",
        "shares": "shares",
    },
    "instagram": {n: n for n in ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")},
    "linkedin": {
        "IMPRESSION": "impressions",
        "MEMBERS_REACHED": "members_reached",
        "RESHARE": "reshares",
        "REACTION": "reactions",
        "COMMENT": "comments",
    },
    "mastodon": {f"{n}_count": n for n in ("favourites", "reblogs", "replies", "quotes")},
    "pinterest": {
        "IMPRESSION": "impressions",
        "SAVE": "saves",
        "PIN_CLICK": "pin_clicks",
        "OUTBOUND_CLICK": "outbound_clicks",
        "VIDEO_MRC_VIEW": "video_views",
        "TOTAL_COMMENTS": "comments",
        "TOTAL_REACTIONS": "reactions",
    },
    "reddit": {"score": "score", "num_comments": "comments", "num_crossposts": "crossposts"},
    "threads": {n: n for n in ("views", "likes", "replies", "reposts", "quotes", "shares")},
    "tiktok": {f"{n}_count": f"{n}s" for n in ("view", "like", "comment", "share")},
    "twitter": {
        "like_count": "likes",
        "reply_count": "replies",
        "retweet_count": "retweets",
        "quote_count": "quotes",
        "bookmark_count": "bookmarks",
        "impression_count": "impressions",
        "url_link_clicks": "link_clicks",
        "user_profile_clicks": "profile_clicks",
    },
}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[harness.LocalStack]:
    running = harness.start(tmp_path, ENV)
    yield running
    running.kill()


def test_analytics__a_post_on_ten_networks_shows_the_figures_each_network_holds(stack: harness.LocalStack) -> None:
    api, emulator = stack.creds["api_url"], stack.creds["emulator_url"]
    # Given an account on every network and one image post published to thirteen of them
    headers, _ = connect_every_network(stack.creds, "analytics")
    accounts = requests.get(f"{api}/api/accounts", headers=headers, timeout=TIMEOUT).json()["data"]["accounts"]
    account_of = {a["platform"]: a["id"] for a in accounts}
    networks = WITH_FIGURES + WITHOUT_FIGURES
    post_id = post_with_media(api, headers, [account_of[n] for n in networks], image("JPEG"), "launch.jpg")
    published = requests.post(f"{api}/api/posts/{post_id}/publish", headers=headers, timeout=TIMEOUT)
    assert published.status_code in (200, 202), published.text
    post = wait_until_published(api, headers, [post_id])[post_id]
    assert post["status"] == "published", [(p["platform"], p["error"]) for p in post["platform_posts"]]
    held = requests.get(f"{emulator}/_emulator/posts", timeout=TIMEOUT).json()["posts"]
    on_network = {n: next(p["id"] for p in held if p["network"] == n and not p["reply_to"]) for n in WITH_FIGURES}

    def freeze(offset: int) -> dict[str, dict[str, int]]:
        """Give each network's post distinct figures (its own names), and read back what it holds."""
        holds: dict[str, dict[str, int]] = {}
        for i, network in enumerate(WITH_FIGURES):
            where = {"network": network, "id": on_network[network]}
            now = requests.get(f"{emulator}/_emulator/metrics", params=where, timeout=TIMEOUT)
            assert now.status_code == 200, (network, now.text)
            names = sorted(now.json()["figures"])
            assert names == sorted(NATIVE[network]), network
            figures = {name: offset + 100 * i + j + 1 for j, name in enumerate(names)}
            frozen = requests.post(f"{emulator}/_emulator/metrics", json={**where, "figures": figures}, timeout=TIMEOUT)
            assert frozen.status_code == 200, frozen.text
            back = requests.get(f"{emulator}/_emulator/metrics", params=where, timeout=TIMEOUT).json()["figures"]
            holds[network] = {NATIVE[network][name]: value for name, value in back.items()}
        return holds

    def analytics() -> dict[str, Any]:
        answer = requests.get(f"{api}/api/posts/{post_id}/analytics", headers=headers, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["data"]["analytics"])

    def shows(holds: dict[str, dict[str, int]]) -> Callable[[dict[str, Any]], bool]:
        # Each network's own figures under its own names, as the network holds them.
        return lambda data: all(
            {name: data["by_platform"].get(n, {}).get(name) for name in held} == held for n, held in holds.items()
        )

    # When each network's figures are frozen and the collector runs
    first = freeze(offset=1000)
    before = poll("the frozen figures were not shown", analytics, shows(first))
    # Then the post shows each network's figures as the network holds them
    assert set(before["by_platform"]) == set(networks)
    for network in WITH_FIGURES:
        figures = before["by_platform"][network]
        assert (figures.get("available", True), figures["status"]) == (True, "collected"), (network, figures)
    # And the networks that give no figures say why, and count in no sum
    for network in WITHOUT_FIGURES:
        figures = before["by_platform"][network]
        assert figures["available"] is False, (network, figures)
        assert set(figures) == {"available", "reason", "status"}, (network, figures)
        assert figures["status"] == "unavailable", (network, figures)
        assert figures["reason"], (network, figures)

    # When the figures change, and the collector reads them at the next step of the cadence
    second = freeze(offset=5000)
    after = poll("the changed figures were not shown", analytics, shows(second))
    # Then the timeline has a point per reading, the latest being the new figures
    assert len(after["timeline"]) >= 2, after["timeline"]
    latest = after["timeline"][-1]
    assert (latest["impressions"], latest["engagement"]) == (
        after["summary"]["total_impressions"],
        after["summary"]["total_engagement"],
    )
    assert after["timeline"][0]["impressions"] != latest["impressions"]
    # And the summary is the sum over the networks that report each figure
    for name in NORMALISED:
        reported = [f[name] for f in after["by_platform"].values() if name in f]
        assert after["summary"][f"total_{name}"] == (sum(reported) if reported else None), name

    # When the workspace's analytics are read by day
    def workspace(params: dict[str, str]) -> dict[str, Any]:
        answer = requests.get(f"{api}/api/analytics", params=params, headers=headers, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["data"])

    def per_network(data: dict[str, Any], network: str) -> dict[str, Any]:
        return {name: data["by_platform"][network].get(name) for name in NORMALISED}

    def sums_the_post(data: dict[str, Any]) -> bool:
        return all(
            {name: data["by_platform"].get(n, {}).get(name) for name in NORMALISED} == per_network(after, n)
            for n in WITH_FIGURES
        )

    day = poll("the workspace did not sum the post", lambda: workspace({"granularity": "day"}), sums_the_post)
    # Then each network's sums are the post's figures there, and the totals the post's
    summary = day["summary"]
    # (a post counts once per network it was published to)
    assert all(day["by_platform"][n]["posts"] == 1 for n in WITH_FIGURES), day["by_platform"]
    assert summary["total_posts"] == sum(f["posts"] for f in day["by_platform"].values())
    for name in NORMALISED:
        assert summary[f"total_{name}"] == after["summary"][f"total_{name}"], name
    assert sum(point["impressions"] for point in day["timeline"]) == after["summary"]["total_impressions"]
    assert sum(point["posts"] for point in day["timeline"]) == summary["total_posts"]
    # And filtered by one network, only that network's figures count
    only = workspace({"granularity": "day", "platform": "twitter"})
    assert set(only["by_platform"]) == {"twitter"}
    assert {name: only["summary"][f"total_{name}"] for name in NORMALISED} == per_network(after, "twitter")
    stack.stop()
