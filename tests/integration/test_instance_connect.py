"""Networks connected on a server the client names, with a user's credentials (Lemmy: a username and
password traded for the instance's JWT; a self-hosted WordPress site: a username and an application
password): the server SSRF-guarded, the secret shown nowhere, and refusals as clear 400s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Emulator, Keys
from tests.integration.test_posts import new_workspace


@dataclass(frozen=True)
class Server:
    platform: str
    user_field: str
    secret_field: str
    secret: str
    sealed: set[str] | None  # what the account keeps sealed, where only a session token is (None: not checked)
    wrong_secret: str
    refusal: str  # the server's code for a wrong secret
    internal_host: str

    def credentials(self, secret: str | None = None) -> dict[str, str]:
        return {self.user_field: "ada", self.secret_field: self.secret if secret is None else secret}


LEMMY = Server(
    platform="lemmy",
    user_field="username",
    secret_field="password",
    secret="correct horse battery",
    sealed={"access_token"},  # the password is traded for the instance's JWT and kept nowhere
    wrong_secret="short",
    refusal="incorrect_login",
    internal_host="metadata.internal",
)
WORDPRESS = Server(
    platform="wordpress_selfhosted",
    user_field="identifier",
    secret_field="app_password",
    secret="abcd EFGH 1234 ijkl MNOP 5678",
    sealed=None,  # the application password is the credential, kept sealed
    wrong_secret="hunter2",  # a login password instead of an application password
    refusal="incorrect_password",
    internal_host="wp.internal",
)
SERVERS = pytest.mark.parametrize("server", [LEMMY, WORDPRESS], ids=lambda s: s.platform)


def _connect(client: TestClient, headers: dict[str, str], server: Server, **body: Any) -> Any:
    return client.post("/api/accounts", json={"platform": server.platform, **body}, headers=headers)


@SERVERS
def test_connect_on_a_named_server__the_servers_user_and_the_secret_shown_nowhere(
    client: TestClient, keys: Keys, emulator: Emulator, container: Container, server: Server
) -> None:
    headers = new_workspace(client, keys)
    # When an account is connected on its server (named loosely) with its username and secret
    response = _connect(client, headers, server, instance="https://Blog.Example/", credentials=server.credentials())

    # Then the account is the server's user, on that server
    assert response.status_code == 201, response.text
    account = response.json()["data"]["account"]
    assert (account["platform"], account["username"], account["instance"]) == (server.platform, "ada", "blog.example")
    # And the secret is shown nowhere and stored in the clear nowhere
    assert server.secret not in response.text
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert server.secret not in stored.model_dump_json()
    if server.sealed is not None:
        assert set(stored.sealed) == server.sealed


@SERVERS
def test_connect_refusals__clear_400s_and_no_account(
    client: TestClient, keys: Keys, emulator: Emulator, server: Server
) -> None:
    headers = new_workspace(client, keys)
    # No server: said so
    missing = _connect(client, headers, server, credentials=server.credentials())
    assert (missing.status_code, missing.json()["error"]["details"]) == (400, {"field": "instance"})
    # A server inside the network (or the cloud's metadata service): refused before any call
    for instance in ("10.0.0.1", "169.254.169.254", "localhost", server.internal_host):
        refused = _connect(client, headers, server, instance=instance, credentials=server.credentials())
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, "VALIDATION_ERROR"), instance
    # No secret: the fields it needs are named
    partial = _connect(client, headers, server, instance="blog.example", credentials={server.user_field: "ada"})
    assert (partial.status_code, partial.json()["error"]["details"]["missing"]) == (400, [server.secret_field])
    # A wrong secret: the server's refusal, with its code
    credentials = server.credentials(server.wrong_secret)
    wrong = _connect(client, headers, server, instance="blog.example", credentials=credentials)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "NETWORK_REJECTED")
    assert wrong.json()["error"]["details"]["error"] == server.refusal
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []
