"""Every ten minutes: reads the figures of the published posts and connected accounts that are due
(socialpub.domain.services.collector), and reports what it read and what failed as metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.default_credentials import SecretsManagerDefaults
from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository, DynamoConnectSessionRepository
from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
from socialpub.adapters.dynamodb.integrations import DynamoConfigurationRepository
from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.host_guard import PublicHostGuard
from socialpub.adapters.insights import insights_for
from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.secrets import KmsSecretBox
from socialpub.domain.services.accounts import AccountDeps
from socialpub.domain.services.collector import CollectorDeps, collect_due
from socialpub.observability import logger, logs_lambda_context, metrics


@cache
def adapters() -> CollectorDeps:
    s = config.load(config.AnalyticsCollectorSettings)
    ddb = client("dynamodb")
    http = NetworkHttp()
    accounts = AccountDeps(
        accounts=DynamoAccountRepository(ddb, s.workspaces_table),
        sessions=DynamoConnectSessionRepository(ddb, s.workspaces_table),
        configurations=DynamoConfigurationRepository(ddb, s.workspaces_table),
        defaults=SecretsManagerDefaults(client("secretsmanager"), s.integration_defaults_secret),
        network=HttpNetworkAuth(),
        box=KmsSecretBox(client("kms"), s.secrets_key_id),
        clock=lambda: datetime.now(UTC),
        guard_host=PublicHostGuard(),
    )
    return CollectorDeps(
        store=DynamoAnalyticsRepository(ddb, s.workspaces_table),
        accounts=accounts,
        posts=DynamoPostRepository(ddb, s.workspaces_table),
        readers=lambda platform: insights_for(platform, http),
        clock=lambda: datetime.now(UTC),
        cadence=s.cadence,
        daily_until=timedelta(days=s.analytics_daily_until_days),
        account_every=timedelta(seconds=s.analytics_account_seconds),
        batch=s.analytics_batch,
    )


@metrics.log_metrics
@logs_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    report = collect_due(adapters())
    logger.info("Analytics collected", extra=report.model_dump())
    # Every run, zeros included, so that the dashboard and alarms see data rather than "missing".
    metrics.add_metric(name="AnalyticsTargetsRead", unit=MetricUnit.Count, value=report.targets_read)
    metrics.add_metric(name="AnalyticsTargetsFailed", unit=MetricUnit.Count, value=report.targets_failed)
    metrics.add_metric(name="AnalyticsAccountsRead", unit=MetricUnit.Count, value=report.accounts_read)
    metrics.add_metric(name="AnalyticsAccountsFailed", unit=MetricUnit.Count, value=report.accounts_failed)
    return report.model_dump()
