"""Telegram's publisher against the emulated Bot API."""

import hashlib

import pytest

from socialpub.domain.publishing import NeedsReconnect, PublishAccount, Retryable
from tests.media_files import image, video
from tests.publishing import PublishHarness, Signed

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHANNEL = "@launches"


def _channel(harness: PublishHarness, chat: str = CHANNEL) -> Signed:
    """A channel connected as the product does it: getChat with the bot token; the token is the bot's."""
    signed = harness.sign_in("telegram", params={"bot_token": BOT_TOKEN, "chat_id": chat})
    return Signed(account=signed.account, token=BOT_TOKEN)


def _private_channel() -> Signed:
    """A private channel: no username, known only by its id."""
    account = PublishAccount(
        id="acc_private", external_id="-1001987654321", type="channel", username=None, instance=None, metadata={}
    )
    return Signed(account=account, token=BOT_TOKEN)


def test_telegram__text_with_settings__one_message_in_the_channel_with_its_link(harness: PublishHarness) -> None:
    # Given a public channel and a text with silent delivery and no link preview
    signed = _channel(harness)
    job = harness.job(
        "telegram",
        signed,
        "Launch day https://example.com",
        settings={"disable_notification": True, "disable_web_page_preview": True},
    )

    # When it is published
    published = harness.publish(job)

    # Then the channel holds the message, sent silently and without a preview
    (post,) = harness.posts("telegram", signed.account.external_id)
    assert post.text == "Launch day https://example.com"
    assert post.extra["disable_notification"] is True
    assert post.extra["link_preview_options"] == {"is_disabled": True}
    # And the result is the message with the channel's public link
    assert published.post_id == post.id
    assert published.url == f"https://t.me/launches/{post.id}"


def test_telegram__link__previewed_in_the_message(harness: PublishHarness) -> None:
    # Given a text with a link to preview
    signed = _channel(harness)
    job = harness.job("telegram", signed, "Read the notes", link="https://example.com/notes")

    # When it is published
    harness.publish(job)

    # Then the message's preview points at the link
    (post,) = harness.posts("telegram")
    assert post.extra["link_preview_options"] == {"url": "https://example.com/notes"}


def test_telegram__image_and_thread__photo_with_caption_then_replies_in_order(harness: PublishHarness) -> None:
    # Given an image and a thread of three parts
    signed = _channel(harness)
    picture = image()
    job = harness.job(
        "telegram",
        signed,
        "Launch day",
        "More details",
        "Even more",
        media=[harness.media(picture, "image/png", filename="launch.png")],
    )

    # When it is published
    published = harness.publish(job)

    # Then the channel holds the photo captioned with the text, and each part replies to the one before
    posts = harness.posts("telegram", signed.account.external_id)
    assert [p.text for p in posts] == ["Launch day", "More details", "Even more"]
    assert posts[0].media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert posts[0].media[0]["type"] == "photo"
    assert posts[1].reply_to == posts[0].id
    assert posts[2].reply_to == posts[1].id
    assert published.post_id == posts[0].id


def test_telegram__video__uploaded_with_send_video(harness: PublishHarness) -> None:
    # Given a video
    signed = _channel(harness)
    clip = video()
    job = harness.job("telegram", signed, "Watch", media=[harness.media(clip, "video/mp4", filename="a.mp4")])

    # When it is published
    harness.publish(job)

    # Then the channel holds the video with its caption
    (post,) = harness.posts("telegram")
    assert post.text == "Watch"
    assert post.media[0]["type"] == "video"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()


def test_telegram__images_and_video__one_album_captioned_on_the_first_item(harness: PublishHarness) -> None:
    # Given two images and a video
    signed = _channel(harness)
    files = [image(), image("JPEG"), video()]
    media = [
        harness.media(files[0], "image/png", filename="a.png"),
        harness.media(files[1], "image/jpeg", filename="b.jpg"),
        harness.media(files[2], "video/mp4", filename="c.mp4"),
    ]
    job = harness.job("telegram", signed, "Gallery", media=media)

    # When it is published
    published = harness.publish(job)

    # Then the channel holds one album of three, in order, with the caption
    (post,) = harness.posts("telegram")
    assert post.extra["kind"] == "album"
    assert post.text == "Gallery"
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(f).hexdigest() for f in files]
    assert [m["type"] for m in post.media] == ["photo", "photo", "video"]
    assert published.post_id == post.id == str(post.extra["message_ids"][0])


def test_telegram__text_longer_than_a_caption__text_first_then_the_media_replying(harness: PublishHarness) -> None:
    # Given a text of 2,000 characters (a caption holds 1,024) and an image
    signed = _channel(harness)
    picture = image()
    text = "x" * 2000
    job = harness.job("telegram", signed, text, media=[harness.media(picture, "image/png")])

    # When it is published
    published = harness.publish(job)

    # Then the whole text is a message, and the image follows as a reply to it
    text_post, media_post = harness.posts("telegram")
    assert text_post.text == text
    assert media_post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert media_post.reply_to == text_post.id
    assert published.post_id == text_post.id


def test_telegram__private_channel__link_by_internal_id(harness: PublishHarness) -> None:
    # Given a private channel (no username)
    signed = _private_channel()

    # When a text is published
    published = harness.publish(harness.job("telegram", signed, "Members only"))

    # Then the link addresses the channel by its internal id
    (post,) = harness.posts("telegram", "-1001987654321")
    assert published.url == f"https://t.me/c/1987654321/{post.id}" == post.url


def test_telegram__server_error_answer__counts_as_not_sent_and_the_rerun_posts_once(
    harness: PublishHarness,
) -> None:
    # Given Telegram answers 502 before sending
    signed = _channel(harness)
    job = harness.job("telegram", signed, "After the outage")
    steps = harness.steps(job)
    harness.fault("telegram", "sendMessage", 502, body={"ok": False, "error_code": 502, "description": "Bad Gateway"})

    # When publishing fails, then runs again
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)
    assert failure.value.network_message == "Bad Gateway"
    assert steps.target.armed == {}
    harness.publish(job, steps)

    # Then the message is there once
    assert len(harness.posts("telegram")) == 1


def test_telegram__bot_kicked_from_the_channel__needs_reconnect_with_the_reason(harness: PublishHarness) -> None:
    # Given the bot was removed from the channel
    signed = _channel(harness)
    kicked = "Forbidden: bot was kicked from the channel chat"
    harness.fault("telegram", "sendMessage", 403, body={"ok": False, "error_code": 403, "description": kicked})

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job("telegram", signed, "Hello"))

    # Then the account needs the bot back (a reconnect), with Telegram's words
    assert failure.value.code == "ACCESS_REVOKED"
    assert failure.value.network_message == kicked


def test_telegram__chat_the_bot_cannot_see__needs_reconnect(harness: PublishHarness) -> None:
    # Given an account whose chat the bot does not know
    account = PublishAccount(
        id="acc_gone", external_id="424242", type="channel", username=None, instance=None, metadata={}
    )

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job("telegram", Signed(account=account, token=BOT_TOKEN), "Hello"))

    # Then it is a lost chat, with Telegram's message
    assert failure.value.code == "ACCESS_REVOKED"
    assert failure.value.network_message == "Bad Request: chat not found"
