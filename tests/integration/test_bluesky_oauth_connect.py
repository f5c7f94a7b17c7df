"""atproto OAuth for Bluesky wired into socialpub: the client metadata document a PDS's authorization
server fetches (its URL is the client_id), and the refresh of an account connected with it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.atproto_oauth import SCOPE, AtprotoOAuth, DpopKey
from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.api.app_factory import create_app
from socialpub.api.container import Container
from socialpub.api.main.routers import accounts
from socialpub.domain.accounts import AppCredentials, NetworkRejected, TokenRejected
from socialpub.domain.integrations import integration
from tests.conftest import Emulator
from tests.integration.test_bluesky_oauth import CLIENT_ID, signed_in_with_oauth

METADATA = "/api/oauth/bluesky/client-metadata.json"


def test_client_metadata__public_without_api_key__names_itself_and_the_hosted_callback(client: TestClient) -> None:
    # Given no API key (an authorization server fetching the document)
    # When the client metadata document is read
    response = client.get(METADATA)
    # Then it is served as atproto OAuth asks: its own URL as client_id, the hosted callback, DPoP-bound tokens
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["client_id"] == f"http://testserver{METADATA}"
    assert document["redirect_uris"] == ["http://testserver/api/accounts/callback"]
    assert document["scope"] == SCOPE == "atproto transition:generic"
    assert document["grant_types"] == ["authorization_code", "refresh_token"]
    assert document["response_types"] == ["code"]
    assert document["token_endpoint_auth_method"] == "none"
    assert document["application_type"] == "web"
    assert document["dpop_bound_access_tokens"] is True


def test_client_metadata__public_api_url_configured__its_urls_are_the_configured_ones(aws: dict[str, str]) -> None:
    # Given the API's public URL is configured (a custom domain)
    configured = Container({**aws, "PUBLIC_API_URL": "https://api.socialpub.example/"})
    # When the document is read
    with TestClient(create_app(accounts, container=configured)) as client:
        document = client.get(METADATA).json()
    # Then the client_id and the callback are on that domain
    assert document["client_id"] == f"https://api.socialpub.example{METADATA}"
    assert document["redirect_uris"] == ["https://api.socialpub.example/api/accounts/callback"]


def test_refresh__an_atproto_oauth_account__renewed_at_the_token_endpoint_its_pds_names_with_its_key(
    emulator_server: Emulator,
) -> None:
    # Given DPoP-bound tokens, their key and client_id as an OAuth account keeps them, and its PDS host
    _, server, key, tokens, _ = signed_in_with_oauth(emulator_server, "ivy-oauth.bsky.social")
    assert tokens.refresh_token is not None
    kept = {"refresh_token": tokens.refresh_token, "dpop_key": key.pem(), "client_id": CLIENT_ID}
    network = HttpNetworkAuth(emulator=emulator_server.url)
    bluesky = integration("bluesky")

    # When the account is refreshed (no app: the client is public)
    renewed = network.refresh(bluesky, AppCredentials(client_id="", client_secret=""), kept, _host(server.pds))

    # Then new DPoP-bound tokens come back (the authorization server found again from the PDS), and the
    # refresh token used is refused afterwards: the account would be asked to reconnect, not kept broken
    assert renewed.access_token != tokens.access_token
    assert renewed.refresh_token not in (None, tokens.refresh_token)
    with pytest.raises(TokenRejected):
        network.refresh(bluesky, AppCredentials(client_id="", client_secret=""), kept, _host(server.pds))


def _host(url: str) -> str:
    return url.removeprefix("https://")


DEV_CALLBACK = "http://testserver/api/accounts/callback"


@pytest.mark.parametrize(
    ("client_id", "redirect_uri", "accepted"),
    [
        (CLIENT_ID, DEV_CALLBACK, True),  # a metadata document's https URL
        (f"http://localhost?{urlencode({'redirect_uri': DEV_CALLBACK})}", DEV_CALLBACK, True),  # development client
        ("http://localhost", "http://127.0.0.1/", True),  # its default loopback redirect
        (f"http://localhost?{urlencode({'redirect_uri': DEV_CALLBACK})}", "http://elsewhere.example/cb", False),
        ("http://localhost", DEV_CALLBACK, False),  # a redirect the client_id does not name
        (f"http://localhost.attacker.example/c?{urlencode({'redirect_uri': DEV_CALLBACK})}", DEV_CALLBACK, False),
        (f"http://localhost:8080?{urlencode({'redirect_uri': DEV_CALLBACK})}", DEV_CALLBACK, False),
        ("http://testserver/api/oauth/bluesky/client-metadata.json", DEV_CALLBACK, False),  # http, not localhost
    ],
)
def test_emulated_authorization_server__client_ids_as_the_spec_allows(
    emulator_server: Emulator, client_id: str, redirect_uri: str, accepted: bool
) -> None:
    # Given a handle resolved to its authorization server
    oauth = AtprotoOAuth(emulator=emulator_server.url)
    server = oauth.resolve("jo-oauth.bsky.social")

    # When a pushed request is made from the client_id to the redirect_uri
    def push() -> str:
        started = oauth.start(server, client_id=client_id, redirect_uri=redirect_uri, state="s", key=DpopKey.new())
        return started.authorization_url

    # Then only an https metadata document's URL or the development http://localhost client with a redirect
    # it names is accepted (http://localhost.attacker.example or a port is not localhost)
    if accepted:
        assert push().startswith(server.authorization_endpoint)
    else:
        with pytest.raises(NetworkRejected) as refused:
            push()
        assert refused.value.details["error"] == "invalid_client"
