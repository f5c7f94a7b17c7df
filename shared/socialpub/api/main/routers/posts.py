"""/api/posts (workspace-scoped: X-Workspace-ID). Media uploads live in routers/media.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from socialpub.api.container import Container, ContainerDep
from socialpub.api.main.auth import workspace_scope
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.idempotency import IDEMPOTENT
from socialpub.api.main.schemas.posts import (
    CreatePostRequest,
    CursorInfo,
    MessageData,
    PostData,
    PostListData,
    PostListItem,
    PostView,
    PublishData,
    PublishedPostView,
    QueuePostRequest,
    SchedulePostRequest,
    UpdatePostRequest,
    ValidatePostRequest,
    ValidationData,
)
from socialpub.config import PublishingSettings, SchedulingSettings
from socialpub.domain.dates import read_bound
from socialpub.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Pagination
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import catalog
from socialpub.domain.posts import Post, PostFilter, PostStatus
from socialpub.domain.services import posts as service
from socialpub.domain.services import publishing, scheduling
from socialpub.domain.validation import validate

SETTINGS = SchedulingSettings
router = APIRouter(prefix="/api/posts", tags=["posts"], responses=ERROR_RESPONSES)

Reader = Annotated[str, workspace_scope(Permission.POSTS_READ)]
Writer = Annotated[str, workspace_scope(Permission.POSTS_WRITE)]


def post_view(post: Post, c: Container) -> PostView:
    links = c.media_links()
    return PostView.of(post, links.sign, links.expires_at)


@router.get("")
def list_posts(
    workspace_id: Reader,
    c: ContainerDep,
    status_: Annotated[PostStatus | None, Query(alias="status")] = None,
    platform: str | None = None,
    from_: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Envelope[PostListData]:
    """Posts, newest first by their date (published, else scheduled, else a draft's planned date, else created).

    With ``page``: exact totals. With ``cursor`` (empty to start): no totals, constant cost per page.
    """
    where = PostFilter(
        status=status_,
        platform=platform,
        start=read_bound(from_, "from", end=False),
        end=read_bound(to, "to", end=True),
    )
    links = c.media_links()
    pagination: Pagination | CursorInfo
    if cursor is not None:
        posts, next_cursor = service.list_posts_after(
            workspace_id, where, c.posts, cursor=cursor or None, per_page=limit
        )
        pagination = CursorInfo(per_page=limit, next_cursor=next_cursor)
    else:
        posts, total = service.list_posts(workspace_id, where, c.posts, page=page, per_page=limit)
        pagination = Pagination.of(page=page, per_page=limit, total_items=total)
    return ok(
        PostListData(posts=[PostListItem.of(p, links.sign, links.expires_at) for p in posts], pagination=pagination)
    )


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[IDEMPOTENT])
def create_post(body: CreatePostRequest, workspace_id: Writer, c: ContainerDep) -> Envelope[PostData]:
    """Create a draft. Every target network's limits are checked; all failures are reported at once."""
    draft = service.PostDraft.model_validate(body.model_dump())
    post = service.create_post(workspace_id, draft, posts=c.posts, workspaces=c.post_workspaces, clock=c.clock)
    return ok(PostData(post=post_view(post, c)))


@router.post("/validate")
def validate_post(body: ValidatePostRequest, workspace_id: Writer, c: ContainerDep) -> Envelope[ValidationData]:
    """Dry run: every network's rules on this content, with errors and warnings; nothing is stored."""
    networks, _ = service.resolve_platforms(body.platforms, lambda: c.post_workspaces.accounts(workspace_id))
    reports = validate(body.to_content(), [catalog()[p] for p in networks])
    return ok(ValidationData(valid=all(r.valid for r in reports.values()), platforms=list(reports.values())))


@router.get("/{post_id}")
def get_post(post_id: str, workspace_id: Reader, c: ContainerDep) -> Envelope[PostData]:
    """One post with its media (signed URLs), its copies on the networks and its analytics."""
    post = publishing.as_stored(service.get_post(workspace_id, post_id, c.posts), c.targets)
    return ok(PostData(post=post_view(post, c)))


@router.put("/{post_id}")
def update_post(post_id: str, body: UpdatePostRequest, workspace_id: Writer, c: ContainerDep) -> Envelope[PostData]:
    """Change a draft or scheduled post (409 otherwise); only the fields sent change."""
    changes = service.PostChanges.model_validate(body.model_dump(exclude_unset=True))
    post = service.update_post(
        workspace_id, post_id, changes, posts=c.posts, workspaces=c.post_workspaces, clock=c.clock
    )
    return ok(PostData(post=post_view(post, c)))


@router.delete("/{post_id}")
def delete_post(post_id: str, workspace_id: Writer, c: ContainerDep) -> Envelope[MessageData]:
    """Remove a post, its media and its schedule. A published post stays on the networks: only our
    copy goes."""
    service.delete_post(
        workspace_id, post_id, posts=c.posts, objects=c.media_objects, scheduler=c.post_scheduler, clock=c.clock
    )
    return ok(MessageData(message="Post deleted successfully"))


@router.post(
    "/{post_id}/publish",
    dependencies=[IDEMPOTENT],
    responses={status.HTTP_202_ACCEPTED: {"description": "Still publishing: per-target progress so far"}},
)
def publish_post(
    post_id: str,
    workspace_id: Writer,
    c: ContainerDep,
    response: Response,
    wait: Annotated[
        bool, Query(description="false: answer at once with each target queued (202), without waiting")
    ] = True,
) -> Envelope[PublishData]:
    """Publish now to every target account. Answers with each network's result when all finish within
    a few seconds; otherwise 202 with status ``publishing`` and per-target progress, which
    ``GET /api/posts/{id}`` keeps showing until done. With ``wait=false`` it answers the 202 at once.
    A published or publishing post gets 409; a failed or partially published one is published again
    to the targets that failed."""
    started = publishing.start_publishing(
        workspace_id,
        post_id,
        posts=c.posts,
        targets=c.targets,
        accounts=c.post_accounts,
        queue=c.publish_queue,
        clock=c.clock,
    )
    s = c.settings(PublishingSettings)
    pauses = (
        publishing.wait_plan(s.publish_wait_seconds, s.publish_wait_first_seconds, s.publish_wait_reads) if wait else []
    )
    post = publishing.wait_for(
        started, targets=c.targets, pauses=pauses, sleep=c.sleep, monotonic=c.monotonic, clock=c.clock
    )
    if post.status is PostStatus.PUBLISHING:
        response.status_code = status.HTTP_202_ACCEPTED
    return ok(PublishData(post=PublishedPostView.of(post)))


@router.post("/{post_id}/schedule", dependencies=[IDEMPOTENT])
def schedule_post(post_id: str, body: SchedulePostRequest, workspace_id: Writer, c: ContainerDep) -> Envelope[PostData]:
    """Publish at ``scheduled_at`` (ISO 8601; a time without an offset is read in ``timezone``, by
    default the workspace's). Every network's final rules are checked now. Scheduling a scheduled
    post again moves it; the old time never fires."""
    post = scheduling.schedule_post(c.scheduling_deps(), workspace_id, post_id, body.scheduled_at, body.timezone)
    return ok(PostData(post=post_view(post, c)))


@router.delete("/{post_id}/schedule")
def unschedule_post(post_id: str, workspace_id: Writer, c: ContainerDep) -> Envelope[PostData]:
    """Back to draft: its schedule is removed and will not publish it."""
    post = scheduling.unschedule_post(c.scheduling_deps(), workspace_id, post_id)
    return ok(PostData(post=post_view(post, c)))


@router.post("/{post_id}/queue", dependencies=[IDEMPOTENT])
def queue_post(
    post_id: str, workspace_id: Writer, c: ContainerDep, body: QueuePostRequest | None = None
) -> Envelope[PostData]:
    """Schedule at the next free slot, for all of the post's networks, of the named schedule or of
    the workspace's active schedules."""
    schedule_id = body.schedule_id if body else None
    post = scheduling.queue_post(c.scheduling_deps(), c.schedules, workspace_id, post_id, schedule_id)
    return ok(PostData(post=post_view(post, c)))
