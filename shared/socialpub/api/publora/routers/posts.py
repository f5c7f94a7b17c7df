"""Publora's post groups: create-post, get-post, update-post and delete-post (seeds/003).

A post group IS a product post (``postGroupId`` = the post id of ``GET /api/posts/{id}``), and each
``platformId`` names one of the workspace's accounts: the group's platform posts are the post's
targets, one per account. Every rule is the product's (domain/services): each network's rules,
the plan's posts a month (402), when a post may be scheduled, changed or deleted (409).

Choices where the seed says nothing:
- create-post answers 200, as Publora does (not 201).
- A ``platformId`` that is malformed, of an unknown network, not an account of this workspace, or
  whose network prefix is not its account's is a 400 naming it (the body is at fault; 404 stays for
  an unknown ``postGroupId``). The bare account id is taken too (identifiers.py).
- ``scheduledTime`` is ISO 8601 in UTC: ``Z``, ``+00:00`` or no offset (read as UTC); another offset,
  a time that has passed or one more than two years ahead (the product's horizon) is a 400, where
  Publora would move a past time to now. ``null`` on an optional field is as if it were not sent.
- Every check (body, accounts, time, each network's rules, the plan's posts) is made before anything
  is written; if scheduling a new post then fails, the post is deleted again.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from socialpub.api.container import Container, ContainerDep
from socialpub.api.main.schemas.posts import MAX_CONTENT_LENGTH
from socialpub.api.publora.auth import Caller, requires
from socialpub.api.publora.identifiers import account_id_of
from socialpub.domain.accounts import Account
from socialpub.domain.dates import read_instant
from socialpub.domain.errors import InvalidInput, WorkspaceNotFound
from socialpub.domain.permissions import Permission
from socialpub.domain.post_content import PostContent
from socialpub.domain.posts import PlatformPost, Post, PostNotFound, PostStatus
from socialpub.domain.schedules import check_due_time
from socialpub.domain.services import posts as service
from socialpub.domain.services import publishing, scheduling
from socialpub.domain.services.posts import PostChanges, PostDraft, check_content

router = APIRouter(tags=["publora"])

# The post's state in Publora's words. A group that is publishing is "processing"; partly out, it
# is "partially_published" (a status Publora gives groups only).
GROUP_STATUS = {
    PostStatus.DRAFT: "draft",
    PostStatus.SCHEDULED: "scheduled",
    PostStatus.PUBLISHING: "processing",
    PostStatus.PUBLISHED: "published",
    PostStatus.PARTIALLY_PUBLISHED: "partially_published",
    PostStatus.FAILED: "failed",
}
# A platform post while its group publishes: its target's state (TargetStatus).
TARGET_STATUS = {"pending": "pending", "publishing": "processing", "published": "published", "failed": "failed"}


# ---------------------------------------------------------------------- bodies and answers


class CreatePost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: StrictStr = Field(max_length=MAX_CONTENT_LENGTH)
    platforms: list[StrictStr] = Field(min_length=1, max_length=50)
    scheduledTime: StrictStr | None = Field(None, max_length=64)

    @field_validator("content")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class UpdatePost(BaseModel):
    """At least one of the two (checked in the route, to name both)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["draft", "scheduled"] | None = None
    scheduledTime: StrictStr | None = Field(None, max_length=64)


class Created(BaseModel):
    success: bool = True
    postGroupId: str


class PlatformPostView(BaseModel):
    """One target of the group. ``platformId`` is the bare account id, as the seed shows it (null for
    a network a main API post names without an account, until it is published to one)."""

    id_: str = Field(serialization_alias="_id")
    content: str
    platform: str
    platformId: str | None
    status: str
    postedId: str | None  # the network's post id, for every network, once published
    permalink: str | None  # its public address, where the network gives one
    error: str | None  # why it failed, when it did


class PostGroup(BaseModel):
    success: bool = True
    postGroupId: str
    status: str
    scheduledTime: str | None
    posts: list[PlatformPostView]


class UpdatedGroup(BaseModel):
    id_: str = Field(serialization_alias="_id")
    status: str
    scheduledTime: str | None


class Updated(BaseModel):
    success: bool = True
    message: str = "Post updated successfully"
    postGroup: UpdatedGroup


class Deleted(BaseModel):
    success: bool = True


# ---------------------------------------------------------------------- create-post


@router.post("/create-post")
def create_post(body: CreatePost, c: ContainerDep, caller: Caller = requires(Permission.POSTS_WRITE)) -> Created:
    """A draft, or with ``scheduledTime`` a post scheduled then (an EventBridge one-time schedule),
    to the accounts ``platforms`` names."""
    ws = caller.workspace_id
    accounts = _accounts(c, ws, body.platforms)
    at = _due(_utc(body.scheduledTime), c) if body.scheduledTime is not None else None
    workspace = c.post_workspaces.get(ws)
    if workspace is None:
        raise WorkspaceNotFound(details={"workspace_id": ws})
    networks = list(dict.fromkeys(a.platform for a in accounts))
    # The networks' rules now, final ones for a post that is to go out: a refusal names each network.
    check_content(
        PostContent(content=body.content, hashtags=workspace.settings.default_hashtags), networks, final=at is not None
    )
    draft = PostDraft(content=body.content, platforms=[a.id for a in accounts])
    post = service.create_post(ws, draft, posts=c.posts, workspaces=c.post_workspaces, clock=c.clock)  # 402 first
    if at is not None:
        try:
            scheduling.schedule_post(c.scheduling_deps(), ws, post.id, at.isoformat(), "UTC")
        except Exception:
            with suppress(Exception):  # best effort: the client must see the scheduling error
                _delete(c, ws, post.id)
            raise
    return Created(postGroupId=post.id)


def _accounts(c: Container, ws: str, platform_ids: list[str]) -> list[Account]:
    """The accounts named, in order and once each; every platformId that names none is in one 400."""
    by_id = {a.id: a for a in c.surface_accounts.list(ws)}
    chosen: list[Account] = []
    unknown: list[str] = []
    for platform_id in platform_ids:
        try:
            account = by_id.get(account_id_of(platform_id))
        except InvalidInput:
            account = None
        network, sep, _ = platform_id.partition("-")
        if account is None or (sep and network != account.platform):
            unknown.append(platform_id)
        elif account not in chosen:
            chosen.append(account)
    if unknown:
        raise InvalidInput(
            f"Unknown platformId {', '.join(repr(p) for p in unknown)}: use the platformIds of "
            "GET /api/v1/platform-connections",
            details={"field": "platforms", "unknown": unknown},
        )
    return chosen


def _utc(value: str) -> datetime:
    """``scheduledTime``: an ISO 8601 date-time in UTC (``Z``, ``+00:00``, or no offset)."""
    at = read_instant(value, "scheduledTime", example="2026-04-07T10:00:00Z")
    offset = datetime.fromisoformat(value.strip().replace("z", "Z")).utcoffset()
    if offset not in (None, timedelta(0)):
        raise InvalidInput(
            f"scheduledTime must be in UTC (ending in Z), such as {_iso(at)}", details={"field": "scheduledTime"}
        )
    return at


def _due(at: datetime, c: Container) -> datetime:
    """A time to publish at: in the future, within the product's horizon (two years)."""
    try:
        return check_due_time(at, c.clock())
    except InvalidInput as exc:
        message = exc.message.replace("'scheduled_at'", "scheduledTime")
        raise InvalidInput(message, details={"field": "scheduledTime"}) from None


# ---------------------------------------------------------------------- get-post


@router.get("/get-post/{post_group_id}")
def get_post(post_group_id: str, c: ContainerDep, caller: Caller = requires(Permission.POSTS_READ)) -> PostGroup:
    """The group with one entry per account it goes (or went) to, each with its state and, once
    published, the network's post id."""
    ws = caller.workspace_id
    post = publishing.as_stored(_post(c, ws, post_group_id), c.targets)
    accounts = {a.id: a for a in c.surface_accounts.list(ws)}
    return PostGroup(
        postGroupId=post.id,
        status=GROUP_STATUS[post.status],
        scheduledTime=_time_of(post),
        posts=[_view(post, network, account_id, copy) for network, account_id, copy in _targets(post, accounts)],
    )


def _targets(post: Post, accounts: dict[str, Account]) -> list[tuple[str, str | None, PlatformPost | None]]:
    """(network, account id, its copy once publishing began) for every account of the post: those
    publishing went to, those it names, then each network it names without an account (a main API
    post), whose account is chosen when it publishes. An account disconnected since that was never
    published to is left out."""
    by_account = {p.account_id: p for p in post.platform_posts if p.account_id}
    by_network = {p.platform: p for p in post.platform_posts if not p.account_id}
    found: list[tuple[str, str | None, PlatformPost | None]] = []
    for account_id in dict.fromkeys([*by_account, *post.account_ids]):
        copy = by_account.get(account_id)
        account = accounts.get(account_id)
        network = copy.platform if copy else account.platform if account else None
        if network is not None:
            found.append((network, account_id, copy or by_network.get(network)))
    covered = {network for network, _, _ in found}
    found += [(n, None, by_network.get(n)) for n in post.platforms if n not in covered]
    return found


def _view(post: Post, network: str, account_id: str | None, copy: PlatformPost | None) -> PlatformPostView:
    status = _status(post, copy)
    published = status == "published" and copy is not None
    return PlatformPostView(
        id_=f"{post.id}:{account_id or network}",  # a target is its post and its account
        content=post.composition().override(network).content or post.content,
        platform=network,
        platformId=account_id,
        status=status,
        postedId=copy.post_id if published and copy else None,
        permalink=copy.url if published and copy else None,
        error=copy.error if status == "failed" and copy else None,
    )


def _status(post: Post, copy: PlatformPost | None) -> str:
    """A platform post's state: its group's until the group publishes, then its target's."""
    if post.status in (PostStatus.DRAFT, PostStatus.SCHEDULED):
        return GROUP_STATUS[post.status]
    if copy is not None:
        return TARGET_STATUS.get(copy.status, "failed")
    if post.status is PostStatus.PUBLISHING:
        return "pending"  # its target is not made yet
    return "published" if post.status is PostStatus.PUBLISHED else "failed"


# ---------------------------------------------------------------------- update-post


@router.put("/update-post/{post_group_id}")
def update_post(
    post_group_id: str, body: UpdatePost, c: ContainerDep, caller: Caller = requires(Permission.POSTS_WRITE)
) -> Updated:
    """``status`` draft unschedules (the post keeps its time); scheduled schedules it at
    ``scheduledTime``, else at its time. ``scheduledTime`` alone moves a scheduled post's schedule,
    or a draft's time. A post that is publishing or out is a 409."""
    if body.status is None and body.scheduledTime is None:
        raise InvalidInput("Send status, scheduledTime or both", details={"field": "body"})
    ws = caller.workspace_id
    post = _post(c, ws, post_group_id)
    at = _due(_utc(body.scheduledTime), c) if body.scheduledTime is not None else None
    deps = c.scheduling_deps()
    if body.status == "scheduled" or (body.status is None and post.status is PostStatus.SCHEDULED):
        scheduling.require_schedulable(post)  # a failed post may be scheduled again, as in the main API
        if at is None and post.status is PostStatus.SCHEDULED:
            return _updated(post)  # already scheduled there
        when = at or post.scheduled_at or post.planned_at
        if when is None:
            raise InvalidInput(
                "This post has no time to schedule it at: send scheduledTime", details={"field": "scheduledTime"}
            )
        if at is None:
            when = _due(when, c)  # its own time may have passed meanwhile
        post = scheduling.schedule_post(deps, ws, post.id, when.isoformat(), "UTC")
    else:  # to draft, or a draft's time
        post.require_editable()
        if post.status is PostStatus.SCHEDULED:
            post = scheduling.unschedule_post(deps, ws, post.id, planned_at=at)
        elif at is not None:
            changes = PostChanges(planned_at=at)
            post = service.update_post(ws, post.id, changes, posts=c.posts, workspaces=c.post_workspaces, clock=c.clock)
    return _updated(post)


def _updated(post: Post) -> Updated:
    return Updated(postGroup=UpdatedGroup(id_=post.id, status=GROUP_STATUS[post.status], scheduledTime=_time_of(post)))


# ---------------------------------------------------------------------- delete-post


@router.delete("/delete-post/{post_group_id}")
def delete_post(post_group_id: str, c: ContainerDep, caller: Caller = requires(Permission.POSTS_WRITE)) -> Deleted:
    """The product's delete: the post, its schedule and its files go (a post out on the networks
    stays there). A post being published is a 409."""
    _post(c, caller.workspace_id, post_group_id)
    _delete(c, caller.workspace_id, post_group_id)
    return Deleted()


def _delete(c: Container, ws: str, post_id: str) -> None:
    service.delete_post(ws, post_id, posts=c.posts, objects=c.media_objects, scheduler=c.post_scheduler, clock=c.clock)


# ---------------------------------------------------------------------- shared


def _post(c: Container, ws: str, post_group_id: str) -> Post:
    """The workspace's post; an unknown id, or another tenant's, is Publora's 404."""
    post = c.posts.get(ws, post_group_id)
    if post is None:
        raise PostNotFound("Post group not found", details={"post_id": post_group_id})
    return post


def _time_of(post: Post) -> str | None:
    """When it is scheduled, or the time a draft keeps."""
    moment = post.scheduled_at or post.planned_at
    return _iso(moment) if moment else None


def _iso(moment: datetime) -> str:
    """As JavaScript's toISOString, which Publora's examples show: 2026-04-07T10:00:00.000Z."""
    moment = moment.astimezone(UTC)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{moment.microsecond // 1000:03d}Z"
