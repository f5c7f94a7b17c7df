"""Discord's publisher against the emulated Discord API (a bot posting to a guild channel)."""

import hashlib

import httpx
import pytest

from socialpub.domain.publishing import NeedsReconnect, PublishAccount, Rejected, Retryable
from socialpub.local.emulator.state import number_of
from tests.media_files import image, video
from tests.publishing import PublishHarness, Signed

USER = "emulated-user"
GUILD = number_of("discord", USER, " Guild")
GENERAL = number_of("discord", USER, " #general")


def _channel(harness: PublishHarness, *, user: str = USER, with_guild: bool = True) -> Signed:
    """The #general channel of the user's guild, where the app's bot was installed at sign-in."""
    signed = harness.sign_in("discord", user=user)
    channel = number_of("discord", user, " #general")
    account = PublishAccount(
        id=f"acc_{channel}",
        external_id=channel,
        type="channel",
        username="general",
        instance=None,
        metadata={"channel_id": channel} | ({"guild_id": number_of("discord", user, " Guild")} if with_guild else {}),
    )
    return Signed(account=account, token=signed.token)


def test_discord__text_image_and_link__one_message_with_the_file_and_an_embed(harness: PublishHarness) -> None:
    # Given a channel, an image with alt text and a link the text does not show
    signed = _channel(harness)
    picture = image()
    job = harness.job(
        "discord",
        signed,
        "Launch day",
        media=[harness.media(picture, "image/png", filename="launch.png", alt_text="A red square")],
        title="We launched",
        link="https://example.com/launch",
    )

    # When it is published
    published = harness.publish(job)

    # Then the channel holds one message with the file (and its alt text) and an embed of the link
    (post,) = harness.posts("discord", GENERAL)
    assert post.text == "Launch day"
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["filename"] == "launch.png"
    assert post.media[0]["alt_text"] == "A red square"
    assert post.extra["embeds"] == [{"title": "We launched", "url": "https://example.com/launch"}]
    # And the result is the message with its permalink
    assert published.post_id == post.id
    assert published.url == f"https://discord.com/channels/{GUILD}/{GENERAL}/{post.id}" == post.url


def test_discord__account_without_guild__guild_read_from_the_channel_for_the_link(harness: PublishHarness) -> None:
    # Given a channel account whose metadata lacks the guild
    signed = _channel(harness, with_guild=False)

    # When a text is published
    published = harness.publish(harness.job("discord", signed, "Hello"))

    # Then the permalink still names the guild
    (post,) = harness.posts("discord")
    assert published.url == f"https://discord.com/channels/{GUILD}/{GENERAL}/{post.id}"


def test_discord__thread_and_first_comment__a_thread_named_by_the_title_holding_the_parts(
    harness: PublishHarness,
) -> None:
    # Given a thread of three parts with a title, and a first comment
    signed = _channel(harness)
    job = harness.job(
        "discord", signed, "Release notes", "Part two", "Part three", title="v2.0", first_comment="Questions?"
    )

    # When it is published
    published = harness.publish(job)

    # Then the first message starts a thread named after the title, holding the rest in order
    starter, *rest = harness.posts("discord", GENERAL)
    assert starter.text == "Release notes"
    assert starter.title == "v2.0"
    assert [p.text for p in rest] == ["Part two", "Part three", "Questions?"]
    assert all(p.reply_to == starter.id and p.extra["channel_id"] == starter.id for p in rest)
    assert published.post_id == starter.id


def test_discord__video__attached_to_the_message(harness: PublishHarness) -> None:
    # Given a video
    signed = _channel(harness)
    clip = video()
    job = harness.job("discord", signed, "Watch", media=[harness.media(clip, "video/mp4", filename="a.mp4")])

    # When it is published
    harness.publish(job)

    # Then the message carries the video file
    (post,) = harness.posts("discord")
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert post.media[0]["mime_type"] == "video/mp4"


def test_discord__answer_lost_after_the_thread_was_started__rerun_finds_it(harness: PublishHarness) -> None:
    # Given Discord starts the thread but the answer is lost
    signed = _channel(harness)
    job = harness.job("discord", signed, "Starter", "Reply")
    steps = harness.steps(job)
    harness.fault("discord", "threads", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)

    # When the target runs again
    harness.publish(job, steps)

    # Then the existing thread is used: the starter once, the reply once, inside the thread
    starter, reply = harness.posts("discord")
    assert reply.extra["channel_id"] == starter.id


def test_discord__channel_the_bot_cannot_access__needs_reconnect(harness: PublishHarness) -> None:
    # Given a channel of another guild, where this bot is not
    mine = _channel(harness)
    theirs = _channel(harness, user="someone-else")
    signed = Signed(account=theirs.account, token=mine.token)

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job("discord", signed, "Hello"))

    # Then the account needs the bot back in the channel
    assert failure.value.code == "ACCESS_REVOKED"
    assert failure.value.network_message == "Missing Access"


def test_discord__missing_permissions__permission_denied(harness: PublishHarness) -> None:
    # Given the bot may read the channel but not attach files there
    signed = _channel(harness)
    harness.fault("discord", "messages", 403, body={"message": "Missing Permissions", "code": 50013})

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job("discord", signed, "Hello", media=[harness.media(image(), "image/png")]))

    # Then the post fails for a permission, the account stays connected
    assert failure.value.code == "PERMISSION_DENIED"
    assert failure.value.network_message == "Missing Permissions"


def test_discord__channel_setting__names_the_channel_and_is_required(harness: PublishHarness) -> None:
    # Given an account connected by OAuth (the user's id, no channel), with and without the setting
    signed = harness.sign_in("discord")

    # When a post names the #general channel in its settings, and another names none
    published = harness.publish(harness.job("discord", signed, "Hello", settings={"channel_id": GENERAL}))
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job("discord", signed, "Nowhere"))

    # Then the first is in #general, and the second is refused before anything is sent
    (message,) = harness.posts("discord")
    assert message.extra.get("channel_id", GENERAL) == GENERAL
    assert published.url is not None
    assert published.url.endswith(f"/{GENERAL}/{message.id}")
    assert failure.value.code == "VALIDATION_FAILED"
    assert "channel_id" in failure.value.message


def test_discord_emulator__a_users_oauth_token_on_the_bots_endpoint__401_as_discord_answers(
    harness: PublishHarness,
) -> None:
    # Given the user's own OAuth token (identify, guilds, bot) from Discord's sign-in
    user_token = "user-oauth-token-" + hashlib.sha256(b"discord user").hexdigest()[:16]
    harness.sign_in("discord")
    with harness.emulator.state.lock:
        family = next(f for f in reversed(harness.emulator.state.families) if f.network == "discord")
        family.access_tokens.add(user_token)

    # When it is used to post a message, as a bot token or as a bearer
    for authorization in (f"Bot {user_token}", f"Bearer {user_token}"):
        answer = httpx.post(
            f"{harness.emulator.url}/discord.com/api/v10/channels/{GENERAL}/messages",
            headers={"Authorization": authorization},
            json={"content": "Hello"},
        )

        # Then Discord's 401 comes back, with its body, and nothing was posted
        assert answer.status_code == 401
        assert answer.json() == {"message": "401: Unauthorized", "code": 0}
    assert harness.posts("discord") == []


def test_discord__the_users_token_instead_of_the_bots__token_rejected(harness: PublishHarness) -> None:
    # Given a job carrying the user's OAuth token instead of the app's bot token
    signed = _channel(harness)
    user_token = next(
        iter(next(f for f in reversed(harness.emulator.state.families) if f.network == "discord").access_tokens)
    )

    # When it is published
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job("discord", Signed(account=signed.account, token=user_token), "Hello"))

    # Then Discord's refusal says the bot token was refused, and nothing was posted
    assert failure.value.code == "TOKEN_REJECTED"
    assert "bot token" in failure.value.message
    assert harness.posts("discord") == []
