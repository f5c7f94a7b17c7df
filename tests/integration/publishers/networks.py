"""Each network's fixtures for the publishers' contract suite (``test_contract.py``): how to arm each fault
in its emulator, what its posts look like there, and what it answers. A new network joins the suite by
adding its ``Contract`` to ``CONTRACTS``; the media forms it is tested with come from its catalog file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from socialpub.domain.publishing import PublishAccount, PublishJob
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
    done"), and ``lost_code`` the failure's code then. ``rate_limited``: the network's 429, the delay
    it asks for (``retry_after``) and its message, if the publisher keeps one. ``server_error``: a 5xx
    before the call takes effect. ``revoked``: how a token is made invalid (default: every token of the
    network revoked) and ``revoked_message``, the network's words (a substring). ``refusal``: a post the
    network refuses. ``is_post``: which of the network's emulated posts are publications (not comments).
    ``result_id``: the id the publisher returns for an emulated post, and ``permalink`` its URL
    (default: the one the emulator gives the post). ``sign_in``: the account and the settings a post
    there needs (default: ``tests.publishing.signed_in``)."""

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
    lost_code: str | None = None
    server_error: Fault = Fault(503)
    revoked: Callable[[PublishHarness, Signed], Signed] | None = None
    revoked_message: str | None = None
    is_post: Callable[[EmulatedPost], bool] = lambda post: True
    result_id: Callable[[EmulatedPost], str] = lambda post: post.id
    permalink: Callable[[EmulatedPost, PublishAccount], str | None] = lambda post, account: post.url
    sign_in: Callable[[PublishHarness], tuple[Signed, dict[str, object]]] | None = None


def _graph_error(message: str, code: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": code}}


def _tiktok_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "log_id": "20260101000000ABCDEF"}}


def _not_a_comment(post: EmulatedPost) -> bool:
    return post.extra.get("kind") != "comment"


WORDPRESS = Contract(
    network="wordpress",
    endpoint="posts",
    step="post",
    refusal=Refusal(
        lambda job: dataclasses.replace(job, settings={**job.settings, "status": "live"}),
        "VALIDATION_FAILED",
        "Invalid parameter(s): status",
    ),
    rate_limited=Fault(
        429,
        {"code": "too_many_requests", "message": "Too many requests", "data": {"status": 429}},
        {"Retry-After": "7"},
    ),
    rate_limited_message="Too many requests",
    revoked_message="The OAuth2 token is invalid.",
)

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
            network="hashnode",
            endpoint="publishPost",
            step="post",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, settings={**job.settings, "tags": list("abcdef")}),
                "VALIDATION_FAILED",
                "A post can have at most 5 tags",
            ),
            rate_limited=Fault(
                429,
                {"errors": [{"message": "Too many requests", "extensions": {"code": "TOO_MANY_REQUESTS"}}]},
                {"Retry-After": "7"},
            ),
            rate_limited_message="Too many requests",
            revoked_message="You must be authenticated to do this.",
        ),
        Contract(
            network="vk",
            endpoint="wall.post",
            step="post",
            refusal=Refusal(
                longer_than(16384),
                "VALIDATION_FAILED",
                "One of the parameters specified was missing or invalid: message is too long",
            ),
            rate_limited=Fault(
                429,
                {"error": {"error_code": 6, "error_msg": "Too many requests per second", "request_params": []}},
                {"Retry-After": "7"},
            ),
            rate_limited_message="Too many requests per second",
            revoked_message="User authorization failed: invalid access_token (4).",
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
        Contract(
            network="google_business",
            endpoint="localPosts",
            step="post",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, settings={**job.settings, "call_to_action": "SIGN_UP"}),
                "VALIDATION_FAILED",
                "Request contains an invalid argument."
                " (call_to_action.url: A valid URL is required for this action type)",
            ),
            # Google gives its delay in the body's RetryInfo, not in a Retry-After header
            rate_limited=Fault(
                429,
                {
                    "error": {
                        "code": 429,
                        "message": "Quota exceeded for quota metric 'Requests' of service 'mybusiness.googleapis.com'.",
                        "status": "RESOURCE_EXHAUSTED",
                        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "30s"}],
                    }
                },
            ),
            retry_after=30.0,
        ),
        Contract(
            network="instagram",
            media="image",
            endpoint="media_publish",
            step="publish",
            lost_fault=Fault(500),
            refusal=Refusal(
                longer_than(2200),
                "VALIDATION_FAILED",
                "(#100) The caption is too long: it has more than 2200 characters.",
            ),
            rate_limited=Fault(429, _graph_error("Application request limit reached", 4), {"Retry-After": "7"}),
            revoked_message="Invalid OAuth access token.",
            is_post=lambda post: post.extra.get("kind") == "media",
        ),
        Contract(
            network="instagram_standalone",
            media="image",
            endpoint="media_publish",
            step="publish",
            lost_fault=Fault(500),
            refusal=Refusal(
                longer_than(2200),
                "VALIDATION_FAILED",
                "(#100) The caption is too long: it has more than 2200 characters.",
            ),
            rate_limited=Fault(429, _graph_error("Application request limit reached", 4), {"Retry-After": "7"}),
            revoked_message="Invalid OAuth access token.",
            is_post=lambda post: post.extra.get("kind") == "media",
        ),
        Contract(
            network="linkedin",
            endpoint="posts",
            step="post",
            refusal=Refusal(
                longer_than(3000), "VALIDATION_FAILED", "/commentary :: length 3001 exceeds maximum length 3000"
            ),
            rate_limited=Fault(
                429,
                {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS", "message": "Too many requests"},
                {"Retry-After": "7"},
            ),
            revoked_message="Invalid access token",
        ),
        Contract(
            network="pinterest",
            media="image",
            endpoint="pins",
            step="pin",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, settings={**job.settings, "board_id": "424242424242"}),
                "VALIDATION_FAILED",
                "Board not found.",
            ),
            rate_limited=Fault(
                429,
                {"code": 8, "message": "You have exceeded your rate limit. Try again later."},
                {"Retry-After": "7"},
            ),
            revoked_message="Authentication failed.",
        ),
        Contract(
            network="reddit",
            endpoint="submit",
            step="submit",
            # Reddit refuses inside a 200 answer
            refusal=Refusal(
                lambda job: dataclasses.replace(job, title=None), "VALIDATION_FAILED", "we need something here"
            ),
            rate_limited=Fault(429, {"message": "Too Many Requests", "error": 429}, {"Retry-After": "7"}),
            revoked_message="Unauthorized",
        ),
        Contract(
            network="telegram",
            endpoint="sendMessage",
            step="message.0",
            # The Bot API cannot read a message back, and its 5xx means "not sent": a lost answer is a timeout
            lost="unknown",
            lost_fault=Fault(502, delay=4),
            lost_code="NETWORK_TIMEOUT",
            server_error=Fault(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
            refusal=Refusal(longer_than(4096), "VALIDATION_FAILED", "Bad Request: message is too long"),
            # Telegram's flood control gives its delay in the body
            rate_limited=Fault(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 7",
                    "parameters": {"retry_after": 7},
                },
            ),
            revoked=lambda harness, signed: dataclasses.replace(signed, token="123456789:revoked"),
            revoked_message="Unauthorized",
            # the emulator names a channel by its internal id; a public channel's link uses its username
            permalink=lambda post, account: f"https://t.me/{account.username}/{post.id}",
        ),
        Contract(
            network="threads",
            endpoint="threads_publish",
            step="post.0",
            lost_fault=Fault(500),
            refusal=Refusal(
                lambda job: dataclasses.replace(job, parts=["🚀" * 126]),  # 504 counted characters
                "VALIDATION_FAILED",
                "(#100) Param text must be at most 500 characters long.",
            ),
            rate_limited=Fault(429, _graph_error("Application request limit reached", 4), {"Retry-After": "7"}),
        ),
        Contract(
            network="tiktok",
            media="video",
            endpoint="upload",
            step="upload",
            refusal=Refusal(
                longer_than(2200),
                "VALIDATION_FAILED",
                "post_info.title must be a string of at most 2200 UTF-16 characters",
            ),
            rate_limited=Fault(
                429,
                _tiktok_error("rate_limit_exceeded", "The API rate limit was exceeded. Please try again later."),
                {"Retry-After": "7"},
                endpoint="video_init",
            ),
            revoked_message="access token is invalid",
        ),
        Contract(
            network="twitter",
            endpoint="tweets",
            step="tweet.0",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, parts=["漢" * 141]),  # each CJK character weighs 2
                "VALIDATION_FAILED",
                "Your Tweet text is too long.",
            ),
            rate_limited=Fault(
                429,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
                {"Retry-After": "7"},
            ),
        ),
        Contract(
            network="youtube",
            media="video",
            endpoint="upload",
            step="video",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, parts=["a <b> c"]),
                "VALIDATION_FAILED",
                "The request metadata specifies an invalid video description.",
            ),
            rate_limited=Fault(
                429,
                {
                    "error": {
                        "code": 429,
                        "message": "Too many requests",
                        "errors": [
                            {"message": "Too many requests", "domain": "usageLimits", "reason": "rateLimitExceeded"}
                        ],
                    }
                },
                {"Retry-After": "7"},
            ),
        ),
        Contract(
            network="lemmy",
            endpoint="post",
            step="post",
            refusal=Refusal(
                lambda job: dataclasses.replace(job, title="x" * 201), "VALIDATION_FAILED", "invalid_post_title"
            ),
            rate_limited=Fault(429, {"error": "rate_limit_error"}, {"Retry-After": "7"}),
            rate_limited_message="rate_limit_error",
            revoked_message="not_logged_in",  # Lemmy answers it with a 400, not a 401
            is_post=lambda post: post.extra.get("kind") == "post",
        ),
        Contract(
            network="tumblr",
            endpoint="posts",
            step="post",
            refusal=Refusal(longer_than(4096), "VALIDATION_FAILED", "Text blocks can be at most 4096 characters"),
            rate_limited=Fault(
                429,
                {
                    "meta": {"status": 429, "msg": "Limit Exceeded"},
                    "response": [],
                    "errors": [{"title": "Limit Exceeded", "code": 0, "detail": "Limit Exceeded"}],
                },
                {"Retry-After": "7"},
            ),
            rate_limited_message="Limit Exceeded",
            revoked_message="Unable to authorize",
        ),
        WORDPRESS,
        # The same REST API on the site's own host, with an application password
        dataclasses.replace(
            WORDPRESS,
            network="wordpress_selfhosted",
            revoked_message="The provided password is an invalid application password.",
        ),
        Contract(
            network="slack",
            endpoint="chat.postMessage",
            step="post",
            refusal=Refusal(longer_than(40000), "VALIDATION_FAILED", "msg_too_long"),
            rate_limited=Fault(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"}),
            rate_limited_message="ratelimited",
            revoked_message="token_revoked",
            result_id=lambda post: f"{post.extra['channel']}:{post.id}",
        ),
        Contract(
            network="nostr",
            endpoint="event",
            step="note",
            # NIP-01 relays refuse with a prefixed message in OK false; strfry's maxEventSize is 65,536 bytes
            refusal=Refusal(longer_than(65536), "VALIDATION_FAILED", "invalid: event too large"),
            rate_limited=Fault(429, {"message": "rate-limited: you are noting too much"}),
            retry_after=120.0,  # NIP-01's rate-limited: names no delay; the publisher waits 2 minutes
            rate_limited_message="rate-limited: you are noting too much",
            lost_code="NETWORK_TIMEOUT",
            # No token to revoke: a key that no longer signs for the account's public key asks to reconnect
            revoked=lambda harness, signed: Signed(account=signed.account, token=harness.nostr_key().token),
        ),
        Contract(
            network="farcaster",
            endpoint="cast",
            step="cast",
            refusal=Refusal(longer_than(320), "VALIDATION_FAILED", "Text is too long: a cast is at most 320 bytes"),
            rate_limited=Fault(
                429, {"code": "RateLimitExceeded", "message": "Too many requests"}, {"Retry-After": "7"}
            ),
            rate_limited_message="Too many requests",
            revoked_message="Invalid or missing API key",
        ),
        Contract(
            network="linkedin_page",
            endpoint="posts",
            step="post",
            refusal=Refusal(
                longer_than(3000), "VALIDATION_FAILED", "/commentary :: length 3001 exceeds maximum length 3000"
            ),
            rate_limited=Fault(
                429,
                {"status": 429, "serviceErrorCode": 101, "code": "TOO_MANY_REQUESTS", "message": "Too many requests"},
                {"Retry-After": "7"},
            ),
            revoked_message="Invalid access token",
        ),
    ]
}
