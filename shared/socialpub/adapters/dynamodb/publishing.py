"""Publishing state in the workspaces table:

- ``WS#<ws> / POST#<post>#T#<account>``: a target (one post to one account) with its checkpoints;
  every write is conditional on the revision read (``rev``), so a run that lost its lease fails
  instead of overwriting the run that took over. Until it is final it is also in the sparse
  ``to_sweep`` index, under what it waits for (``sweep_pk`` = ``target_queued``, ``target_leased``
  or ``target_retry``, ``sweep_sk`` = ``<since or until when>#<post>#<account>``), so the schedule
  sweeper finds the targets nothing will run any more with one query per kind.
- ``PLATFORM#<network> / DAY#<yyyy-mm-dd>``: per-network counters (published, failed, latency, error
  codes, last success), added in the same transaction that finishes a target; kept 400 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from socialpub.adapters.dynamodb.analytics import DynamoAnalyticsRepository
from socialpub.adapters.dynamodb.codec import from_item, iso, to_item
from socialpub.adapters.dynamodb.errors import error_code, translated
from socialpub.adapters.dynamodb.events import event_put
from socialpub.adapters.dynamodb.guards import guarded_transaction
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.posts import DynamoPostRepository, post_from_record
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.adapters.dynamodb.schedules import stats_update
from socialpub.domain.analytics import TargetMetrics
from socialpub.domain.events import Event
from socialpub.domain.ports import StoredRun
from socialpub.domain.posts import PUBLISHED_STATUSES, ConcurrentModification, Post
from socialpub.domain.publishing import PublishStat, Target, Waiting
from socialpub.domain.records import checked
from socialpub.domain.schedules import week_key

STATS_RETENTION = timedelta(days=400)
TO_SWEEP = "to_sweep"


def _sweep_pk(kind: Waiting) -> str:
    return f"target_{kind.value}"


def _target_sk(post_id: str, account_id: str) -> str:
    return f"POST#{post_id}#T#{account_id}"


class DynamoTargetRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name
        self._posts = DynamoPostRepository(client, table_name)

    def begin(self, post: Post, previous: Post, targets: list[Target]) -> None:
        """The post goes to publishing and its targets are (re)written, at once."""
        puts = [self._put(t, expected=None) for t in targets]
        with guarded_transaction(post.workspace_id, ConcurrentModification(details={"post_id": post.id})):
            self._ddb.transact_write_items(TransactItems=self._posts.save_items(post, previous, also=puts))

    def settle(self, post: Post, previous: Post, event: Event | None) -> None:
        """The post's progress (and final status, with its event) from its targets."""
        with guarded_transaction(post.workspace_id, ConcurrentModification(details={"post_id": post.id})):
            self._ddb.transact_write_items(TransactItems=self._settle_items(post, previous, event))

    def record(
        self,
        target: Target,
        expected_rev: int,
        tracking: TargetMetrics | None,
        post: Post,
        previous: Post,
        event: Event | None,
    ) -> None:
        """A target made final by hand (a post id the user found on the network) and the post settled
        from it, in one transaction: the target's write asserts its revision and the post's its
        version, so a publisher run that wrote either meanwhile is never overwritten."""
        analytics = DynamoAnalyticsRepository(self._ddb, self._table).tracking(tracking) if tracking else []
        also = [self._put(target, expected=expected_rev), *analytics]
        with guarded_transaction(post.workspace_id, ConcurrentModification(details={"post_id": post.id})):
            self._ddb.transact_write_items(TransactItems=self._settle_items(post, previous, event, also))

    def _settle_items(
        self, post: Post, previous: Post, event: Event | None, also: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """The post's write with its event, and the count of its queue schedule's published posts
        when it first comes out."""
        items = [*(also or []), *([event_put(self._table, event)] if event else [])]
        if post.queue_schedule_id and post.status in PUBLISHED_STATUSES and previous.status not in PUBLISHED_STATUSES:
            week = week_key(post.published_at or post.updated_at, post.scheduled_timezone or "UTC")
            items.append(stats_update(self._table, post.workspace_id, post.queue_schedule_id, week))
        return self._posts.save_items(post, previous, also=items)

    def get(self, workspace_id: str, post_id: str, account_id: str) -> Target | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table,
                Key={"pk": {"S": f"WS#{workspace_id}"}, "sk": {"S": _target_sk(post_id, account_id)}},
                ConsistentRead=True,
            ).get("Item")
        return load(Target, from_item(item), "publish target") if item else None

    def run_of(self, workspace_id: str, post_id: str, account_id: str) -> StoredRun:
        """One consistent Query of the post's item collection (``POST#<post>``...): the post, its
        network index items (skipped) and its targets, so a run reads all it needs in one call."""
        post, records = self._collection(workspace_id, post_id)
        mine = next((r for r in records if r["sk"] == _target_sk(post_id, account_id)), None)
        siblings = load_all(Target, records, "publish target")
        return StoredRun(
            target=load(Target, mine, "publish target") if mine else None,
            targets={t.account_id: t for t in siblings},
            post=lambda: post_from_record(post) if post else None,
        )

    def post_and_targets(self, workspace_id: str, post_id: str) -> tuple[Post | None, list[Target]]:
        """The post (DamagedItem if it does not read) and its readable targets, in the one Query of
        ``run_of`` (publishing a post reads both)."""
        post, records = self._collection(workspace_id, post_id)
        return (post_from_record(post) if post else None), load_all(Target, records, "publish target")

    def _collection(self, workspace_id: str, post_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The post's record and its targets' records, from one consistent Query of its collection."""
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":p": {"S": f"POST#{post_id}"}},
            ConsistentRead=True,
        )
        post_sk, prefix = f"POST#{post_id}", f"POST#{post_id}#T#"
        post = next((r for r in records if r["sk"] == post_sk), None)
        return post, [r for r in records if str(r["sk"]).startswith(prefix)]

    def of_post(self, workspace_id: str, post_id: str) -> list[Target]:
        records = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :t)",
            ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":t": {"S": f"POST#{post_id}#T#"}},
            ConsistentRead=True,
        )
        return load_all(Target, records, "publish target")

    def save(self, target: Target, expected_rev: int) -> None:
        """Write the target if nobody wrote it since revision ``expected_rev`` (ConcurrentModification)."""
        try:
            with translated():
                self._ddb.put_item(**self._put(target, expected=expected_rev)["Put"])
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConcurrentModification(details={"post_id": target.post_id}) from exc
            raise

    def finish(
        self,
        target: Target,
        expected_rev: int | None,
        stat: PublishStat,
        tracking: TargetMetrics | None = None,
        settled: tuple[Post, Post, Event | None] | None = None,
    ) -> None:
        """The target's final state and its network's counters, at once; with ``tracking``, the start
        of its analytics (collected from now on); with ``settled`` (post, previous, event), the post
        settled from it, in the same transaction. ``expected_rev`` None: the stored target could not
        be read (damaged), so it is replaced whatever it holds, if still there."""
        outcome = "published" if stat.published else "failed"
        names = {"#o": outcome}
        values: dict[str, Any] = {
            ":one": {"N": "1"},
            ":ms": {"N": str(stat.latency_ms)},
            ":exp": {"N": str(int((stat.at + STATS_RETENTION).timestamp()))},
        }
        update = "ADD #o :one, latency_ms_total :ms, finished :one SET expires_at = :exp"
        if stat.published:
            update += ", last_success_at = :at"
            values[":at"] = {"S": iso(stat.at)}
        if stat.error_code:
            names["#e"] = f"error_{stat.error_code}"
            update = update.replace("finished :one", "finished :one, #e :one")
        stats = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": f"PLATFORM#{stat.platform}"}, "sk": {"S": f"DAY#{stat.at.date().isoformat()}"}},
                "UpdateExpression": update,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        put = self._put(target, expected=expected_rev)
        if expected_rev is None:  # not if the post (and its targets) was deleted meanwhile
            put["Put"]["ConditionExpression"] = "attribute_exists(pk)"
        with guarded_transaction(target.workspace_id, ConcurrentModification(details={"post_id": target.post_id})):
            analytics = DynamoAnalyticsRepository(self._ddb, self._table).tracking(tracking) if tracking else []
            items = [put, stats, *analytics]
            if settled is not None:
                items = self._settle_items(*settled, also=items)
            self._ddb.transact_write_items(TransactItems=items)

    def stalled(self, now: datetime, patience: timedelta, limit: int) -> list[tuple[str, str, str]]:
        """(workspace, post, account) of targets that look stalled (see Target.stalled), oldest first,
        at most ``limit``: from the ``to_sweep`` index, which lags a little, so callers read each again."""
        found: list[tuple[str, str, str]] = []
        for kind, until in (
            (Waiting.LEASE, now),
            (Waiting.QUEUE, now - patience),
            (Waiting.RETRY, now - patience),
        ):
            for key in self._sweep_keys(kind, until, limit - len(found)):
                post_id, _, account_id = key["sk"].removeprefix("POST#").partition("#T#")
                found.append((key["pk"].removeprefix("WS#"), post_id, account_id))
            if len(found) >= limit:
                break
        return found

    def _sweep_keys(self, kind: Waiting, until: datetime, limit: int) -> Iterator[dict[str, str]]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": TO_SWEEP,
            "KeyConditionExpression": "sweep_pk = :k AND sweep_sk <= :until",
            "ExpressionAttributeValues": {":k": {"S": _sweep_pk(kind)}, ":until": {"S": f"{iso(until)}#~"}},
        }
        seen = 0
        with translated():
            while seen < limit:
                page = self._ddb.query(**query, Limit=limit - seen)
                for item in page.get("Items", []):
                    seen += 1
                    yield {"pk": item["pk"]["S"], "sk": item["sk"]["S"]}
                if "LastEvaluatedKey" not in page:
                    return
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def platform_day(self, platform: str, day: str) -> dict[str, Any]:
        """One network's counters for one UTC day (for the admin platform-health view and tests)."""
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key={"pk": {"S": f"PLATFORM#{platform}"}, "sk": {"S": f"DAY#{day}"}}
            ).get("Item")
        return from_item(item) if item else {}

    def platform_days(self, platforms: list[str], days: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Several networks' counters over several UTC days, in one BatchGetItem; by network."""
        keys = [{"pk": {"S": f"PLATFORM#{p}"}, "sk": {"S": f"DAY#{d}"}} for p in platforms for d in days]
        found: dict[str, list[dict[str, Any]]] = {p: [] for p in platforms}
        for record in batch_get_all(self._ddb, self._table, keys):
            found[str(record["pk"]).removeprefix("PLATFORM#")].append(record)
        return found

    def _put(self, target: Target, *, expected: int | None) -> dict[str, Any]:
        record = {
            **checked(target).model_dump(mode="json"),
            "pk": f"WS#{target.workspace_id}",
            "sk": _target_sk(target.post_id, target.account_id),
            "entity": "publish_target",
        }
        waiting = target.waiting()
        if waiting is not None:
            kind, at = waiting
            record["sweep_pk"] = _sweep_pk(kind)
            record["sweep_sk"] = f"{iso(at)}#{target.post_id}#{target.account_id}"
        put: dict[str, Any] = {"TableName": self._table, "Item": to_item(record)}
        if expected is not None:
            put["ConditionExpression"] = "#rev = :rev"
            put["ExpressionAttributeNames"] = {"#rev": "rev"}
            put["ExpressionAttributeValues"] = {":rev": {"N": str(expected)}}
        return {"Put": put}
