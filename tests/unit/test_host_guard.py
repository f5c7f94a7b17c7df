"""The SSRF guard for hosts a client names: public DNS names resolving to public addresses only."""

from __future__ import annotations

import pytest

from socialpub.adapters.host_guard import PublicHostGuard, is_public_address
from socialpub.domain.errors import InvalidInput


def resolving_to(*addresses: str) -> PublicHostGuard:
    return PublicHostGuard(lambda host: list(addresses), resolve=True)


def test_a_public_name_resolving_to_public_addresses_is_accepted_and_normalised() -> None:
    guard = resolving_to("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    assert guard("https://Mastodon.Social/about") == "mastodon.social"
    assert guard("fosstodon.org") == "fosstodon.org"


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "169.254.169.254", "127.0.0.1", "192.168.1.10", "172.16.0.5", "::1", "fd00::1", "::ffff:10.0.0.1"],
)
def test_a_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    # Given a public-looking name that resolves (as a rebinding attacker would arrange) to an internal address
    guard = resolving_to("93.184.216.34", address)
    with pytest.raises(InvalidInput, match="non-public address"):
        guard("evil.example.com")


@pytest.mark.parametrize(
    "value", ["10.0.0.1", "169.254.169.254", "[::1]", "localhost", "intranet", "db.internal", "printer.local", "a..b"]
)
def test_literals_and_internal_names_are_refused_without_resolving(value: str) -> None:
    def never(host: str) -> list[str]:
        raise AssertionError("must not resolve")

    with pytest.raises(InvalidInput):
        PublicHostGuard(never, resolve=True)(value)


def test_an_unresolvable_name_is_refused() -> None:
    def fail(host: str) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(InvalidInput, match="does not resolve"):
        PublicHostGuard(fail, resolve=True)("no-such-host.example")


def test_public_address_classification() -> None:
    assert is_public_address("1.1.1.1")
    assert not is_public_address("100.64.0.1")  # carrier-grade NAT
    assert not is_public_address("224.0.0.1")
