"""Each emulated network refuses a text one over its own documented limit, with the network's own error
body, and takes one at the limit: the emulator's limits are its own (constants in each network module),
so a limit or counting mistake in the product's catalog is refused here instead of being shared."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from socialpub.local.emulator import EmulatorState, create_emulator
from socialpub.local.emulator.networks import (
    bluesky,
    discord,
    facebook,
    google_business,
    instagram,
    instagram_standalone,
    linkedin,
    mastodon,
    pinterest,
    reddit,
    slack,
    telegram,
    threads,
    tiktok,
    twitter,
    youtube,
)
from socialpub.local.emulator.state import TokenFamily, number_of

USER = "emulated-user"
TOKEN = "emulated-token"
BOT_TOKEN = "123456789:" + "A" * 35
BEARER = {"authorization": f"Bearer {TOKEN}"}
Send = Callable[[TestClient, str], Response]


@dataclass(frozen=True)
class Case:
    network: str
    limit: int  # the network module's own constant
    send: Send  # sends a post whose counted text is the given string
    refusal: tuple[int, dict[str, Any]]  # status and body the network documents for a text too long
    scope: str = ""  # what the signed-in account granted


def _x(client: TestClient, text: str) -> Response:
    return client.post("/api.x.com/2/tweets", headers=BEARER, json={"text": text})


def _bluesky(client: TestClient, text: str) -> Response:
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-01T00:00:00.000Z"}
    body = {"repo": USER, "collection": "app.bsky.feed.post", "record": record}
    return client.post("/bsky.social/xrpc/com.atproto.repo.createRecord", headers=BEARER, json=body)


def _discord(client: TestClient, text: str) -> Response:
    channel = number_of("discord", USER, " #general")
    headers = {"authorization": f"Bot {discord.bot_token('app')}"}
    return client.post(f"{discord.API}/channels/{channel}/messages", headers=headers, json={"content": text})


def _slack(client: TestClient, text: str) -> Response:
    channel = next(c["id"] for c in slack._channels(USER) if c["is_member"])
    return client.post("/slack.com/api/chat.postMessage", headers=BEARER, json={"channel": channel, "text": text})


def _facebook(client: TestClient, text: str) -> Response:
    page = number_of("facebook", USER, " Page 1")
    return client.post(f"{facebook.GRAPH}/{page}/feed", headers=BEARER, data={"message": text})


def _google_business(client: TestClient, text: str) -> Response:
    account = number_of("google_business", USER, " Account")
    location = number_of("google_business", USER, " Location 1")
    return client.post(
        f"{google_business.V4}/accounts/{account}/locations/{location}/localPosts",
        headers=BEARER,
        json={"summary": text, "topicType": "STANDARD", "languageCode": "en"},
    )


def _instagram_standalone(client: TestClient, text: str) -> Response:
    account = number_of("instagram_standalone", USER, "")
    return client.post(
        f"/graph.instagram.com/v21.0/{account}/media",
        headers=BEARER,
        data={"image_url": "https://example.com/a.jpg", "caption": text},
    )


def _instagram(client: TestClient, text: str) -> Response:
    account = number_of("instagram", USER, " Page 1")
    return client.post(
        f"/graph.facebook.com/v21.0/{account}/media",
        headers=BEARER,
        data={"image_url": "https://example.com/a.jpg", "caption": text},
    )


def _linkedin(client: TestClient, text: str) -> Response:
    body = {
        "author": f"urn:li:person:{number_of('linkedin', USER, '')}",
        "commentary": text,
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    return client.post("/api.linkedin.com/rest/posts", headers={**BEARER, "linkedin-version": "202501"}, json=body)


def _mastodon(client: TestClient, text: str) -> Response:
    return client.post("/mastodon.example/api/v1/statuses", headers=BEARER, json={"status": text})


def _pinterest(client: TestClient, text: str) -> Response:
    board = next(iter(pinterest._board_ids(USER)))
    body = {
        "board_id": board,
        "description": text,
        "media_source": {"source_type": "image_url", "url": "https://example.com/a.jpg"},
    }
    return client.post(f"{pinterest.API}/pins", headers=BEARER, json=body)


def _reddit(client: TestClient, text: str) -> Response:
    return client.post(
        f"{reddit.API}/api/submit",
        headers={**BEARER, "user-agent": "web:socialpub-tests:1.0 (by /u/someone)"},
        data={"sr": "test", "kind": "self", "title": "A title", "text": text},
    )


def _telegram(client: TestClient, text: str) -> Response:
    return client.post(f"/api.telegram.org/bot{BOT_TOKEN}/sendMessage", json={"chat_id": "@channel", "text": text})


def _threads(client: TestClient, text: str) -> Response:
    user = number_of("threads", USER, "")
    return client.post(f"{threads.API}/{user}/threads", headers=BEARER, data={"media_type": "TEXT", "text": text})


def _tiktok(client: TestClient, text: str) -> Response:
    body = {
        "post_info": {"privacy_level": "SELF_ONLY", "title": text},
        "source_info": {"source": "PULL_FROM_URL", "video_url": "https://example.com/a.mp4"},
    }
    return client.post(f"{tiktok.API}/video/init/", headers=BEARER, json=body)


def _youtube(client: TestClient, text: str) -> Response:
    return client.post(
        "/www.googleapis.com/upload/youtube/v3/videos?part=snippet,status&uploadType=resumable",
        headers=BEARER,
        json={"snippet": {"title": "A title", "description": text}, "status": {"privacyStatus": "private"}},
    )


def _graph(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": 100}}


def _refused_by_linkedin(limit: int) -> dict[str, Any]:
    message = f"/commentary :: length {limit + 1} exceeds maximum length {limit}"
    return {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": message,
        "errorDetails": {
            "inputErrors": [
                {
                    "description": message,
                    "input": {"inputPath": {"fieldPath": "/commentary"}},
                    "code": "MAXIMUM_LENGTH_EXCEEDED",
                }
            ]
        },
        "status": 422,
    }


CASES = [
    Case(
        "twitter",
        twitter.MAX_CHARACTERS,
        _x,
        (
            400,
            {
                "errors": [
                    {
                        "message": "Your Tweet text is too long.",
                        "parameters": {"text": ["a" * (twitter.MAX_CHARACTERS + 1)]},
                    }
                ],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        ),
    ),
    Case(
        "bluesky",
        bluesky.MAX_GRAPHEMES,
        _bluesky,
        (
            400,
            {
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: Record/text must not be longer than "
                f"{bluesky.MAX_GRAPHEMES} graphemes",
            },
        ),
    ),
    Case(
        "discord",
        discord.MAX_CONTENT,
        _discord,
        (
            400,
            {
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": {
                    "content": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_MAX_LENGTH",
                                "message": f"Must be {discord.MAX_CONTENT} or fewer in length.",
                            }
                        ]
                    }
                },
            },
        ),
        scope="identify bot",
    ),
    Case("facebook", facebook.MAX_CHARACTERS, _facebook, (400, _graph("(#100) The message is too long"))),
    Case(
        "google_business",
        google_business.MAX_SUMMARY,
        _google_business,
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "Request contains an invalid argument.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [
                                {
                                    "field": "summary",
                                    "description": f"The summary must be at most {google_business.MAX_SUMMARY} "
                                    "characters",
                                }
                            ],
                        }
                    ],
                }
            },
        ),
    ),
    Case(
        "instagram",
        instagram.MAX_CAPTION,
        _instagram,
        (400, _graph(f"(#100) The caption is too long: it has more than {instagram.MAX_CAPTION} characters.")),
    ),
    Case(
        "instagram_standalone",
        instagram_standalone.MAX_CAPTION,
        _instagram_standalone,
        (
            400,
            _graph(f"(#100) The caption is too long: it has more than {instagram_standalone.MAX_CAPTION} characters."),
        ),
    ),
    Case("linkedin", linkedin.MAX_COMMENTARY, _linkedin, (422, _refused_by_linkedin(linkedin.MAX_COMMENTARY))),
    Case(
        "mastodon",
        mastodon.MAX_CHARACTERS,
        _mastodon,
        (422, {"error": f"Validation failed: Text character limit of {mastodon.MAX_CHARACTERS} exceeded"}),
    ),
    Case(
        "pinterest",
        pinterest.MAX_DESCRIPTION,
        _pinterest,
        (
            400,
            {
                "code": 1,
                "message": "Invalid Pin parameters: description must be at most "
                f"{pinterest.MAX_DESCRIPTION} characters",
            },
        ),
    ),
    Case(
        "reddit",
        reddit.MAX_TEXT,
        _reddit,
        (200, {"json": {"errors": [["TOO_LONG", f"this is too long (max: {reddit.MAX_TEXT})", "text"]]}}),
    ),
    Case(
        "telegram",
        telegram.MAX_TEXT,
        _telegram,
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}),
    ),
    Case(
        "threads",
        threads.MAX_CHARACTERS,
        _threads,
        (400, _graph(f"(#100) Param text must be at most {threads.MAX_CHARACTERS} characters long.")),
    ),
    Case(
        "tiktok",
        tiktok.MAX_TITLE,
        _tiktok,
        (
            400,
            {
                "error": {
                    "code": "invalid_param",
                    "message": f"post_info.title must be a string of at most {tiktok.MAX_TITLE} UTF-16 characters",
                }
            },
        ),
    ),
    Case("slack", slack.MAX_TEXT, _slack, (200, {"ok": False, "error": "msg_too_long"})),
    Case(
        "youtube",
        youtube.MAX_DESCRIPTION_BYTES,
        _youtube,
        (
            400,
            {
                "error": {
                    "code": 400,
                    "message": "The request metadata specifies an invalid video description.",
                    "errors": [
                        {
                            "message": "The request metadata specifies an invalid video description.",
                            "domain": "youtube.video",
                            "reason": "invalidDescription",
                            "location": "body",
                            "locationType": "other",
                        }
                    ],
                    "status": "INVALID_ARGUMENT",
                }
            },
        ),
    ),
]


X, MASTODON = (next(i for i, c in enumerate(CASES) if c.network == n) for n in ("twitter", "mastodon"))


def _without_volatile(body: Any) -> Any:
    """The body without the ids a network makes afresh for each answer (Graph's fbtrace_id, TikTok's log_id)."""
    if isinstance(body, dict):
        return {k: _without_volatile(v) for k, v in body.items() if k not in ("fbtrace_id", "log_id")}
    return body


def _every_scope(network: str) -> str:
    """Every scope the network module's endpoints need (its own lists): the signed-in user granted them."""
    module = importlib.import_module(f"socialpub.local.emulator.networks.{network}")
    needed = [*getattr(module, "PUBLISH_SCOPES", ())]
    needed += [r for rs in getattr(module, "ENDPOINT_SCOPES", {}).values() for r in rs]
    return " ".join(sorted({s for r in needed for s in ((r,) if isinstance(r, str) else r)}))


def _client(case: Case) -> TestClient:
    state = EmulatorState()
    scope = f"{case.scope} {_every_scope(case.network)}".strip()
    state.families.append(TokenFamily(network=case.network, client_id="app", scope=scope, user=USER))
    state.families[-1].access_tokens.add(TOKEN)
    return TestClient(create_emulator(state))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.network)
def test_a_text_one_over_the_networks_own_limit_is_refused_with_its_documented_error(case: Case) -> None:
    # Given an emulated network and a signed-in account on it
    client = _client(case)

    # When a post's text is one character over the network module's own limit
    answer = case.send(client, "a" * (case.limit + 1))

    # Then the network refuses it with the error body it documents for a text too long
    status, body = case.refusal
    assert (answer.status_code, _without_volatile(answer.json())) == (status, body)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.network)
def test_a_text_at_the_networks_own_limit_is_not_refused_as_too_long(case: Case) -> None:
    # Given an emulated network and a signed-in account on it
    client = _client(case)

    # When a post's text is exactly at the network module's own limit
    answer = case.send(client, "a" * case.limit)

    # Then whatever the network says of the rest of the post, it does not say the text is too long
    body = _without_volatile(answer.json()) if answer.content else None
    assert body != case.refusal[1]


@pytest.mark.parametrize(
    ("case", "text", "refused"),
    [
        pytest.param(CASES[X], "日" * (twitter.MAX_CHARACTERS // 2 + 1), True, id="x-cjk-weighs-2"),
        pytest.param(CASES[X], "a" * 250 + " https://example.com/" + "p" * 100, False, id="x-link-weighs-23"),
        pytest.param(
            CASES[MASTODON], "a" * 470 + " https://example.com/" + "p" * 100, False, id="mastodon-link-counts-23"
        ),
        pytest.param(
            CASES[MASTODON], "a" * 470 + " averyveryverylongdomainname.example.com", True, id="mastodon-bare-domain"
        ),
    ],
)
def test_the_networks_count_a_text_their_own_way(case: Case, text: str, refused: bool) -> None:
    # Given an emulated network that counts a text its own way (X: weights and links; Mastodon: links
    # with a scheme count 23, a bare domain counts its characters)
    client = _client(case)

    # When a post's text is long as typed but short as the network counts it, or the other way round
    answer = case.send(client, text)

    # Then it is refused exactly when the network's own count is over its limit, and taken otherwise
    assert answer.status_code == (case.refusal[0] if refused else 200 if case.network == "mastodon" else 201)
