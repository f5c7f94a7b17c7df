"""The SSRF guard: which addresses the server may connect to on a client's word (metadata and private
ones never, loopback only in the local stack), for Mastodon instances and webhook URLs, checked
again at every call and with the connection pinned to the address checked."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from socialpub.adapters.host_guard import (
    HostRefused,
    PinnedTransport,
    PublicHostGuard,
    is_public_address,
    refused_addresses,
)
from socialpub.adapters.webhook_sender import HttpWebhookSender
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


@pytest.mark.parametrize("value", ["[x", "https://[::1/", "mastodon.social]"])
def test_a_malformed_host_is_refused_as_bad_input_not_a_crash(value: str) -> None:
    # Given a server field a user mistyped; when it is checked, then it is refused as bad input
    with pytest.raises(InvalidInput):
        PublicHostGuard(lambda host: ["93.184.216.34"], resolve=True)(value)


def test_an_unresolvable_name_is_refused() -> None:
    def fail(host: str) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(InvalidInput, match="does not resolve"):
        PublicHostGuard(fail, resolve=True)("no-such-host.example")


def test_public_address_classification() -> None:
    assert is_public_address("1.1.1.1")
    assert not is_public_address("100.64.0.1")  # carrier-grade NAT
    assert not is_public_address("224.0.0.1")


# ------------------------------------------------------------- the address policy

METADATA = ["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "fe80::1", "::ffff:169.254.169.254"]
# NAT64, 6to4 and Teredo addresses carrying 169.254.169.254 or 10.0.0.1: they reach what they carry
DISGUISED = ["64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "64:ff9b:1::a00:1"]
PRIVATE = ["10.0.0.1", "172.16.0.5", "192.168.1.10", "100.64.0.1", "fd00::1", "0.0.0.0", "::", "::ffff:10.0.0.1"]
LOOPBACK = ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]


@pytest.mark.parametrize("allow_loopback", [False, True])
@pytest.mark.parametrize("address", METADATA + DISGUISED + PRIVATE + ["::127.0.0.1", "224.0.0.1"])
def test_metadata_private_and_disguised_addresses_are_refused_even_where_loopback_is_allowed(
    address: str, allow_loopback: bool
) -> None:
    # Given any configuration; When the address is checked; Then it is refused, saying which one
    (refused,) = refused_addresses([address], allow_loopback=allow_loopback)
    assert refused.startswith(address)


@pytest.mark.parametrize("address", METADATA)
def test_a_metadata_address_is_named_as_such(address: str) -> None:
    assert refused_addresses([address], allow_loopback=True) == [f"{address}: link-local or cloud metadata"]


@pytest.mark.parametrize("address", LOOPBACK)
def test_loopback_is_allowed_only_where_allowed(address: str) -> None:
    assert refused_addresses([address], allow_loopback=True) == []
    assert refused_addresses([address]) == [f"{address}: not public"]


def test_public_addresses_pass_and_one_bad_address_among_them_is_enough_to_refuse() -> None:
    public = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    assert refused_addresses(public) == []
    assert refused_addresses([*public, "10.0.0.1"], allow_loopback=True) == ["10.0.0.1: not public"]


# ------------------------------------------------------------- webhook URLs, at creation (check) and at send


def local_sender(*addresses: str) -> HttpWebhookSender:
    """The sender as the local stack builds it (ALLOW_LOOPBACK_TARGETS), with a DNS that answers `addresses`."""
    return HttpWebhookSender(allow_loopback=True, resolver=lambda host, port: list(addresses))


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest",
        "http://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest",
        "https://[::ffff:a9fe:a9fe]/latest",
        "https://10.0.0.1/x",
        "http://10.0.0.1/x",
        "https://[fd00::1]/x",
        "http://0.0.0.0:8000/x",
    ],
)
def test_the_local_sender_refuses_metadata_and_private_literals(url: str) -> None:
    with pytest.raises(InvalidInput, match="not allowed") as refused:
        local_sender().check(url)
    assert refused.value.details == {"field": "url"}


@pytest.mark.parametrize("inside", ["169.254.169.254", "fd00:ec2::254", "10.0.0.1", "192.168.0.2"])
def test_the_local_sender_refuses_a_name_resolving_inside_and_does_not_send(inside: str) -> None:
    # Given a name resolving to a metadata or private address, with loopback allowed
    sender = local_sender("127.0.0.1", inside)
    # When it is checked, or sent to; Then it is refused, and the send connects nowhere
    with pytest.raises(InvalidInput, match=inside):
        sender.check("https://hooks.example.com/x")
    result = sender.send("https://hooks.example.com/x", {}, "{}")
    assert (result.status_code, result.latency_ms) == (None, 0)
    assert result.error is not None
    assert inside in result.error


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://127.0.0.1:8080/hooks", []),
        ("http://[::1]:8080/hooks", []),
        ("https://127.0.0.2/hooks", []),
        ("http://localhost:8080/hooks", ["127.0.0.1", "::1"]),
    ],
)
def test_the_local_sender_accepts_loopback_receivers(url: str, addresses: list[str]) -> None:
    local_sender(*addresses).check(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "https://[::1]/hooks", "https://localhost/x"])
def test_a_deployed_sender_refuses_loopback(url: str) -> None:
    with pytest.raises(InvalidInput):
        HttpWebhookSender(resolver=lambda host, port: ["127.0.0.1"]).check(url)


def test_plain_http_is_for_loopback_only_even_locally() -> None:
    with pytest.raises(InvalidInput, match="only https"):
        local_sender("93.184.216.34").check("http://hooks.example.com/x")
    local_sender("93.184.216.34").check("https://hooks.example.com/x")


# ------------------------------------------------------------- every call: checked and pinned when it is made


def recording(sent: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    return answer


def pinned(addresses: list[str], answer: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    """A client over PinnedTransport, with a DNS that answers ``addresses`` and a wire that ``answer``s."""
    return httpx.Client(
        transport=PinnedTransport(
            resolver=lambda host, port: list(addresses), transport=lambda: httpx.MockTransport(answer)
        )
    )


def test_a_call_goes_to_the_address_checked_under_its_own_name() -> None:
    sent: list[httpx.Request] = []
    client = pinned(["93.184.216.34"], recording(sent))
    assert client.get("https://bücher.example:8443/x?y=1").status_code == 204
    (request,) = sent
    assert str(request.url) == "https://93.184.216.34:8443/x?y=1"
    assert request.headers["host"] == "xn--bcher-kva.example:8443"
    assert request.extensions["sni_hostname"] == "xn--bcher-kva.example"


@pytest.mark.parametrize("inside", ["10.0.0.1", "169.254.169.254", "fd00:ec2::254", "127.0.0.1"])
def test_a_call_to_a_name_resolving_inside_is_refused_before_anything_is_sent(inside: str) -> None:
    sent: list[httpx.Request] = []
    client = pinned(["93.184.216.34", inside], recording(sent))
    with pytest.raises(HostRefused, match=inside):
        client.get("https://mastodon.example/api/v1/statuses")
    assert sent == []


def test_when_a_checked_address_cannot_be_reached_the_next_one_is_tried() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "2606:2800:220:1:248:1893:25c8:1946":
            raise httpx.ConnectError("no route to host", request=request)
        return httpx.Response(200, text=request.url.host)

    client = pinned(["2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34"], answer)
    assert client.get("https://mastodon.example/").text == "93.184.216.34"


def test_a_name_that_does_not_resolve_now_is_a_connection_failure_which_may_pass() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("Temporary failure in name resolution")

    sent: list[httpx.Request] = []
    transport = PinnedTransport(resolver=fail, transport=lambda: httpx.MockTransport(recording(sent)))
    with pytest.raises(httpx.ConnectError, match="does not resolve"):
        httpx.Client(transport=transport).get("https://mastodon.example/")
    assert sent == []
