"""Slack's publisher against the emulated Slack Web API: what only Slack does (errors as HTTP 200 with
``ok: false``, the channel of each post, files shared through the v2 upload flow in one message with the
text as its comment). Lost answers, crashes, 429s, a revoked token and refusals are in the contract suite."""

import dataclasses
import hashlib

import pytest

from socialpub.domain.publishing import NeedsReconnect, Rejected
from socialpub.local.emulator.networks import slack as emulated
from tests.media_files import image
from tests.publishing import PublishHarness


def _channel(name: str) -> str:
    return next(c["id"] for c in emulated._channels("emulated-user") if c["name"] == name)


@pytest.mark.parametrize(
    ("channel", "code", "said"),
    [
        ("C000000000", "VALIDATION_FAILED", "channel_not_found"),
        (_channel("announcements"), "PERMISSION_DENIED", "not_in_channel"),
    ],
)
def test_slack__ok_false_in_a_200__rejected_with_slacks_error_and_nothing_posted(
    harness: PublishHarness, channel: str, code: str, said: str
) -> None:
    # Given a workspace, and a post to a channel that does not exist or that the bot is not in
    signed = harness.sign_in("slack")
    job = harness.job("slack", signed, "Hello", settings={"channel": channel})

    # When it is published (Slack answers HTTP 200 with {"ok": false, "error": ...})
    with pytest.raises(Rejected) as refused:
        harness.publish(job)

    # Then it is refused with Slack's own error, and Slack holds nothing
    assert (refused.value.code, refused.value.network_message) == (code, said)
    assert harness.posts("slack") == []


def test_slack__invalid_auth_in_a_200__needs_reconnect(harness: PublishHarness) -> None:
    # Given a token Slack does not know
    signed = harness.sign_in("slack")
    job = harness.job("slack", signed, "Hello", settings={"channel": _channel("general")})
    job = dataclasses.replace(job, token="xoxb-unknown")

    # When it is published, then the account must be reconnected, with Slack's words
    with pytest.raises(NeedsReconnect) as raised:
        harness.publish(job)
    assert raised.value.network_message == "invalid_auth"


def test_slack__text_and_two_images__one_message_in_the_channel_with_the_files_and_alt_text(
    harness: PublishHarness,
) -> None:
    # Given a post with a text, a link and two images (one with alt text) to the random channel
    signed = harness.sign_in("slack")
    first, second = image(size=(40, 30)), image(size=(30, 40))
    job = harness.job(
        "slack",
        signed,
        "Release notes",
        link="https://example.com/notes",
        media=[
            harness.media(first, "image/png", filename="a.png", alt_text="A red square"),
            harness.media(second, "image/png", filename="b.png"),
        ],
        settings={"channel": _channel("random")},
    )

    # When it is published
    published = harness.publish(job)

    # Then the channel holds one message: the text and link as its comment, both files in order
    (post,) = harness.posts("slack")
    assert (post.extra["channel"], post.text) == (_channel("random"), "Release notes\nhttps://example.com/notes")
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(d).hexdigest() for d in (first, second)]
    assert post.media[0]["alt_text"] == "A red square"
    # And the result names the message (channel and ts) and its permalink in the workspace
    assert published.post_id == f"{_channel('random')}:{post.id}"
    assert published.url == post.url
