"""Pinterest's publisher against the emulated Pinterest API v5."""

import dataclasses
import hashlib

import httpx
import pytest

from socialpub.domain.publishing import Rejected
from tests.media_files import image, video
from tests.publishing import PublishHarness, Signed


def _board(harness: PublishHarness, signed: Signed, name: str = "Ideas") -> str:
    """The id of one of the user's boards, as a user picks it from the list Pinterest shows."""
    answer = httpx.get(
        f"{harness.emulator.url}/api.pinterest.com/v5/boards", headers={"Authorization": f"Bearer {signed.token}"}
    )
    return str(next(board["id"] for board in answer.json()["items"] if board["name"] == name))


def test_pinterest__image_pin__title_description_link_alt_text_on_the_chosen_board(harness: PublishHarness) -> None:
    # Given a user's board, an image with alt text, a title and a destination link
    signed = harness.sign_in("pinterest")
    board = _board(harness, signed, "Launches")
    picture = image("JPEG")
    job = harness.job(
        "pinterest",
        signed,
        "Ten ideas for a spring launch",
        title="Spring launch",
        link="https://example.com/post",
        media=[harness.media(picture, "image/jpeg", filename="spring.jpg", alt_text="Pink blossoms")],
        settings={"board_id": board, "link": "https://example.com/shop"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the board holds one Pin with the image Pinterest pulled, the title, text, link and alt text
    (pin,) = harness.posts("pinterest", signed.account.external_id)
    assert (pin.title, pin.text) == ("Spring launch", "Ten ideas for a spring launch")
    assert pin.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert pin.media[0]["alt_text"] == "Pink blossoms"
    assert pin.extra["board_id"] == board
    assert pin.extra["link"] == "https://example.com/shop"  # the setting wins over the post's link
    # And the result is the Pin and its permalink
    assert published.post_id == pin.id
    assert published.url == f"https://www.pinterest.com/pin/{pin.id}/"


def test_pinterest__several_images__one_carousel_pin_with_the_posts_link(harness: PublishHarness) -> None:
    # Given three images and a post link, no link setting
    signed = harness.sign_in("pinterest")
    pictures = [image("PNG", size=(1000, 1500)), image("JPEG", size=(1000, 1500)), image("PNG", size=(1000, 1500))]
    job = harness.job(
        "pinterest",
        signed,
        "Three looks",
        link="https://example.com/looks",
        media=[harness.media(p, "image/png" if p.startswith(b"\x89PNG") else "image/jpeg") for p in pictures],
        settings={"board_id": _board(harness, signed)},
    )

    # When it is published
    harness.publish(job)

    # Then one carousel Pin carries every image in order, linking to the post's link
    (pin,) = harness.posts("pinterest")
    assert pin.extra["media_type"] == "multiple_images"
    assert [m["sha256"] for m in pin.media] == [hashlib.sha256(p).hexdigest() for p in pictures]
    assert pin.extra["link"] == "https://example.com/looks"


def test_pinterest__video__uploaded_processed_then_pinned_with_a_frame_as_cover(harness: PublishHarness) -> None:
    # Given a video, which Pinterest processes for a few polls
    signed = harness.sign_in("pinterest")
    clip = video()
    job = harness.job(
        "pinterest",
        signed,
        "Watch how",
        title="How-to",
        media=[harness.media(clip, "video/mp4", filename="how.mp4", duration=12.5)],
        settings={"board_id": _board(harness, signed)},
    )

    # When it is published
    published = harness.publish(job)

    # Then the Pin carries the uploaded video, with a frame of it as cover
    (pin,) = harness.posts("pinterest")
    assert pin.extra["media_type"] == "video"
    assert pin.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert pin.extra["cover_image_key_frame_time"] == 1
    assert published.post_id == pin.id


def test_pinterest__no_board__refused_before_anything_is_sent(harness: PublishHarness) -> None:
    # Given a post without a board_id
    signed = harness.sign_in("pinterest")
    job = harness.job("pinterest", signed, "Lost pin", media=[harness.media(image("JPEG"), "image/jpeg")])

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then it is refused, saying what is missing
    assert failure.value.code == "VALIDATION_FAILED"
    assert "board_id" in str(failure.value)
    assert harness.posts("pinterest") == []


def test_pinterest__board_not_the_users__permanent_failure_with_pinterests_message(harness: PublishHarness) -> None:
    # Given a board of another user
    signed = harness.sign_in("pinterest")
    other = _board(harness, harness.sign_in("pinterest", user="someone-else"))
    job = harness.job(
        "pinterest",
        signed,
        "Wrong board",
        media=[harness.media(image("JPEG"), "image/jpeg")],
        settings={"board_id": other},
    )

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the failure is permanent and carries Pinterest's own message
    assert failure.value.code == "VALIDATION_FAILED"
    assert failure.value.network_message == "Board not found."
    assert harness.posts("pinterest") == []


def test_pinterest__image_pinterest_cannot_fetch__media_rejected(harness: PublishHarness) -> None:
    # Given an image whose URL no longer answers
    signed = harness.sign_in("pinterest")
    gone = dataclasses.replace(harness.media(image("JPEG"), "image/jpeg"), url="http://127.0.0.1:9/gone.jpg")
    job = harness.job("pinterest", signed, "Gone", media=[gone], settings={"board_id": _board(harness, signed)})

    # When it is published
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the media is what was refused
    assert failure.value.code == "MEDIA_REJECTED"
    assert failure.value.network_message == "Sorry we could not fetch the image."
