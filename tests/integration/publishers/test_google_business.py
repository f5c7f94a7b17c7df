"""Google Business Profile's publisher against the emulated My Business APIs."""

import hashlib
from collections.abc import Iterator

import pytest

from socialpub.domain.publishing import NeedsReconnect, PublishAccount, Rejected, Retryable
from socialpub.local.emulator.state import number_of
from tests.media_files import image
from tests.publishing import PublishHarness, Signed

NET = "google_business"
USER = "emulated-user"
LOCATION = f"accounts/{number_of(NET, USER, ' Account')}/locations/{number_of(NET, USER, ' Location 1')}"


@pytest.fixture
def slow_processing(harness: PublishHarness) -> Iterator[None]:
    """Google keeps posts with media PROCESSING for longer than a run polls."""
    state = harness.emulator.state
    before, state.polls_to_finish = state.polls_to_finish, 100
    yield
    state.polls_to_finish = before


def test_google_business__text_photo_title_and_call_to_action__live_post_on_the_location(
    harness: PublishHarness,
) -> None:
    # Given a signed-in Google account managing one location, a photo, a title and a Book button
    signed = harness.sign_in(NET)
    picture = image("JPEG")
    job = harness.job(
        NET,
        signed,
        "Spring menu is here",
        media=[harness.media(picture, "image/jpeg", filename="menu.jpg")],
        title="Spring",
        link="https://example.com/book",
        settings={"call_to_action": "BOOK"},
    )

    # When it is published (the post is PROCESSING while Google pulls the photo)
    published = harness.publish(job)

    # Then the location holds a standard post led by the title, with the photo and the button
    (post,) = harness.posts(NET, LOCATION)
    assert post.text == "Spring\n\nSpring menu is here"
    assert post.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert post.media[0]["mediaFormat"] == "PHOTO"
    assert post.extra["topicType"] == "STANDARD"
    assert post.extra["callToAction"] == {"actionType": "BOOK", "url": "https://example.com/book"}
    # And the result is the post's name with its public link, given once LIVE
    assert published.post_id == post.id
    assert published.url == post.url


def test_google_business__text_and_link__live_at_once_with_a_learn_more_button(harness: PublishHarness) -> None:
    # Given a text with a link and no call-to-action setting, on an account connected to its location
    signed = harness.sign_in(NET)
    account = PublishAccount(
        id="acc_loc", external_id=LOCATION, type="business", username=None, instance=None, metadata={}
    )
    job = harness.job(NET, Signed(account, signed.token), "Open late tonight", link="https://example.com")

    # When it is published
    published = harness.publish(job)

    # Then the post is there with a Learn more button to the link
    (post,) = harness.posts(NET, LOCATION)
    assert post.extra["callToAction"] == {"actionType": "LEARN_MORE", "url": "https://example.com"}
    assert published.url == post.url


def test_google_business__still_processing__retryable_then_the_rerun_finishes_polling(
    harness: PublishHarness, slow_processing: None
) -> None:
    # Given Google keeps the post PROCESSING beyond the run's polls
    signed = harness.sign_in(NET)
    job = harness.job(NET, signed, "Photo post", media=[harness.media(image("JPEG"), "image/jpeg")])
    steps = harness.steps(job)
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)
    assert failure.value.code == "MEDIA_PROCESSING"

    # When Google is done and the target runs again
    harness.emulator.state.polls_to_finish = 0
    published = harness.publish(job, steps)

    # Then the same post went live: nothing was posted twice
    (post,) = harness.posts(NET)
    assert (published.post_id, published.url) == (post.id, post.url)


def test_google_business__location_no_longer_managed__needs_reconnect(harness: PublishHarness) -> None:
    # Given an account pointing at a location another Google user manages
    harness.sign_in(NET, user="someone-else")
    signed = harness.sign_in(NET)
    account_id, location_id = number_of(NET, "someone-else", " Account"), number_of(NET, "someone-else", " Location 1")
    other = f"accounts/{account_id}/locations/{location_id}"
    account = PublishAccount(id="acc_x", external_id=other, type="business", username=None, instance=None, metadata={})

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(harness.job(NET, Signed(account, signed.token), "Hello"))

    # Then the account needs reconnecting to a location it manages
    assert failure.value.code == "ACCESS_REVOKED"
    assert failure.value.network_message == "The caller does not have permission"


def test_google_business__api_not_enabled__permission_denied_not_a_reconnect(harness: PublishHarness) -> None:
    # Given the app's Google Cloud project has not enabled the API
    signed = harness.sign_in(NET)
    message = "My Business API has not been used in project 1234 before or it is disabled."
    harness.fault(
        NET,
        "localPosts",
        403,
        body={
            "error": {
                "code": 403,
                "message": message,
                "status": "PERMISSION_DENIED",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}],
            }
        },
    )

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(harness.job(NET, signed, "Hello"))

    # Then the post fails on the app's configuration; the account stays connected
    assert failure.value.code == "PERMISSION_DENIED"
    assert failure.value.network_message == message


def _location(user: str, n: int) -> str:
    return f"accounts/{number_of(NET, user, ' Account')}/locations/{number_of(NET, user, f' Location {n}')}"


def test_google_business__user_with_two_locations__the_one_chosen_at_connect_gets_the_post(
    harness: PublishHarness,
) -> None:
    # Given a user who manages two locations, connected to the second (each location is an identity)
    chain = "acme-chain"
    signed = harness.sign_in(NET, user=chain, pick=1)
    assert signed.account.external_id == _location(chain, 2)
    assert (signed.account.type, signed.account.metadata["location"]) == ("location", _location(chain, 2))

    # When a post is published
    published = harness.publish(harness.job(NET, signed, "Open late on Fridays"))

    # Then the second location holds it, and the first nothing
    (post,) = harness.posts(NET, _location(chain, 2))
    assert post.text == "Open late on Fridays"
    assert published.post_id == post.id
    assert harness.posts(NET, _location(chain, 1)) == []


def test_google_business__account_connected_as_the_google_user__posts_to_its_only_location(
    harness: PublishHarness,
) -> None:
    # Given an account connected before locations were chosen: the Google user, who manages one location
    signed = harness.sign_in(NET)
    account = PublishAccount(
        id="acc_u", external_id="1234567", type="business", username=None, instance=None, metadata={}
    )

    # When a post is published
    harness.publish(harness.job(NET, Signed(account=account, token=signed.token), "Still here"))

    # Then the user's only location holds it
    (post,) = harness.posts(NET, LOCATION)
    assert post.text == "Still here"


def test_google_business__account_connected_as_a_user_with_two_locations__refused_asking_to_choose(
    harness: PublishHarness,
) -> None:
    # Given an account connected before locations were chosen, whose user manages two locations
    signed = harness.sign_in(NET, user="acme-chain")
    account = PublishAccount(
        id="acc_u", external_id="7654321", type="business", username=None, instance=None, metadata={}
    )

    # When a post is published
    with pytest.raises(Rejected) as refused:
        harness.publish(harness.job(NET, Signed(account=account, token=signed.token), "Which shop?"))

    # Then it is refused, saying to reconnect and choose the location, and nothing was posted
    assert refused.value.code == "VALIDATION_FAILED"
    assert "choose the location" in refused.value.message
    assert harness.posts(NET) == []
