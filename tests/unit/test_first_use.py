"""The API functions make AWS clients and network adapters when a request first uses them, not when
the container wires a route's dependencies (issue 19: each client costs tens of milliseconds of a cold
start, the networks' sign-in code its httpx import)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialpub import config
from socialpub.adapters import aws
from socialpub.api.container import Container


@pytest.fixture
def no_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws.reset_clients()
    yield
    aws.reset_clients()


def _environment(*models: type[config.BaseSettings]) -> dict[str, str]:
    """A value for every variable the settings models require."""
    return {
        field.alias: f"value-{field.alias.lower()}"
        for model in models
        for field in model.model_fields.values()
        if field.alias and field.is_required()
    }


@pytest.mark.usefixtures("no_clients")
def test_a_deferred_client_is_made_on_first_use_and_again_after_a_reset() -> None:
    # Given an adapter's client, deferred
    dynamodb = aws.deferred("dynamodb")
    assert aws._clients == {}
    # When the adapter first uses it
    assert dynamodb.meta.service_model.service_name == "dynamodb"
    # Then the process-wide client is made then, once
    first = aws._clients["dynamodb"]
    assert dynamodb.meta is first.meta
    # And after a reset (a SnapStart restore) the same adapter uses the new client, not the old one
    aws.reset_clients()
    assert dynamodb.meta is aws.client("dynamodb").meta
    assert aws._clients["dynamodb"] is not first


@pytest.mark.usefixtures("no_clients")
def test_wiring_the_account_routes_makes_no_client_and_no_network_adapter() -> None:
    # Given the accounts function's container
    container = Container(_environment(config.IntegrationsSettings))
    # When a request's dependencies are wired (GET /api/accounts only lists from DynamoDB)
    deps = container.account_deps()
    # Then no AWS client is made yet (KMS and Secrets Manager are only for connecting), and the
    # networks' sign-in code is not built (nor imported with httpx by this wiring)
    assert aws._clients == {}
    assert "network_auth" not in container.__dict__
    # And the first use of the network adapter makes it, once
    assert callable(deps.network.authorization_url)
    assert "network_auth" in container.__dict__
