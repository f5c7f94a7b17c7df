"""PostSider's 402 (seed: "Plan limit reached, for example your channel or monthly post quota"): the
product's plan limits (domain/quotas.py) answered as Postiz does, ``{"msg": ...}``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.tiers import TIER_LIMITS, Tier
from tests.conftest import Keys
from tests.integration.postsider.test_posts import API, api_posts, cli_body, organisation


def test_a_post_past_the_monthly_posts_is_a_402_msg_and_stores_nothing(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plan allowing 2 posts a month, and an organisation that created 2 this month
    limit = TIER_LIMITS[Tier.ENTERPRISE].model_copy(update={"monthly_posts": 2})
    monkeypatch.setitem(TIER_LIMITS, Tier.ENTERPRISE, limit)
    headers, postiz = organisation(client, keys, container, "bluesky")
    channel = client.get(f"{API}/integrations", headers=postiz).json()[0]["id"]
    for _ in range(2):
        made = client.post(f"{API}/posts", json=cli_body(channel, kind="draft"), headers=postiz)
        assert made.status_code == 201, made.text
    before = api_posts(client, headers)
    # When a third post is created through PostSider
    refused = client.post(f"{API}/posts", json=cli_body(channel, kind="draft"), headers=postiz)
    # Then it gets Postiz's 402 with a message naming the quota and its limit
    assert refused.status_code == 402, refused.text
    assert refused.json() == {
        "msg": "Plan limit reached: this workspace's enterprise plan allows 2 posts created per month; "
        "the count starts again on 2026-04-01 (UTC)"
    }
    # And nothing was stored
    assert api_posts(client, headers) == before
