"""One figure of one published post, asked for by the network's id of the post and its account, as
Publora's LinkedIn post statistics ask (IMPRESSION, MEMBERS_REACHED, RESHARE, REACTION, COMMENT),
for a post of any network.

- Finding the post: the analytics store keeps, beside each published target's figures, an item
  keyed by (account, network post id) that the publisher's final write (and a release id recorded
  by hand) puts with the figures' item: one read, never a scan of the workspace.
- The figure is the stored one (what the analytics collector read) unless it is stale: never read,
  or read ``STALE_AFTER`` ago or more. Then the post is read from its network first, as the main API's
  refresh reads it (collector.refresh_target: the same token handling, failures and storage). If the
  network cannot be read then, the stored figure is answered; with none stored, DependencyUnavailable.
- Each statistic is the nearest of the product's normalised figures (domain/analytics.py) that the
  post's network reports (``NEAREST``); a network that reports none of them refuses the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from socialpub.domain.accounts import AccountNotFound
from socialpub.domain.analytics import TargetMetrics
from socialpub.domain.errors import Conflict, DependencyUnavailable, InvalidInput, NotFound
from socialpub.domain.platforms import catalog
from socialpub.domain.services.collector import REFRESH_EVERY, CollectorDeps, refresh_target

# A figure read within the last minute is answered as stored: the main API's refresh cooldown
# (collector.REFRESH_EVERY), so a network is read at most once a minute per post whichever way its
# figures are asked for (a client asking the five statistics in a row costs one reading).
STALE_AFTER = REFRESH_EVERY


class Statistic(StrEnum):
    IMPRESSION = "IMPRESSION"  # times the post was shown
    MEMBERS_REACHED = "MEMBERS_REACHED"  # unique people who saw it
    RESHARE = "RESHARE"
    REACTION = "REACTION"
    COMMENT = "COMMENT"


# Each statistic as the normalised figures that stand for it, nearest first: the first one the
# post's network reports is answered. LinkedIn's insights reader reads exactly these five for a
# member's post (impressions, reach, shares, likes, comments), so LinkedIn's counts are its own.
NEAREST: dict[Statistic, tuple[str, ...]] = {
    # Views where a network counts only those (YouTube, TikTok).
    Statistic.IMPRESSION: ("impressions", "video_views"),
    # A network without reach (X, Threads, Pinterest; YouTube and TikTok: views) answers its
    # impressions, which count a person once per time the post was shown to them.
    Statistic.MEMBERS_REACHED: ("reach", "impressions", "video_views"),
    # Reshares, reposts, retweets + quotes, crossposts.
    Statistic.RESHARE: ("shares",),
    # Reactions, likes, favourites, Reddit's score.
    Statistic.REACTION: ("likes",),
    # Comments, replies.
    Statistic.COMMENT: ("comments",),
}


class NotPublished(NotFound):
    code = "POST_NOT_FOUND"
    default_message = "You must first publish a post: its statistics exist once the network has it"


class NoFigures(Conflict):
    """The network gives no figures for this post (its kind of post, or it no longer has it)."""

    code = "ANALYTICS_UNAVAILABLE"


class StatisticNotReported(InvalidInput):
    code = "STATISTIC_NOT_REPORTED"


class NetworkUnreadable(DependencyUnavailable):
    """The figures were never read and the network could not be read now."""


class StatisticsStore(Protocol):
    def posted(self, workspace_id: str, account_id: str, network_post_id: str) -> str | None:
        """The id of the post the account published as ``network_post_id``; None: none."""
        ...

    def target(self, workspace_id: str, post_id: str, account_id: str) -> TargetMetrics | None: ...


@dataclass(frozen=True)
class StatisticsDeps:
    store: StatisticsStore
    collector: CollectorDeps  # its accounts, posts and clock; its readers for a fresh read


def post_statistic(
    deps: StatisticsDeps,
    workspace_id: str,
    account_id: str,
    network_post_id: str,
    statistic: Statistic,
    *,
    network: str | None = None,
) -> int:
    """``statistic`` of the post ``account_id`` published as ``network_post_id``; ``network``: the
    network the caller named the account with, if it did (another network's account is not it)."""
    account = deps.collector.accounts.accounts.get(workspace_id, account_id)
    if account is None or (network is not None and network != account.platform):
        raise AccountNotFound(
            f"No connected account {account_id}" + (f" on {network}" if network else "") + " in this workspace",
            details={"account_id": account_id},
        )
    target = _published(deps, workspace_id, account_id, network_post_id)
    name = catalog()[target.platform].name
    if target.collected_at is None or deps.collector.clock() - target.collected_at >= STALE_AFTER:
        refresh_target(deps.collector, target)
        # A failed reading leaves the stored figures (if any) and says why in last_error.
        target = _published(deps, workspace_id, account_id, network_post_id)
    if not target.available:
        raise NoFigures(
            f"{name} gives no figures for this post: {target.reason or 'not available'}",
            details={"platform": target.platform, "reason": target.reason},
        )
    if target.collected_at is None:
        raise NetworkUnreadable(
            f"{name} could not be read now ({target.last_error or 'no answer'}) and its figures were never read: "
            "retry later",
            details={"platform": target.platform},
        )
    return _count(target, statistic, name)


def _published(deps: StatisticsDeps, workspace_id: str, account_id: str, network_post_id: str) -> TargetMetrics:
    post_id = deps.store.posted(workspace_id, account_id, network_post_id)
    # A post deleted since keeps its figures' items for a while: it is gone for its statistics.
    target = deps.store.target(workspace_id, post_id, account_id) if post_id else None
    if target is None or deps.collector.posts.get(workspace_id, target.post_id) is None:
        raise NotPublished(
            f"You must first publish a post: account {account_id} published no post with the id "
            f"{network_post_id!r} (use the id the network gave the published post)",
            details={"account_id": account_id, "network_post_id": network_post_id},
        )
    return target


def reported(target: TargetMetrics) -> list[Statistic]:
    """The statistics the target's network reports, by its stored figures."""
    metrics = target.metrics.completed()
    return [s for s in Statistic if any(getattr(metrics, figure) is not None for figure in NEAREST[s])]


def _count(target: TargetMetrics, statistic: Statistic, name: str) -> int:
    metrics = target.metrics.completed()
    for figure in NEAREST[statistic]:
        value = getattr(metrics, figure)
        if value is not None:
            return int(value)
    given = reported(target)
    raise StatisticNotReported(
        f"{name} reports no {statistic.value} for its posts; it reports: "
        + (", ".join(s.value for s in given) or "nothing for this post"),
        details={"platform": target.platform, "query_type": statistic.value, "reported": [s.value for s in given]},
    )
