"""Each network's fixtures for the publishers' contract suite (``test_contract.py``): how to arm each fault
in its emulator, what its posts look like there, and what it answers. A new network joins the suite by
adding its ``Contract`` to ``CONTRACTS``; the media forms it is tested with come from its catalog file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from socialpub.domain.publishing import PublishJob
from socialpub.local.emulator import EmulatedPost
from tests.publishing import PublishHarness, Signed


@dataclass(frozen=True)
class Fault:
    """A fault armed on one emulator endpoint: ``POST /_emulator/faults`` (``endpoint`` None: the
    contract's ``endpoint``)."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    endpoint: str | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Refusal:
    """A post the network refuses: the basic post changed by ``change``, refused with ``code`` and the
    network's own ``message``."""

    change: Callable[[PublishJob], PublishJob]
    code: str
    message: str


def longer_than(characters: int) -> Callable[[PublishJob], PublishJob]:
    """The basic post with a text one character over the network's limit."""
    return lambda job: dataclasses.replace(job, parts=["x" * (characters + 1)])


@dataclass(frozen=True)
class Contract:
    """What the contract suite needs to know about one network.

    ``media``: what its basic post carries ("" text only, "image", "video"). ``endpoint``: the emulator's
    fault endpoint of the call that makes the basic post visible, and ``step`` its checkpoint name.
    ``lost``: what a rerun does after that call's answer was lost: "found" (the publisher's ``find``
    reads it back) or "unknown" (no way to read back: OUTCOME_UNKNOWN, never a second post).
    ``lost_fault``: how the answer is lost (a 502 after the fact; a timeout where a 5xx means "not
    done"). ``rate_limited``: the network's 429 and the delay it asks for (``retry_after``) and its
    message, if the publisher keeps one. ``revoked``: how a token is made invalid (default: every token
    of the network revoked) and ``revoked_message``, the network's words (a substring).
    ``refusal``: a post the network refuses. ``is_post``: which of the network's emulated posts are
    publications (not comments). ``result_id``: the id the publisher returns for an emulated post."""

    network: str
    endpoint: str
    step: str
    refusal: Refusal
    rate_limited: Fault
    retry_after: float = 7.0
    rate_limited_message: str | None = None
    media: Literal["", "image", "video"] = ""
    lost: Literal["found", "unknown"] = "found"
    lost_fault: Fault = Fault(502)
    server_error: Fault = Fault(503)
    revoked: Callable[[PublishHarness, Signed], Signed] | None = None
    revoked_message: str | None = None
    is_post: Callable[[EmulatedPost], bool] = lambda post: True
    result_id: Callable[[EmulatedPost], str] = lambda post: post.id
    sign_in: Callable[[PublishHarness], tuple[Signed, dict[str, object]]] | None = None


def _graph_error(message: str, code: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": code}}


def _not_a_comment(post: EmulatedPost) -> bool:
    return post.extra.get("kind") != "comment"


CONTRACTS: dict[str, Contract] = {
    contract.network: contract
    for contract in [
        Contract(
            network="devto",
            endpoint="articles",
            step="article",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, settings={**job.settings, "tags": ["a", "b", "c", "d", "e"]}),
                "VALIDATION_FAILED",
                "Validation failed: Tag list exceed the maximum of 4 tags",
            ),
            rate_limited=Fault(
                429, {"error": "Rate limit reached, try again in 7 seconds", "status": 429}, {"Retry-After": "7"}
            ),
            rate_limited_message="Rate limit reached, try again in 7 seconds",
            revoked_message="unauthorized",
        ),
        Contract(
            network="mastodon",
            endpoint="statuses",
            step="status.0",
            refusal=Refusal(
                longer_than(500), "VALIDATION_FAILED", "Validation failed: Text character limit of 500 exceeded"
            ),
            rate_limited=Fault(429, {"error": "Too many requests"}, {"Retry-After": "7"}),
        ),
        Contract(
            network="bluesky",
            endpoint="createRecord",
            step="post.0",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, parts=["👨‍👩‍👧" * 301]),
                "VALIDATION_FAILED",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
            ),
            rate_limited=Fault(
                429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, {"Retry-After": "7"}
            ),
            rate_limited_message="Rate Limit Exceeded",
            revoked_message="Token could not be verified",
        ),
        Contract(
            network="discord",
            endpoint="messages",
            step="message.0",
            lost_fault=Fault(502, {"message": "502: Bad Gateway", "code": 0}),
            refusal=Refusal(
                longer_than(2000),
                "VALIDATION_FAILED",
                "Invalid Form Body: content: Must be 2000 or fewer in length.",
            ),
            # Discord's body gives the precise delay, which wins over the header's whole seconds
            rate_limited=Fault(
                429,
                {"message": "You are being rate limited.", "retry_after": 1.5, "global": False},
                {"Retry-After": "2"},
            ),
            retry_after=1.5,
            revoked_message="401: Unauthorized",
        ),
        Contract(
            network="facebook",
            endpoint="feed",
            step="post",
            lost_fault=Fault(500),
            refusal=Refusal(
                lambda job: dataclasses.replace(job, parts=[""]),
                "VALIDATION_FAILED",
                "(#100) Missing message or attachment",
            ),
            rate_limited=Fault(429, _graph_error("(#32) Page request limit reached", 32), {"Retry-After": "7"}),
            is_post=_not_a_comment,
        ),
    ]
}
