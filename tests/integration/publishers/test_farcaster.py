"""Farcaster's own publishing (Neynar): the idem key making a repeated call one cast, a revoked signer
asking to reconnect, images and the link as embeds with the channel, and the 2-embed cap."""

from __future__ import annotations

import hashlib

import pytest

from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import NeedsReconnect, Rejected
from tests.publishing import PublishHarness, image_of, signed_in

NETWORK = "farcaster"


def test_farcaster__same_idem_sent_twice__one_cast(harness: PublishHarness) -> None:
    # Given a cast published once
    signed, _ = signed_in(harness, catalog()[NETWORK])
    job = harness.job(NETWORK, signed, "Launch day")
    first = harness.publish(job)

    # When the same target's call is made again from scratch (no checkpoint kept: same idem)
    second = harness.publish(job, harness.steps(job))

    # Then Neynar answers the cast it made, and Farcaster holds one
    assert second.post_id == first.post_id
    (cast,) = harness.posts(NETWORK)
    assert cast.id == first.post_id


def test_farcaster__signer_revoked__needs_reconnect_with_neynars_words(harness: PublishHarness) -> None:
    # Given an account whose signer the user revoked (the app's key still good)
    signed, _ = signed_in(harness, catalog()[NETWORK])
    signer = signed.account.metadata["signer_uuid"]
    with harness.emulator.state.lock:
        for family in harness.emulator.state.families:
            if signer in family.access_tokens:
                family.revoked = True

    # When it publishes, then the account must be reconnected, and nothing was cast
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job(NETWORK, signed, "Launch day"))
    assert failure.value.network_message == "Signer has been revoked"
    assert harness.posts(NETWORK) == []


def test_farcaster__image_link_and_channel__embeds_in_order_in_the_channel(harness: PublishHarness) -> None:
    # Given a post with an image, a link and a channel
    signed, _ = signed_in(harness, catalog()[NETWORK])
    picture = image_of(harness, catalog()[NETWORK])
    job = harness.job(
        NETWORK,
        signed,
        "Release notes",
        media=[picture],
        link="https://example.com/notes",
        settings={"channel": "socialpub"},
    )

    # When it is published
    harness.publish(job)

    # Then the cast has the image (its bytes pulled from its URL) then the link, in the channel
    (cast,) = harness.posts(NETWORK)
    assert cast.extra["embeds"] == [picture.url, "https://example.com/notes"]
    assert cast.extra["channel_id"] == "socialpub"
    assert [m["sha256"] for m in cast.media] == [hashlib.sha256(picture.read(0, picture.size)).hexdigest()]


def test_farcaster__two_images_and_a_link__refused_before_sending(harness: PublishHarness) -> None:
    # Given two images and a link: three embeds, one more than a cast takes
    signed, _ = signed_in(harness, catalog()[NETWORK])
    platform = catalog()[NETWORK]
    job = harness.job(
        NETWORK,
        signed,
        "Too many",
        media=[image_of(harness, platform), image_of(harness, platform, shade=1)],
        link="https://example.com",
    )

    # When it is published, then it is refused, saying why, and nothing was sent
    with pytest.raises(Rejected) as failure:
        harness.publish(job)
    assert failure.value.sent is False
    assert "at most 2 embeds" in failure.value.message
    assert harness.posts(NETWORK) == []


def test_farcaster__text_of_321_utf8_bytes__the_emulator_refuses_it_with_neynars_error(harness: PublishHarness) -> None:
    # Given a text of 320 bytes (accepted) and one of 321 bytes (107 euro signs)
    signed, _ = signed_in(harness, catalog()[NETWORK])
    harness.publish(harness.job(NETWORK, signed, "€" * 106 + "ab"))

    # When the longer one is sent, then Farcaster's 320-byte limit refuses it with Neynar's message
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NETWORK, signed, "€" * 107))
    assert failure.value.network_message == "Text is too long: a cast is at most 320 bytes"
    assert len(harness.posts(NETWORK)) == 1
