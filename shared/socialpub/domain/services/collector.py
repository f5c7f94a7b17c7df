"""The analytics collector: reads the figures of published posts and connected accounts from each
network, on a decaying cadence (socialpub.domain.analytics.CADENCE, overridable in settings).

- What is due comes from an index (``due_targets``/``due_accounts``), a bounded batch per run.
- Posts of one account are read together, as many per call as the network allows.
- A network that answers 429 is left alone for the rest of the run and its posts are read again no
  sooner than its Retry-After; any transient failure (5xx, timeout) is retried at a later run. A
  failure never touches the figures already stored.
- A refused token marks the account (the token lifecycle decides what follows) and nothing else.
- A post the network says it has no figures for (or no longer has) keeps its last figures, says
  why, and is not read again.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel

from socialpub.domain.accounts import Account, AccountExpired, AccountStatus, NotRefreshable, TokenRejected
from socialpub.domain.analytics import (
    CADENCE,
    DAILY,
    DAILY_UNTIL,
    AccountMetrics,
    FollowerPoint,
    InsightsReader,
    PostInsight,
    Snapshot,
    TargetMetrics,
    next_collection,
)
from socialpub.domain.errors import DomainError, NotFound, RateLimited, WorkspaceNotFound
from socialpub.domain.platforms import AuthType, catalog
from socialpub.domain.ports import Clock, PostRepository
from socialpub.domain.posts import ConcurrentModification
from socialpub.domain.publishing import NeedsReconnect, PublishAccount, PublishFailure, Retryable, TokenExpired
from socialpub.domain.records import changed
from socialpub.domain.services.accounts import (
    AccountDeps,
    app_api_key,
    mark_needs_reconnect,
    proof_key,
    renewed_access_token,
    usable_access_token,
)

MIN_RETRY = timedelta(minutes=5)  # a transient failure is read again no sooner than this
REFRESH_EVERY = timedelta(minutes=1)  # a post's figures are refreshed on request at most this often


class AnalyticsStore(Protocol):
    def due_targets(self, now: datetime, limit: int) -> list[TargetMetrics]: ...
    def due_accounts(self, now: datetime, limit: int) -> list[AccountMetrics]: ...
    def post_metrics(self, workspace_id: str, post_id: str) -> tuple[list[TargetMetrics], list[Snapshot]]: ...
    def follower_history(
        self, workspace_id: str, account_id: str, start: datetime, end: datetime
    ) -> list[FollowerPoint]: ...
    def target(self, workspace_id: str, post_id: str, account_id: str) -> TargetMetrics | None: ...
    def record_target(self, previous: TargetMetrics, current: TargetMetrics, snapshot: Snapshot | None) -> None: ...
    def record_account(self, previous: AccountMetrics, current: AccountMetrics) -> None: ...


@dataclass
class CollectorDeps:
    store: AnalyticsStore
    accounts: AccountDeps
    posts: PostRepository
    readers: Callable[[str], InsightsReader]
    clock: Clock
    cadence: Sequence[timedelta] = CADENCE
    daily_until: timedelta = DAILY_UNTIL
    account_every: timedelta = DAILY
    batch: int = 200  # targets (and accounts) per run
    backoff: dict[str, datetime] = field(default_factory=dict)  # network -> not before (this run's 429s)


class CollectReport(BaseModel):
    targets_read: int = 0
    targets_failed: int = 0
    targets_finished: int = 0  # not available, or past the last reading
    accounts_read: int = 0
    accounts_failed: int = 0
    network_calls: int = 0


def collect_due(deps: CollectorDeps) -> CollectReport:
    """One run: the targets then the accounts that are due."""
    report = CollectReport()
    deps.backoff.clear()
    now = deps.clock()
    by_account: dict[tuple[str, str], list[TargetMetrics]] = defaultdict(list)
    for due in deps.store.due_targets(now, deps.batch):
        by_account[(due.workspace_id, due.account_id)].append(due)
    for (workspace_id, account_id), targets in by_account.items():
        try:
            _collect_targets(deps, workspace_id, account_id, targets, report)
        except DomainError:  # a damaged account item, a store outage: these stay due, the others go on
            report.targets_failed += len(targets)
    for due_account in deps.store.due_accounts(now, deps.batch):
        try:
            _collect_account(deps, due_account, report)
        except DomainError:
            report.accounts_failed += 1
    return report


def refresh_post(deps: CollectorDeps, workspace_id: str, post_id: str) -> CollectReport:
    """Read a published post's figures now (a user asked), at most once a minute per post."""
    post = deps.posts.get(workspace_id, post_id)
    if post is None:
        raise NotFound("Post not found", details={"post_id": post_id})
    targets, _ = deps.store.post_metrics(workspace_id, post_id)
    now = deps.clock()
    last = max((t.collected_at for t in targets if t.collected_at), default=None)
    if last is not None and now - last < REFRESH_EVERY:
        wait = max(1, math.ceil((last + REFRESH_EVERY - now).total_seconds()))
        # One refresh a minute per post: the limit is the post's, whatever the key's own rate.
        raise RateLimited(limit=1, reset_at=int((last + REFRESH_EVERY).timestamp()), retry_after=wait)
    report = CollectReport()
    deps.backoff.clear()
    by_account: dict[str, list[TargetMetrics]] = defaultdict(list)
    for target in targets:
        if target.available:
            by_account[target.account_id].append(target)
    for account_id, group in by_account.items():
        _collect_targets(deps, workspace_id, account_id, group, report, keep_schedule=True)
    return report


def refresh_target(deps: CollectorDeps, target: TargetMetrics) -> CollectReport:
    """Read one published target's figures now (a user asked for them; the caller decides how often),
    keeping its place on the cadence. A failure is stored as a run stores it (``last_error``, read
    again later) and the figures read before stay."""
    report = CollectReport()
    deps.backoff.clear()
    if target.available:
        _collect_targets(deps, target.workspace_id, target.account_id, [target], report, keep_schedule=True)
    return report


# ---------------------------------------------------------------------- posts


def _collect_targets(
    deps: CollectorDeps,
    workspace_id: str,
    account_id: str,
    targets: list[TargetMetrics],
    report: CollectReport,
    *,
    keep_schedule: bool = False,
) -> None:
    now = deps.clock()
    account = deps.accounts.accounts.get(workspace_id, account_id)
    if account is None:
        for target in targets:
            _store(deps, target, _finished(target, "The account was disconnected; its posts are no longer read"))
            report.targets_finished += 1
        return
    network = _network_key(account)
    if network in deps.backoff:
        return  # rate-limited earlier in this run: still due, read at a later run
    if account.status is not AccountStatus.ACTIVE:
        _postpone(deps, targets, now + deps.account_every, f"The account is {account.status.value}", report)
        return
    try:
        token = _reader_token(deps, account)
    except (AccountExpired, TokenRejected) as exc:
        _postpone(deps, targets, now + deps.account_every, exc.message, report)
        return
    except DomainError as exc:  # the network could not refresh the token now
        _postpone(deps, targets, now + MIN_RETRY, exc.message, report)
        return
    reader = deps.readers(account.platform)
    who = PublishAccount.of(account, proof_key(deps.accounts, account))  # Bluesky OAuth: read with DPoP
    size = max(1, reader.batch_size)
    for start in range(0, len(targets), size):
        chunk = targets[start : start + size]
        report.network_calls += 1
        try:
            insights = reader.post_insights(who, token, [t.network_post_id for t in chunk])
        except TokenExpired as failure:
            # Expired before the expiry we hold: renewed now, read again at the next pass
            again = now + (MIN_RETRY if _renewed(deps, account, token, failure.message) else deps.account_every)
            _postpone(deps, targets[start:], again, failure.message, report)
            return
        except NeedsReconnect as failure:
            mark_needs_reconnect(deps.accounts, workspace_id, account_id, token=token, reason=failure.message)
            _postpone(deps, targets[start:], now + deps.account_every, failure.message, report)
            return
        except Retryable as failure:
            retry = now + max(MIN_RETRY, timedelta(seconds=failure.retry_after or 0))
            if failure.code == "RATE_LIMITED":
                deps.backoff[network] = retry
                _postpone(deps, targets[start:], retry, failure.message, report)
                return
            _postpone(deps, chunk, retry, failure.message, report)
            continue
        except PublishFailure as failure:  # refused for good: read again at the next reading
            for target in chunk:
                _postpone(deps, [target], _next(deps, target, now) or now + deps.account_every, failure.message, report)
            continue
        for target in chunk:
            insight = insights.get(target.network_post_id) or PostInsight.unavailable(
                "The network did not answer for it"
            )
            _read(deps, target, insight, now, report, keep_schedule=keep_schedule)


def _read(
    deps: CollectorDeps,
    target: TargetMetrics,
    insight: PostInsight,
    now: datetime,
    report: CollectReport,
    *,
    keep_schedule: bool,
) -> None:
    if not insight.available:
        _store(deps, target, _finished(target, insight.reason or "The network reports no figures for it"))
        report.targets_finished += 1
        return
    metrics = insight.metrics.completed()
    next_at = target.next_at if keep_schedule else _next(deps, target, now)
    current = changed(
        target,
        {
            "metrics": metrics,
            "native": insight.native,
            "collected_at": now,
            "collections": target.collections + 1,
            "next_at": next_at,
            "last_error": None,
            "version": target.version + 1,
        },
    )
    snapshot = Snapshot(
        account_id=target.account_id, platform=target.platform, at=now, metrics=metrics, native=insight.native
    )
    if _store(deps, target, current, snapshot):
        report.targets_read += 1
        if next_at is None:
            report.targets_finished += 1


def _next(deps: CollectorDeps, target: TargetMetrics, now: datetime) -> datetime | None:
    return next_collection(target.published_at, now, cadence=deps.cadence, until=deps.daily_until)


def _finished(target: TargetMetrics, reason: str) -> TargetMetrics:
    """No more readings: the last figures stay, with the reason there are no newer ones."""
    return changed(target, {"available": False, "reason": reason, "next_at": None, "version": target.version + 1})


def _postpone(
    deps: CollectorDeps, targets: list[TargetMetrics], until: datetime, error: str, report: CollectReport
) -> None:
    for target in targets:
        _store(
            deps, target, changed(target, {"next_at": until, "last_error": error[:500], "version": target.version + 1})
        )
        report.targets_failed += 1


def _store(
    deps: CollectorDeps, previous: TargetMetrics, current: TargetMetrics, snapshot: Snapshot | None = None
) -> bool:
    try:
        deps.store.record_target(previous, current, snapshot)
        return True
    except WorkspaceNotFound:  # being deleted: its purge removes these items too
        return False
    except ConcurrentModification:
        # Read by someone else meanwhile (a refresh), or its post was deleted: then stop reading it.
        stored = deps.store.target(previous.workspace_id, previous.post_id, previous.account_id)
        if (
            stored is not None
            and stored.version == previous.version
            and deps.posts.get(previous.workspace_id, previous.post_id) is None
        ):
            deps.store.record_target(stored, _finished(stored, "The post was deleted"), None)
        return False


# ---------------------------------------------------------------------- accounts


def _reader_token(deps: CollectorDeps, account: Account) -> str:
    """What the network's reader calls with: the account's token, or (Farcaster, whose casts are read with
    the app's Neynar key alone) the app's key."""
    platform = catalog()[account.platform]
    if platform.auth.auth_type is AuthType.SIGNER:
        return app_api_key(deps.accounts, account.workspace_id, platform, account.configuration_id)
    return usable_access_token(deps.accounts, account.workspace_id, account.id)


def _renewed(deps: CollectorDeps, account: Account, token: str, reason: str) -> bool:
    """The token the network called expired, renewed (True); False when the renewal was refused (the
    account is marked: only then is a reconnect asked for) or failed for now (read again later)."""
    try:
        renewed_access_token(deps.accounts, account.workspace_id, account.id, refused=token)
    except (AccountExpired, TokenRejected, NotRefreshable):
        mark_needs_reconnect(deps.accounts, account.workspace_id, account.id, token=token, reason=reason)
        return False
    except DomainError:
        return True  # the network could not renew it now: tried again at the next pass
    return True


def _collect_account(deps: CollectorDeps, due: AccountMetrics, report: CollectReport) -> None:
    now = deps.clock()
    account = deps.accounts.accounts.get(due.workspace_id, due.account_id)
    later = now + deps.account_every
    if account is None:
        _store_account(deps, due, {"available": False, "reason": "The account was disconnected", "next_at": None})
        return
    network = _network_key(account)
    if network in deps.backoff:
        return
    if account.status is not AccountStatus.ACTIVE:
        _store_account(deps, due, {"next_at": later, "last_error": f"The account is {account.status.value}"})
        report.accounts_failed += 1
        return
    try:
        token = _reader_token(deps, account)
        report.network_calls += 1
        who = PublishAccount.of(account, proof_key(deps.accounts, account))  # Bluesky OAuth: read with DPoP
        insight = deps.readers(account.platform).account_insights(who, token)
    except TokenExpired as failure:  # expired before the expiry we hold: renewed now, read again at the next pass
        again = now + MIN_RETRY if _renewed(deps, account, token, failure.message) else later
        _store_account(deps, due, {"next_at": again, "last_error": failure.message[:500]})
        report.accounts_failed += 1
        return
    except NeedsReconnect as failure:
        mark_needs_reconnect(deps.accounts, due.workspace_id, due.account_id, token=token, reason=failure.message)
        _store_account(deps, due, {"next_at": later, "last_error": failure.message[:500]})
        report.accounts_failed += 1
        return
    except Retryable as failure:
        retry = now + max(MIN_RETRY, timedelta(seconds=failure.retry_after or 0))
        if failure.code == "RATE_LIMITED":
            deps.backoff[network] = retry
        _store_account(deps, due, {"next_at": retry, "last_error": failure.message[:500]})
        report.accounts_failed += 1
        return
    except (PublishFailure, DomainError) as failure:
        _store_account(deps, due, {"next_at": later, "last_error": failure.message[:500]})
        report.accounts_failed += 1
        return
    if not insight.available:
        _store_account(deps, due, {"available": False, "reason": insight.reason, "next_at": None})
        return
    _store_account(
        deps,
        due,
        {
            "available": True,
            "reason": None,
            "followers": insight.followers,
            "following": insight.following,
            "posts": insight.posts,
            "native": insight.native,
            "demographics": insight.demographics,
            "collected_at": now,
            "next_at": later,
            "last_error": None,
        },
    )
    report.accounts_read += 1


def _store_account(deps: CollectorDeps, previous: AccountMetrics, update: dict[str, object]) -> None:
    current = changed(previous, {**update, "version": previous.version + 1})
    # Read by another run meanwhile (its figures stand), or the workspace is being deleted.
    with suppress(ConcurrentModification, WorkspaceNotFound):
        deps.store.record_account(previous, current)


# ---------------------------------------------------------------------- shared


def _network_key(account: Account) -> str:
    """What a rate limit applies to: the network, or for Mastodon the account's instance."""
    return f"{account.platform}:{account.instance or ''}"
