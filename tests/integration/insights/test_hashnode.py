"""Hashnode's insights reader against the emulated GraphQL API: the calls it makes and how its figures map."""

from __future__ import annotations

import json

import httpx

from socialpub.domain.analytics import InsightsReader
from tests.publishing import PublishHarness, Signed

NETWORK = "hashnode"
FIGURES = {"views": 880, "reactionCount": 25, "responseCount": 6}


def _posts(harness: PublishHarness, count: int) -> tuple[Signed, list[str]]:
    signed = harness.sign_in(NETWORK)
    ids = [harness.publish(harness.job(NETWORK, signed, f"Post {n}", title=f"Post {n}")).post_id for n in range(count)]
    return signed, ids


def test_hashnode_insights__three_posts__one_graphql_request_with_an_alias_each(
    harness: PublishHarness, reader: InsightsReader, sent: list[httpx.Request]
) -> None:
    # Given three posts the account published, one of them since deleted on Hashnode
    signed, ids = _posts(harness, 3)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != ids[2]]
    sent.clear()

    # When their insights are read
    insights = reader.post_insights(signed.account, signed.token, ids)

    # Then Hashnode is asked once, each post under its own alias, with the token as is
    (request,) = sent
    body = json.loads(request.content)
    assert body["variables"] == {"p0": ids[0], "p1": ids[1], "p2": ids[2]}
    assert request.headers["authorization"] == signed.token
    assert [insights[i].available for i in ids] == [True, True, False]


def test_hashnode_insights__figures__kept_under_hashnodes_names_and_mapped(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given a post whose figures on Hashnode are known
    signed, (post_id,) = _posts(harness, 1)
    harness.set_figures(NETWORK, post_id, FIGURES)

    # When its insights are read
    insight = reader.post_insights(signed.account, signed.token, [post_id])[post_id]

    # Then the views are the impressions, the reactions the likes, the responses the comments
    assert insight.native == {"views": 880, "reactions": 25, "responses": 6}
    assert insight.metrics.figures() == {"impressions": 880, "likes": 25, "comments": 6, "engagement": 31}


def test_hashnode_insights__the_account__followers_and_following(
    harness: PublishHarness, reader: InsightsReader
) -> None:
    # Given an account (a publication) whose user's figures on Hashnode are known
    signed = harness.sign_in(NETWORK)
    harness.set_figures(NETWORK, signed.account.metadata["user_id"], {"followersCount": 310, "followingsCount": 42})

    # When its insights are read, then they are the user's followers and followings
    insight = reader.account_insights(signed.account, signed.token)
    assert (insight.followers, insight.following) == (310, 42)
    assert insight.native == {"followers": 310, "following": 42}
