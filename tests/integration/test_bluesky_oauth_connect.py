"""atproto OAuth for Bluesky through the API: the client metadata document a PDS's authorization
server fetches (its URL is the client_id)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialpub.adapters.atproto_oauth import SCOPE
from socialpub.api.app_factory import create_app
from socialpub.api.container import Container
from socialpub.api.main.routers import accounts

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
