"""Wiring shared by the functions that use an account's tokens (publisher, token refresher, analytics
collector, analytics refresh): one place that builds the account and collector dependencies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from socialpub.adapters.aws import client
from socialpub.adapters.default_credentials import SecretsManagerDefaults
from socialpub.adapters.dynamodb.accounts import DynamoAccountRepository, DynamoConnectSessionRepository
from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
from socialpub.adapters.dynamodb.integrations import DynamoConfigurationRepository
from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.dynamodb.workspaces import DynamoWorkspaceRepository
from socialpub.adapters.host_guard import PublicHostGuard
from socialpub.adapters.insights import insights_for
from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.secrets import CachedSecretBox, KmsSecretBox
from socialpub.domain.analytics import CADENCE, DAILY, DAILY_UNTIL
from socialpub.domain.services.accounts import AccountDeps
from socialpub.domain.services.collector import CollectorDeps


def utcnow() -> datetime:
    return datetime.now(UTC)


def account_deps(
    table: str,
    *,
    secrets_key_id: str,
    defaults_secret: str,
    clock: Callable[[], datetime] = utcnow,
    network: HttpNetworkAuth | None = None,
) -> AccountDeps:
    ddb = client("dynamodb")
    return AccountDeps(
        accounts=DynamoAccountRepository(ddb, table),
        sessions=DynamoConnectSessionRepository(ddb, table),
        configurations=DynamoConfigurationRepository(ddb, table),
        defaults=SecretsManagerDefaults(client("secretsmanager"), defaults_secret),
        network=network or HttpNetworkAuth(),
        # These functions open the same tokens again and again in a warm container (a publish, a reading).
        box=CachedSecretBox(KmsSecretBox(client("kms"), secrets_key_id)),
        clock=clock,
        guard_host=PublicHostGuard(),
        # These functions never connect an account, so they need no keys' tiers (the plan's channels).
        workspaces=DynamoWorkspaceRepository(ddb, table),
    )


def collector_deps(
    table: str,
    accounts: AccountDeps,
    *,
    clock: Callable[[], datetime] = utcnow,
    cadence: Sequence[timedelta] = CADENCE,
    daily_until: timedelta = DAILY_UNTIL,
    account_every: timedelta = DAILY,
    batch: int = 200,
) -> CollectorDeps:
    ddb = client("dynamodb")
    http = NetworkHttp()
    return CollectorDeps(
        store=DynamoAnalyticsRepository(ddb, table),
        accounts=accounts,
        posts=DynamoPostRepository(ddb, table),
        readers=lambda platform: insights_for(platform, http),
        clock=clock,
        cadence=cadence,
        daily_until=daily_until,
        account_every=account_every,
        batch=batch,
    )
