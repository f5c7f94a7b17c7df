"""/public/v1/posts (PostSider / Postiz): create, list, delete, status, settings, missing, release-id.

A post made here is a product post: the ids are those of GET /api/posts/{id}."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository
from socialpub.api.container import Container
from socialpub.domain.accounts import AccountStatus
from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.permissions import ALL_PERMISSIONS, Permission
from socialpub.domain.posts import PlatformPost, PostStatus
from socialpub.domain.publishing import FailureKind, Target, TargetError, TargetStatus
from socialpub.domain.services import publishing
from socialpub.domain.tiers import TIER_LIMITS, Tier
from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, events
from tests.integration.postsider.test_foundation import add_account, raw_key
from tests.integration.postsider.test_uploads import PNG, upload
from tests.integration.test_posts import new_workspace
from tests.integration.test_publishing import CrashingTargets
from tests.integration.test_scheduling import schedule_exists

SOON = "2026-03-15T10:00:00.000Z"  # the tests' clock is 2026-03-02T10:00:05Z
API = "/public/v1"


def cli_body(*integrations: str, contents: tuple[str, ...] = ("Hello",), kind: str = "schedule") -> dict[str, Any]:
    """What `postiz posts:create` 2.0.16 sends (contract 1.1): the same values for every channel."""
    values = [{"content": text, "image": [], "delay": 0} for text in contents]
    return {
        "type": kind,
        "creationMethod": "CLI",
        "date": SOON,
        "shortLink": True,
        "tags": [],
        "posts": [{"integration": {"id": i}, "value": values} for i in integrations],
    }


def organisation(client: TestClient, keys: Keys, container: Container, *platforms: str) -> tuple[dict, dict]:
    """A workspace with one account per platform: (main API headers, PostSider headers)."""
    headers = new_workspace(client, keys)
    for platform in platforms:
        add_account(container, headers["X-Workspace-ID"], platform=platform, name=f"Ada {platform}")
    return headers, raw_key(headers)


def api_post(client: TestClient, headers: dict[str, str], post_id: str) -> dict[str, Any]:
    response = client.get(f"/api/posts/{post_id}", headers=headers)
    assert response.status_code == 200, response.text
    post: dict[str, Any] = response.json()["data"]["post"]
    return post


def api_posts(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    posts: list[dict[str, Any]] = client.get("/api/posts", headers=headers).json()["data"]["posts"]
    return posts


def nest_400(response: Any) -> list[str] | str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"statusCode", "message", "error"}, body
    assert (body["statusCode"], body["error"]) == (400, "Bad Request")
    message: list[str] | str = body["message"]
    return message


# ---------------------------------------------------------------------- POST /posts


def test_the_cli_body_schedules_one_product_post_per_channel(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an organisation with a Bluesky and a LinkedIn channel
    headers, postiz = organisation(client, keys, container, "bluesky", "linkedin")
    # When the CLI creates a post with a second value for both channels
    body = cli_body("acc_bluesky_profile", "acc_linkedin_profile", contents=("Hello", "c2"))
    response = client.post(f"{API}/posts", json=body, headers=postiz)
    # Then it gets one entry per posts[] item, in order
    assert response.status_code == 201, response.text
    created = response.json()
    assert [c["integration"] for c in created] == ["acc_bluesky_profile", "acc_linkedin_profile"]
    assert all(set(c) == {"postId", "integration"} for c in created)
    # And each is a product post to that one account, scheduled at the date (UTC)
    bluesky, linkedin = (api_post(client, headers, c["postId"]) for c in created)
    for post, account in ((bluesky, "acc_bluesky_profile"), (linkedin, "acc_linkedin_profile")):
        assert post["status"] == "scheduled"
        assert post["scheduled_at"].startswith("2026-03-15T10:00:00")
        assert post["account_ids"] == [account]
        assert schedule_exists(post["id"])
    # And the second value is Bluesky's thread part, and LinkedIn's first comment (it has no threads)
    assert (bluesky["content"], bluesky["thread"], bluesky["first_comment"]) == ("Hello", ["c2"], None)
    assert (linkedin["thread"], linkedin["first_comment"]) == ([], "c2")
    # And each item is a group of its own
    listed = client.get(f"{API}/posts", params={"startDate": SOON, "endDate": SOON}, headers=postiz).json()["posts"]
    assert len({p["group"] for p in listed}) == 2


def test_postiz_agents_body_makes_a_draft_in_the_given_group_with_mapped_settings(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an organisation with an X channel
    headers, postiz = organisation(client, keys, container, "twitter")
    # When postiz-agent creates a draft (no delay, tags, a group, X settings with the server's __type)
    body = {
        "type": "draft",
        "date": SOON,
        "shortLink": False,
        "tags": [{"value": "launch", "label": "launch"}],
        "posts": [
            {
                "integration": {"id": "acc_twitter_profile"},
                "value": [{"content": "Draft from the agent", "image": []}],
                "group": "campaign-7",
                "settings": {"__type": "x", "who_can_reply_post": "following", "community": ""},
            }
        ],
    }
    response = client.post(f"{API}/posts", json=body, headers=postiz)
    # Then a draft exists with its group and X's reply setting under the product's name
    assert response.status_code == 201, response.text
    post = api_post(client, headers, response.json()[0]["postId"])
    assert post["status"] == "draft"
    assert post["platform_content"]["twitter"]["settings"] == {"reply_settings": "following"}
    stored = container.posts.get(headers["X-Workspace-ID"], post["id"])
    assert stored is not None
    assert stored.group == "campaign-7"


def test_type_now_starts_publishing_and_does_not_wait(client: TestClient, keys: Keys, container: Container) -> None:
    # Given an organisation with a Mastodon channel
    headers, postiz = organisation(client, keys, container, "mastodon")
    # When a post is created with type now
    response = client.post(f"{API}/posts", json=cli_body("acc_mastodon_profile", kind="now"), headers=postiz)
    # Then it answers at once, the post is publishing and its target is on the publish queue
    assert response.status_code == 201, response.text
    post = api_post(client, headers, response.json()[0]["postId"])
    assert post["status"] == "publishing"
    queued = boto3.client("sqs").receive_message(QueueUrl=os.environ["PUBLISH_QUEUE_URL"], MaxNumberOfMessages=10)
    assert post["id"] in "".join(m["Body"] for m in queued.get("Messages", []))


def test_an_uploaded_image_becomes_the_posts_file_and_an_unknown_one_leaves_nothing(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an organisation with an X channel and a PNG it uploaded
    headers, postiz = organisation(client, keys, container, "twitter")
    uploaded = upload(client, postiz, PNG).json()
    # When the CLI schedules a post with that path (and a random image id), its alt text given
    body = cli_body("acc_twitter_profile")
    body["posts"][0]["value"][0]["image"] = [{"id": "39i5f", "path": uploaded["path"], "alt": "A red square"}]
    response = client.post(f"{API}/posts", json=body, headers=postiz)
    # Then the post is scheduled with the file as its media
    assert response.status_code == 201, response.text
    post = api_post(client, headers, response.json()[0]["postId"])
    assert post["status"] == "scheduled"
    assert [(m["mime_type"], m["alt_text"]) for m in post["media"]] == [("image/png", "A red square")]
    # And an upload path that is not this workspace's is not found, and no post is left behind
    unknown = f"{uploaded['path'].rsplit('/', 1)[0]}/media_{uuid.uuid4()}.png"
    body["posts"][0]["value"][0]["image"] = [{"id": "x", "path": unknown}]
    missing = client.post(f"{API}/posts", json=body, headers=postiz)
    assert missing.status_code == 404, missing.text
    assert set(missing.json()) == {"msg"}
    assert [p["id"] for p in api_posts(client, headers)] == [post["id"]]


def test_the_plans_monthly_posts_are_checked_for_the_whole_request_first(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plan allowing 2 posts a month, and an organisation with three channels
    limit = TIER_LIMITS[Tier.ENTERPRISE].model_copy(update={"monthly_posts": 2})
    monkeypatch.setitem(TIER_LIMITS, Tier.ENTERPRISE, limit)
    headers, postiz = organisation(client, keys, container, "bluesky", "mastodon", "threads")
    # When one request makes three posts
    body = cli_body("acc_bluesky_profile", "acc_mastodon_profile", "acc_threads_profile")
    response = client.post(f"{API}/posts", json=body, headers=postiz)
    # Then it is the plan's 402 and none was made (nor counted: two can still be made)
    assert response.status_code == 402, response.text
    assert api_posts(client, headers) == []
    two = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", "acc_mastodon_profile"), headers=postiz)
    assert two.status_code == 201, two.text


def test_any_other_type_schedules_as_postiz_does(client: TestClient, keys: Keys, container: Container) -> None:
    # Given an organisation with a Bluesky channel
    headers, postiz = organisation(client, keys, container, "bluesky")
    # When the type is missing or unknown
    for kind in (None, "update", 5):
        body = cli_body("acc_bluesky_profile")
        body["type"] = kind
        response = client.post(f"{API}/posts", json=body, headers=postiz)
        # Then the post is scheduled
        assert response.status_code == 201, response.text
        assert api_post(client, headers, response.json()[0]["postId"])["status"] == "scheduled"


def test_posts_without_an_integration_id_are_refused_first(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an organisation with a channel
    headers, postiz = organisation(client, keys, container, "bluesky")
    # When a body has no posts, a post without an integration, or the README's "JSON mode" shape
    for body in (
        {"type": "draft"},
        {**cli_body("acc_bluesky_profile"), "posts": [{"value": []}]},
        {"integrations": ["acc_bluesky_profile"], "posts": [{"provider": "bluesky", "post": "hi"}]},
        [1, 2],
        None,
    ):
        response = client.post(f"{API}/posts", json=body, headers=postiz)
        # Then Postiz's first check answers, with a string message, before anything else
        assert nest_400(response) == "All posts must have an integration id"
    # And nothing was written
    assert api_posts(client, headers) == []


def test_an_integration_of_another_organisation_is_never_found(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given two organisations, each with a Bluesky channel (the same account id shape in each)
    headers, postiz = organisation(client, keys, container, "bluesky")
    other = new_workspace(client, keys)
    theirs = add_account(container, other["X-Workspace-ID"], id="acc_theirs", platform="mastodon")
    # When one names the other's account, or an id that does not exist (even with a bad body otherwise)
    for integration in (theirs.id, "nope"):
        body = {**cli_body("acc_bluesky_profile", integration), "shortLink": "yes"}
        response = client.post(f"{API}/posts", json=body, headers=postiz)
        # Then it is not found, before the body's own checks
        assert nest_400(response) == f"Integration with id {integration} not found"
    # And nothing was written anywhere
    assert api_posts(client, headers) == []
    assert api_posts(client, other) == []


def test_the_body_is_checked_like_postizs_dto_every_problem_at_once(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an organisation with a Bluesky channel
    headers, postiz = organisation(client, keys, container, "bluesky")
    item = {"integration": {"id": "acc_bluesky_profile"}}
    # When the body breaks each rule of Postiz's CreatePostDto
    cases: list[tuple[dict[str, Any], list[str]]] = [
        (
            {"type": "schedule", "posts": [{**item, "value": [{"content": "x", "image": []}]}]},
            [
                "shortLink must be a boolean value",
                "date must be a valid ISO 8601 date string",
                "tags must be an array",
            ],
        ),
        (
            {**cli_body(), "date": "next tuesday", "shortLink": "true", "tags": "x", "posts": [{**item, "value": []}]},
            [
                "shortLink must be a boolean value",
                "date must be a valid ISO 8601 date string",
                "tags must be an array",
                "posts.0.value must contain at least 1 elements",
            ],
        ),
        (
            {**cli_body(), "tags": [{"value": "a"}], "posts": [{**item, "value": [{"content": "x"}], "group": 7}]},
            [
                "tags.0.label must be a string",
                "posts.0.value.0.image must be an array",
                "posts.0.group must be a string",
            ],
        ),
        (
            {
                **cli_body(),
                "posts": [
                    {
                        **item,
                        "value": [
                            {"content": "x", "image": [{"id": "a1", "path": "https://x/a.pdf"}, {"path": 3}]},
                        ],
                        "settings": "x",
                    }
                ],
            },
            [
                "posts.0.value.0.image.0.path File must have a valid extension: .png, .jpg, .jpeg, .gif, .webp, .mp4",
                "posts.0.value.0.image.1.id must be a string",
                "posts.0.value.0.image.1.path must be a string",
                "posts.0.settings must be an object",
            ],
        ),
        (
            {**cli_body(), "posts": [{**item, "value": [{"content": "  ", "image": []}]}]},
            [
                "posts.0.value.0.content If images do not exist, content must be a non-empty string.",
            ],
        ),
    ]
    for body, expected in cases:
        response = client.post(f"{API}/posts", json=body, headers=postiz)
        # Then each problem is one "<path> <message>" line of Nest's array
        assert sorted(nest_400(response)) == sorted(expected), body
    # And an empty posts array is caught by the DTO too
    assert nest_400(client.post(f"{API}/posts", json={**cli_body(), "posts": []}, headers=postiz)) == [
        "posts must contain at least 1 elements"
    ]
    # And a date-only date passes (IsISO8601), with query-string images ending in an allowed extension
    fine = {**cli_body(), "type": "draft", "date": "2026-03-15"}
    fine["posts"] = [{**item, "value": [{"content": "ok", "image": []}]}]
    assert client.post(f"{API}/posts", json=fine, headers=postiz).status_code == 201
    assert len(api_posts(client, headers)) == 1


def test_what_a_socialpub_post_cannot_carry_is_refused_clearly(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an organisation with a Bluesky channel
    headers, postiz = organisation(client, keys, container, "bluesky")
    item = {"integration": {"id": "acc_bluesky_profile"}}
    # When a thread part has an image or a delay, a value names an existing post, or the post repeats
    body = {
        **cli_body(),
        "inter": 7,
        "posts": [
            {
                **item,
                "value": [
                    {"content": "first", "image": [], "id": "post_1"},
                    {"content": "second", "image": [{"id": "i", "path": "https://x/a.png"}], "delay": 5},
                ],
            }
        ],
    }
    message = nest_400(client.post(f"{API}/posts", json=body, headers=postiz))
    # Then each is named, with why
    assert isinstance(message, list)
    assert [m.split(" ")[0] for m in message] == [
        "posts.0.value.0.id",
        "posts.0.value.1.image",
        "posts.0.value.1.delay",
        "inter",
    ]
    assert "carry no media" in message[1]
    # And nothing was written
    assert api_posts(client, headers) == []


def test_a_second_value_where_the_network_has_no_threads_nor_room_is_a_channel_refusal(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a Telegram channel (no threads, no comments) and a LinkedIn one (a comment, no threads)
    headers, postiz = organisation(client, keys, container, "telegram", "linkedin")
    # When each gets more values than it can take
    telegram = client.post(f"{API}/posts", json=cli_body("acc_telegram_profile", contents=("a", "b")), headers=postiz)
    linkedin = client.post(
        f"{API}/posts", json=cli_body("acc_linkedin_profile", contents=("a", "b", "c")), headers=postiz
    )
    # Then each is Postiz's provider refusal, naming the channel
    assert telegram.status_code == 400
    assert telegram.json() == {
        "statusCode": 400,
        "provider": "telegram",
        "name": "Ada telegram",
        "message": "Telegram takes no threads nor comments: posts[0].value has 2 values",
    }
    assert (linkedin.status_code, linkedin.json()["provider"]) == (400, "linkedin")
    assert "a post and one comment" in linkedin.json()["message"]
    assert api_posts(client, headers) == []


def test_a_post_a_channels_rules_refuse_names_the_channel_and_nothing_is_written(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an X channel and a Bluesky one
    headers, postiz = organisation(client, keys, container, "bluesky", "twitter")
    # When the second of two posts is too long for X
    body = cli_body("acc_bluesky_profile")
    body["posts"].append({"integration": {"id": "acc_twitter_profile"}, "value": [{"content": "x" * 300, "image": []}]})
    response = client.post(f"{API}/posts", json=body, headers=postiz)
    # Then it is Postiz's post-validation shape, with the X channel's Postiz id and name
    assert response.status_code == 400, response.text
    refusal = response.json()
    assert set(refusal) == {"statusCode", "provider", "name", "message"}
    assert (refusal["statusCode"], refusal["provider"], refusal["name"]) == (400, "x", "Ada twitter")
    assert "280 characters" in refusal["message"]
    # And the valid first post was not written either: all items are checked first
    assert api_posts(client, headers) == []


def test_settings_map_onto_the_networks_overrides_and_unknown_keys_are_named(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given Reddit, Pinterest, YouTube and TikTok channels
    headers, postiz = organisation(client, keys, container, "reddit", "pinterest", "youtube", "tiktok")

    def draft(account: str, settings: dict[str, Any]) -> Any:
        body = {**cli_body(account), "type": "draft"}
        body["posts"][0]["settings"] = settings
        return client.post(f"{API}/posts", json=body, headers=postiz)

    # When Postiz settings are sent for each (with Postiz-only keys that ask for nothing)
    reddit = draft(
        "acc_reddit_profile",
        {
            "subreddit": [
                {"value": {"subreddit": "r/python", "title": "A title", "type": "self", "flair": {"id": "f1"}}}
            ]
        },
    )
    pinterest = draft("acc_pinterest_profile", {"board": "123", "title": "Pin", "dominant_color": "#fff"})
    youtube = draft(
        "acc_youtube_profile", {"title": "Clip", "type": "unlisted", "tags": [{"value": "a", "label": "a"}]}
    )
    tiktok = draft(
        "acc_tiktok_profile",
        {"privacy_level": "SELF_ONLY", "comment": False, "duet": True, "autoAddMusic": "no", "music": None},
    )
    # Then each is the product's per-network title and settings
    overrides = {
        network: api_post(client, headers, r.json()[0]["postId"])["platform_content"][network]
        for network, r in (("reddit", reddit), ("pinterest", pinterest), ("youtube", youtube), ("tiktok", tiktok))
    }
    assert (overrides["reddit"]["title"], overrides["reddit"]["settings"]) == (
        "A title",
        {"subreddit": "python", "flair_id": "f1"},
    )
    assert (overrides["pinterest"]["title"], overrides["pinterest"]["settings"]) == ("Pin", {"board_id": "123"})
    assert (overrides["youtube"]["title"], overrides["youtube"]["settings"]) == (
        "Clip",
        {"privacy": "unlisted", "tags": "a"},
    )
    assert overrides["tiktok"]["settings"] == {
        "privacy_level": "SELF_ONLY",
        "disable_comment": True,
        "disable_duet": False,
    }
    # And a key with no equivalent, or one that asks for what socialpub does not do, is named
    unknown = draft("acc_tiktok_profile", {"privacy_level": "SELF_ONLY", "autoAddMusic": "yes", "sparkle": 1})
    assert nest_400(unknown) == [
        "posts.0.settings.autoAddMusic is not a setting socialpub supports for tiktok (it takes: "
        "brand_content_toggle, comment, disable_comment, disable_duet, disable_stitch, duet, privacy_level, "
        "stitch, title)",
        "posts.0.settings.sparkle is not a setting socialpub supports for tiktok (it takes: "
        "brand_content_toggle, comment, disable_comment, disable_duet, disable_stitch, duet, privacy_level, "
        "stitch, title)",
    ]
    two_subreddits = draft(
        "acc_reddit_profile", {"subreddit": [{"value": {"subreddit": "a"}}, {"value": {"subreddit": "b"}}]}
    )
    assert "exactly one subreddit" in nest_400(two_subreddits)[0]
    # And a mapped value the network's rules refuse is the channel's refusal
    bad_privacy = draft("acc_tiktok_profile", {"privacy_level": "EVERYONE"})
    assert (bad_privacy.status_code, bad_privacy.json()["provider"]) == (400, "tiktok")
    assert "privacy_level must be one of" in bad_privacy.json()["message"]
    assert len(api_posts(client, headers)) == 4


def test_a_schedule_in_the_past_or_an_expired_account_for_now_is_refused_before_writing(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a Bluesky channel and an expired Mastodon one
    headers, postiz = organisation(client, keys, container, "bluesky")
    add_account(container, headers["X-Workspace-ID"], platform="mastodon", status=AccountStatus.EXPIRED)
    # When a post is scheduled in the past
    past = {**cli_body("acc_bluesky_profile"), "date": "2026-03-01T10:00:00.000Z"}
    response = client.post(f"{API}/posts", json=past, headers=postiz)
    # Then the date is refused in the surface's msg shape
    assert response.status_code == 400
    assert response.json()["msg"].startswith("date must be in the future")
    # And publishing now to the expired account is refused too
    now = client.post(f"{API}/posts", json=cli_body("acc_mastodon_profile", kind="now"), headers=postiz)
    assert now.status_code == 409
    assert "Reconnect" in now.json()["msg"]
    assert api_posts(client, headers) == []


def test_a_step_failing_after_a_create_deletes_what_the_request_created(
    client: TestClient, keys: Keys, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two channels, and a scheduler that refuses the second schedule
    headers, postiz = organisation(client, keys, container, "bluesky", "mastodon")
    put = container.post_scheduler.put
    calls: list[object] = []

    def flaky(message: Any) -> None:
        calls.append(message)
        if len(calls) == 2:
            raise DependencyUnavailable("The scheduler is unavailable")
        put(message)

    monkeypatch.setattr(container.post_scheduler, "put", flaky)
    # When two posts are scheduled in one request
    response = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", "acc_mastodon_profile"), headers=postiz)
    # Then the request fails, and neither post (nor the first one's schedule) is left behind
    assert response.status_code == 503
    assert set(response.json()) == {"msg"}
    assert api_posts(client, headers) == []
    assert not any(schedule_exists(getattr(m, "post_id", "")) for m in calls)


def test_writing_posts_needs_the_posts_write_permission(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a key that may read but not write posts
    key = keys.issue(permissions=ALL_PERMISSIONS - {Permission.POSTS_WRITE})
    ws = client.post("/api/workspaces", json={"name": "w"}, headers={"X-API-Key": key}).json()["data"]
    add_account(container, ws["workspace"]["id"])
    postiz = {"Authorization": key}
    # When it creates, deletes and changes a post
    answers = [
        client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz),
        client.delete(f"{API}/posts/post_x", headers=postiz),
        client.delete(f"{API}/posts/group/g", headers=postiz),
        client.put(f"{API}/posts/post_x/status", json={"status": "draft"}, headers=postiz),
        client.put(f"{API}/posts/post_x/settings", json={"settings": {}}, headers=postiz),
    ]
    # Then each is a 403 in the surface's shape, while reading is allowed
    assert [(a.status_code, set(a.json())) for a in answers] == [(403, {"msg"})] * 5
    listed = client.get(f"{API}/posts", params={"startDate": SOON, "endDate": SOON}, headers=postiz)
    assert listed.status_code == 200


# ---------------------------------------------------------------------- GET /posts


def test_listing_needs_both_dates(client: TestClient, keys: Keys, container: Container) -> None:
    # Given an organisation
    _, postiz = organisation(client, keys, container)
    # When a client lists without dates, or with a date that is not one
    missing = client.get(f"{API}/posts", headers=postiz)
    bad = client.get(f"{API}/posts", params={"startDate": "2026-13-40", "endDate": SOON}, headers=postiz)
    # Then Nest's array names each
    assert nest_400(missing) == [
        "startDate must be a valid ISO 8601 date string",
        "endDate must be a valid ISO 8601 date string",
    ]
    assert nest_400(bad) == ["startDate must be a valid ISO 8601 date string"]


def test_the_list_is_an_inclusive_range_of_every_state_one_entry_per_account(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a scheduled post made here, a draft, and a post of the main API to two accounts, one of
    # which published it and one failed
    headers, postiz = organisation(client, keys, container, "bluesky", "mastodon")
    ws = headers["X-Workspace-ID"]
    scheduled = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]["postId"]
    draft_body = {**cli_body("acc_mastodon_profile", contents=("A draft",)), "type": "draft"}
    draft = client.post(f"{API}/posts", json=draft_body, headers=postiz).json()[0]["postId"]
    both = client.post(
        "/api/posts",
        json={"content": "Both", "platforms": ["acc_bluesky_profile", "acc_mastodon_profile"]},
        headers=headers,
    ).json()["data"]["post"]["id"]
    previous = container.posts.get(ws, both)
    assert previous is not None
    out = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    container.posts.save(
        previous.model_copy(
            update={
                "status": PostStatus.PARTIALLY_PUBLISHED,
                "published_at": out,
                "platform_posts": [
                    PlatformPost(
                        platform="bluesky",
                        account_id="acc_bluesky_profile",
                        post_id="at://1",
                        url="https://bsky.app/p/1",
                        status="published",
                        published_at=out,
                    ),
                    PlatformPost(
                        platform="mastodon", account_id="acc_mastodon_profile", status="failed", error="refused"
                    ),
                ],
                "version": previous.version + 1,
            }
        ),
        previous,
    )
    # When the week of 2026-03-02 and the day of the scheduled post are listed (bounds inclusive)
    week = client.get(
        f"{API}/posts",
        params={"startDate": "2026-03-02T09:00:00.000Z", "endDate": "2026-03-08T00:00:00.000Z"},
        headers={**postiz, "Content-Type": "application/json"},
    )
    day = client.get(f"{API}/posts", params={"startDate": SOON, "endDate": SOON}, headers=postiz)
    # Then the week has one entry per account of the main API's post (the draft is at its date)
    assert week.status_code == 200, week.text
    entries = {(p["id"], p["integration"]["id"]): p for p in week.json()["posts"]}
    assert set(entries) == {(both, "acc_bluesky_profile"), (both, "acc_mastodon_profile")}
    assert entries[(both, "acc_bluesky_profile")] == {
        "id": both,
        "content": "Both",
        "publishDate": "2026-03-02T09:00:00.000Z",
        "releaseURL": "https://bsky.app/p/1",
        "releaseId": "at://1",
        "state": "PUBLISHED",
        "group": both,
        "integration": {
            "id": "acc_bluesky_profile",
            "providerIdentifier": "bluesky",
            "name": "Ada bluesky",
            "picture": "https://cdn.example/ada.png",
        },
    }
    assert (
        entries[(both, "acc_mastodon_profile")]["state"],
        entries[(both, "acc_mastodon_profile")]["releaseURL"],
    ) == (
        "ERROR",
        None,
    )
    # And the day has the scheduled post, in the queue, and the draft, both at their date
    listed = sorted((p["id"], p["state"], p["publishDate"], p["content"]) for p in day.json()["posts"])
    assert listed == sorted([(scheduled, "QUEUE", SOON, "Hello"), (draft, "DRAFT", SOON, "A draft")])
    # And another week has none of them
    later = client.get(
        f"{API}/posts", params={"startDate": "2026-04-01", "endDate": "2026-04-07"}, headers=postiz
    ).json()
    assert later == {"posts": []}


def test_customer_lists_only_the_channels_of_that_group(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a Bluesky channel in group "acme" and a Mastodon one in no group, each with a post that day
    headers, postiz = organisation(client, keys, container, "mastodon")
    add_account(container, headers["X-Workspace-ID"], group="acme")
    client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", "acc_mastodon_profile"), headers=postiz)
    # When the day is listed for customer acme, and for a customer with no channels
    acme = client.get(f"{API}/posts", params={"startDate": SOON, "endDate": SOON, "customer": "acme"}, headers=postiz)
    none = client.get(f"{API}/posts", params={"startDate": SOON, "endDate": SOON, "customer": "x"}, headers=postiz)
    # Then only the acme channel's post is listed
    assert [p["integration"]["id"] for p in acme.json()["posts"]] == ["acc_bluesky_profile"]
    assert none.json() == {"posts": []}


def test_another_organisations_posts_are_never_listed(client: TestClient, keys: Keys, container: Container) -> None:
    # Given two organisations, each with a scheduled post
    _, mine = organisation(client, keys, container, "bluesky")
    _, theirs = organisation(client, keys, container, "bluesky")
    client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=theirs)
    # When one lists the day
    listed = client.get(f"{API}/posts", params={"startDate": SOON, "endDate": SOON}, headers=mine)
    # Then it sees none of the other's
    assert listed.json() == {"posts": []}


# ---------------------------------------------------------------------- DELETE


def test_delete_removes_the_post_and_its_schedule_and_answers_json(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a scheduled post, and another organisation
    headers, postiz = organisation(client, keys, container, "bluesky")
    _, theirs = organisation(client, keys, container)
    post_id = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]["postId"]
    # When the other organisation deletes it, then its own does, twice
    stranger = client.delete(f"{API}/posts/{post_id}", headers=theirs)
    deleted = client.delete(f"{API}/posts/{post_id}", headers={**postiz, "Content-Type": "application/json"})
    again = client.delete(f"{API}/posts/{post_id}", headers=postiz)
    # Then only its own organisation can, with a JSON body (the CLI parses it), and it is gone with its schedule
    assert (stranger.status_code, stranger.json()) == (404, {"msg": "Post not found"})
    assert (deleted.status_code, deleted.json()) == (200, {"id": post_id})
    assert (again.status_code, again.json()) == (404, {"msg": "Post not found"})
    assert client.get(f"/api/posts/{post_id}", headers=headers).status_code == 404
    assert not schedule_exists(post_id)


def test_delete_group_removes_every_post_of_the_group(client: TestClient, keys: Keys, container: Container) -> None:
    # Given two posts in group g1 (one request, two channels) and one in another group
    headers, postiz = organisation(client, keys, container, "bluesky", "mastodon")
    body = {**cli_body("acc_bluesky_profile", "acc_mastodon_profile"), "type": "draft"}
    for item in body["posts"]:
        item["group"] = "g1"
    grouped = [c["postId"] for c in client.post(f"{API}/posts", json=body, headers=postiz).json()]
    other = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]["postId"]
    # When the group is deleted, and a group that does not exist
    response = client.delete(f"{API}/posts/group/g1", headers=postiz)
    unknown = client.delete(f"{API}/posts/group/nope", headers=postiz)
    # Then the group's posts are gone and the other stays; both answers are 200 JSON
    assert response.status_code == 200
    assert sorted(response.json()["deleted"]) == sorted(grouped)
    assert (unknown.status_code, unknown.json()) == (200, {"group": "nope", "deleted": []})
    assert [p["id"] for p in api_posts(client, headers)] == [other]


# ---------------------------------------------------------------------- PUT status, settings


def test_status_draft_keeps_the_date_and_schedule_brings_the_post_back_to_it(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a scheduled post
    headers, postiz = organisation(client, keys, container, "bluesky")
    post_id = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]["postId"]
    when = api_post(client, headers, post_id)["scheduled_at"]
    # When it is scheduled again (no change), then put to draft
    same = client.put(f"{API}/posts/{post_id}/status", json={"status": "schedule"}, headers=postiz)
    draft = client.put(f"{API}/posts/{post_id}/status", json={"status": "draft"}, headers=postiz)
    # Then it stays queued, then is a draft without its schedule
    assert (same.status_code, same.json()) == (200, {"id": post_id, "state": "QUEUE"})
    assert (draft.status_code, draft.json()) == (200, {"id": post_id, "state": "DRAFT"})
    assert api_post(client, headers, post_id)["status"] == "draft"
    assert not schedule_exists(post_id)
    # And the draft is still listed at its date, as Postiz keeps a draft's publishDate
    week = {"startDate": SOON[:10], "endDate": f"{SOON[:10]}T23:59:59Z"}
    listed = client.get(f"{API}/posts", params=week, headers=postiz).json()["posts"]
    assert [(p["id"], p["state"]) for p in listed] == [(post_id, "DRAFT")]
    # When it is set to schedule again
    back = client.put(f"{API}/posts/{post_id}/status", json={"status": "schedule"}, headers=postiz)
    # Then it is scheduled at that same date
    assert (back.status_code, back.json()) == (200, {"id": post_id, "state": "QUEUE"})
    assert api_post(client, headers, post_id)["scheduled_at"] == when
    assert schedule_exists(post_id)


def test_a_draft_is_listed_at_its_date_and_scheduled_there_while_a_main_api_draft_has_none(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a PostSider draft for SOON, and a draft made with the main API (no date)
    headers, postiz = organisation(client, keys, container, "bluesky")
    body = cli_body("acc_bluesky_profile", kind="draft")
    draft_id = client.post(f"{API}/posts", json=body, headers=postiz).json()[0]["postId"]
    made = client.post("/api/posts", json={"content": "undated", "platforms": ["acc_bluesky_profile"]}, headers=headers)
    undated_id = made.json()["data"]["post"]["id"]
    # When the day of SOON is listed
    day = {"startDate": SOON[:10], "endDate": f"{SOON[:10]}T23:59:59Z"}
    listed = client.get(f"{API}/posts", params=day, headers=postiz).json()["posts"]
    # Then the PostSider draft is there, at its date
    assert [(p["id"], p["state"]) for p in listed] == [(draft_id, "DRAFT")]
    assert listed[0]["publishDate"][:19] == SOON[:19]
    # When each is set to schedule
    scheduled = client.put(f"{API}/posts/{draft_id}/status", json={"status": "schedule"}, headers=postiz)
    undated = client.put(f"{API}/posts/{undated_id}/status", json={"status": "schedule"}, headers=postiz)
    # Then the dated draft is queued at its date, and the undated one is refused, saying why
    assert (scheduled.status_code, scheduled.json()) == (200, {"id": draft_id, "state": "QUEUE"})
    assert api_post(client, headers, draft_id)["scheduled_at"][:19] == SOON[:19]
    assert undated.status_code == 400
    assert "no date" in undated.json()["msg"]
    assert api_post(client, headers, undated_id)["status"] == "draft"


def test_status_refusals(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a published post and a failed one whose time has passed
    headers, postiz = organisation(client, keys, container, "bluesky")
    ws = headers["X-Workspace-ID"]
    ids = [client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]["postId"]]
    ids.append(client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]["postId"])
    for post_id, status, when in (
        (ids[0], PostStatus.PUBLISHED, None),
        (ids[1], PostStatus.FAILED, datetime(2026, 3, 1, tzinfo=UTC)),
    ):
        previous = container.posts.get(ws, post_id)
        assert previous is not None
        update = {"status": status, "version": previous.version + 1, "scheduled_at": when or previous.scheduled_at}
        container.posts.save(previous.model_copy(update=update), previous)
    published, failed = ids
    # When a client sends a bad status, changes an unknown post, or a post in a state that cannot change
    bodies: tuple[dict[str, str] | None, ...] = ({"status": "bogus"}, {}, None)
    bad = [client.put(f"{API}/posts/{published}/status", json=b, headers=postiz) for b in bodies]
    unknown = client.put(f"{API}/posts/post_nope/status", json={"status": "draft"}, headers=postiz)
    to_draft = client.put(f"{API}/posts/{published}/status", json={"status": "draft"}, headers=postiz)
    passed = client.put(f"{API}/posts/{failed}/status", json={"status": "schedule"}, headers=postiz)
    # Then each is refused in its shape
    for response in bad:
        assert nest_400(response) == ["status must be one of the following values: draft, schedule"]
    assert (unknown.status_code, unknown.json()) == (404, {"msg": "Post not found"})
    assert to_draft.status_code == 409
    assert (passed.status_code, "must be in the future" in passed.json()["msg"]) == (400, True)


def test_settings_are_merged_and_checked_again(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a scheduled TikTok post with a privacy level
    headers, postiz = organisation(client, keys, container, "tiktok", "bluesky")
    body = cli_body("acc_tiktok_profile")
    body["posts"][0]["settings"] = {"privacy_level": "SELF_ONLY"}
    body["posts"][0]["value"][0]["content"] = "Clip"
    body["type"] = "draft"
    post_id = client.post(f"{API}/posts", json=body, headers=postiz).json()[0]["postId"]
    # When a client changes comments, then sends a value TikTok refuses, an unknown key, and no object
    changed = client.put(f"{API}/posts/{post_id}/settings", json={"settings": {"comment": True}}, headers=postiz)
    refused = client.put(
        f"{API}/posts/{post_id}/settings", json={"settings": {"privacy_level": "WORLD"}}, headers=postiz
    )
    unknown = client.put(f"{API}/posts/{post_id}/settings", json={"settings": {"glow": True}}, headers=postiz)
    not_object = client.put(f"{API}/posts/{post_id}/settings", json={"settings": ["x"]}, headers=postiz)
    missing = client.put(f"{API}/posts/post_nope/settings", json={"settings": {}}, headers=postiz)
    # Then the change is merged into the earlier settings, with Postiz's answer
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"postId": post_id, "publishDate": "2026-03-02T10:00:05"}
    settings = api_post(client, headers, post_id)["platform_content"]["tiktok"]["settings"]
    assert settings == {"privacy_level": "SELF_ONLY", "disable_comment": False}
    # And the refusals are the channel's, the key's and the DTO's; the post keeps its settings
    assert (refused.status_code, refused.json()["provider"]) == (400, "tiktok")
    assert nest_400(unknown)[0].startswith("settings.glow is not a setting socialpub supports for tiktok")
    assert nest_400(not_object) == ["settings must be an object"]
    assert (missing.status_code, missing.json()) == (404, {"msg": "Post not found"})
    assert api_post(client, headers, post_id)["platform_content"]["tiktok"]["settings"] == settings


# ---------------------------------------------------------------------- missing, release-id


TELEGRAM = {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@launches"}


def lost_answer(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container, text: str = "Only once"
) -> tuple[dict[str, str], dict[str, str], str]:
    """A PostSider post to a Telegram channel, published by the real publisher against the emulator:
    its run died right after Telegram accepted the message (the answer lost), and the rerun, unable
    to look the message up (the Bot API reads nothing back), failed it with OUTCOME_UNKNOWN.
    (main API headers, PostSider headers, the post's id)."""
    headers = new_workspace(client, keys)
    postiz = raw_key(headers)
    answer = client.post("/api/accounts", json={"platform": "telegram", "credentials": TELEGRAM}, headers=headers)
    channel = answer.json()["data"]["account"]["id"]
    body = cli_body(channel, contents=(text,), kind="now")
    post_id = client.post(f"{API}/posts", json=body, headers=postiz).json()[0]["postId"]
    pipeline.deps.targets = CrashingTargets(pipeline.deps.targets, "message.0")  # type: ignore[arg-type]
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}  # killed once Telegram had the message
    pipeline.clock.moment += timedelta(minutes=7)  # the dead run's lease runs out
    pipeline.make_visible([message])
    pipeline.drain()
    shown = api_post(client, headers, post_id)
    assert shown["status"] == "failed"
    assert shown["platform_posts"][0]["error_code"] == "OUTCOME_UNKNOWN"
    return headers, postiz, post_id


def left_by_the_publisher(container: Container, workspace_id: str, post_id: str, account: str, code: str) -> None:
    """The post as the publisher leaves it when its one target failed with ``code`` (stored through the
    target repository, the post settled from it as the publisher settles it)."""
    post = container.posts.get(workspace_id, post_id)
    assert post is not None
    now = container.clock()
    target = Target(
        workspace_id=workspace_id,
        post_id=post_id,
        account_id=account,
        platform=account.split("_")[1],
        status=TargetStatus.FAILED,
        attempts=1,
        armed={"record": now.isoformat()},
        error=TargetError(code=code, kind=FailureKind.PERMANENT, message="the answer was lost"),
        queued_at=now,
        finished_at=now,
        rev=3,
    )
    started = post.model_copy(
        update={
            "status": PostStatus.PUBLISHING,
            "publish_run": 1,
            "platform_posts": [publishing.platform_post(target)],
            "version": post.version + 1,
        }
    )
    container.targets.begin(started, post, [target])
    moved = publishing.progressed(started, {account: target}, now)
    assert moved is not None
    container.targets.settle(*moved[:1], started, moved[1])


def test_a_post_whose_answer_was_lost_takes_the_release_id_and_shows_published(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given a post to Telegram whose answer was lost: the publisher failed it with OUTCOME_UNKNOWN
    headers, postiz, post_id = lost_answer(client, keys, pipeline, container)
    (sent,) = pipeline.posts_on("telegram")  # the message Telegram did make
    window = {"startDate": "2026-03-02T00:00:00.000Z", "endDate": "2026-03-03T00:00:00.000Z"}
    (before,) = client.get(f"{API}/posts", params=window, headers=postiz).json()["posts"]
    assert (before["state"], before["releaseId"]) == ("ERROR", None)
    # When the user, having found the message in the channel, records its id (posts:connect --release-id)
    answer = client.put(f"{API}/posts/{post_id}/release-id", json={"releaseId": str(sent.id)}, headers=postiz)
    # Then the answer is the Postiz docs' body
    assert (answer.status_code, answer.json()) == (200, {"id": post_id, "releaseId": str(sent.id)})
    # And PostSider's list shows the post published with that id and the message's link (the public
    # channel's, by its username, as the publisher links it)
    link = f"https://t.me/launches/{sent.id}"
    (listed,) = client.get(f"{API}/posts", params=window, headers=postiz).json()["posts"]
    assert (listed["state"], listed["releaseId"], listed["releaseURL"]) == ("PUBLISHED", str(sent.id), link)
    # And the main API shows the target published, as if the publisher had got the answer
    shown = api_post(client, headers, post_id)
    assert shown["status"] == "published"
    (copy,) = shown["platform_posts"]
    assert (copy["status"], copy["post_id"], copy["url"], copy.get("error_code")) == (
        "published",
        str(sent.id),
        link,
        None,
    )
    # And post.published was recorded once (after the post.failed of the lost run), for webhooks
    ws = headers["X-Workspace-ID"]
    assert len(events(container, ws, "post.failed")) == 1
    (event,) = events(container, ws, "post.published")
    assert event["data"]["M"]["post_id"]["S"] == post_id
    # And its figures are tracked from now on, as for a post the publisher saw published
    tracked = container.analytics.target(ws, post_id, copy["account_id"])
    assert tracked is not None
    assert (tracked.network_post_id, tracked.next_at) == (str(sent.id), container.clock())
    # And the id cannot be recorded twice: the post's release id is no longer missing
    again = client.put(f"{API}/posts/{post_id}/release-id", json={"releaseId": "999"}, headers=postiz)
    assert (again.status_code, again.json()) == (
        400,
        {"msg": f"This post's release id is not missing: Telegram published it as {sent.id}"},
    )
    # And missing content stays empty: socialpub has no candidates for a user to pick
    assert client.get(f"{API}/posts/{post_id}/missing", headers=postiz).json() == []


def test_a_post_whose_release_id_is_not_missing_is_refused_with_its_state(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a scheduled post, and a post whose one target the network refused (a known outcome)
    headers, postiz = organisation(client, keys, container, "bluesky")
    ws = headers["X-Workspace-ID"]
    scheduled = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile"), headers=postiz).json()[0]
    refused = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", kind="draft"), headers=postiz).json()[0]
    left_by_the_publisher(container, ws, refused["postId"], "acc_bluesky_profile", "VALIDATION_FAILED")
    before = container.posts.get(ws, refused["postId"])
    # When a client sets a release id on each
    answers = [
        client.put(f"{API}/posts/{p['postId']}/release-id", json={"releaseId": "at://1"}, headers=postiz)
        for p in (scheduled, refused)
    ]
    # Then each is refused with a 400 saying what the post's state is
    said = "This post's release id is not missing: "
    assert [(a.status_code, a.json()) for a in answers] == [
        (400, {"msg": said + "it is scheduled, not published"}),
        (400, {"msg": said + "Bluesky failed with VALIDATION_FAILED, which is not a lost answer"}),
    ]
    # And nothing changed
    assert container.posts.get(ws, refused["postId"]) == before
    assert api_post(client, headers, scheduled["postId"])["status"] == "scheduled"


def test_an_unknown_or_another_tenants_post_is_not_found(client: TestClient, keys: Keys, container: Container) -> None:
    # Given another tenant's post whose outcome is unknown, and an organisation of our own
    other, other_postiz = organisation(client, keys, container, "bluesky")
    theirs = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", kind="draft"), headers=other_postiz)
    their_id = theirs.json()[0]["postId"]
    left_by_the_publisher(container, other["X-Workspace-ID"], their_id, "acc_bluesky_profile", "OUTCOME_UNKNOWN")
    _, postiz = organisation(client, keys, container, "bluesky")
    # When we set a release id on their post, and on a post that does not exist
    answers = [
        client.put(f"{API}/posts/{post_id}/release-id", json={"releaseId": "at://1"}, headers=postiz)
        for post_id in (their_id, "post_nope")
    ]
    # Then both are Postiz's 404, and their post still waits for its id
    assert [(a.status_code, a.json()) for a in answers] == [(404, {"msg": "Post not found"})] * 2
    assert api_post(client, other, their_id)["platform_posts"][0]["error_code"] == "OUTCOME_UNKNOWN"


def test_a_bad_release_id_gets_nests_400_array_and_writes_nothing(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a post whose outcome is unknown
    headers, postiz = organisation(client, keys, container, "bluesky")
    ws = headers["X-Workspace-ID"]
    post_id = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", kind="draft"), headers=postiz)
    post_id = post_id.json()[0]["postId"]
    left_by_the_publisher(container, ws, post_id, "acc_bluesky_profile", "OUTCOME_UNKNOWN")
    before = container.posts.get(ws, post_id)
    # When bodies with no id, a number, an empty id, one too long, and ids with spaces or control characters are sent
    bodies: list[Any] = [{}, {"releaseId": 5}, {"releaseId": ""}, {"releaseId": "1" * 201}]
    bodies += [{"releaseId": "12 34"}, {"releaseId": "1234\n"}, {"releaseId": "12\x0034"}]
    answers = [client.put(f"{API}/posts/{post_id}/release-id", json=body, headers=postiz) for body in bodies]
    # Then each is Nest's 400 array naming the problem
    assert [nest_400(a) for a in answers] == [
        ["releaseId must be a string"],
        ["releaseId must be a string"],
        ["releaseId should not be empty"],
        ["releaseId must be shorter than or equal to 200 characters"],
        *[["releaseId must not contain whitespace or control characters"]] * 3,
    ]
    # And nothing was written
    assert container.posts.get(ws, post_id) == before
    (target,) = container.targets.of_post(ws, post_id)
    assert target.status is TargetStatus.FAILED


class PublishedMeanwhile(DynamoTargetRepository):
    """Between the release-id route's read and its write, the post is published again (a new run
    queues its target afresh), as a concurrent request would."""

    def __init__(self, inner: DynamoTargetRepository) -> None:
        self.__dict__.update(inner.__dict__)
        self.interfered = False

    def record(self, target: Target, expected_rev: int, *args: Any) -> None:
        if not self.interfered:
            self.interfered = True
            post = self._posts.get(target.workspace_id, target.post_id)
            assert post is not None
            stored = self.get(target.workspace_id, target.post_id, target.account_id)
            assert stored is not None
            fresh = stored.model_copy(
                update={"status": TargetStatus.PENDING, "run": 2, "error": None, "rev": stored.rev + 1}
            )
            restarted = post.model_copy(
                update={
                    "status": PostStatus.PUBLISHING,
                    "publish_run": 2,
                    "platform_posts": [publishing.platform_post(fresh)],
                    "version": post.version + 1,
                }
            )
            self.begin(restarted, post, [fresh])
        super().record(target, expected_rev, *args)


def test_a_publish_that_starts_meanwhile_is_not_overwritten(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a post whose outcome is unknown, published again while its release id is being recorded
    headers, postiz = organisation(client, keys, container, "bluesky")
    ws = headers["X-Workspace-ID"]
    post_id = client.post(f"{API}/posts", json=cli_body("acc_bluesky_profile", kind="draft"), headers=postiz)
    post_id = post_id.json()[0]["postId"]
    left_by_the_publisher(container, ws, post_id, "acc_bluesky_profile", "OUTCOME_UNKNOWN")
    container.targets = PublishedMeanwhile(container.targets)
    # When the release id is set
    answer = client.put(f"{API}/posts/{post_id}/release-id", json={"releaseId": "at://1"}, headers=postiz)
    # Then the new run is kept: the id is refused, as the target is being published again
    assert (answer.status_code, answer.json()) == (
        400,
        {"msg": "This post's release id is not missing: Bluesky is still being published to"},
    )
    (target,) = container.targets.of_post(ws, post_id)
    assert (target.status, target.run, target.network_post_id) == (TargetStatus.PENDING, 2, None)
    assert api_post(client, headers, post_id)["status"] == "publishing"


def test_malformed_post_bodies_never_get_a_500(client: TestClient, keys: Keys, container: Container) -> None:
    # Given an organisation with a Reddit and a TikTok channel
    headers, postiz = organisation(client, keys, container, "reddit", "tiktok")
    item = {"integration": {"id": "acc_reddit_profile"}, "value": [{"content": "x", "image": []}]}
    weird: list[Any] = [
        {**cli_body(), "posts": [{**item, "value": [5]}]},
        {**cli_body(), "posts": [{**item, "value": "x"}]},
        {**cli_body(), "posts": [{**item, "value": [{"content": "x", "image": ["a"]}]}]},
        {**cli_body(), "tags": [1, None], "posts": [item]},
        {**cli_body(), "type": {"a": 1}, "date": 7, "posts": [item]},
        {**cli_body(), "date": "0001-01-01T00:00:00+05:00", "posts": [item]},
        {**cli_body(), "posts": [{**item, "settings": {"subreddit": [{"value": {"subreddit": 3}}]}}]},
        {**cli_body(), "posts": [{**item, "settings": {"subreddit": [{"value": [1]}]}}]},
        {**cli_body(), "posts": [{**item, "settings": {"subreddit": {"a": 1}, "__type": ["x"]}}]},
        {**cli_body(), "posts": [{**item, "integration": {"id": ["acc_reddit_profile"]}}]},
        {**cli_body(), "posts": [{**item, "integration": {"id": "acc_tiktok_profile"}, "settings": {"comment": "no"}}]},
    ]
    # When each is sent, as well as odd status, settings and list requests
    answers = [client.post(f"{API}/posts", json=body, headers=postiz) for body in weird]
    answers.append(client.post(f"{API}/posts", content=b"{not json", headers=postiz))
    answers.append(client.put(f"{API}/posts/x/status", json=["draft"], headers=postiz))
    answers.append(client.put(f"{API}/posts/x/settings", json={"settings": None}, headers=postiz))
    answers.append(
        client.get(f"{API}/posts", params={"startDate": "9999-12-31T23:59:59-05:00", "endDate": "x"}, headers=postiz)
    )
    # Then every answer is a 4xx, and nothing was written
    assert all(400 <= a.status_code < 500 for a in answers), [(a.status_code, a.text) for a in answers]
    assert api_posts(client, headers) == []
