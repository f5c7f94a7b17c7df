"""Post use-cases: write, read, list, change and delete posts of a workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from socialpub.domain.errors import DependencyUnavailable, DomainError, InvalidInput, WorkspaceNotFound
from socialpub.domain.events import Event, EventType
from socialpub.domain.ids import new_id
from socialpub.domain.media import MediaTooLarge, UnsupportedMediaType
from socialpub.domain.platforms import catalog
from socialpub.domain.ports import Clock, MediaObjectStore, PostRepository, PostScheduler, WorkspaceRepository
from socialpub.domain.post_content import PlatformOverride, PostContent
from socialpub.domain.posts import ConcurrentModification, Post, PostFilter, PostNotFound, PostStatus
from socialpub.domain.quotas import Cap, month_of, monthly_posts_cap, plan_of
from socialpub.domain.records import changed
from socialpub.domain.validation import Finding, PlatformReport, blocking, validate
from socialpub.domain.workspaces import AccountRef, Workspace, WorkspaceStatus

SIZE_RULES = frozenset({"image_too_large", "video_too_large"})
TYPE_RULES = frozenset(
    {"media_type_not_allowed", "images_not_supported", "videos_not_supported", "documents_not_supported"}
)


class PostDraft(BaseModel):
    """A post as a client writes it; ``platforms`` holds network ids or connected account ids."""

    content: str
    platforms: list[str]
    title: str | None = None
    link: str | None = None
    hashtags: list[str] | None = None  # None: the workspace's default hashtags
    thread: list[str] = Field(default_factory=list)
    first_comment: str | None = None
    platform_content: dict[str, PlatformOverride] = Field(default_factory=dict)
    group: str | None = None  # PostSider's group (api/postsider/); the main API never sets it
    planned_at: datetime | None = None  # the date a draft is meant for (PostSider's ``date``)


class PostChanges(BaseModel):
    """A partial update: only the fields set on this model are changed."""

    content: str | None = None
    platforms: list[str] | None = None
    title: str | None = None
    link: str | None = None
    hashtags: list[str] | None = None
    thread: list[str] | None = None
    first_comment: str | None = None
    platform_content: dict[str, PlatformOverride] | None = None
    planned_at: datetime | None = None  # a draft's date (Publora's update-post moves it)


def resolve_platforms(values: Iterable[str], accounts: Callable[[], list[AccountRef]]) -> tuple[list[str], list[str]]:
    """Network ids and account ids → (networks, account ids), both in order and without repeats.

    The workspace's accounts are read only when a value is not a network id.
    """
    networks: list[str] = []
    account_ids: list[str] = []
    unknown: list[str] = []
    by_id: dict[str, AccountRef] | None = None
    for value in values:
        if value in catalog():
            networks.append(value)
            continue
        if by_id is None:
            by_id = {a.id: a for a in accounts()}
        account = by_id.get(value)
        if account is None:
            unknown.append(value)
        else:
            networks.append(account.platform)
            account_ids.append(account.id)
    if unknown:
        raise InvalidInput(
            f"Not a platform id nor a connected account of this workspace: {', '.join(unknown)}",
            details={"field": "platforms", "unknown": unknown},
        )
    return list(dict.fromkeys(networks)), list(dict.fromkeys(account_ids))


def check_content(
    content: PostContent, platforms: list[str], *, final: bool = False, attaching: bool = False
) -> dict[str, PlatformReport]:
    """Every network's rules at once; refuses with each failing network and rule named."""
    reports = validate(content, [catalog()[p] for p in platforms])
    refused = blocking(reports, final=final)
    if refused:
        raise rejection(refused, attaching=attaching)
    return reports


class ContentRejected(InvalidInput):
    """A post that fails one or more networks' rules (the failing findings, by network)."""

    def __init__(self, message: str, refused: dict[str, list[Finding]], *, details: dict[str, Any]) -> None:
        super().__init__(message, details=details)
        self.refused = refused


def rejection(refused: dict[str, list[Finding]], *, attaching: bool) -> DomainError:
    """One error naming every failing network and rule. A file refused only for its size or only for
    its type answers as the upload limits do (413, 415); anything else is a validation error (400)."""
    rules = {f.rule for findings in refused.values() for f in findings}
    names = "; ".join(
        f"{catalog()[p].name}: {', '.join(dict.fromkeys(f.rule for f in findings))}" for p, findings in refused.items()
    )
    details = {
        "platforms": {
            p: [f.model_dump(mode="json", exclude={"severity"}, exclude_none=True) for f in findings]
            for p, findings in refused.items()
        }
    }
    message = f"Refused by the networks' rules ({names})"
    if attaching and rules <= SIZE_RULES:
        return MediaTooLarge(message, details=details)
    if attaching and rules <= TYPE_RULES:
        return UnsupportedMediaType(message, details=details)
    return ContentRejected(message, refused, details=details)


def monthly_posts_room(workspace: Workspace, workspaces: WorkspaceRepository, now: datetime, adding: int = 1) -> Cap:
    """The plan's cap on posts created this month; refuses (QuotaExceeded) when ``adding`` more posts
    would go past it. Called before anything is written (a request creating several posts asks for
    all of them at once); the store then checks each create again, atomically."""
    cap = monthly_posts_cap(plan_of(workspaces.tiers_of(workspace.member_keys)), now)
    cap.require_room(workspace.posts_created.get(month_of(now), 0), adding)
    return cap


def create_post(
    workspace_id: str, draft: PostDraft, *, posts: PostRepository, workspaces: WorkspaceRepository, clock: Clock
) -> Post:
    workspace = workspaces.get(workspace_id)
    if workspace is None or workspace.status is not WorkspaceStatus.ACTIVE:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})
    now = clock()
    cap = monthly_posts_room(workspace, workspaces, now)
    networks, account_ids = resolve_platforms(draft.platforms, lambda: workspaces.accounts(workspace_id))
    fields = draft.model_dump(exclude={"platforms", "hashtags"})
    post = Post(
        **fields,
        id=new_id("post"),
        workspace_id=workspace_id,
        platforms=networks,
        account_ids=account_ids,
        hashtags=workspace.settings.default_hashtags if draft.hashtags is None else draft.hashtags,
        created_at=now,
        updated_at=now,
    )
    check_content(post.composition(), post.platforms)
    post.require_storable()
    posts.create(post, Event.of(EventType.POST_CREATED, workspace_id, now, post_summary(post)), caps=[cap])
    return post


def get_post(workspace_id: str, post_id: str, posts: PostRepository) -> Post:
    post = posts.get(workspace_id, post_id)
    if post is None:
        raise PostNotFound(details={"post_id": post_id})
    return post


def update_post(
    workspace_id: str,
    post_id: str,
    changes: PostChanges,
    *,
    posts: PostRepository,
    workspaces: WorkspaceRepository,
    clock: Clock,
) -> Post:
    previous = get_post(workspace_id, post_id, posts)
    previous.require_editable()
    update = changes.model_dump(exclude_unset=True)
    if "platforms" in update:
        if not update["platforms"]:
            raise InvalidInput("A post needs at least one platform", details={"field": "platforms"})
        update["platforms"], update["account_ids"] = resolve_platforms(
            update["platforms"], lambda: workspaces.accounts(workspace_id)
        )
    post = changed(previous, {**update, "updated_at": clock(), "version": previous.version + 1})
    # A scheduled post keeps meeting the rules it was scheduled under: it must still go out as is.
    check_content(post.composition(), post.platforms, final=post.status is PostStatus.SCHEDULED)
    post.require_storable()
    posts.save(post, previous)
    return post


def delete_post(
    workspace_id: str,
    post_id: str,
    *,
    posts: PostRepository,
    objects: MediaObjectStore,
    scheduler: PostScheduler,
    clock: Clock,
) -> None:
    """Remove a post, its media and its schedule from the system. A published post stays on the networks."""
    post = get_post(workspace_id, post_id, posts)
    if post.status is PostStatus.PUBLISHING:
        raise ConcurrentModification(
            "This post is being published right now; delete it once publishing has finished",
            details={"post_id": post_id, "status": post.status.value},
        )
    posts.delete(post, Event.of(EventType.POST_DELETED, workspace_id, clock(), post_summary(post)))
    forget_schedule(scheduler, post)
    keys = [k for m in post.media for k in m.stored_keys]
    with suppress(DependencyUnavailable):  # the post is gone already; leftovers go with the workspace purge
        objects.delete(keys)


def list_posts(
    workspace_id: str, where: PostFilter, posts: PostRepository, *, page: int, per_page: int
) -> tuple[list[Post], int]:
    _check_filter(where)
    return posts.page(workspace_id, where, page=page, per_page=per_page)


def list_posts_after(
    workspace_id: str, where: PostFilter, posts: PostRepository, *, cursor: str | None, per_page: int
) -> tuple[list[Post], str | None]:
    _check_filter(where)
    return posts.after(workspace_id, where, cursor=cursor, per_page=per_page)


def _check_filter(where: PostFilter) -> None:
    if where.platform is not None and where.platform not in catalog():
        raise InvalidInput(
            f"Unknown platform '{where.platform}'; see GET /api/platforms", details={"field": "platform"}
        )
    if where.start and where.end and where.start > where.end:
        raise InvalidInput("'from' must not be after 'to'", details={"field": "from"})


def post_summary(post: Post) -> dict[str, object]:
    """What post events carry (docs/webhooks.md)."""
    return {
        "post_id": post.id,
        "status": post.status.value,
        "content": post.content,
        "platforms": post.platforms,
        "account_ids": post.account_ids,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
    }


def forget_schedule(scheduler: PostScheduler, post: Post) -> None:
    """Remove the schedule of a post that was scheduled and no longer is (or is gone). Best effort:
    its schedule version is void, so a schedule left behind fires for nothing, then deletes itself."""
    if post.status is PostStatus.SCHEDULED:
        with suppress(DependencyUnavailable):
            scheduler.delete(post.id)
