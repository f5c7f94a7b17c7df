"""Bluesky's publisher against the emulated PDS and video service."""

import dataclasses
import hashlib
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.publishing import NeedsReconnect, PublishAccount, Rejected, Retryable
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_bluesky_oauth import signed_in_with_oauth
from tests.integration.test_posts import create, new_workspace
from tests.media_files import image, video
from tests.publishing import PublishHarness, Signed

NET = "bluesky"
HANDLE = "alice.bsky.social"


def test_bluesky__images_thread_first_comment__one_record_each_replying_in_order(harness: PublishHarness) -> None:
    # Given two images (one with alt text), a thread of two parts, a first comment and the post's languages
    signed = harness.sign_in(NET, user=HANDLE)
    first, second = image(), image("JPEG", (640, 640))
    job = harness.job(
        NET,
        signed,
        "Launch day",
        "More details inside",
        media=[
            harness.media(first, "image/png", filename="a.png", alt_text="A red square", width=1200, height=800),
            harness.media(second, "image/jpeg", filename="b.jpg"),
        ],
        first_comment="Questions welcome",
        settings={"langs": "en, fr"},
    )

    # When it is published
    published = harness.publish(job)

    # Then the account holds three posts, each replying to the one before, all in the thread of the first
    posts = harness.posts(NET, signed.account.external_id)
    assert [p.text for p in posts] == ["Launch day", "More details inside", "Questions welcome"]
    assert posts[0].reply_to is None
    assert posts[1].reply_to == posts[0].id
    assert posts[2].reply_to == posts[1].id
    assert posts[1].extra["root"] == posts[2].extra["root"] == posts[0].id
    # And the first carries both images in order, with the alt text and the aspect ratio given
    assert [m["sha256"] for m in posts[0].media] == [
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    ]
    assert posts[0].media[0]["alt_text"] == "A red square"
    assert posts[0].media[0]["aspectRatio"] == {"width": 1200, "height": 800}
    assert "alt_text" not in posts[0].media[1]
    assert {tuple(p.extra["langs"]) for p in posts} == {("en", "fr")}
    # And the result is the first post's at:// URI, with its bsky.app permalink
    assert published.post_id == posts[0].id
    assert published.post_id.startswith(f"at://{signed.account.external_id}/app.bsky.feed.post/")
    assert published.url == f"https://bsky.app/profile/{HANDLE}/post/{posts[0].extra['rkey']}"


def test_bluesky__links_and_hashtags__facets_at_utf8_byte_offsets(harness: PublishHarness) -> None:
    # Given a text with accented characters before a link and a hashtag, and a link to preview
    signed = harness.sign_in(NET, user=HANDLE)
    text = "Café déjà vu https://example.com/menu #launch"
    job = harness.job(NET, signed, text, link="https://example.com/menu", title="Our menu")

    # When it is published
    harness.publish(job)

    # Then the link and the hashtag are clickable where they are in the UTF-8 text
    (post,) = harness.posts(NET)
    encoded = text.encode()
    spans = {
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in post.extra["facets"]
    }
    assert spans["https://example.com/menu"] == {
        "$type": "app.bsky.richtext.facet#link",
        "uri": "https://example.com/menu",
    }
    assert spans["#launch"] == {"$type": "app.bsky.richtext.facet#tag", "tag": "launch"}
    # And the link is shown as a card
    assert post.extra["embed"] == "app.bsky.embed.external"
    assert post.extra["external"]["uri"] == "https://example.com/menu"
    assert post.extra["external"]["title"] == "Our menu"


def test_bluesky__video__processed_by_the_video_service_then_embedded(harness: PublishHarness) -> None:
    # Given a video, which the video service processes for a few polls
    signed = harness.sign_in(NET, user=HANDLE)
    clip = video(padding=3 * 1024 * 1024)
    media = harness.media(clip, "video/mp4", filename="a.mp4", alt_text="A short clip", width=1280, height=720)
    job = harness.job(NET, signed, "Watch", media=[media])

    # When it is published
    harness.publish(job)

    # Then the post embeds the processed video, with its alt text and aspect ratio
    (post,) = harness.posts(NET)
    assert post.extra["embed"] == "app.bsky.embed.video"
    assert post.media[0]["sha256"] == hashlib.sha256(clip).hexdigest()
    assert post.media[0]["alt_text"] == "A short clip"
    assert post.media[0]["aspectRatio"] == {"width": 1280, "height": 720}


def test_bluesky__answer_lost_after_the_record_was_made__found_by_its_key_not_posted_again(
    harness: PublishHarness,
) -> None:
    # Given the PDS writes the record but the answer is lost (a 502 after the fact)
    signed = harness.sign_in(NET, user=HANDLE)
    job = harness.job(NET, signed, "Only once", "And its reply")
    steps = harness.steps(job)
    harness.fault(NET, "createRecord", 502, after=True)

    # When the first run fails with an unknown outcome and a second run follows
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)
    assert failure.value.sent is None
    published = harness.publish(job, steps)

    # Then the record was found in the account's repository: one post, replied to by the next part
    first, reply = harness.posts(NET)
    assert published.post_id == first.id
    assert reply.reply_to == first.id


def test_bluesky__expired_session_answered_400__needs_reconnect(harness: PublishHarness) -> None:
    # Given the PDS says the session token has expired (a 400, as atproto answers it)
    signed = harness.sign_in(NET, user=HANDLE)
    harness.fault(NET, "createRecord", 400, body={"error": "ExpiredToken", "message": "Token has expired"})

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job(NET, signed, "Hello"))

    # Then it is a token problem, not a refused post
    assert failure.value.code == "TOKEN_REJECTED"
    assert failure.value.network_message == "Token has expired"


def test_bluesky__image_over_one_megabyte__media_rejected(harness: PublishHarness) -> None:
    # Given an image of 1.2 MB: the PDS takes the blob, but a post's image may be 1,000,000 bytes at most
    signed = harness.sign_in(NET, user=HANDLE)
    big = harness.media(b"\xff\xd8" + b"\0" * 1_200_000, "image/jpeg", filename="big.jpg")

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Big picture", media=[big]))

    # Then the media is refused with the PDS's message
    assert failure.value.code == "MEDIA_REJECTED"
    assert "file is too big" in (failure.value.network_message or "")
    assert harness.posts(NET) == []


def test_bluesky__rate_limited_with_ratelimit_reset__waits_until_the_window_reopens(harness: PublishHarness) -> None:
    # Given the PDS answers 429 with only its ratelimit-* headers
    signed = harness.sign_in(NET, user=HANDLE)
    reset = int(time.time()) + 300
    harness.fault(
        NET,
        "uploadBlob",
        429,
        headers={"ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)},
        body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
    )
    picture = harness.media(image(), "image/png", filename="a.png")

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(harness.job(NET, signed, "Later", media=[picture]))

    # Then the retry waits for the window the PDS announced
    assert failure.value.code == "RATE_LIMITED"
    assert failure.value.retry_after is not None
    assert 280 <= failure.value.retry_after <= 301


def test_bluesky__daily_video_limit_reached__quota_exceeded(harness: PublishHarness) -> None:
    # Given the video service says the account cannot upload more videos today
    signed = harness.sign_in(NET, user=HANDLE)
    message = "You have reached your daily video upload limit"
    harness.fault(NET, "getUploadLimits", 200, body={"canUpload": False, "remainingDailyVideos": 0, "message": message})
    clip = harness.media(video(), "video/mp4", filename="a.mp4")

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Watch", media=[clip]))

    # Then it is a quota failure with the service's message, and nothing was posted
    assert failure.value.code == "QUOTA_EXCEEDED"
    assert failure.value.network_message == message
    assert harness.posts(NET) == []


def test_bluesky__account_on_a_self_hosted_pds__its_records_and_blobs_go_to_that_host(
    harness: PublishHarness,
) -> None:
    # Given an account signed in on its own PDS (the host named at connect is the account's instance)
    signed = harness.sign_in(NET, user="carol.pds.example.com", instance="pds.example.com")
    picture = image("JPEG")

    # When a post with an image is published
    published = harness.publish(
        harness.job(NET, signed, "From my own PDS", media=[harness.media(picture, "image/jpeg")])
    )

    # Then the record (and the image it embeds) was written on that PDS, not on bsky.social
    (post,) = harness.posts(NET)
    assert (post.text, post.extra["pds"]) == ("From my own PDS", "pds.example.com")
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert published.post_id == post.id


def _connected(client: TestClient, headers: dict[str, str], handle: str) -> dict[str, object]:
    """A Bluesky account connected with its handle and an app password, as a user does."""
    credentials = {"identifier": handle, "app_password": "abcd-efgh-ijkl-mnop"}
    answer = client.post("/api/accounts", json={"platform": "bluesky", "credentials": credentials}, headers=headers)
    assert answer.status_code == 201, answer.text
    account: dict[str, object] = answer.json()["data"]["account"]
    return account


def _expire_early(emulator: Emulator, handle: str) -> None:
    """The PDS ends the account's accessJwt now, long before the expiry the product holds (no clock moves)."""
    httpx.post(f"{emulator.url}/_emulator/bluesky/expire_sessions", json={"handle": handle}).raise_for_status()


def test_bluesky__access_token_expired_before_its_expiry__session_renewed_once_and_posted_once(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, container: Container
) -> None:
    # Given a connected Bluesky account whose accessJwt the PDS has expired early (ExpiredToken)
    handle = "erin-early.bsky.social"
    headers = new_workspace(client, keys)
    account = _connected(client, headers, handle)
    stored = container.accounts.get(headers["X-Workspace-ID"], str(account["id"]))
    assert stored is not None
    first_refresh = container.secrets.open(stored.sealed["refresh_token"], stored.context("refresh_token"))
    _expire_early(emulator, handle)

    # When a post is published to it
    post = create(client, headers, content="Posted through an early expiry", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then the session was renewed with refreshSession and the post exists exactly once
    assert [p.text for p in pipeline.posts_on(NET) if p.text == "Posted through an early expiry"] == [
        "Posted through an early expiry"
    ]
    assert get(client, headers, post["id"])["status"] == "published"
    # And the account stays active, with the rotated refreshJwt kept sealed
    renewed = container.accounts.get(headers["X-Workspace-ID"], str(account["id"]))
    assert renewed is not None
    kept = container.secrets.open(renewed.sealed["refresh_token"], renewed.context("refresh_token"))
    assert kept != first_refresh
    assert kept == emulator.current_refresh_token(NET, handle)
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "active"


def test_bluesky__access_token_expired_early_and_refresh_refused__needs_reconnect_nothing_posted(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator
) -> None:
    # Given a connected Bluesky account whose accessJwt expired early and whose refreshJwt the PDS no longer takes
    handle = "frank-early.bsky.social"
    headers = new_workspace(client, keys)
    account = _connected(client, headers, handle)
    _expire_early(emulator, handle)
    with emulator.state.lock:
        family = next(f for f in reversed(emulator.state.families) if f.network == NET and f.user == handle)
        family.refresh_token = "replaced-elsewhere"

    # When a post is published to it
    post = create(client, headers, content="Never posted after a refused renewal", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then nothing is posted, the target asks for a reconnect and the account is expired
    assert [p for p in pipeline.posts_on(NET) if p.text == "Never posted after a refused renewal"] == []
    (progress,) = get(client, headers, post["id"])["platform_posts"]
    assert (progress["error_code"], progress["error_kind"]) == ("TOKEN_REJECTED", "needs_reconnect")
    shown = client.get(f"/api/accounts/{account['id']}", headers=headers).json()["data"]["account"]
    assert shown["status"] == "expired"


def test_bluesky__atproto_oauth_account__posts_with_dpop_proofs_on_its_pds_once(harness: PublishHarness) -> None:
    # Given an account connected with atproto OAuth: a DPoP-bound token, its key, on the PDS its DID names
    _, server, key, tokens, _ = signed_in_with_oauth(harness.emulator, "ivy-oauth.bsky.social")
    pds = server.pds.removeprefix("https://")
    account = PublishAccount(
        id="acc_ivy", external_id=server.did, type="profile", username=server.handle, instance=pds, metadata={}
    )
    signed = Signed(account=account, token=tokens.access_token)
    job = harness.job(NET, signed, "Hello with DPoP", "And a reply", media=[harness.media(image(), "image/png")])
    job = dataclasses.replace(job, proof_key=key.pem())

    # When it is published (the PDS asks for its DPoP nonce first)
    published = harness.publish(job)

    # Then the image, the post and its reply are on the account's PDS, once each
    first, reply = harness.posts(NET, server.did)
    assert (first.text, reply.text, reply.reply_to) == ("Hello with DPoP", "And a reply", first.id)
    assert (published.post_id, first.extra["pds"], len(first.media)) == (first.id, pds, 1)


def test_bluesky__atproto_oauth_token_without_its_key__refused_nothing_posted(harness: PublishHarness) -> None:
    # Given a DPoP-bound token sent as a bearer token (its key left out)
    _, server, _, tokens, _ = signed_in_with_oauth(harness.emulator, "jack-oauth.bsky.social")
    account = PublishAccount(
        id="acc_jack",
        external_id=server.did,
        type="profile",
        username=server.handle,
        instance=server.pds.removeprefix("https://"),
        metadata={},
    )

    # When it is published
    with pytest.raises(NeedsReconnect):
        harness.publish(harness.job(NET, Signed(account=account, token=tokens.access_token), "Never"))

    # Then nothing is posted
    assert harness.posts(NET, server.did) == []
