"""/public/v1/posts: PostSider's posts, which are the product's posts (the ids of GET /api/posts/{id}).

Each ``posts[]`` item of a create becomes one product post to that one account
(``platforms=[account id]``): ``value[0]`` is the post, ``value[1..]`` its thread parts where the
network threads, else its first comment where the network has comments. Its ``settings`` map onto
the network's overrides (provider_settings.py). Every item is checked (body, settings, the network's
rules, the date, the plan's posts this month) before anything is written; if a later step fails (a
file not found, a schedule refused), the posts this request created are deleted again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from socialpub.api.container import Container, ContainerDep
from socialpub.api.postsider.auth import Organisation, requires
from socialpub.api.postsider.errors import BadRequest
from socialpub.api.postsider.identifiers import identifier_of
from socialpub.api.postsider.media import attach_images
from socialpub.api.postsider.provider_settings import Mapped, map_settings
from socialpub.api.postsider.schemas import (
    ChangeSettings,
    ChangeStatus,
    Created,
    CreatePosts,
    Deleted,
    GroupDeleted,
    ListedIntegration,
    ListedPost,
    PostItem,
    PostList,
    ReleaseId,
    ReleaseRecorded,
    SettingsChanged,
    StatusChanged,
)
from socialpub.domain.accounts import Account, AccountStatus
from socialpub.domain.dates import read_bound, read_instant
from socialpub.domain.errors import InvalidInput, WorkspaceNotFound
from socialpub.domain.pagination import MAX_PAGE_SIZE
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import catalog
from socialpub.domain.post_content import MediaFacts, MediaKind, PlatformOverride, PostContent
from socialpub.domain.posts import ConcurrentModification, PlatformPost, Post, PostFilter, PostNotFound, PostStatus
from socialpub.domain.publishing import AccountNotUsable
from socialpub.domain.schedules import check_due_time
from socialpub.domain.services import posts as service
from socialpub.domain.services import publishing, releases, scheduling
from socialpub.domain.services.posts import ContentRejected, PostChanges, PostDraft, check_content
from socialpub.domain.validation import Finding
from socialpub.domain.workspaces import Workspace

router = APIRouter(tags=["postsider"])

Body_ = Annotated[Any, Body()]
M = TypeVar("M", bound=BaseModel)
State = Literal["DRAFT", "QUEUE", "PUBLISHED", "ERROR"]


class Kind(StrEnum):
    """What a create does: Postiz's ``type``; anything but draft and now schedules, as Postiz does."""

    DRAFT = "draft"
    SCHEDULE = "schedule"
    NOW = "now"

    @classmethod
    def of(cls, value: Any) -> Kind:
        return cls(value) if value in (cls.DRAFT, cls.NOW) else cls.SCHEDULE


@dataclass
class Planned:
    """One posts[] item, checked and ready to write."""

    account: Account
    draft: PostDraft
    images: list[tuple[str, str | None]]


# ---------------------------------------------------------------------- create


@router.post("/posts", status_code=status.HTTP_201_CREATED)
def create_posts(
    request: Request, c: ContainerDep, body: Body_ = None, org: Organisation = requires(Permission.POSTS_WRITE)
) -> list[Created]:
    """Create, schedule or publish one post per ``posts[]`` item; answers each post's id, in order."""
    ws = org.workspace_id
    accounts = _integrations(body, c.surface_accounts.list(ws))
    dto = _parsed(CreatePosts, body)
    problems = dto.problems() + [p for i, item in enumerate(dto.posts) for p in _unsupported(i, item)]
    if dto.inter is not None:
        problems.append("inter is not supported: socialpub has no repeating posts")
    if problems:
        raise BadRequest(problems)
    kind = Kind.of(dto.type)
    workspace = c.post_workspaces.get(ws)
    if workspace is None:
        raise WorkspaceNotFound(details={"workspace_id": ws})
    planned = [_plan(request, i, item, accounts[i], kind, workspace) for i, item in enumerate(dto.posts)]
    if kind is Kind.SCHEDULE:
        _check_date(dto.date, c)
    elif kind is Kind.DRAFT:  # a Postiz draft keeps its date: lists show it there, and status "schedule" uses it
        planned_at = read_instant(dto.date, "date")
        for plan in planned:
            plan.draft = plan.draft.model_copy(update={"planned_at": planned_at})
    service.monthly_posts_room(workspace, c.post_workspaces, c.clock(), adding=len(planned))  # 402 for them all
    created = _write(request, c, ws, planned, kind, dto.date)
    return [Created(postId=post.id, integration=plan.account.id) for post, plan in zip(created, planned, strict=True)]


def _integrations(body: Any, accounts: list[Account]) -> list[Account]:
    """Postiz's first two checks, before the body's own: every item names an integration, and each
    is a channel of this organisation (another tenant's account is not found, like any unknown id)."""
    items = body.get("posts") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(_integration_id(item) for item in items):
        raise BadRequest("All posts must have an integration id")
    by_id = {a.id: a for a in accounts}
    chosen = []
    for item in items:
        account = by_id.get(str(_integration_id(item)))
        if account is None:
            raise BadRequest(f"Integration with id {_integration_id(item)} not found")
        chosen.append(account)
    return chosen


def _integration_id(item: Any) -> Any:
    integration = item.get("integration") if isinstance(item, dict) else None
    return integration.get("id") if isinstance(integration, dict) else None


def _parsed(model: type[M], body: Any) -> M:
    """The body as ``model``, or every problem at once in Nest's 400 array (errors.py)."""
    try:
        return model.model_validate(body if body is not None else {})
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


def _unsupported(index: int, item: PostItem) -> Iterator[str]:
    """What a Postiz post may ask for and a socialpub post cannot carry."""
    for j, value in enumerate(item.value):
        where = f"posts.{index}.value.{j}"
        if value.id:
            yield f"{where}.id is not supported: POST /posts always creates new posts (edit with PUT /api/posts/{{id}})"
        if j and value.image:
            yield f"{where}.image must be empty: socialpub's thread parts and comments carry no media (use value 0)"
        if j and value.delay not in (None, 0):
            yield f"{where}.delay must be 0: socialpub posts thread parts and comments right after the post"


def _plan(request: Request, index: int, item: PostItem, account: Account, kind: Kind, workspace: Workspace) -> Planned:
    """The product post for one item, checked against its network's rules now (all items are
    checked before any is written)."""
    request.state.channel = account  # the channel a rule refusal names (errors.py)
    network = account.platform
    platform = catalog()[network]
    mapped, problems = map_settings(network, identifier_of(account), item.settings or {}, f"posts.{index}.settings")
    if problems:
        raise BadRequest(problems)
    first, *rest = item.value
    texts = [v.content for v in rest]
    thread: list[str] = []
    comment: str | None = None
    if texts and platform.capabilities.supports_threads:
        thread = texts
    elif len(texts) == 1 and platform.capabilities.supports_first_comment:
        comment = texts[0]
    elif texts:
        has = "a post and one comment" if platform.capabilities.supports_first_comment else "no threads nor comments"
        raise _refused(network, f"{platform.name} takes {has}: posts[{index}].value has {len(item.value)} values")
    draft = PostDraft(
        content=first.content,
        platforms=[account.id],
        link=mapped.link,
        thread=thread,
        first_comment=comment,
        platform_content=_overrides(network, mapped),
        group=item.group or str(uuid.uuid4()),  # Postiz: each item is a new group unless one is given
    )
    images = [(image.path, image.alt) for image in first.image]
    declared = PostContent(
        **draft.model_dump(include={"content", "link", "thread", "first_comment", "platform_content"}),
        hashtags=workspace.settings.default_hashtags,
        media=[_declared(path) for path, _ in images],
    )
    check_content(declared, [network], final=kind is not Kind.DRAFT)
    if kind is Kind.NOW and account.status is AccountStatus.EXPIRED:
        raise AccountNotUsable(
            f"Reconnect {account.name} before publishing to it", details={"account_ids": [account.id]}
        )
    return Planned(account=account, draft=draft, images=images)


def _overrides(network: str, mapped: Mapped) -> dict[str, PlatformOverride]:
    if mapped.title is None and not mapped.settings:
        return {}
    return {network: PlatformOverride(title=mapped.title, settings=mapped.settings)}


def _declared(path: str) -> MediaFacts:
    """What a file is, from its path, for the checks made before it is attached (which then check
    the file itself)."""
    extension = path.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    if extension == "mp4":
        return MediaFacts(kind=MediaKind.VIDEO, mime_type="video/mp4")
    return MediaFacts(kind=MediaKind.IMAGE, mime_type=f"image/{'jpeg' if extension == 'jpg' else extension}")


def _refused(network: str, message: str) -> ContentRejected:
    """A channel refusal in the domain's shape, which errors.py answers as Postiz's provider error."""
    finding = Finding(rule="value_not_supported", field="value", message=message)
    return ContentRejected(message, {network: [finding]}, details={"platforms": {network: [finding.model_dump()]}})


def _check_date(date: str, c: Container) -> None:
    try:
        check_due_time(read_instant(date, "date"), c.clock())
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message.replace("'scheduled_at'", "date") + '; send type "now" to publish at once',
            details={"field": "date"},
        ) from None


def _write(request: Request, c: Container, ws: str, planned: list[Planned], kind: Kind, date: str) -> list[Post]:
    """Create every post, attach its files, then schedule or publish each. If a step fails, the
    posts created so far are deleted (one being published already cannot be, and goes out)."""
    created: list[Post] = []
    try:
        for plan in planned:
            request.state.channel = plan.account
            post = service.create_post(ws, plan.draft, posts=c.posts, workspaces=c.post_workspaces, clock=c.clock)
            created.append(post)
            if plan.images:  # the files go before the post is scheduled or published
                attach_images(c, ws, post.id, plan.images)
        for post, plan in zip(created, planned, strict=True):
            request.state.channel = plan.account
            if kind is Kind.SCHEDULE:
                # A time without an offset is UTC, as Postiz reads it.
                scheduling.schedule_post(c.scheduling_deps(), ws, post.id, date, "UTC")
            elif kind is Kind.NOW:
                publishing.start_publishing(
                    ws,
                    post.id,
                    posts=c.posts,
                    targets=c.targets,
                    accounts=c.post_accounts,
                    queue=c.publish_queue,
                    clock=c.clock,
                )
    except Exception:
        for post in created:
            with suppress(Exception):  # best effort: the request's own error is what the client must see
                _delete(c, ws, post.id)
        raise
    return created


# ---------------------------------------------------------------------- list


@router.get("/posts")
def list_posts(
    c: ContainerDep,
    org: Organisation = requires(Permission.POSTS_READ),
    start_date: Annotated[str | None, Query(alias="startDate", max_length=64)] = None,
    end_date: Annotated[str | None, Query(alias="endDate", max_length=64)] = None,
    customer: str | None = None,
) -> PostList:
    """Posts whose date (published, else scheduled, else a draft's date, else created) is in [startDate, endDate], in
    every state: one entry per account a post goes to, with that account's state and link.
    ``customer``: only the accounts in that channel group."""
    problems = []
    bounds: list[datetime] = []
    for value, name, whole_day in ((start_date, "startDate", False), (end_date, "endDate", True)):
        try:
            bound = read_bound(value, name, end=whole_day)
        except InvalidInput:
            bound = None
        if bound is None:
            problems.append(f"{name} must be a valid ISO 8601 date string")
        else:
            bounds.append(bound)
    if problems:
        raise BadRequest(problems)
    start, end = bounds
    if start > end:
        return PostList(posts=[])
    accounts = {a.id: a for a in c.surface_accounts.list(org.workspace_id)}
    entries = [
        entry
        for post in _posts(c, org.workspace_id, PostFilter(start=start, end=end))
        for entry in _entries(publishing.as_stored(post, c.targets), accounts)
        if customer is None or accounts[entry.integration.id].group == customer
    ]
    return PostList(posts=entries)


def _posts(c: Container, ws: str, where: PostFilter) -> Iterator[Post]:
    cursor: str | None = None
    while True:
        page, cursor = service.list_posts_after(ws, where, c.posts, cursor=cursor, per_page=MAX_PAGE_SIZE)
        yield from page
        if cursor is None:
            return


def _entries(post: Post, accounts: dict[str, Account]) -> Iterator[ListedPost]:
    """One entry per account of the post (an account disconnected since is left out, as Postiz
    leaves out a deleted integration's posts)."""
    content = post.composition()
    for account, copy in _channels(post, accounts):
        moment = (copy.published_at if copy else None) or post.listed_at
        yield ListedPost(
            id=post.id,
            content=content.override(account.platform).content or post.content,
            publishDate=_iso_ms(moment),
            releaseURL=copy.url if copy else None,
            releaseId=copy.post_id if copy else None,
            state=_state(post, copy),
            group=post.group or post.id,  # a post made elsewhere is a group of its own
            integration=ListedIntegration(
                id=account.id,
                providerIdentifier=identifier_of(account),
                name=account.name,
                picture=account.profile_image,
            ),
        )


def _channels(post: Post, accounts: dict[str, Account]) -> Iterator[tuple[Account, PlatformPost | None]]:
    """The accounts a post goes (or went) to, each with its copy on the network if publishing began:
    the accounts its targets name, those it names itself, and, for a network named without one,
    that network's default (or only) account."""
    by_account = {p.account_id: p for p in post.platform_posts if p.account_id}
    by_network = {p.platform: p for p in post.platform_posts if not p.account_id}
    ids = list(dict.fromkeys([*by_account, *post.account_ids]))
    covered = {accounts[i].platform for i in ids if i in accounts}
    for network in post.platforms:
        if network in covered:
            continue
        candidates = [a for a in accounts.values() if a.platform == network]
        defaults = [a for a in candidates if a.is_default]
        if len(defaults) == 1 or len(candidates) == 1:
            ids.append((defaults or candidates)[0].id)
    for account_id in ids:
        account = accounts.get(account_id)
        if account is not None:
            yield account, by_account.get(account_id) or by_network.get(account.platform)


def _state(post: Post, copy: PlatformPost | None) -> State:
    if post.status is PostStatus.DRAFT:
        return "DRAFT"
    if post.status is PostStatus.SCHEDULED:
        return "QUEUE"
    if copy is not None and copy.status == "published":
        return "PUBLISHED"
    if (copy is not None and copy.status == "failed") or post.status is PostStatus.FAILED:
        return "ERROR"
    return "QUEUE" if post.status is PostStatus.PUBLISHING else "ERROR"


def _iso_ms(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{moment.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------------- delete


@router.delete("/posts/group/{group}")
def delete_group(group: str, c: ContainerDep, org: Organisation = requires(Permission.POSTS_WRITE)) -> GroupDeleted:
    """Every post of the workspace in ``group`` (a post made elsewhere is its own group). A post
    being published right now is left (it goes out). Always 200, as Postiz."""
    ws = org.workspace_id
    deleted = []
    for post in list(_posts(c, ws, PostFilter())):
        if (post.group or post.id) == group:
            with suppress(PostNotFound, ConcurrentModification):
                _delete(c, ws, post.id)
                deleted.append(post.id)
    return GroupDeleted(group=group, deleted=deleted)


@router.delete("/posts/{post_id}")
def delete_post(post_id: str, c: ContainerDep, org: Organisation = requires(Permission.POSTS_WRITE)) -> Deleted:
    """The product's delete: the post, its schedule and its files go."""
    _delete(c, org.workspace_id, post_id)
    return Deleted(id=post_id)


def _delete(c: Container, ws: str, post_id: str) -> None:
    service.delete_post(ws, post_id, posts=c.posts, objects=c.media_objects, scheduler=c.post_scheduler, clock=c.clock)


# ---------------------------------------------------------------------- one post


@router.get("/posts/{post_id}/missing")
def missing_content(post_id: str, org: Organisation = requires(Permission.POSTS_READ)) -> list[dict[str, str]]:
    """Always empty: socialpub has no candidates to pick from. A post whose outcome the publisher
    looked up is recorded by it; one it could not look up (OUTCOME_UNKNOWN) takes its id by hand
    through PUT /posts/:id/release-id."""
    return []


@router.put("/posts/{post_id}/status")
def change_status(
    post_id: str,
    request: Request,
    c: ContainerDep,
    body: Body_ = None,
    org: Organisation = requires(Permission.POSTS_WRITE),
) -> StatusChanged:
    """draft: unschedule (the post keeps its date); schedule: schedule at the post's date."""
    dto = _parsed(ChangeStatus, body)
    ws = org.workspace_id
    post = service.get_post(ws, post_id, c.posts)
    if dto.status == "draft":
        post.require_editable()
        if post.status is PostStatus.SCHEDULED:
            scheduling.unschedule_post(c.scheduling_deps(), ws, post_id)
        return StatusChanged(id=post_id, state="DRAFT")
    if post.status is PostStatus.SCHEDULED:
        return StatusChanged(id=post_id, state="QUEUE")
    scheduling.require_schedulable(post)
    date = post.scheduled_at or post.planned_at
    if date is None:
        raise InvalidInput(
            "This post has no date to schedule it at (a draft made with the main API has none); "
            "schedule it with POST /api/posts/{id}/schedule",
            details={"post_id": post_id},
        )
    request.state.channel = _channel_of(post, c, ws)
    scheduling.schedule_post(c.scheduling_deps(), ws, post_id, date.isoformat(), post.scheduled_timezone or "UTC")
    return StatusChanged(id=post_id, state="QUEUE")


@router.put("/posts/{post_id}/settings")
def change_settings(
    post_id: str,
    request: Request,
    c: ContainerDep,
    body: Body_ = None,
    org: Organisation = requires(Permission.POSTS_WRITE),
) -> SettingsChanged:
    """Merge Postiz settings into the post's settings for its network, checked again by its rules."""
    dto = _parsed(ChangeSettings, body)
    ws = org.workspace_id
    post = service.get_post(ws, post_id, c.posts)
    post.require_editable()
    if len(post.platforms) != 1:
        raise InvalidInput(
            "This post goes to several networks; change its settings with PUT /api/posts/{id}",
            details={"post_id": post_id},
        )
    network = post.platforms[0]
    channel = _channel_of(post, c, ws)
    request.state.channel = channel
    provider = identifier_of(channel) if channel else network
    mapped, problems = map_settings(network, provider, dto.settings, "settings")
    if problems:
        raise BadRequest(problems)
    current = post.platform_content.get(network) or PlatformOverride()
    override = current.model_copy(
        update={"settings": {**current.settings, **mapped.settings}, "title": mapped.title or current.title}
    )
    changes: dict[str, Any] = {"platform_content": {**post.platform_content, network: override}}
    if mapped.link:
        changes["link"] = mapped.link
    updated = service.update_post(
        ws,
        post_id,
        PostChanges.model_validate(changes),
        posts=c.posts,
        workspaces=c.post_workspaces,
        clock=c.clock,
    )
    moment = (updated.scheduled_at or updated.created_at).astimezone(UTC)
    return SettingsChanged(postId=post_id, publishDate=moment.strftime("%Y-%m-%dT%H:%M:%S"))


@router.put("/posts/{post_id}/release-id")
def set_release_id(
    post_id: str, c: ContainerDep, body: Body_ = None, org: Organisation = requires(Permission.POSTS_WRITE)
) -> ReleaseRecorded:
    """Record the network's id of a post whose outcome the publisher could not learn (a target failed
    with OUTCOME_UNKNOWN, Postiz's "missing" release id): it shows published with that id."""
    dto = _parsed(ReleaseId, body)
    try:
        releases.record_release(
            org.workspace_id,
            post_id,
            dto.releaseId,
            posts=c.posts,
            targets=c.targets,
            accounts=c.post_accounts,
            permalink=c.permalink,
            clock=c.clock,
        )
    except releases.OutcomeNotUnknown as exc:
        raise InvalidInput(f"This post's release id is not missing: {exc.state}", details=exc.details) from None
    return ReleaseRecorded(id=post_id, releaseId=dto.releaseId)


def _channel_of(post: Post, c: Container, ws: str) -> Account | None:
    accounts = {a.id: a for a in c.surface_accounts.list(ws)}
    return next((account for account, _ in _channels(post, accounts)), None)
