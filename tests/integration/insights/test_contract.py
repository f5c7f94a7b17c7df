"""What every network's insights reader does, against the emulator of that network: the same scenarios
for all of them (each network's request shapes and mappings are in its own test module)."""

from __future__ import annotations

import pytest

from socialpub.domain.analytics import PostInsight
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import NeedsReconnect, Retryable
from socialpub.local.emulator.networks import network_routers
from socialpub.local.emulator.state import EmulatorState
from tests.publishing import PublishHarness, Signed, any_media, signed_in

NETWORKS = sorted(catalog())


def _emulated() -> EmulatorState:
    state = EmulatorState()
    network_routers(state)  # each network's module says which figures its insights report
    return state


# Networks whose emulator reports figures on a post, and those that have no such endpoint (the reader
# must then say the figures are not available, without calling anything).
MEASURED = sorted(_emulated().post_figures)
UNMEASURED = sorted(set(NETWORKS) - set(MEASURED))
# Networks whose figures are read with the account's token (Nostr's relays are read with no key at all:
# there is nothing the network could refuse)
TOKEN_READ = [n for n in MEASURED if catalog()[n].auth.auth_type != "KEY_PAIR"]
# Where the network keeps an account's figures when it is not the account's own id: a Hashnode account
# is a publication, whose followers are its owner's
FIGURES_HOLDER = {"hashnode": lambda account: account.metadata["user_id"]}


def _published(harness: PublishHarness, network: str) -> tuple[Signed, str, str]:
    """An account and one post it published: (account, the post's id for the product, its emulated id)."""
    platform = catalog()[network]
    signed, settings = signed_in(harness, platform)
    job = harness.job(
        network,
        signed,
        f"Insights check on {network}",
        title="Insights check" if platform.limits.requires_title else None,
        media=any_media(harness, platform),
        settings=settings,
    )
    published = harness.publish(job)
    (emulated,) = harness.posts(network)
    return signed, published.post_id, emulated.id


def _read(harness: PublishHarness, network: str, signed: Signed, post_id: str) -> PostInsight:
    return harness.insights(network).post_insights(signed.account, signed.token, [post_id])[post_id]


@pytest.mark.parametrize("network", MEASURED)
def test_insights__a_published_post__reports_every_figure_the_network_holds_and_nothing_else(
    harness: PublishHarness, network: str
) -> None:
    # Given a post published on the network, whose figures there are set to distinct values
    signed, post_id, emulated_id = _published(harness, network)
    frozen = {name: 1000 + 7 * index for index, name in enumerate(harness.figures(network, emulated_id))}
    harness.set_figures(network, emulated_id, frozen)

    # When its insights are read
    insight = _read(harness, network, signed, post_id)

    # Then each figure the network reports is kept once under the network's own name, none invented
    assert insight.available, insight.reason
    assert sorted(insight.native.values()) == sorted(frozen.values())
    assert insight.metrics.figures(), "no figure mapped to the normalised set"


@pytest.mark.parametrize("network", UNMEASURED)
def test_insights__network_without_post_metrics__says_not_available_with_the_reason(
    harness: PublishHarness, network: str
) -> None:
    # Given a post published on a network that gives no figures for such posts
    signed, post_id, _ = _published(harness, network)
    harness.fault(network, "insights", 500, count=100)  # a call would fail the read

    # When its insights are read
    insight = _read(harness, network, signed, post_id)

    # Then there are no figures (no zeros presented as data), and the reason says why
    assert not insight.available
    assert insight.reason
    assert insight.metrics.figures() == {}


@pytest.mark.parametrize("network", MEASURED)
def test_insights__figures_grow_with_time__a_later_read_reports_them(harness: PublishHarness, network: str) -> None:
    # Given a post whose figures are set, read once
    signed, post_id, emulated_id = _published(harness, network)
    names = list(harness.figures(network, emulated_id))
    harness.set_figures(network, emulated_id, dict.fromkeys(names, 5))
    first = _read(harness, network, signed, post_id)

    # When the network's figures move and the post is read again
    harness.set_figures(network, emulated_id, dict.fromkeys(names, 9))
    second = _read(harness, network, signed, post_id)

    # Then the second read reports the new figures
    assert set(first.native.values()) == {5}
    assert set(second.native.values()) == {9}


@pytest.mark.parametrize("network", MEASURED)
def test_insights__rate_limited__retryable_after_the_networks_retry_after(
    harness: PublishHarness, network: str
) -> None:
    # Given a published post, and the network's metrics endpoint answering 429 with Retry-After: 120
    signed, post_id, _ = _published(harness, network)
    harness.fault(network, "insights", 429, headers={"Retry-After": "120"}, body={"error": "rate limited"})

    # When its insights are read
    with pytest.raises(Retryable) as raised:
        _read(harness, network, signed, post_id)

    # Then the failure is to be retried, no sooner than the network asked
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.retry_after is not None
    assert 100 <= raised.value.retry_after <= 120


@pytest.mark.parametrize("network", MEASURED)
def test_insights__network_unavailable__retryable(harness: PublishHarness, network: str) -> None:
    # Given a published post, and the network's metrics endpoint failing with a 503
    signed, post_id, _ = _published(harness, network)
    harness.fault(network, "insights", 503, body={"error": "unavailable"})

    # When its insights are read, then the failure is to be retried (earlier figures stay: the collector's test)
    with pytest.raises(Retryable):
        _read(harness, network, signed, post_id)


@pytest.mark.parametrize("network", NETWORKS)
def test_insights__post_gone_from_the_network__not_available_with_the_reason(
    harness: PublishHarness, network: str
) -> None:
    # Given a post that was published, then deleted on the network
    signed, post_id, emulated_id = _published(harness, network)
    with harness.emulator.state.lock:
        harness.emulator.state.posts[:] = [p for p in harness.emulator.state.posts if p.id != emulated_id]

    # When its insights are read
    insight = _read(harness, network, signed, post_id)

    # Then there are no figures, and the reason says why
    assert not insight.available
    assert insight.reason
    assert insight.metrics.figures() == {}


@pytest.mark.parametrize("network", NETWORKS)
def test_insights__the_account__reports_the_networks_figures(harness: PublishHarness, network: str) -> None:
    # Given an account whose figures on the network are set
    signed, _settings = signed_in(harness, catalog()[network])
    names = harness.emulator.state.account_figures.get(network, ())
    frozen = {name: 500 + 3 * index for index, name in enumerate(names)}
    if frozen:
        holder = FIGURES_HOLDER.get(network, lambda account: account.external_id)(signed.account)
        harness.set_figures(network, holder, frozen)

    # When the account's insights are read
    insight = harness.insights(network).account_insights(signed.account, signed.token)

    # Then its figures are the network's (followers among them), or it says why there are none
    if frozen:
        assert insight.available, insight.reason
        assert sorted(insight.native.values()) == sorted(frozen.values())
        assert insight.followers is not None
    else:
        assert not insight.available
        assert insight.reason


@pytest.mark.parametrize("network", TOKEN_READ)
def test_insights__token_refused__needs_reconnect(harness: PublishHarness, network: str) -> None:
    # Given a published post, and the account's token revoked on the network
    signed, post_id, _ = _published(harness, network)
    harness.emulator.state.revoke_all(network)

    # When its insights are read, then the account must be reconnected
    with pytest.raises(NeedsReconnect):
        _read(harness, network, signed, post_id)
