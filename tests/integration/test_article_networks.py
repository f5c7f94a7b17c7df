"""The article networks connected with a key the user makes on the network (Dev.to's API key): connect
through /api/accounts, the typed per-network settings refused with clear errors, and a post published
through the pipeline reaching the network once, with its title and settings."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_posts import create, new_workspace

DEVTO_KEY = "x7Kq2mZp9LrT4vWb8NcY3hJd"  # 24 characters, as Dev.to's keys are


def _connect(client: TestClient, headers: dict[str, str], platform: str, key: str) -> dict[str, Any]:
    response = client.post(
        "/api/accounts", json={"platform": platform, "credentials": {"api_key": key}}, headers=headers
    )
    assert response.status_code == 201, response.text
    assert key not in response.text
    account: dict[str, Any] = response.json()["data"]["account"]
    return account


def test_devto__connect_with_an_api_key__the_profile_read_and_the_key_kept_sealed(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    # When a Dev.to account is connected with the user's API key
    account = _connect(client, headers, "devto", DEVTO_KEY)
    # Then the account is the key's user, and the key is shown nowhere
    assert account["platform"] == "devto"
    assert account["username"]
    # And a missing or malformed key gets a clear error, and no account
    missing = client.post("/api/accounts", json={"platform": "devto", "credentials": {}}, headers=headers)
    assert (missing.status_code, missing.json()["error"]["details"]["missing"]) == (400, ["api_key"])
    wrong = client.post(
        "/api/accounts", json={"platform": "devto", "credentials": {"api_key": "not a key"}}, headers=headers
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "NETWORK_REJECTED")
    assert len(client.get("/api/accounts", headers=headers).json()["data"]["accounts"]) == 1


def test_devto__five_tags__400_naming_the_setting_and_the_limit(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    # When a post asks Dev.to for 5 tags
    response = client.post(
        "/api/posts",
        json={
            "content": "Body",
            "title": "Tags",
            "platforms": ["devto"],
            "platform_content": {"devto": {"settings": {"tags": ["a", "b", "c", "d", "e"]}}},
        },
        headers=headers,
    )
    # Then it is refused in the envelope, naming the setting and Dev.to's limit
    assert response.status_code == 400
    body = response.json()
    assert (body["success"], body["error"]["code"]) == (False, "VALIDATION_ERROR")
    assert body["error"]["details"]["platforms"]["devto"] == [
        {
            "rule": "invalid_setting",
            "field": "platform_content.devto.settings.tags",
            "message": "Dev.to's tags takes at most 4 items; this one has 5",
        }
    ]
    # And a tag Dev.to would refuse, or tags that are not a list, are refused too
    for tags in (["c++"], "python"):
        refused = client.post(
            "/api/posts",
            json={
                "content": "Body",
                "title": "Tags",
                "platforms": ["devto"],
                "platform_content": {"devto": {"settings": {"tags": tags}}},
            },
            headers=headers,
        )
        assert refused.status_code == 400, tags
        assert refused.json()["error"]["details"]["platforms"]["devto"][0]["rule"] == "invalid_setting"


def test_devto__no_title__a_draft_waits_for_it_and_publishing_is_refused(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    _connect(client, headers, "devto", DEVTO_KEY)
    # Given a Dev.to draft without a title (a draft may still lack it)
    post = create(client, headers, content="Body only", platforms=["devto"])
    assert ("devto", "title_required") in {(f["platform"], f["rule"]) for f in post["validation"]["pending"]}

    # When it is published
    response = publish(client, headers, post["id"])

    # Then it is refused with Dev.to's rule, and nothing reached Dev.to
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["platforms"]["devto"][0]["rule"] == "title_required"
    assert pipeline.receive() == []


def test_devto__published_through_the_pipeline__one_article_with_its_title_and_tags(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    account = _connect(client, headers, "devto", DEVTO_KEY)
    # Given a post with a title, tags and a canonical URL for Dev.to
    post = create(
        client,
        headers,
        content="## Why\n\nBecause.",
        title="Why we moved",
        platforms=[account["id"]],
        platform_content={
            "devto": {"settings": {"tags": ["aws", "serverless"], "canonical_url": "https://example.com/why"}}
        },
    )

    # When it is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then Dev.to holds one article with them, and the post links to it
    (article,) = pipeline.posts_on("devto")
    assert (article.title, article.text) == ("Why we moved", "## Why\n\nBecause.")
    assert article.extra["tags"] == ["aws", "serverless"]
    assert article.extra["canonical_url"] == "https://example.com/why"
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["url"] == article.url


HASHNODE_TOKEN = "3f6e1c2a-9b7d-4e8f-a1c2-5d6e7f8a9b0c"  # Hashnode's tokens look like UUIDs


def test_hashnode__connect_with_a_token__its_publication_kept_for_the_posts(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    # When a Hashnode account is connected with the user's personal access token
    account = _connect(client, headers, "hashnode", HASHNODE_TOKEN)
    # Then the account is the token's user, with the publication it posts in
    assert account["platform"] == "hashnode"
    publication = account["metadata"]["publication_id"]
    assert len(publication) == 24
    # And a post published to it lands in that publication, with its subtitle and tags
    post = create(
        client,
        headers,
        content="Body",
        title="Hello Hashnode",
        platforms=[account["id"]],
        platform_content={"hashnode": {"settings": {"subtitle": "A first post", "tags": ["intro"]}}},
    )
    publish(client, headers, post["id"])
    pipeline.drain()
    (held,) = pipeline.posts_on("hashnode")
    assert (held.title, held.extra["publication"], held.extra["tags"]) == ("Hello Hashnode", publication, ["intro"])
    assert get(client, headers, post["id"])["status"] == "published"


def test_hashnode__a_user_with_two_publications__both_offered_and_posts_go_to_the_chosen_one(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    # Given a Hashnode user who writes in two publications (their blog and a team blog)
    token = "team-7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f"

    # When they connect with their token
    response = client.post(
        "/api/accounts", json={"platform": "hashnode", "credentials": {"api_key": token}}, headers=headers
    )

    # Then both publications are offered to choose from, and nothing is connected yet
    assert response.status_code == 200, response.text
    offered = response.json()["data"]
    assert offered["status"] == "selection_required"
    assert token not in response.text
    by_name = {c["name"]: c for c in offered["choices"]}
    assert len(by_name) == 2, by_name
    assert "The team blog" in by_name
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []

    # When the team blog is chosen
    team = by_name["The team blog"]["id"]
    chosen = client.post(
        "/api/accounts/callback", json={"state": offered["state"], "selection": [team]}, headers=headers
    )

    # Then one account is connected: that publication, of the token's user
    assert chosen.status_code == 200, chosen.text
    (account,) = chosen.json()["data"]["accounts"]
    assert (account["name"], account["metadata"]["publication_id"]) == ("The team blog", team)
    assert account["username"]
    assert token not in chosen.text

    # And a post published to it lands in the team blog
    post = create(client, headers, content="Body", title="Team news", platforms=[account["id"]])
    publish(client, headers, post["id"])
    pipeline.drain()
    (held,) = pipeline.posts_on("hashnode")
    assert (held.title, held.extra["publication"]) == ("Team news", team)
    assert get(client, headers, post["id"])["status"] == "published"


def test_hashnode_sign_in_page__two_publications__the_choice_page_then_the_chosen_one_connected(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    # Given a Hashnode connect started for the hosted sign-in page, by a user with two publications
    started = client.post(
        "/api/accounts", json={"platform": "hashnode", "return_url": "https://app.example/done"}, headers=headers
    ).json()["data"]
    token = "team-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"

    # When the user submits their token on the page
    page = client.post("/api/accounts/connect", data={"state": started["state"], "api_key": token})

    # Then the page asks which publication(s) to connect, both offered, the token not shown
    assert page.status_code == 200, page.text
    assert "Choose what to connect" in page.text
    assert "The team blog" in page.text
    assert token not in page.text
    state = re.search(r'name="state" value="([^"]+)"', page.text)
    choices = re.findall(r'name="selection" value="([0-9a-f]{24})"', page.text)
    assert state is not None
    assert len(choices) == 2

    # When the user picks the first one
    done = client.get(
        "/api/accounts/callback",
        params={"state": state.group(1), "selection": choices[0]},
        follow_redirects=False,
    )

    # Then they go on to the return_url with that publication connected
    assert done.status_code == 302, done.text
    assert done.headers["location"].startswith("https://app.example/done?status=connected")
    (account,) = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert account["metadata"]["publication_id"] == choices[0]


def test_hashnode__six_tags_or_a_bad_publication_id__400_naming_the_setting(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    for settings, message in (
        ({"tags": list("abcdef")}, "Hashnode's tags takes at most 5 items; this one has 6"),
        ({"publication_id": "my-blog"}, "Hashnode's publication_id does not accept 'my-blog'"),
    ):
        # When a post carries a Hashnode setting Hashnode would refuse
        response = client.post(
            "/api/posts",
            json={
                "content": "Body",
                "title": "Title",
                "platforms": ["hashnode"],
                "platform_content": {"hashnode": {"settings": settings}},
            },
            headers=headers,
        )
        # Then it is refused in the envelope, naming the setting and what Hashnode takes
        assert response.status_code == 400, settings
        (finding,) = response.json()["error"]["details"]["platforms"]["hashnode"]
        assert finding["rule"] == "invalid_setting"
        assert finding["message"].startswith(message), finding
