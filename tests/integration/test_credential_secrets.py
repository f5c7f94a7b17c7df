"""Accounts connected with a credential that is itself what every call carries (an API key, a Farcaster
signer, a Telegram bot token, a self-hosted WordPress username and application password sent as HTTP
Basic) keep that secret sealed once: one KMS Encrypt at connect, and the stored token still opens and
publishes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_aws_calls import counted
from tests.integration.test_farcaster import _app, _signer
from tests.integration.test_posts import create, new_workspace
from tests.integration.test_sign_in_page import CASES


@dataclass(frozen=True)
class Case:
    platform: str
    credentials: dict[str, str] = field(default_factory=dict)
    instance: str | None = None
    title: str | None = None


_PAGE_CASES = {c.platform: c for c in CASES}
CONNECTS = [
    Case("devto", _PAGE_CASES["devto"].good, title="Sealed once"),
    Case("telegram", _PAGE_CASES["telegram"].good),
    Case(
        "wordpress_selfhosted",
        {k: v for k, v in _PAGE_CASES["wordpress_selfhosted"].good.items() if k != "instance"},
        instance="blog.example",
        title="Sealed once",
    ),
    Case("farcaster"),  # its signer is made and approved with the workspace's app key below
]


@pytest.mark.parametrize("case", CONNECTS, ids=[c.platform for c in CONNECTS])
def test_credential_account__its_secret_sealed_once_at_connect__and_it_still_publishes(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container, case: Case
) -> None:
    headers = new_workspace(client, keys)
    body: dict[str, Any] = {"platform": case.platform, "credentials": case.credentials, "instance": case.instance}
    if case.platform == "farcaster":
        config_id, key = _app(client, headers)
        signer = _signer(pipeline, key, approve=True)["signer_uuid"]
        body |= {"configuration_id": config_id, "credentials": {"signer_uuid": signer}}

    # When the account is connected with its credential
    with counted() as calls:
        response = client.post("/api/accounts", json=body, headers=headers)

    # Then it is connected with one KMS Encrypt: the secret is sealed once, as the token calls carry
    assert response.status_code == 201, response.text
    assert calls.count("kms:Encrypt") == 1, calls
    account = response.json()["data"]["account"]
    stored = container.accounts.get(headers["X-Workspace-ID"], account["id"])
    assert stored is not None
    assert set(stored.sealed) == {"access_token"}
    assert container.secrets.open(stored.sealed["access_token"], stored.context("access_token"))

    # And a post to it is published, once
    titled = {"title": case.title} if case.title else {}
    post = create(client, headers, content="Sealed once, published once", platforms=[account["id"]], **titled)
    publish(client, headers, post["id"])
    pipeline.drain()
    assert get(client, headers, post["id"])["status"] == "published"
    assert len(pipeline.posts_on(case.platform)) == 1
