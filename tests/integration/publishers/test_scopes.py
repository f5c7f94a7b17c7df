"""Each OAuth network's emulator refuses a token lacking a scope its docs say publishing needs, so the
catalog's scopes are checked: a connect with them publishes, one with a needed scope left out is refused
with the network's own answer (never a success, never a post). The scopes needed are the emulator's own
(``PUBLISH_SCOPES`` in its module, from the network's docs), never the catalog's."""

from __future__ import annotations

import importlib

import pytest

from socialpub.domain.platforms import AuthType, catalog
from socialpub.domain.publishing import PublishFailure, Retryable
from tests.integration.publishers.networks import CONTRACTS
from tests.integration.publishers.test_contract import _job
from tests.publishing import PublishHarness, signed_in

OAUTH = sorted(n for n, p in catalog().items() if p.auth.auth_type in (AuthType.OAUTH2, AuthType.OAUTH1))


Requirement = str | tuple[str, ...]


def _declared(network: str) -> tuple[Requirement, ...] | None:
    module = importlib.import_module(f"socialpub.local.emulator.networks.{network}")
    needed: tuple[Requirement, ...] | None = getattr(module, "PUBLISH_SCOPES", None)
    return needed


def _needed(network: str) -> tuple[Requirement, ...]:
    needed = _declared(network)
    assert needed is not None, network
    return needed


# The OAuth networks whose emulator says what publishing needs. Not among them: Discord (it posts with
# the app's bot token, whose grant is the bot's, not the user's), Slack and WordPress.com (a token
# without the global scope still posts to its own single blog): their scopes are not checked.
SCOPED = [network for network in OAUTH if _declared(network) is not None]
CASES = [
    pytest.param(network, index, id=f"{network}-{index}")
    for network in SCOPED
    for index in range(len(_needed(network)))
]


@pytest.mark.parametrize("network", SCOPED)
def test_scopes__connected_with_the_catalogs_scopes__the_basic_post_publishes(
    harness: PublishHarness, network: str
) -> None:
    # Given an account connected with the scopes the catalog asks for, and the emulated network checking
    # the scopes its docs say publishing needs
    needed = _needed(network)
    platform = catalog()[network]
    granted = set(platform.auth.scopes)
    missing = [r for r in needed if not granted.intersection((r,) if isinstance(r, str) else r)]
    assert not missing, f"the catalog of {network} does not ask for {missing}, which publishing needs"
    contract = CONTRACTS[network]

    # When its basic post is published, then the network holds it
    harness.publish(_job(harness, contract, f"Scoped on {network}"))
    assert [p for p in harness.posts(network) if contract.is_post(p)]


@pytest.mark.parametrize(("network", "index"), CASES)
def test_scopes__a_needed_scope_left_out__the_network_refuses_and_nothing_is_posted(
    harness: PublishHarness, network: str, index: int
) -> None:
    # Given an account whose user granted the catalog's scopes but one that publishing needs
    needed = _needed(network)
    platform = catalog()[network]
    requirement = needed[index]
    left_out = {requirement} if isinstance(requirement, str) else set(requirement)
    scope = platform.auth.scope_separator.join(s for s in platform.auth.scopes if s not in left_out)
    contract = CONTRACTS[network]
    signed, settings = signed_in(harness, platform) if contract.sign_in is None else contract.sign_in(harness)
    with harness.emulator.state.lock:  # what the user granted at the consent page, carried by the token
        family = harness.emulator.state.family_of_access(signed.token)
        assert family is not None
        family.scope = scope
    job = _job(harness, contract, f"Unscoped on {network}", signed=(signed, settings))

    # When its basic post is published
    with pytest.raises(PublishFailure) as refused:
        harness.publish(job)

    # Then the network refuses it for good, in its own words, and holds nothing
    assert not isinstance(refused.value, Retryable)
    assert refused.value.network_message
    assert [p for p in harness.posts(network) if contract.is_post(p)] == []
