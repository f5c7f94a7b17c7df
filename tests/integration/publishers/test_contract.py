"""What every network's publisher does, against the emulator of that network: the same scenarios for all
of them, each network's faults, answers and post shapes taken from its fixtures in ``networks.py``
(what only one network does stays in its own ``test_<network>.py``). A network in the catalog without
fixtures fails here: the suite is the bar a new network must pass."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

import pytest

from socialpub.domain.platforms import Platform, catalog
from socialpub.domain.publishing import MediaFile, NeedsReconnect, OutcomeUnknown, PublishJob, Rejected, Retryable
from socialpub.local.emulator import EmulatedPost
from tests.integration.publishers.networks import CONTRACTS, Contract, Fault
from tests.publishing import PublishHarness, Signed, image_of, signed_in, video_of

NETWORKS = sorted(CONTRACTS)
COMMENT = "The first comment"


def _forms(platform: Platform) -> list[str]:
    """The media forms a network's catalog claims: text alone, one image, several, a video."""
    caps, limits = platform.capabilities, platform.limits
    return [
        *(["text"] if caps.supports_text_only else []),
        *(["image"] if caps.supports_images else []),
        *(["images"] if caps.supports_images and (limits.max_images or 0) >= 2 else []),
        *(["video"] if caps.supports_videos else []),
    ]


FORMS = [
    pytest.param(network, form, id=f"{network}-{form}")
    for network in NETWORKS
    if network in catalog()
    for form in _forms(catalog()[network])
]


def _media(harness: PublishHarness, platform: Platform, form: str) -> list[MediaFile]:
    if form in ("image", "images"):
        count = max(2, platform.limits.min_carousel_items or 2) if form == "images" else 1
        return [image_of(harness, platform, shade=index) for index in range(count)]
    if form == "video":
        return [video_of(harness, platform)]
    return []


def _sign_in(harness: PublishHarness, contract: Contract) -> tuple[Signed, dict[str, object]]:
    if contract.sign_in is not None:
        return contract.sign_in(harness)
    return signed_in(harness, catalog()[contract.network])


def _job(
    harness: PublishHarness,
    contract: Contract,
    text: str,
    *,
    signed: tuple[Signed, dict[str, object]] | None = None,
    media: list[MediaFile] | None = None,
    first_comment: str | None = None,
) -> PublishJob:
    """The network's basic post (its ``media`` form, a title where the network requires one)."""
    platform = catalog()[contract.network]
    account, settings = signed or _sign_in(harness, contract)
    if media is None:
        media = _media(harness, platform, contract.media) if contract.media else []
    return harness.job(
        contract.network,
        account,
        text,
        media=media,
        title=text if platform.limits.requires_title else None,
        first_comment=first_comment,
        settings=settings,
    )


def _publications(harness: PublishHarness, contract: Contract) -> list[EmulatedPost]:
    return [p for p in harness.posts(contract.network) if contract.is_post(p)]


def _arm(harness: PublishHarness, contract: Contract, fault: Fault, **options: object) -> None:
    armed = {k: v for k, v in asdict(fault).items() if k not in ("status", "endpoint") and v}
    harness.fault(contract.network, fault.endpoint or contract.endpoint, fault.status, **armed, **options)


def test_contract__every_catalog_network__has_its_fixtures() -> None:
    # Given the catalog's networks, when the suite's fixtures are listed, then none is left out
    missing = sorted(set(catalog()) - set(CONTRACTS))
    assert not missing, f"add a Contract for {missing} to tests/integration/publishers/networks.py"


@pytest.mark.parametrize(("network", "form"), FORMS)
def test_contract__each_media_form_the_catalog_claims__one_post_holding_that_media(
    harness: PublishHarness, network: str, form: str
) -> None:
    # Given an account of the network and a post of one form its catalog claims (text, image(s), video)
    contract = CONTRACTS[network]
    platform = catalog()[network]
    media = _media(harness, platform, form)
    job = _job(harness, contract, f"Contract {form} on {network}", media=media)

    # When its publisher publishes it
    published = harness.publish(job)

    # Then the network holds one post with that media, in order, and the result names it and its URL
    (post,) = _publications(harness, contract)
    assert [m.get("sha256") for m in post.media] == [hashlib.sha256(m.content()).hexdigest() for m in media]
    assert published.post_id == contract.result_id(post)
    assert published.url == contract.permalink(post, job.account)


@pytest.mark.parametrize("network", NETWORKS)
def test_contract__answer_lost_after_the_post_was_made__rerun_never_posts_twice(
    harness: PublishHarness, network: str
) -> None:
    # Given the network makes the post but its answer is lost
    contract = CONTRACTS[network]
    job = _job(harness, contract, f"Only once on {network}")
    steps = harness.steps(job)
    _arm(harness, contract, contract.lost_fault, after=True)
    with pytest.raises(Retryable) as lost:
        harness.publish(job, steps)
    assert lost.value.sent is None  # the outcome is unknown, not "not sent"
    if contract.lost_code is not None:
        assert lost.value.code == contract.lost_code

    # When the target runs again
    if contract.lost == "found":
        published = harness.publish(job, steps)
    else:
        with pytest.raises(OutcomeUnknown) as unknown:
            harness.publish(job, steps)
        assert unknown.value.code == "OUTCOME_UNKNOWN"

    # Then the network holds the post once: found by the publisher and recorded, or reported unknown
    (post,) = _publications(harness, contract)
    if contract.lost == "found":
        assert published.post_id == contract.result_id(post)
        assert published.url == contract.permalink(post, job.account)


@pytest.mark.parametrize("network", NETWORKS)
def test_contract__crash_after_the_post_before_its_checkpoint__rerun_never_posts_twice(
    harness: PublishHarness, network: str
) -> None:
    # Given a run that dies right after the network accepted the post (with its first comment still to go)
    contract = CONTRACTS[network]
    comment = COMMENT if catalog()[network].capabilities.supports_first_comment else None
    job = _job(harness, contract, f"Crash-proof on {network}", first_comment=comment)
    steps = harness.steps(job)
    steps.crash_on = contract.step
    with pytest.raises(RuntimeError):
        harness.publish(job, steps)

    # When the target runs again
    if contract.lost == "found":
        published = harness.publish(job, steps)
    else:
        with pytest.raises(OutcomeUnknown):
            harness.publish(job, steps)

    # Then there is still exactly one post, it is the result, and the first comment is under it once
    (post,) = [p for p in _publications(harness, contract) if p.text != COMMENT]
    if contract.lost == "found":
        assert published.post_id == contract.result_id(post)
        if comment:
            comments = [p for p in harness.posts(network) if p.text == COMMENT]
            assert [c.reply_to for c in comments] == [post.id]


@pytest.mark.parametrize("network", NETWORKS)
def test_contract__rate_limited__retryable_after_the_networks_delay_then_posts_once(
    harness: PublishHarness, network: str
) -> None:
    # Given the network rate-limits the post's call (429, with the delay it asks for)
    contract = CONTRACTS[network]
    _arm(harness, contract, contract.rate_limited)
    job = _job(harness, contract, f"Later on {network}")
    steps = harness.steps(job)

    # When publishing
    with pytest.raises(Retryable) as failure:
        harness.publish(job, steps)

    # Then it is a rate limit with the network's delay, nothing was sent or left armed
    assert (failure.value.code, failure.value.retry_after, failure.value.sent) == (
        "RATE_LIMITED",
        contract.retry_after,
        False,
    )
    if contract.rate_limited_message is not None:
        assert failure.value.network_message == contract.rate_limited_message
    assert steps.target.armed == {}
    # And the retry posts once
    harness.publish(job, steps)
    assert len(_publications(harness, contract)) == 1


@pytest.mark.parametrize("network", NETWORKS)
def test_contract__server_error__retryable_then_the_rerun_posts_once(harness: PublishHarness, network: str) -> None:
    # Given the network fails the post's call with a server error
    contract = CONTRACTS[network]
    _arm(harness, contract, contract.server_error)
    job = _job(harness, contract, f"After the outage on {network}")
    steps = harness.steps(job)

    # When publishing fails, then runs again
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    published = harness.publish(job, steps)

    # Then the network holds the post once, and it is the result
    (post,) = _publications(harness, contract)
    assert published.post_id == contract.result_id(post)


@pytest.mark.parametrize("network", NETWORKS)
def test_contract__token_revoked__needs_reconnect_and_nothing_posted(harness: PublishHarness, network: str) -> None:
    # Given the account's token is no longer valid on the network (the user removed the app)
    contract = CONTRACTS[network]
    account, settings = _sign_in(harness, contract)
    if contract.revoked is None:
        harness.emulator.state.revoke_all(network)
    else:
        account = contract.revoked(harness, account)
    job = _job(harness, contract, f"Hello {network}", signed=(account, settings))

    # When publishing
    with pytest.raises(NeedsReconnect) as failure:
        harness.publish(job)

    # Then the account must be reconnected, with the network's words, and nothing was posted
    assert failure.value.code == "TOKEN_REJECTED"
    if contract.revoked_message is not None:
        assert contract.revoked_message in (failure.value.network_message or "")
    assert harness.posts(network) == []


@pytest.mark.parametrize("network", NETWORKS)
def test_contract__post_the_network_refuses__rejected_with_the_networks_message(
    harness: PublishHarness, network: str
) -> None:
    # Given a post the network refuses
    contract = CONTRACTS[network]
    job = contract.refusal.change(_job(harness, contract, f"Refused on {network}"))

    # When publishing
    with pytest.raises(Rejected) as failure:
        harness.publish(job)

    # Then the failure is permanent and carries the network's own message; nothing was posted
    assert (failure.value.code, failure.value.network_message) == (contract.refusal.code, contract.refusal.message)
    assert _publications(harness, contract) == []
