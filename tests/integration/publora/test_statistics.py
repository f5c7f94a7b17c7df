"""POST /api/v1/linkedin-post-statistics (Publora): a published post's figure, for LinkedIn and for
any other network (each queryType its nearest figure), from the store or read again when stale."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.analytics import PostMetrics, TargetMetrics
from socialpub.domain.services.post_statistics import STALE_AFTER
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.pipeline import Pipeline, publish
from tests.integration.publora.conftest import publora_key
from tests.integration.test_accounts import connect
from tests.integration.test_analytics_api import connect as add_account
from tests.integration.test_analytics_api import new_post, record
from tests.integration.test_posts import create, new_workspace

QUERY_TYPES = ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT")


def x_count(figures: dict[str, int], query_type: str) -> int:
    """What X's own figures (its wire names) give for each queryType: X has no reach, so
    MEMBERS_REACHED is its impressions; a reshare is a retweet or a quote."""
    return {
        "IMPRESSION": figures["impression_count"],
        "MEMBERS_REACHED": figures["impression_count"],
        "RESHARE": figures["retweet_count"] + figures["quote_count"],
        "REACTION": figures["like_count"],
        "COMMENT": figures["reply_count"],
    }[query_type]


@dataclass
class Published:
    """A workspace whose post went out on LinkedIn and X through the publisher."""

    key: dict[str, str]  # the workspace's key, as a Publora client sends it
    workspace_id: str
    post_id: str
    linkedin: str  # account ids
    x: str
    posted: dict[str, str]  # network -> the network's id of the post (get-post's postedId)

    def figures(self, emulator: Emulator, network: str) -> dict[str, int]:
        """What the network's insights report on the post now (the emulator's state)."""
        found = emulator.state.post_figures_of(network, self.posted[network])
        assert found is not None
        return found


@pytest.fixture
def published(
    client: TestClient, keys: Keys, container: Container, pipeline: Pipeline, emulator: Emulator
) -> Iterator[Published]:
    headers = new_workspace(client, keys)
    linkedin = connect(client, headers, platform="linkedin", user="ada")
    x = connect(client, headers, platform="twitter", user="ada")
    post = create(client, headers, content="Our statistics, everywhere", platforms=[linkedin["id"], x["id"]])
    assert publish(client, headers, post["id"]).status_code in (200, 202)
    pipeline.drain()
    targets = container.targets.of_post(headers["X-Workspace-ID"], post["id"])
    posted = {t.platform: str(t.network_post_id) for t in targets if t.network_post_id}
    assert set(posted) == {"linkedin", "twitter"}
    # The emulator's figures grow with time: each post's are held at what the network reports now.
    for network, post_id in posted.items():
        now = emulator.state.post_figures_of(network, post_id)
        assert now is not None
        emulator.state.set_figures(network, post_id, now)
    yield Published(publora_key(headers), headers["X-Workspace-ID"], post["id"], linkedin["id"], x["id"], posted)
    httpx.delete(f"{emulator.url}/_emulator/metrics")


def ask(client: TestClient, key: dict[str, str], posted_id: str, query_type: str, platform_id: str) -> Any:
    body = {"postedId": posted_id, "queryType": query_type, "platformId": platform_id}
    return client.post("/api/v1/linkedin-post-statistics", json=body, headers=key)


def test_statistics__each_query_type_is_the_networks_figure_on_linkedin_and_on_x(
    client: TestClient, published: Published, emulator: Emulator
) -> None:
    # Given a post published on LinkedIn and on X, and what each network reports on it
    linkedin, x = published.figures(emulator, "linkedin"), published.figures(emulator, "twitter")
    for query_type in QUERY_TYPES:
        # When a Publora client asks each statistic, LinkedIn's with the seed's platformId, X's with the bare id
        on_linkedin = ask(
            client, published.key, published.posted["linkedin"], query_type, f"linkedin-{published.linkedin}"
        )
        on_x = ask(client, published.key, published.posted["twitter"], query_type, published.x)
        # Then each count is the network's own figure (LinkedIn's are these five; X's the nearest)
        assert on_linkedin.status_code == 200, on_linkedin.text
        assert on_linkedin.json() == {"success": True, "count": linkedin[query_type]}
        assert on_x.status_code == 200, on_x.text
        assert on_x.json() == {"success": True, "count": x_count(x, query_type)}
    # And the bare LinkedIn id and X's prefixed platformId answer the same
    bare = ask(client, published.key, published.posted["linkedin"], "COMMENT", published.linkedin)
    assert bare.json() == {"success": True, "count": linkedin["COMMENT"]}
    prefixed = ask(client, published.key, published.posted["twitter"], "REACTION", f"twitter-{published.x}")
    assert prefixed.json() == {"success": True, "count": x_count(x, "REACTION")}


def test_statistics__a_fresh_figure_comes_from_the_store__a_stale_one_is_read_again(
    client: TestClient, published: Published, emulator: Emulator, container: Container, clock: FrozenClock
) -> None:
    # Given the post's LinkedIn reactions asked once (read from LinkedIn then)
    li_posted = published.posted["linkedin"]
    platform_id = f"linkedin-{published.linkedin}"
    first = ask(client, published.key, li_posted, "REACTION", platform_id)
    assert first.status_code == 200, first.text
    before = published.figures(emulator, "linkedin")
    assert first.json()["count"] == before["REACTION"]
    # And then more reactions on LinkedIn
    emulator.state.set_figures("linkedin", li_posted, {**before, "REACTION": before["REACTION"] + 25})

    # When it is asked again within the minute, for this figure and another one
    again = ask(client, published.key, li_posted, "REACTION", platform_id)
    comments = ask(client, published.key, li_posted, "COMMENT", platform_id)

    # Then the stored figures answer: LinkedIn was not read again (its new count does not show, no reading was added)
    assert again.json() == {"success": True, "count": before["REACTION"]}
    assert comments.json() == {"success": True, "count": before["COMMENT"]}
    _, readings = container.analytics.post_metrics(published.workspace_id, published.post_id)
    assert len([r for r in readings if r.platform == "linkedin"]) == 1

    # When the stored figure has become stale
    clock.moment += STALE_AFTER
    stale = ask(client, published.key, li_posted, "REACTION", platform_id)

    # Then LinkedIn is read again and its new count is answered
    assert stale.json() == {"success": True, "count": before["REACTION"] + 25}
    _, readings = container.analytics.post_metrics(published.workspace_id, published.post_id)
    assert len([r for r in readings if r.platform == "linkedin"]) == 2


def test_statistics__network_unavailable__the_stored_figure_else_503(
    client: TestClient, published: Published, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given X answering 503 to every read of its figures, for a post never read yet
    x_posted = published.posted["twitter"]
    emulator.fault("twitter", "insights", 503, count=100)
    # When its impressions are asked
    down = ask(client, published.key, x_posted, "IMPRESSION", published.x)
    # Then it is a 503 in Publora's envelope, saying X could not be read
    assert down.status_code == 503, down.text
    assert down.json()["success"] is False
    assert down.json()["error"].startswith("Twitter/X could not be read now"), down.text

    # Given X back, its figures read once, then X down again once they are stale
    httpx.delete(f"{emulator.url}/_emulator/faults")
    figures = published.figures(emulator, "twitter")
    assert ask(client, published.key, x_posted, "IMPRESSION", published.x).json()["count"] == x_count(
        figures, "IMPRESSION"
    )
    emulator.state.set_figures("twitter", x_posted, {**figures, "impression_count": figures["impression_count"] + 9})
    emulator.fault("twitter", "insights", 503, count=100)
    clock.moment += STALE_AFTER
    # When they are asked again
    stored = ask(client, published.key, x_posted, "IMPRESSION", published.x)
    # Then the stored figure is answered
    assert stored.json() == {"success": True, "count": x_count(figures, "IMPRESSION")}


def test_statistics__unknown_foreign_or_another_accounts_post_is_404(
    client: TestClient, keys: Keys, published: Published
) -> None:
    # Given another tenant with its own LinkedIn account, and a post of the first workspace not published
    other = new_workspace(client, keys)
    theirs = connect(client, other, platform="linkedin", user="bob")
    li_posted, li = published.posted["linkedin"], published.linkedin
    asks = {
        "unknown postedId": (published.key, "urn:li:share:7387028262125965312", f"linkedin-{li}"),
        "X's post under the LinkedIn account": (published.key, published.posted["twitter"], f"linkedin-{li}"),
        "the LinkedIn account named as another network's": (published.key, li_posted, f"twitter-{li}"),
        "an account that does not exist": (published.key, li_posted, "linkedin-acc_nope"),
        "another tenant, with the owner's platformId": (publora_key(other), li_posted, f"linkedin-{li}"),
        "another tenant, with its own account": (publora_key(other), li_posted, f"linkedin-{theirs['id']}"),
    }
    for case, (key, posted_id, platform_id) in asks.items():
        # When a client asks the statistics of a post it cannot see
        answer = ask(client, key, posted_id, "IMPRESSION", platform_id)
        # Then it is a 404 in Publora's envelope, with no figure
        assert answer.status_code == 404, (case, answer.text)
        assert answer.json()["success"] is False, case
        assert "count" not in answer.json(), case
    # And an id no post published says to publish first
    unknown = ask(client, published.key, "urn:li:share:1", "IMPRESSION", f"linkedin-{li}")
    assert unknown.json()["error"].startswith("You must first publish a post"), unknown.text


def test_statistics__bad_query_type_or_missing_fields_are_400_naming_them(client: TestClient, keys: Keys) -> None:
    # Given a workspace's key
    key = publora_key(new_workspace(client, keys))
    # When the queryType is not one of Publora's
    wrong = ask(client, key, "urn:li:share:1", "LIKES", "linkedin-acc_1")
    # Then it is a 400 listing the allowed ones
    assert wrong.status_code == 400, wrong.text
    assert wrong.json()["success"] is False
    assert all(query_type in wrong.json()["error"] for query_type in QUERY_TYPES), wrong.text
    # When fields are missing or empty
    for body, fields in (
        ({}, ("postedId", "queryType", "platformId")),
        ({"postedId": "", "queryType": "COMMENT", "platformId": "linkedin-acc_1"}, ("postedId",)),
        ({"postedId": "urn:li:share:1", "queryType": "COMMENT"}, ("platformId",)),
    ):
        answer = client.post("/api/v1/linkedin-post-statistics", json=body, headers=key)
        # Then it is a 400 naming each
        assert answer.status_code == 400, answer.text
        assert all(f"{field}:" in answer.json()["error"] for field in fields), answer.text


def test_statistics__a_figure_the_network_does_not_report__400__no_figures_at_all__409(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given a Mastodon post read a moment ago (Mastodon counts no impressions), and a Telegram post
    # (the Bot API gives no figures)
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    add_account(container, ws, "acc_m", "mastodon", clock)
    add_account(container, ws, "acc_tg", "telegram", clock)
    post_id = new_post(client, headers)
    record(container, ws, post_id, "acc_m", "mastodon", at=clock(), published_at=clock(), likes=4, shares=2, comments=1)
    record(container, ws, post_id, "acc_tg", "telegram", at=clock(), published_at=clock())
    stored = container.analytics.target(ws, post_id, "acc_tg")
    assert stored is not None
    container.analytics.record_target(
        stored, stored.model_copy(update={"available": False, "reason": "bots read no figures", "version": 2}), None
    )
    key = publora_key(headers)
    # When the Mastodon post's impressions are asked, and its reactions
    impressions = ask(client, key, f"mastodon-{post_id}", "IMPRESSION", "mastodon-acc_m")
    reactions = ask(client, key, f"mastodon-{post_id}", "REACTION", "mastodon-acc_m")
    # Then impressions are a 400 naming what Mastodon reports, reactions its likes
    assert impressions.status_code == 400, impressions.text
    assert impressions.json()["error"] == (
        "Mastodon reports no IMPRESSION for its posts; it reports: RESHARE, REACTION, COMMENT"
    )
    assert reactions.json() == {"success": True, "count": 4}
    # When the Telegram post's comments are asked
    telegram = ask(client, key, f"telegram-{post_id}", "COMMENT", "telegram-acc_tg")
    # Then it is a 409 saying Telegram gives no figures for it, and why
    assert telegram.status_code == 409, telegram.text
    assert telegram.json() == {
        "success": False,
        "error": "Telegram gives no figures for this post: bots read no figures",
    }


def test_statistics__a_network_post_id_longer_than_a_key_holds_is_found(
    client: TestClient, keys: Keys, container: Container, clock: FrozenClock
) -> None:
    # Given a post published with a 1,500-character id on the network (longer than a DynamoDB key),
    # tracked as the publisher's final write tracks it, and read a moment ago
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    add_account(container, ws, "acc_b", "bluesky", clock)
    post_id = new_post(client, headers)
    long_id = "at://did:plc:" + "a" * 1500
    started = TargetMetrics(
        workspace_id=ws,
        post_id=post_id,
        account_id="acc_b",
        platform="bluesky",
        network_post_id=long_id,
        published_at=clock(),
        next_at=clock(),
    )
    boto3.client("dynamodb").transact_write_items(TransactItems=container.analytics.tracking(started))
    tracked = container.analytics.target(ws, post_id, "acc_b")
    assert tracked is not None
    read = tracked.model_copy(
        update={"metrics": PostMetrics(comments=6), "collected_at": clock(), "collections": 1, "version": 1}
    )
    container.analytics.record_target(tracked, read, None)
    # When its comments are asked by that id, and by the id cut short
    found = ask(client, publora_key(headers), long_id, "COMMENT", "bluesky-acc_b")
    cut = ask(client, publora_key(headers), long_id[:-1], "COMMENT", "bluesky-acc_b")
    # Then the post is found by its whole id only
    assert found.json() == {"success": True, "count": 6}
    assert cut.status_code == 404, cut.text
