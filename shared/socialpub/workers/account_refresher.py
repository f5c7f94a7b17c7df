"""Refreshes, every quarter of an hour, the tokens that will expire before the next runs, so that
publishing never waits on a refresh; accounts whose tokens cannot be refreshed are marked expired
(with account.expired) once their token is past its end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.default_credentials import SecretsManagerDefaults
from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository, DynamoConnectSessionRepository
from socialpub.adapters.dynamodb.integrations import DynamoConfigurationRepository
from socialpub.adapters.host_guard import PublicHostGuard
from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.adapters.secrets import KmsSecretBox
from socialpub.domain.services.accounts import AccountDeps, refresh_due
from socialpub.observability import logger, logs_lambda_context, metrics


@cache
def adapters() -> tuple[AccountDeps, timedelta]:
    s = config.load(config.AccountRefresherSettings)
    ddb = client("dynamodb")
    deps = AccountDeps(
        accounts=DynamoAccountRepository(ddb, s.workspaces_table),
        sessions=DynamoConnectSessionRepository(ddb, s.workspaces_table),
        configurations=DynamoConfigurationRepository(ddb, s.workspaces_table),
        defaults=SecretsManagerDefaults(client("secretsmanager"), s.integration_defaults_secret),
        network=HttpNetworkAuth(),
        box=KmsSecretBox(client("kms"), s.secrets_key_id),
        clock=lambda: datetime.now(UTC),
        guard_host=PublicHostGuard(),
    )
    return deps, timedelta(seconds=s.refresh_horizon_seconds)


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    deps, horizon = adapters()
    report = refresh_due(deps, horizon=horizon)
    logger.info("Tokens refreshed", extra=report.model_dump())
    for name, value in report.model_dump().items():
        metrics.add_metric(name=f"AccountTokens{name.capitalize()}", unit="Count", value=value)
    return report.model_dump()
