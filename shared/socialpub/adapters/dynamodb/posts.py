"""Posts and media in the workspaces table, inside their workspace's partition ``pk=WS#<id>``.

Items (see docs/data-model.md):

- ``sk=POST#<post>``: the post, with its attached media inline (one read serves GET and lists).
- ``sk=POST#<post>#P#<network>``: one per target network, so "posts for LinkedIn" is an index query.
- ``sk=MEDIA#<media>``: a media item, found by id for confirm and delete (a post's, or with no post,
  a file of the workspace's media library).
- ``pk=UPLOAD#<media>``, ``sk=UPLOAD``: beside each library file, which workspace holds it, for its
  public path, which names the file alone (domain/services/media_library.py).
- ``sk=POST#<post>#T#<account>``: a publishing target (adapters/dynamodb/publishing.py).
- ``sk=METRICS#POST#<post>#``: the post's marker, first of its figures' range, so that its analytics
  are one Query (adapters/dynamodb/analytics.py); put and deleted with the post.

A scheduled post's item also carries ``sweep_pk=scheduled`` / ``sweep_sk=<due time>#<post>``: the
sparse ``to_sweep`` index, across workspaces, that the schedule sweeper reads (publishing targets
are in it too, adapters/dynamodb/publishing.py). A post queued into a
schedule holds its slot claims (adapters/dynamodb/schedules.py) while it is scheduled.

Lists read two sparse, keys-only GSIs sorted by ``list_sk`` (the post's date, then its id):
``posts_by_date`` on ``list_pk`` (all posts, or one network's) and ``posts_by_status`` on
``status_pk`` (the same, for one status). Then one BatchGetItem fetches the page's posts. Every
write is a transaction that also checks the workspace is active and moves its counters.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from socialpub.adapters.dynamodb.analytics import post_marker, post_marker_sk
from socialpub.adapters.dynamodb.codec import from_item, iso, to_item
from socialpub.adapters.dynamodb.errors import translated
from socialpub.adapters.dynamodb.events import event_put
from socialpub.adapters.dynamodb.guards import guarded_transaction, workspace_guard
from socialpub.adapters.dynamodb.loading import load, load_all
from socialpub.adapters.dynamodb.queries import batch_get_all, query_all
from socialpub.adapters.dynamodb.schedules import claim_puts, claim_sk
from socialpub.domain.errors import InvalidInput
from socialpub.domain.events import Event
from socialpub.domain.media import Media, MediaStatus
from socialpub.domain.posts import ConcurrentModification, Post, PostFilter, PostStatus, counter_deltas, sort_key
from socialpub.domain.quotas import Cap
from socialpub.domain.records import checked
from socialpub.domain.schedules import Claim

BY_DATE = "posts_by_date"
BY_STATUS = "posts_by_status"
TO_SWEEP = "to_sweep"


def _pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


def _post_sk(post_id: str) -> str:
    return f"POST#{post_id}"


def _key(workspace_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": _pk(workspace_id)}, "sk": {"S": sk}}


def _list_pk(workspace_id: str, platform: str | None) -> str:
    return f"WS#{workspace_id}#POSTS" if platform is None else f"WS#{workspace_id}#P#{platform}"


def _index_records(post: Post) -> Iterator[tuple[str, dict[str, Any]]]:
    """(sk, index attributes) of the post item and of each of its target items."""
    list_sk = sort_key(post.listed_at, post.id)
    for platform in (None, *post.platforms):
        list_pk = _list_pk(post.workspace_id, platform)
        sk = _post_sk(post.id) if platform is None else f"{_post_sk(post.id)}#P#{platform}"
        yield sk, {"list_pk": list_pk, "status_pk": f"{list_pk}#S#{post.status.value}", "list_sk": list_sk}


def _sweep_index(post: Post) -> dict[str, str]:
    if post.status is PostStatus.SCHEDULED and post.scheduled_at is not None:
        return {"sweep_pk": PostStatus.SCHEDULED.value, "sweep_sk": f"{iso(post.scheduled_at)}#{post.id}"}
    return {}


def _claims(post: Post) -> dict[str, Claim]:
    """The slot claims a post holds: one per network while it is scheduled into a schedule's slot."""
    if post.status is not PostStatus.SCHEDULED or post.queue_schedule_id is None or post.scheduled_at is None:
        return {}
    return {
        claim_sk(post.queue_schedule_id, post.scheduled_at, n): Claim(at=post.scheduled_at, network=n, post_id=post.id)
        for n in post.platforms
    }


class DynamoPostRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    # ------------------------------------------------------------------ posts

    def create(self, post: Post, event: Event | None = None, *, caps: Sequence[Cap] = ()) -> None:
        items = [
            self._put_post(post, ConditionExpression="attribute_not_exists(pk)"),
            *self._put_targets(post),
            {"Put": {"TableName": self._table, "Item": post_marker(post.workspace_id, post.id)}},
            *([event_put(self._table, event)] if event else []),
            workspace_guard(self._table, post.workspace_id, counter_deltas(None, post), caps),
        ]
        self._transact(items, post, caps)

    def get(self, workspace_id: str, post_id: str) -> Post | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=_key(workspace_id, _post_sk(post_id)), ConsistentRead=True
            ).get("Item")
        return _post(item) if item else None

    def save(self, post: Post, previous: Post, event: Event | None = None) -> None:
        self._transact(self.save_items(post, previous, also=[event_put(self._table, event)] if event else []), post)

    def delete(self, post: Post, event: Event | None = None) -> None:
        items = [
            {
                "Delete": {
                    "TableName": self._table,
                    "Key": _key(post.workspace_id, _post_sk(post.id)),
                    **_version_condition(post.version),
                }
            },
            *(self._delete(post.workspace_id, sk) for sk, _ in list(_index_records(post))[1:]),
            self._delete(post.workspace_id, post_marker_sk(post.id)),
            *(self._delete(post.workspace_id, f"MEDIA#{m.id}") for m in post.media),
            *(self._delete(post.workspace_id, sk) for sk in _claims(post)),
            *(
                self._delete(post.workspace_id, f"{_post_sk(post.id)}#T#{p.account_id}")
                for p in post.platform_posts
                if p.account_id
            ),
            *([event_put(self._table, event)] if event else []),
            self._workspace_update(post.workspace_id, counter_deltas(post, None)),
        ]
        self._transact(items, post)

    # ------------------------------------------------------------------ lists

    def page(self, workspace_id: str, where: PostFilter, *, page: int, per_page: int) -> tuple[list[Post], int]:
        """Walks the matching index keys once: counts them all, keeps the requested page's ids."""
        query = self._query(workspace_id, where)
        start = (page - 1) * per_page
        total = 0
        wanted: list[str] = []
        with translated():
            while True:
                result = self._ddb.query(**query)
                for item in result.get("Items", []):
                    if start <= total < start + per_page:
                        wanted.append(_post_id(item))
                    total += 1
                if "LastEvaluatedKey" not in result:
                    break
                query["ExclusiveStartKey"] = result["LastEvaluatedKey"]
        return self._posts(workspace_id, wanted), total

    def after(
        self, workspace_id: str, where: PostFilter, *, cursor: str | None, per_page: int
    ) -> tuple[list[Post], str | None]:
        query = self._query(workspace_id, where)
        key_attribute = query["ExpressionAttributeNames"]["#k"]
        if cursor:
            query["ExclusiveStartKey"] = _decode_cursor(cursor, workspace_id, key_attribute, query)
        query["Limit"] = per_page + 1  # one more tells whether another page exists
        with translated():
            items = self._ddb.query(**query).get("Items", [])
        next_cursor = _encode_cursor(items[per_page - 1]) if len(items) > per_page else None
        return self._posts(workspace_id, [_post_id(i) for i in items[:per_page]]), next_cursor

    def _query(self, workspace_id: str, where: PostFilter) -> dict[str, Any]:
        base = _list_pk(workspace_id, where.platform)
        index, attribute, key = (
            (BY_STATUS, "status_pk", f"{base}#S#{where.status.value}") if where.status else (BY_DATE, "list_pk", base)
        )
        condition = "#k = :k"
        values: dict[str, Any] = {":k": {"S": key}}
        # list_sk is "<fixed-width UTC time>#<id>"; "~" sorts after every id character.
        if where.start and where.end:
            condition += " AND list_sk BETWEEN :from AND :to"
        elif where.start:
            condition += " AND list_sk >= :from"
        elif where.end:
            condition += " AND list_sk <= :to"
        if where.start:
            values[":from"] = {"S": iso(where.start)}
        if where.end:
            values[":to"] = {"S": f"{iso(where.end)}#~"}
        return {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#k": attribute},
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,  # newest first
        }

    def _posts(self, workspace_id: str, post_ids: list[str]) -> list[Post]:
        """The posts, in the given order (a post deleted meanwhile is left out)."""
        keys = [_key(workspace_id, _post_sk(i)) for i in dict.fromkeys(post_ids)]
        found = {post.id: post for post in load_all(Post, batch_get_all(self._ddb, self._table, keys), "post")}
        return [found[i] for i in post_ids if i in found]

    def sweepable(self, status: PostStatus, start: datetime, end: datetime) -> Iterable[tuple[str, str]]:
        keys = query_all(
            self._ddb,
            TableName=self._table,
            IndexName=TO_SWEEP,
            KeyConditionExpression="sweep_pk = :s AND sweep_sk BETWEEN :start AND :end",
            ExpressionAttributeValues={
                ":s": {"S": status.value},
                ":start": {"S": iso(start)},
                ":end": {"S": f"{iso(end)}#~"},
            },
        )
        return [(str(k["pk"]).removeprefix("WS#"), str(k["sk"]).split("#")[1]) for k in keys]

    # ------------------------------------------------------------------ media

    def get_media(self, workspace_id: str, media_id: str) -> Media | None:
        with translated():
            item = self._ddb.get_item(
                TableName=self._table, Key=_key(workspace_id, f"MEDIA#{media_id}"), ConsistentRead=True
            ).get("Item")
        return load(Media, from_item(item), "media") if item else None

    def add_pending_media(self, media: Media, *, expires_at: int) -> None:
        record = {**self._media_record(media), "expires_at": expires_at}
        with translated():
            self._ddb.put_item(TableName=self._table, Item=to_item(record))

    def pending_media(self, workspace_id: str, post_id: str) -> list[Media]:
        """The workspace's media items, filtered (media items are keyed by their id alone, so this
        reads every one of the workspace); only asking for a Publora upload URL needs it."""
        items = query_all(
            self._ddb,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :media)",
            FilterExpression="post_id = :post AND #st = :pending",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":pk": {"S": _pk(workspace_id)},
                ":media": {"S": "MEDIA#"},
                ":post": {"S": post_id},
                ":pending": {"S": MediaStatus.PENDING.value},
            },
            ConsistentRead=True,
        )
        return load_all(Media, items, "media")

    def attach_media(self, post: Post, previous: Post, media: Media) -> None:
        put_media = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(self._media_record(media)),  # a pending item becomes ready: no expiry
                "ConditionExpression": "attribute_not_exists(pk) OR #st = :pending",
                "ExpressionAttributeNames": {"#st": "status"},
                "ExpressionAttributeValues": {":pending": {"S": MediaStatus.PENDING.value}},
            }
        }
        self._transact(self.save_items(post, previous, also=[put_media]), post)

    def detach_media(self, post: Post, previous: Post, media: Media) -> None:
        also = [self._delete(media.workspace_id, f"MEDIA#{media.id}")]
        self._transact(self.save_items(post, previous, also=also), post)

    def forget_media(self, media: Media) -> None:
        with translated():
            self._ddb.delete_item(TableName=self._table, Key=_key(media.workspace_id, f"MEDIA#{media.id}"))

    # ------------------------------------------------------------------ the media library

    def add_library_media(self, media: Media) -> None:
        if media.post_id is not None:
            raise ValueError("a library file has no post")
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(self._media_record(media)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item({**upload_key(media.id), "entity": "upload", "workspace_id": media.workspace_id}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            workspace_guard(self._table, media.workspace_id, {"media_bytes": media.size}),
        ]
        with guarded_transaction(media.workspace_id):
            self._ddb.transact_write_items(TransactItems=items)

    def find_upload(self, media_id: str) -> Media | None:
        with translated():
            pointer = self._ddb.get_item(TableName=self._table, Key=to_item(upload_key(media_id))).get("Item")
        if pointer is None:
            return None
        return self.get_media(str(pointer["workspace_id"]["S"]), media_id)

    def remove_library_media(self, media: Media) -> None:
        items = [
            self._delete(media.workspace_id, f"MEDIA#{media.id}"),
            {"Delete": {"TableName": self._table, "Key": to_item(upload_key(media.id))}},
            workspace_guard(self._table, media.workspace_id, {"media_bytes": -media.size}),
        ]
        with guarded_transaction(media.workspace_id):
            self._ddb.transact_write_items(TransactItems=items)

    # ------------------------------------------------------------------ writes

    def save_items(self, post: Post, previous: Post, also: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        """Post first, then target changes (only those that moved), ``also``, the workspace last."""
        items = [self._put_post(post, **_version_condition(previous.version))]
        old = dict(list(_index_records(previous))[1:])
        new = dict(list(_index_records(post))[1:])
        items += [self._delete(post.workspace_id, sk) for sk in old.keys() - new.keys()]
        items += [put for put in self._put_targets(post) if old.get(put["Put"]["Item"]["sk"]["S"]) != _index_of(put)]
        held, wanted = _claims(previous), _claims(post)
        items += [self._delete(post.workspace_id, sk) for sk in held.keys() - wanted.keys()]
        items += claim_puts(self._table, post.workspace_id, {k: c for k, c in wanted.items() if k not in held})
        items += also
        items.append(self._workspace_update(post.workspace_id, counter_deltas(previous, post)))
        return items

    def _put_post(self, post: Post, **condition: Any) -> dict[str, Any]:
        sk, index = next(_index_records(post))
        record = {
            **checked(post).model_dump(mode="json"),
            **index,
            **_sweep_index(post),
            "pk": _pk(post.workspace_id),
            "sk": sk,
            "entity": "post",
        }
        return {"Put": {"TableName": self._table, "Item": to_item(record), **condition}}

    def _put_targets(self, post: Post) -> list[dict[str, Any]]:
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {**index, "pk": _pk(post.workspace_id), "sk": sk, "entity": "post_target", "post_id": post.id}
                    ),
                }
            }
            for sk, index in list(_index_records(post))[1:]
        ]

    def _delete(self, workspace_id: str, sk: str) -> dict[str, Any]:
        return {"Delete": {"TableName": self._table, "Key": _key(workspace_id, sk)}}

    def _media_record(self, media: Media) -> dict[str, Any]:
        return {
            **checked(media).model_dump(mode="json"),
            "pk": _pk(media.workspace_id),
            "sk": f"MEDIA#{media.id}",
            "entity": "media",
        }

    def _workspace_update(self, workspace_id: str, deltas: dict[str, int]) -> dict[str, Any]:
        return workspace_guard(self._table, workspace_id, deltas)

    def _transact(self, items: list[dict[str, Any]], post: Post, caps: Sequence[Cap] = ()) -> None:
        with guarded_transaction(post.workspace_id, ConcurrentModification(details={"post_id": post.id}), caps):
            self._ddb.transact_write_items(TransactItems=items)


def upload_key(media_id: str) -> dict[str, str]:
    """The key of the item that tells which workspace holds a library file."""
    return {"pk": f"UPLOAD#{media_id}", "sk": "UPLOAD"}


def _index_of(put: dict[str, Any]) -> dict[str, str]:
    item = put["Put"]["Item"]
    return {name: item[name]["S"] for name in ("list_pk", "status_pk", "list_sk")}


def _version_condition(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "version = :version",
        "ExpressionAttributeValues": {":version": {"N": str(version)}},
    }


def _post(item: dict[str, Any]) -> Post:
    return load(Post, from_item(item), "post")


def post_from_record(record: dict[str, Any]) -> Post:
    """A post of a record already decoded (read by a query of its item collection)."""
    return load(Post, record, "post")


def _post_id(item: dict[str, Any]) -> str:
    return str(item["sk"]["S"]).split("#")[1]


def _encode_cursor(item: dict[str, Any]) -> str:
    plain = {name: value["S"] for name, value in item.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, workspace_id: str, key_attribute: str, query: dict[str, Any]) -> dict[str, Any]:
    """A cursor is only good for the query that produced it (same workspace, network and status)."""
    invalid = InvalidInput("The cursor is not valid for this query", details={"field": "cursor"})
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise invalid from exc
    expected = {"pk", "sk", "list_sk", key_attribute}
    if (
        not isinstance(plain, dict)
        or set(plain) != expected
        or not all(isinstance(v, str) for v in plain.values())
        or plain["pk"] != _pk(workspace_id)
        or plain[key_attribute] != query["ExpressionAttributeValues"][":k"]["S"]
    ):
        raise invalid
    return {name: {"S": value} for name, value in plain.items()}
