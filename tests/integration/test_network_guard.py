"""Every call to a network is checked against the private-address guard when it is made, not only
when the account was connected, and goes to the very address checked: a Mastodon instance whose
name resolves inside after it was connected gets nothing from the server (DNS rebinding).

The accounts are connected through the platform emulator; then the emulator is taken away and the
publisher and the account service reach the instance as deployed, with the system resolver answering
what the test says and the HTTP transport recording what would have gone out."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.adapters.publishers import publisher_for
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.api.container import Container
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.pipeline import INSTANCE, Pipeline, get, mastodon_post, publish
from tests.integration.test_accounts import connect
from tests.integration.test_posts import create, new_workspace

PUBLIC = "93.184.216.34"


class Network:
    """What the instance's name resolves to, and every request that reached the wire."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.address = PUBLIC
        self.sent: list[httpx.Request] = []
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host != INSTANCE:
                return real(host, port, *args, **kwargs)
            family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (self.address, port))]

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            self.sent.append(request)
            return httpx.Response(200, json={"id": "110", "url": f"https://{INSTANCE}/@ada/110"}, request=request)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)


@pytest.fixture
def deployed(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Network]:
    """Call it once the accounts are connected: from then on, calls go out as a deployed stack's do."""

    def go() -> Network:
        monkeypatch.delenv("PLATFORM_EMULATOR_URL")
        network = Network(monkeypatch)
        pipeline.deps.publishers = lambda platform: publisher_for(platform, NetworkHttp())
        return network

    return go


@pytest.mark.parametrize("inside", ["10.0.0.1", "169.254.169.254", "127.0.0.1", "fd00:ec2::254"])
def test_a_mastodon_instance_that_now_resolves_inside_gets_nothing_and_the_post_fails_permanently(
    client: TestClient, keys: Keys, pipeline: Pipeline, deployed: Callable[[], Network], inside: str
) -> None:
    # Given a post being published to a Mastodon account connected while its instance was public
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert publish(client, headers, post["id"]).status_code == 202

    # When the instance's name now resolves to an internal address, and the publisher runs
    network = deployed()
    network.address = inside
    pipeline.drain()

    # Then no request was made, and the target failed for good, saying which address was refused
    assert network.sent == []
    shown = get(client, headers, post["id"])
    assert shown["status"] == "failed"
    (target,) = shown["platform_posts"]
    assert (target["error_code"], target["error_kind"], target["attempts"]) == ("HOST_NOT_ALLOWED", "permanent", 1)
    assert inside in target["error"]


def test_a_public_mastodon_instance_is_called_at_the_address_checked_under_its_own_name(
    client: TestClient, keys: Keys, pipeline: Pipeline, deployed: Callable[[], Network]
) -> None:
    # Given a post being published to a Mastodon account whose instance resolves to a public address
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert publish(client, headers, post["id"]).status_code == 202
    network = deployed()

    # When the publisher runs
    pipeline.drain()

    # Then the status went to the address checked, with the instance's name in Host and in TLS (SNI)
    (request,) = network.sent
    assert (request.url.host, request.url.path) == (PUBLIC, "/api/v1/statuses")
    assert request.headers["host"] == INSTANCE
    assert request.extensions["sni_hostname"] == INSTANCE
    assert get(client, headers, post["id"])["status"] == "published"


def test_revoking_at_an_instance_that_now_resolves_inside_sends_nothing_and_the_account_is_removed(
    client: TestClient, keys: Keys, pipeline: Pipeline, deployed: Callable[[], Network], container: Container
) -> None:
    # Given a connected Mastodon account whose instance's name now resolves to an internal address
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    network = deployed()
    network.address = "10.0.0.1"
    container.network_auth = HttpNetworkAuth(sleep=lambda _: None)

    # When it is disconnected
    answer = client.delete(f"/api/accounts/{account['id']}", headers=headers)

    # Then it is removed without revoking at the instance: nothing was sent there
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["token_revoked"] is False
    assert network.sent == []


def test_a_token_refresh_refused_for_good_fails_the_target_instead_of_crashing_the_delivery(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, clock: FrozenClock
) -> None:
    # Given a post to an X account whose token is near expiry, and X refusing its refresh for good
    # (as the guard does for an instance that now resolves inside: the refresh is never sent)
    headers = new_workspace(client, keys)
    account = connect(client, headers)
    post = create(client, headers, platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    clock.moment += timedelta(hours=1, minutes=55)
    refusal = {"error": "invalid_request", "error_description": "client no longer allowed"}
    httpx.post(f"{emulator.url}/_emulator/faults", json={"network": "twitter", "status": 400, "body": refusal})

    # When the publisher runs
    (message,) = pipeline.receive()
    failed = pipeline.deliver([message])

    # Then the delivery ends (nothing to redeliver), the target failed for good saying why, nothing was posted
    assert failed == set()
    (target,) = get(client, headers, post["id"])["platform_posts"]
    assert (target["status"], target["error_code"], target["error_kind"]) == ("failed", "NETWORK_REJECTED", "permanent")
    assert "client no longer allowed" in target["error"]
    assert pipeline.posts_on("twitter") == []
