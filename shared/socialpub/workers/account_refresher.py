"""Refreshes, every quarter of an hour, the tokens that will expire before the next runs, so that
publishing never waits on a refresh; accounts whose tokens cannot be refreshed are marked expired
(with account.expired) once their token is past its end."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from socialpub import config
from socialpub.domain.services.accounts import AccountDeps, refresh_due
from socialpub.observability import logger, logs_lambda_context, metrics
from socialpub.wiring import account_deps


@cache
def adapters() -> tuple[AccountDeps, timedelta]:
    s = config.load(config.AccountRefresherSettings)
    deps = account_deps(
        s.workspaces_table, secrets_key_id=s.secrets_key_id, defaults_secret=s.integration_defaults_secret
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
