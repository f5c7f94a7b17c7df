"""Scheduling a post: the time it is due, its one-time schedule, the firing, and the sweeper.

A scheduled post has exactly one schedule (named after it) carrying the post's ``schedule_version``.
Scheduling again moves that schedule and counts the version up; unscheduling or deleting the post
removes it. When it fires, the post starts publishing only if it is still scheduled under that
version, in a write that asserts the post as read: an old or second firing publishes nothing, and
the content published is the post as it stands then.

Queueing a post gives it the earliest slot occurrence, among the workspace's active schedules (or
the one named), that covers every network of the post and that no other queued post holds for any
of them; the post is then scheduled at that instant like any other. Its claims on the slot are
written with it, only if free, so concurrent requests never share a slot.

Nothing relies on the schedule alone. Every minute the sweeper looks up (through an index) the
posts due more than a grace period ago and still scheduled, and publishes them, reporting how late;
and re-queues the targets nothing will run any more: held by a run that died (its lease ran out), or
whose message never came (lost before the queue, dead-lettered, or gone with a killed local stack).
A target re-queued that way goes through the publisher's at-most-once lookup: what the dead run
sent is found and recorded, not sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as WallTime
from enum import StrEnum

from socialpub.domain.accounts import Account
from socialpub.domain.errors import Conflict, DamagedItem, DomainError, InvalidInput, WorkspaceNotFound
from socialpub.domain.events import Event, EventType
from socialpub.domain.ports import (
    AccountRepository,
    Clock,
    PostRepository,
    PostScheduler,
    PublishQueue,
    ScheduleRepository,
    WorkspaceRepository,
)
from socialpub.domain.ports import TargetRepository as Targets
from socialpub.domain.posts import (
    SCHEDULABLE,
    ConcurrentModification,
    PlatformPost,
    Post,
    PostFilter,
    PostNotFound,
    PostStatus,
)
from socialpub.domain.publishing import AccountNotUsable, PublishMessage, ScheduledPublish, TargetStatus
from socialpub.domain.schedules import (
    QUEUE_HORIZON_DAYS,
    NoFreeSlot,
    PostNotSchedulable,
    Schedule,
    ScheduleNotFound,
    Slot,
    check_due_time,
    checked_zone,
    parse_instant,
)
from socialpub.domain.services.posts import check_content, forget_schedule, get_post
from socialpub.domain.services.publishing import StaleSchedule, start_publishing, targets_of
from socialpub.domain.services.schedules import instant, taken

FIRE_ATTEMPTS = 3
QUEUE_ATTEMPTS = 5
# The sweeper re-queues targets whose message has not come this long after it was due (first
# queued, or put back for a retry); earlier, the queue may just be busy. A target held by a run is
# re-queued as soon as its lease has run out.
STALLED_AFTER = timedelta(minutes=10)
# At most this many targets re-queued per run (the oldest first); the next run takes the rest.
REQUEUE_PER_RUN = 500


class ScheduleInactive(Conflict):
    code = "SCHEDULE_INACTIVE"
    default_message = "This schedule is paused (is_active is false)"


class PostNotScheduled(Conflict):
    code = "POST_NOT_SCHEDULED"
    default_message = "This post is not scheduled"


@dataclass
class SchedulingDeps:
    posts: PostRepository
    accounts: AccountRepository
    workspaces: WorkspaceRepository
    scheduler: PostScheduler
    clock: Clock


@dataclass
class FiringDeps:
    posts: PostRepository
    targets: Targets
    accounts: AccountRepository
    queue: PublishQueue
    clock: Clock


# ---------------------------------------------------------------------- one post (API)


def schedule_post(
    deps: SchedulingDeps, workspace_id: str, post_id: str, scheduled_at: str, timezone: str | None
) -> Post:
    """Due at ``scheduled_at`` (read in ``timezone``, by default the workspace's, when it has no offset)."""
    post = get_post(workspace_id, post_id, deps.posts)
    require_schedulable(post)
    workspace = deps.workspaces.get(workspace_id)
    if workspace is None:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})
    zone = checked_zone(timezone, workspace.settings.timezone)
    at = check_due_time(parse_instant(scheduled_at, zone), deps.clock())
    return schedule_at(deps, post, at, zone)


def require_schedulable(post: Post) -> None:
    if post.status not in SCHEDULABLE:
        raise PostNotSchedulable(
            f"This post is {post.status.value}; only draft, scheduled and failed posts can be scheduled",
            details={"post_id": post.id, "status": post.status.value},
        )


def schedule_at(deps: SchedulingDeps, post: Post, at: datetime, zone: str, slot: tuple[str, str] | None = None) -> Post:
    """Schedule ``post`` at ``at`` (in a schedule's ``slot``: (schedule id, slot id), if queued).

    The post must pass every network's final rules and have an account on each network now; an
    account that expires before the time fails its target then, visibly.
    """
    check_content(post.composition(), post.platforms, final=True)
    targets_of(post, deps.accounts.list(post.workspace_id))
    now = deps.clock()
    scheduled = post.model_copy(
        update={
            "status": PostStatus.SCHEDULED,
            "scheduled_at": at,
            "scheduled_timezone": zone,
            "schedule_version": post.schedule_version + 1,
            "queue_schedule_id": slot[0] if slot else None,
            "queue_slot_id": slot[1] if slot else None,
            "platform_posts": [] if post.status is PostStatus.FAILED else post.platform_posts,
            "updated_at": now,
            "version": post.version + 1,
        }
    )
    # The schedule first: if it cannot be made, nothing changed. If the post's write then fails
    # (a concurrent change), the schedule carries a version the post never got and fires for
    # nothing; a post that was scheduled before keeps its time through the sweeper.
    deps.scheduler.put(scheduled_message(scheduled))
    event = Event.of(
        EventType.POST_SCHEDULED,
        post.workspace_id,
        now,
        {
            "post_id": post.id,
            "status": PostStatus.SCHEDULED.value,
            "scheduled_at": at.astimezone(UTC).isoformat(),
            "scheduled_timezone": zone,
            "platforms": scheduled.platforms,
        },
    )
    deps.posts.save(scheduled, post, event)
    return scheduled


def scheduled_message(post: Post) -> ScheduledPublish:
    assert post.scheduled_at is not None
    assert post.scheduled_timezone is not None
    return ScheduledPublish(
        workspace_id=post.workspace_id,
        post_id=post.id,
        schedule_version=post.schedule_version,
        scheduled_at=post.scheduled_at,
        timezone=post.scheduled_timezone,
    )


def unschedule_post(deps: SchedulingDeps, workspace_id: str, post_id: str, planned_at: datetime | None = None) -> Post:
    """Back to draft; its schedule is removed (and would fire for nothing if that failed). The draft
    keeps the post's time, or takes ``planned_at`` instead (in the same write)."""
    post = get_post(workspace_id, post_id, deps.posts)
    if post.status is not PostStatus.SCHEDULED:
        raise PostNotScheduled(
            f"This post is {post.status.value}, not scheduled",
            details={"post_id": post_id, "status": post.status.value},
        )
    draft = post.unscheduled(deps.clock())
    if planned_at is not None:
        draft = draft.model_copy(update={"planned_at": planned_at})
    deps.posts.save(draft, post)
    forget_schedule(deps.scheduler, post)
    return draft


# ---------------------------------------------------------------------- the queue (API)


def queue_post(
    deps: SchedulingDeps, schedules: ScheduleRepository, workspace_id: str, post_id: str, schedule_id: str | None
) -> Post:
    """Schedule the post at the next free slot for all its networks."""
    for _ in range(QUEUE_ATTEMPTS):
        post = get_post(workspace_id, post_id, deps.posts)
        require_schedulable(post)
        if schedule_id is not None:
            schedule = schedules.get(workspace_id, schedule_id)
            if schedule is None:
                raise ScheduleNotFound(details={"schedule_id": schedule_id})
            if not schedule.is_active:
                raise ScheduleInactive(details={"schedule_id": schedule_id})
            candidates = [schedule]
        else:
            candidates = [s for s in schedules.of_workspace(workspace_id) if s.is_active]
            if not candidates:
                raise NoFreeSlot(
                    "This workspace has no active schedule to queue into; create one (POST /api/schedules)",
                    details={"post_id": post_id},
                )
        named = {
            a.platform: a.id for a in targets_of(post, deps.accounts.list(workspace_id)) if a.id in post.account_ids
        }
        best: tuple[datetime, Schedule, Slot] | None = None
        for schedule in candidates:
            found = _first_free(schedules, schedule, post, named, deps.clock())
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], schedule, found[1])
        if best is None:
            raise NoFreeSlot(
                "No free slot in the next year covers all of this post's platforms "
                f"({', '.join(post.platforms)}); add slots for them or queue it in another schedule",
                details={"post_id": post_id, "platforms": post.platforms},
            )
        at, schedule, slot = best
        try:
            return schedule_at(deps, post, at, schedule.timezone, slot=(schedule.id, slot.id))
        except ConcurrentModification:
            continue  # the slot was taken (or the post changed) meanwhile: look again
    raise ConcurrentModification(
        "The schedule's slots kept being taken by other requests; retry", details={"post_id": post_id}
    )


def _first_free(
    schedules: ScheduleRepository, schedule: Schedule, post: Post, named: dict[str, str], now: datetime
) -> tuple[datetime, Slot] | None:
    return first_free(schedules, schedule, post.platforms, named, now, but=post.id)


def first_free(
    schedules: ScheduleRepository,
    schedule: Schedule,
    networks: list[str],
    named: dict[str, str],
    now: datetime,
    *,
    but: str | None = None,
    busy: Callable[[datetime], bool] | None = None,
) -> tuple[datetime, Slot] | None:
    """The schedule's first occurrence after ``now`` that covers ``networks`` (with the accounts
    ``named`` by network) and that no queued post but ``but`` holds for any of them, nor ``busy``
    says is taken."""
    held = taken(schedules, schedule, now, but=but)
    for at, slot in schedule.occurrences(now):
        if (
            slot.covers(networks, named)
            and not any((instant(at), n) in held for n in networks)
            and not (busy is not None and busy(at))
        ):
            return at, slot
    return None


# Postiz's posting times of a channel that has none of its own: 02:00, 06:40 and 11:40 UTC.
DEFAULT_SLOT_TIMES = (WallTime(2, 0), WallTime(6, 40), WallTime(11, 40))


def next_free_slot(posts: PostRepository, schedules: ScheduleRepository, account: Account, now: datetime) -> datetime:
    """When a post to ``account`` could go next (PostSider's find-slot): the earliest occurrence,
    among the workspace's active schedules with a slot for the account (its network, or the account
    itself), that the queue would give a post to it and at which no post of the workspace to its
    network is due. With no such schedule: the first of Postiz's default times (UTC) after ``now``
    at which no post of the workspace at all is due, as Postiz answers."""
    workspace_id, network = account.workspace_id, account.platform

    def due_then(at: datetime, platform: str | None) -> bool:
        # Slots are whole minutes: a post due within that minute holds it.
        where = PostFilter(platform=platform, start=at, end=at + timedelta(seconds=59))
        found, _ = posts.after(workspace_id, where, cursor=None, per_page=1)
        return bool(found)

    named = {network: account.id}
    candidates = [
        s
        for s in schedules.of_workspace(workspace_id)
        if s.is_active and any(slot.covers([network], named) for slot in s.slots)
    ]
    if candidates:
        found = [
            hit[0]
            for s in candidates
            if (hit := first_free(schedules, s, [network], named, now, busy=lambda at: due_then(at, network)))
        ]
        if not found:
            raise NoFreeSlot(
                f"No free slot in the next year for {network}; add slots to a schedule",
                details={"account_id": account.id},
            )
        return min(found).astimezone(UTC)
    day = now.astimezone(UTC).date()
    for _ in range(QUEUE_HORIZON_DAYS):
        for at in (datetime.combine(day, t, UTC) for t in DEFAULT_SLOT_TIMES):
            if at > now and not due_then(at, None):
                return at
        day += timedelta(days=1)
    raise NoFreeSlot("No free default slot in the next year", details={"account_id": account.id})


# ---------------------------------------------------------------------- firing (publisher, sweeper)


class Fired(StrEnum):
    STARTED = "started"  # the post is publishing
    STALE = "stale"  # published, moved, unscheduled or deleted since: nothing to do
    FAILED = "failed"  # it could not start (content, accounts): the post failed, visibly


def fire(deps: FiringDeps, message: ScheduledPublish) -> Fired:
    """A post's schedule is due: start publishing it, once."""
    for _ in range(FIRE_ATTEMPTS):
        try:
            start_publishing(
                message.workspace_id,
                message.post_id,
                posts=deps.posts,
                targets=deps.targets,
                accounts=deps.accounts,
                queue=deps.queue,
                clock=deps.clock,
                schedule_version=message.schedule_version,
            )
            return Fired.STARTED
        except (StaleSchedule, PostNotFound, WorkspaceNotFound):
            return Fired.STALE
        except ConcurrentModification:
            continue  # another firing won (the next read says stale), or an edit landed: read again
        except (InvalidInput, AccountNotUsable) as refusal:
            return _fail(deps, message, refusal)
    return Fired.STALE


def _fail(deps: FiringDeps, message: ScheduledPublish, refusal: DomainError) -> Fired:
    """The post cannot go out as it stands (edited past a network's rules, account gone or expired):
    it fails now with the reason on each network, instead of staying scheduled in the past."""
    post = deps.posts.get(message.workspace_id, message.post_id)
    if post is None or post.status is not PostStatus.SCHEDULED or post.schedule_version != message.schedule_version:
        return Fired.STALE
    now = deps.clock()
    failed = post.model_copy(
        update={
            "status": PostStatus.FAILED,
            "platform_posts": [
                PlatformPost(
                    platform=p,
                    status=TargetStatus.FAILED.value,
                    error=refusal.message,
                    error_code=refusal.code,
                    error_kind="permanent",
                )
                for p in post.platforms
            ],
            "updated_at": now,
            "version": post.version + 1,
        }
    )
    data = {
        "post_id": post.id,
        "status": PostStatus.FAILED.value,
        "published_at": None,
        "error": {"code": refusal.code, "message": refusal.message},
        "platform_results": [p.model_dump(mode="json", exclude_none=True) for p in failed.platform_posts],
    }
    try:
        deps.posts.save(failed, post, Event.of(EventType.POST_FAILED, post.workspace_id, now, data))
    except ConcurrentModification:
        return Fired.STALE
    return Fired.FAILED


@dataclass(frozen=True)
class LatePost:
    workspace_id: str
    post_id: str
    lateness: timedelta
    fired: Fired


@dataclass(frozen=True)
class SweepReport:
    late: list[LatePost]
    requeued_targets: int


def sweep(deps: FiringDeps, *, grace: timedelta, stalled_after: timedelta = STALLED_AFTER) -> SweepReport:
    """Publish the scheduled posts due more than ``grace`` ago, and re-queue stalled targets."""
    now = deps.clock()
    late: list[LatePost] = []
    for workspace_id, post_id in deps.posts.sweepable(
        PostStatus.SCHEDULED, datetime(2000, 1, 1, tzinfo=UTC), now - grace
    ):
        post = deps.posts.get(workspace_id, post_id)
        if post is None or post.status is not PostStatus.SCHEDULED or post.scheduled_at is None:
            continue
        fired = fire(deps, scheduled_message(post))
        late.append(LatePost(workspace_id, post_id, now - post.scheduled_at, fired))
    stalled: list[PublishMessage] = []
    for workspace_id, post_id, account_id in deps.targets.stalled(now, stalled_after, REQUEUE_PER_RUN):
        try:
            target = deps.targets.get(workspace_id, post_id, account_id)  # the index lags: read it again
        except DamagedItem:
            # Logged where it was read; a delivery for the post's current run fails it (run_target).
            post = deps.posts.get(workspace_id, post_id)
            if post is not None and post.status is PostStatus.PUBLISHING:
                stalled.append(
                    PublishMessage(
                        workspace_id=workspace_id, post_id=post_id, account_id=account_id, run=post.publish_run
                    )
                )
            continue
        if target is not None and target.stalled(now, stalled_after):
            stalled.append(
                PublishMessage(workspace_id=workspace_id, post_id=post_id, account_id=account_id, run=target.run)
            )
    if stalled:
        deps.queue.send(stalled)  # a duplicate of a message still queued runs once (targets' leases)
    return SweepReport(late=late, requeued_targets=len(stalled))
