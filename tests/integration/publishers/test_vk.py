"""VK's publisher against the emulated VK API: what only VK does (the contract suite, test_contract.py,
runs the scenarios every network shares)."""

import hashlib

import pytest

from socialpub.domain.publishing import Rejected
from tests.media_files import image, video
from tests.publishing import PublishHarness

NET = "vk"


def test_vk__photos_and_a_link__uploaded_saved_and_attached_in_order(harness: PublishHarness) -> None:
    # Given a post with two photos and a link
    signed = harness.sign_in(NET)
    first, second = image("JPEG", (800, 600)), image("PNG", (640, 640))
    job = harness.job(
        NET,
        signed,
        "Launch day",
        link="https://example.com/launch",
        media=[
            harness.media(first, "image/jpeg", filename="a.jpg"),
            harness.media(second, "image/png", filename="b.png"),
        ],
    )

    # When it is published
    published = harness.publish(job)

    # Then the user's wall holds one post with both photos in order and the link as its last attachment
    (post,) = harness.posts(NET)
    assert post.account == signed.account.external_id
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(d).hexdigest() for d in (first, second)]
    assert post.extra["attachments"][-1] == "https://example.com/launch"
    assert [a[:5] for a in post.extra["attachments"][:2]] == ["photo", "photo"]
    # And the result is <owner>_<post id> (ids count up per wall, and the emulator's walls outlive a test),
    # with its vk.com/wall address
    owner, _, number = published.post_id.partition("_")
    assert published.post_id == post.id
    assert (owner, number.isdigit()) == (signed.account.external_id, True)
    assert published.url == f"https://vk.com/wall{post.id}"


def test_vk__a_community_wall__posted_there_as_the_community(harness: PublishHarness) -> None:
    # Given a post for a community the user manages, as the community
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Community news", settings={"owner_id": "-4242", "from_group": True})

    # When it is published, then the community's wall holds it, from the community
    published = harness.publish(job)
    (post,) = harness.posts(NET)
    assert (post.account, post.extra["from_id"]) == ("-4242", "-4242")
    assert published.post_id == post.id
    assert post.id.startswith("-4242_")


def test_vk__someone_elses_wall__refused_with_vks_message(harness: PublishHarness) -> None:
    # Given a post for another user's wall
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Hello", settings={"owner_id": "12345"})

    # When it is published, then VK's refusal is a permission error, nothing was posted
    with pytest.raises(Rejected) as refused:
        harness.publish(job)
    assert refused.value.code == "PERMISSION_DENIED"
    assert "Access to adding post denied" in (refused.value.network_message or "")
    assert harness.posts(NET) == []


def test_vk__a_video_on_a_community_wall__saved_to_the_community_uploaded_and_attached(
    harness: PublishHarness,
) -> None:
    # Given a post with a video for a community's wall
    signed = harness.sign_in(NET)
    clip = video(3.0, (640, 360))
    job = harness.job(
        NET,
        signed,
        "Our trailer",
        media=[harness.media(clip, "video/mp4", filename="trailer.mp4")],
        settings={"owner_id": "-4242", "from_group": True},
    )

    # When it is published
    published = harness.publish(job)

    # Then the community's wall holds one post whose one attachment is the community's uploaded video
    (post,) = harness.posts(NET)
    assert published.post_id == post.id
    assert [m["sha256"] for m in post.media] == [hashlib.sha256(clip).hexdigest()]
    (attachment,) = post.extra["attachments"]
    assert attachment.startswith("video-4242_")
