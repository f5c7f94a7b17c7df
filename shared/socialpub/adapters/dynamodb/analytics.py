"""Analytics in WorkspacesTable (docs/data-model.md, "Analytics"): per published target its latest
figures and every reading, per account its latest figures and one follower count a day, and per
workspace rollups (hour and day of publishing, per account) and the day's top posts.

What is due is found on the ``to_sweep`` index (``metrics_target`` and ``metrics_account``), never by
a scan. A reading is one transaction: the latest item (version asserted), the reading, both rollups
moved by the delta, the post's figures, the day's top posts if they change, and the workspace guard.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from socialpub.adapters.dynamodb.codec import from_item, iso, to_item, value
from socialpub.adapters.dynamodb.errors import translated
from socialpub.adapters.dynamodb.guards import guarded_transaction, workspace_guard
from socialpub.adapters.dynamodb.loading import load_all
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.domain.analytics import (
    AccountMetrics,
    FollowerPoint,
    PostFigures,
    Rollup,
    Snapshot,
    TargetMetrics,
    TopPost,
    delta,
)
from socialpub.domain.posts import ConcurrentModification
from socialpub.domain.records import checked

RETENTION = timedelta(days=400)
TOP_PER_DAY = 10
TARGETS_DUE = "metrics_target"
ACCOUNTS_DUE = "metrics_account"
CONTENT_CHARS = 280
KEYED_ID_CHARS = 200  # a network post id longer than this is keyed by its hash (a key holds 1,024 bytes)


def _ws(workspace_id: str) -> dict[str, str]:
    return {"S": f"WS#{workspace_id}"}


def target_sk(post_id: str, account_id: str) -> str:
    return f"METRICS#POST#{post_id}#{account_id}"


def post_marker_sk(post_id: str) -> str:
    """The post's marker: first of its figures' range, so that one Query tells both that the post
    exists and what its figures are (written and deleted in the post's own transactions)."""
    return f"METRICS#POST#{post_id}#"


def post_marker(workspace_id: str, post_id: str) -> dict[str, Any]:
    """The marker's item, for the post's create transaction."""
    return to_item(
        {"pk": f"WS#{workspace_id}", "sk": post_marker_sk(post_id), "kind": "post_marker", "post_id": post_id}
    )


def account_sk(account_id: str) -> str:
    return f"METRICS#ACCOUNT#{account_id}"


def posted_sk(account_id: str, network_post_id: str) -> str:
    """Which post an account's network post id belongs to (the network's ids are far shorter than
    the cap; a longer one, never seen, is hashed so that no id can break the publisher's write)."""
    key = network_post_id
    if len(network_post_id.encode()) > KEYED_ID_CHARS:
        key = "sha256:" + hashlib.sha256(network_post_id.encode()).hexdigest()
    return f"METRICS#POSTED#{account_id}#{key}"


def _hour(moment: datetime) -> str:
    return iso(moment)[:13]


def _day(moment: datetime) -> str:
    return iso(moment)[:10]


class DynamoAnalyticsRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table

    # ------------------------------------------------------------------ items

    def _target_item(self, m: TargetMetrics) -> dict[str, Any]:
        values: dict[str, Any] = {
            "pk": f"WS#{m.workspace_id}",
            "sk": target_sk(m.post_id, m.account_id),
            "kind": "target_metrics",
            **checked(m).model_dump(mode="json"),
        }
        if m.next_at is not None:
            values["sweep_pk"] = TARGETS_DUE
            values["sweep_sk"] = f"{iso(m.next_at)}#{m.workspace_id}#{m.post_id}#{m.account_id}"
        return to_item(values)

    def _account_item(self, m: AccountMetrics) -> dict[str, Any]:
        values: dict[str, Any] = {
            "pk": f"WS#{m.workspace_id}",
            "sk": account_sk(m.account_id),
            "kind": "account_metrics",
            **checked(m).model_dump(mode="json"),
        }
        if m.next_at is not None:
            values["sweep_pk"] = ACCOUNTS_DUE
            values["sweep_sk"] = f"{iso(m.next_at)}#{m.workspace_id}#{m.account_id}"
        return to_item(values)

    def tracking(self, m: TargetMetrics) -> list[dict[str, Any]]:
        """Transaction items that start collecting a target just published (the publisher's final
        write carries them): its latest item, unless one exists, and its account's, kept if present;
        and the item that finds the post from the network's id of it on that account."""
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": self._target_item(m),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            self.account_tracking(m.workspace_id, m.account_id, m.platform, m.next_at or m.published_at),
            self._posted(m),
        ]

    def _posted(self, m: TargetMetrics) -> dict[str, Any]:
        """The (account, network post id) -> post item: Publora's statistics name a post by its
        postedId alone, and the target items are keyed by post, so without it finding one would
        read every target of the workspace (no index holds the network's id). Unconditional and
        idempotent, it adds no way for the publisher's final write to fail (at most once stays);
        an id recorded again (a release id typed by hand) points to its latest post."""
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(
                    {
                        "pk": f"WS#{m.workspace_id}",
                        "sk": posted_sk(m.account_id, m.network_post_id),
                        "kind": "posted_id",
                        "post_id": m.post_id,
                        "account_id": m.account_id,
                        "platform": m.platform,
                        "network_post_id": m.network_post_id,
                    }
                ),
            }
        }

    def account_tracking(self, workspace_id: str, account_id: str, platform: str, due: datetime) -> dict[str, Any]:
        """A transaction item that has the account's figures read daily from ``due`` on (connecting
        writes it; a publish too, for accounts connected before analytics): an existing item is kept."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": _ws(workspace_id), "sk": {"S": account_sk(account_id)}},
                "UpdateExpression": "SET kind = :kind, workspace_id = :ws, account_id = :acc, platform = :pl, "
                "available = if_not_exists(available, :yes), version = if_not_exists(version, :zero), "
                "next_at = if_not_exists(next_at, :next), sweep_pk = if_not_exists(sweep_pk, :due), "
                "sweep_sk = if_not_exists(sweep_sk, :sweep)",
                "ExpressionAttributeValues": {
                    ":kind": {"S": "account_metrics"},
                    ":ws": {"S": workspace_id},
                    ":acc": {"S": account_id},
                    ":pl": {"S": platform},
                    ":yes": {"BOOL": True},
                    ":zero": {"N": "0"},
                    ":next": {"S": iso(due)},
                    ":due": {"S": ACCOUNTS_DUE},
                    ":sweep": {"S": f"{iso(due)}#{workspace_id}#{account_id}"},
                },
            }
        }

    # ------------------------------------------------------------------ read side

    def post_metrics(self, workspace_id: str, post_id: str) -> tuple[list[TargetMetrics], list[Snapshot]]:
        figures = self.post_figures(workspace_id, post_id)
        return figures.targets, figures.snapshots

    def post_figures(self, workspace_id: str, post_id: str) -> PostFigures:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": _ws(workspace_id), ":prefix": {"S": post_marker_sk(post_id)}},
        )
        marked = any(r.get("kind") == "post_marker" for r in records)
        latest = [r for r in records if r.get("kind") == "target_metrics"]
        readings = sorted((r for r in records if r.get("kind") == "snapshot"), key=lambda r: str(r["at"]))
        return PostFigures(
            marked=marked,
            targets=load_all(TargetMetrics, latest, "target metrics"),
            snapshots=load_all(Snapshot, readings, "metrics reading"),
        )

    def rollups(self, workspace_id: str, granularity: str, start: datetime, end: datetime) -> list[Rollup]:
        unit, cut = ("H", _hour) if granularity == "hour" else ("D", _day)
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues={
                ":pk": _ws(workspace_id),
                ":from": {"S": f"ROLLUP#{unit}#{cut(start)}"},
                ":to": {"S": f"ROLLUP#{unit}#{cut(end)}#~"},
            },
        )
        return load_all(_rollup, records, "rollup")

    def top_posts(self, workspace_id: str, start: datetime, end: datetime) -> list[TopPost]:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues={
                ":pk": _ws(workspace_id),
                ":from": {"S": f"TOP#{_day(start)}"},
                ":to": {"S": f"TOP#{_day(end)}"},
            },
        )
        found = [entry for r in records for entry in load_all(TopPost, r.get("entries") or [], "top post")]
        return [t for t in found if start <= t.published_at <= end]

    def account_metrics(self, workspace_id: str) -> list[AccountMetrics]:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression="kind = :kind",
            ExpressionAttributeValues={
                ":pk": _ws(workspace_id),
                ":prefix": {"S": "METRICS#ACCOUNT#"},
                ":kind": {"S": "account_metrics"},
            },
        )
        return load_all(AccountMetrics, records, "account metrics")

    def audience(
        self, workspace_id: str, start: datetime, end: datetime
    ) -> tuple[list[AccountMetrics], dict[str, list[FollowerPoint]]]:
        """Every account's figures and its follower counts from start to end, in one walk of the
        ``METRICS#ACCOUNT#`` range: the daily counts sit in it beside each account's item, and a
        Query reads them anyway (a filter saves no read), so no Query per account is needed."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": _ws(workspace_id), ":prefix": {"S": "METRICS#ACCOUNT#"}},
        )
        accounts = load_all(
            AccountMetrics, [r for r in records if r.get("kind") == "account_metrics"], "account metrics"
        )
        histories: dict[str, list[FollowerPoint]] = {}
        for account in accounts:
            prefix = f"{account_sk(account.account_id)}#DAY#"
            low, high = prefix + _day(start), prefix + _day(end)  # as follower_history's BETWEEN
            days = [r for r in records if r.get("kind") == "follower_count" and low <= str(r["sk"]) <= high]
            histories[account.account_id] = load_all(FollowerPoint, days, "follower count")
        return accounts, histories

    def follower_history(
        self, workspace_id: str, account_id: str, start: datetime, end: datetime
    ) -> list[FollowerPoint]:
        prefix = f"{account_sk(account_id)}#DAY#"
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues={
                ":pk": _ws(workspace_id),
                ":from": {"S": prefix + _day(start)},
                ":to": {"S": prefix + _day(end)},
            },
        )
        return load_all(FollowerPoint, records, "follower count")

    # ------------------------------------------------------------------ due

    def _due(self, kind: str, now: datetime, limit: int) -> list[dict[str, Any]]:
        with translated():
            page = self._ddb.query(
                TableName=self._table,
                IndexName="to_sweep",
                KeyConditionExpression="sweep_pk = :kind AND sweep_sk <= :now",
                ExpressionAttributeValues={":kind": {"S": kind}, ":now": {"S": f"{iso(now)}~"}},
                Limit=limit,
            )
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in page.get("Items", [])]
        return batch_get_all(self._ddb, self._table, keys) if keys else []

    def due_targets(self, now: datetime, limit: int) -> list[TargetMetrics]:
        due = load_all(TargetMetrics, self._due(TARGETS_DUE, now, limit), "target metrics")
        return sorted((m for m in due if m.next_at and m.next_at <= now), key=lambda m: m.next_at or now)

    def due_accounts(self, now: datetime, limit: int) -> list[AccountMetrics]:
        due = load_all(AccountMetrics, self._due(ACCOUNTS_DUE, now, limit), "account metrics")
        return sorted((m for m in due if m.next_at and m.next_at <= now), key=lambda m: m.next_at or now)

    def posted(self, workspace_id: str, account_id: str, network_post_id: str) -> str | None:
        """The id of the post the account published as ``network_post_id`` (None: none did)."""
        with translated():
            found = self._ddb.get_item(
                TableName=self._table,
                Key={"pk": _ws(workspace_id), "sk": {"S": posted_sk(account_id, network_post_id)}},
                ConsistentRead=True,
            ).get("Item")
        if not found:
            return None
        record = from_item(found)
        # A hashed key could only ever be shared by another id with the same hash: checked anyway.
        return str(record["post_id"]) if record.get("network_post_id") == network_post_id else None

    def target(self, workspace_id: str, post_id: str, account_id: str) -> TargetMetrics | None:
        with translated():
            found = self._ddb.get_item(
                TableName=self._table,
                Key={"pk": _ws(workspace_id), "sk": {"S": target_sk(post_id, account_id)}},
                ConsistentRead=True,
            ).get("Item")
        return TargetMetrics.model_validate(from_item(found)) if found else None

    # ------------------------------------------------------------------ write side

    def record_target(self, previous: TargetMetrics, current: TargetMetrics, snapshot: Snapshot | None) -> None:
        put = {
            "Put": {
                "TableName": self._table,
                "Item": self._target_item(current),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(previous.version)}},
            }
        }
        items: list[dict[str, Any]] = [put]
        if snapshot is not None:
            items += self._reading(previous, current, snapshot)
        items.append(workspace_guard(self._table, current.workspace_id))
        conflict = ConcurrentModification(details={"post_id": current.post_id, "account_id": current.account_id})
        with guarded_transaction(current.workspace_id, conflict):
            self._ddb.transact_write_items(TransactItems=items)

    def _reading(self, previous: TargetMetrics, current: TargetMetrics, snapshot: Snapshot) -> list[dict[str, Any]]:
        ws, table = current.workspace_id, self._table
        moved = delta(current.metrics, previous.metrics if previous.collections else None)
        first = previous.collections == 0
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": table,
                    "Item": to_item(
                        {
                            "pk": f"WS#{ws}",
                            "sk": f"{target_sk(current.post_id, current.account_id)}#AT#{iso(snapshot.at)}",
                            "kind": "snapshot",
                            **checked(snapshot).model_dump(mode="json"),
                            "expires_at": int((snapshot.at + RETENTION).timestamp()),
                        }
                    ),
                }
            }
        ]
        for unit, period in (("D", _day(current.published_at)), ("H", _hour(current.published_at))):
            if not moved and not first:
                break
            names = {"#p": "platform", "#a": "account_id"}
            values: dict[str, Any] = {
                ":p": {"S": current.platform},
                ":a": {"S": current.account_id},
                ":period": {"S": period},
                ":exp": {"N": str(int((current.published_at + RETENTION).timestamp()))},
            }
            adds = []
            if first:
                adds.append("posts :one")
                values[":one"] = {"N": "1"}
            for index, (name, amount) in enumerate(sorted(moved.items())):
                names[f"#f{index}"] = f"f_{name}"
                values[f":f{index}"] = {"N": str(amount)}
                adds.append(f"#f{index} :f{index}")
            items.append(
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": _ws(ws), "sk": {"S": f"ROLLUP#{unit}#{period}#{current.account_id}"}},
                        "UpdateExpression": "SET #p = :p, #a = :a, period = :period, expires_at = :exp ADD "
                        + ", ".join(adds),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                }
            )
        # The post's own figures (what GET /api/posts shows), per account: a post deleted meanwhile
        # fails the transaction, and the collector stops.
        figures = {
            k: v for k, v in current.metrics.figures().items() if k in ("impressions", "reach", "engagement", "clicks")
        }
        items.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": _ws(ws), "sk": {"S": f"POST#{current.post_id}"}},
                    "UpdateExpression": "SET analytics.#acc = :m",
                    "ConditionExpression": "attribute_exists(pk) AND attribute_type(analytics, :map)",
                    "ExpressionAttributeNames": {"#acc": current.account_id},
                    "ExpressionAttributeValues": {
                        ":m": value({"platform": current.platform, **figures}),
                        ":map": {"S": "M"},
                    },
                }
            }
        )
        top = self._top_change(current)
        if top is not None:
            items.append(top)
        return items

    def _top_change(self, current: TargetMetrics) -> dict[str, Any] | None:
        """The day's top posts with this one in, if it belongs there (read, then written with the
        version read: two readings at once cannot lose each other's entry)."""
        impressions, engagement = current.metrics.impressions, current.metrics.engagement
        if not impressions and not engagement:
            return None
        day = _day(current.published_at)
        key = {"pk": _ws(current.workspace_id), "sk": {"S": f"TOP#{day}"}}
        with translated():
            found = self._ddb.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        stored = from_item(found) if found else {}
        version = int(stored.get("version", 0))
        entries = load_all(TopPost, stored.get("entries") or [], "top post")
        entry = TopPost(
            post_id=current.post_id,
            platform=current.platform,
            content=current.content[:CONTENT_CHARS],
            impressions=impressions,
            engagement=engagement,
            published_at=current.published_at,
        )
        # One entry per (post, network): a post's best network is chosen when read.
        kept = [e for e in entries if (e.post_id, e.platform) != (entry.post_id, entry.platform)] + [entry]
        kept.sort(key=lambda e: (e.impressions or 0, e.engagement or 0), reverse=True)
        kept = kept[:TOP_PER_DAY]
        if kept == entries:
            return None
        condition = "version = :v" if found else "attribute_not_exists(pk)"
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(
                    {
                        **key_values(key),
                        "kind": "top_posts",
                        "entries": [e.model_dump(mode="json") for e in kept],
                        "version": version + 1,
                        "expires_at": int((current.published_at + RETENTION).timestamp()),
                    }
                ),
                "ConditionExpression": condition,
                **({"ExpressionAttributeValues": {":v": {"N": str(version)}}} if found else {}),
            }
        }

    def record_account(self, previous: AccountMetrics, current: AccountMetrics) -> None:
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": self._account_item(current),
                    "ConditionExpression": "attribute_not_exists(pk) OR version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(previous.version)}},
                }
            }
        ]
        if (
            current.followers is not None
            and current.collected_at is not None
            and current.collected_at != previous.collected_at
        ):
            point = FollowerPoint(day=_day(current.collected_at), followers=current.followers)
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(
                            {
                                "pk": f"WS#{current.workspace_id}",
                                "sk": f"{account_sk(current.account_id)}#DAY#{point.day}",
                                "kind": "follower_count",
                                **point.model_dump(),
                                "expires_at": int((current.collected_at + RETENTION).timestamp()),
                            }
                        ),
                    }
                }
            )
            # The account's own follower count (GET /api/accounts), if it is still connected.
            items.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"pk": _ws(current.workspace_id), "sk": {"S": f"ACCOUNT#{current.account_id}"}},
                        "UpdateExpression": "SET stats.followers = :f",
                        "ConditionExpression": "attribute_exists(pk) AND attribute_type(stats, :map)",
                        "ExpressionAttributeValues": {":f": {"N": str(current.followers)}, ":map": {"S": "M"}},
                    }
                }
            )
        items.append(workspace_guard(self._table, current.workspace_id))
        with guarded_transaction(
            current.workspace_id, ConcurrentModification(details={"account_id": current.account_id})
        ):
            self._ddb.transact_write_items(TransactItems=items)


def key_values(key: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: attribute["S"] for name, attribute in key.items()}


def _rollup(record: dict[str, Any]) -> Rollup:
    figures = {name.removeprefix("f_"): int(v) for name, v in record.items() if name.startswith("f_")}
    return Rollup(
        period=str(record["period"]),
        account_id=str(record["account_id"]),
        platform=str(record["platform"]),
        posts=int(record.get("posts", 0)),
        figures=figures,
    )
