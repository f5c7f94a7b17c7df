"""Every ten minutes: reads the figures of the published posts and connected accounts that are due
(socialpub.domain.services.collector), and reports what it read and what failed as metrics."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from socialpub import config
from socialpub.domain.services.collector import CollectorDeps, collect_due
from socialpub.observability import logger, logs_lambda_context, metrics
from socialpub.wiring import account_deps, collector_deps


@cache
def adapters() -> CollectorDeps:
    s = config.load(config.AnalyticsCollectorSettings)
    accounts = account_deps(
        s.workspaces_table, secrets_key_id=s.secrets_key_id, defaults_secret=s.integration_defaults_secret
    )
    return collector_deps(
        s.workspaces_table,
        accounts,
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
