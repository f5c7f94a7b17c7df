"""Publishing use-cases: start publishing a post (API), run one target (publisher worker), and derive
the post's progress and status from its targets.

A target runs under a lease (one run at a time) and every write asserts the revision it read. A
network failure that may pass (5xx, timeout, 429) is retried a few times in place with backoff, then
the message is put back on the queue for later; a refusal fails the target; a refused token fails it
and marks the account for reconnecting. The post settles once every target is final: published,
partially_published or failed, recording the matching event in the same write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from socialpub.domain.accounts import (
    Account,
    AccountExpired,
    AccountStatus,
    IntegrationNotConfigured,
    NetworkRejected,
    NetworkUnavailable,
    NotRefreshable,
    TokenRejected,
)
from socialpub.domain.analytics import TargetMetrics
from socialpub.domain.errors import DamagedItem, DependencyUnavailable, NotFound, WorkspaceNotFound
from socialpub.domain.events import Event, EventType
from socialpub.domain.integrations import ConfigurationNotFound
from socialpub.domain.media import BytesSource, Media, MediaTooLarge, UnsupportedMediaType
from socialpub.domain.platforms import JPEG, AuthType, Platform, catalog
from socialpub.domain.ports import (
    AccountRepository,
    ByteSource,
    Clock,
    ImageConverter,
    MediaObjectStore,
    PostRepository,
    PublishQueue,
)
from socialpub.domain.ports import TargetRepository as Targets
from socialpub.domain.post_content import MediaKind
from socialpub.domain.posts import (
    PUBLISHABLE,
    ConcurrentModification,
    PlatformPost,
    Post,
    PostNotFound,
    PostStatus,
)
from socialpub.domain.publishing import (
    AccountNotUsable,
    CheckpointSteps,
    FailureKind,
    MediaFile,
    NeedsReconnect,
    NetworkPublisher,
    NoAccountForPlatform,
    PostNotPublishable,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    PublishMessage,
    PublishStat,
    Retryable,
    Target,
    TargetError,
    TargetStatus,
    TokenExpired,
    derived_status,
)
from socialpub.domain.services.accounts import (
    AccountDeps,
    app_api_key,
    app_bot_token,
    mark_needs_reconnect,
    proof_key,
    renewed_access_token,
    usable_access_token,
)
from socialpub.domain.services.posts import check_content

INLINE_ATTEMPTS = 4  # network attempts within one delivery before the message goes back to the queue
INLINE_BACKOFF_SECONDS = 0.5  # doubled after each attempt
MAX_INLINE_WAIT_SECONDS = 10.0  # a longer Retry-After is waited out on the queue instead
MAX_ATTEMPTS = 12  # in all, across deliveries; then the target fails with the last error
MAX_RETRY_WINDOW = timedelta(hours=24)
# Runs that may claim a target: far more than retries take; past it, runs keep dying (a crash, a
# timeout) and the sweeper would revive the target forever, so it fails, visibly.
MAX_RUNS = 20
QUEUE_BACKOFF_SECONDS = 30  # first delay on the queue, doubled each time, at most 15 minutes
MAX_QUEUE_DELAY_SECONDS = 900
SETTLE_ATTEMPTS = 8
FINAL_EVENTS = {
    "published": EventType.POST_PUBLISHED,
    "partially_published": EventType.POST_PARTIALLY_PUBLISHED,
    "failed": EventType.POST_FAILED,
}


@dataclass(frozen=True)
class RunOutcome:
    """What a delivery did: ``finished`` holds the target if this run made it final; ``retry_in``,
    the seconds after which the message must be delivered again (None: never)."""

    retry_in: float | None = None
    finished: Target | None = None


class StaleSchedule(ConcurrentModification):
    """A schedule fired for a post that was published, moved or unscheduled since: nothing to do."""

    default_message = "The post is no longer scheduled for this time"


class LeaseLost(Exception):
    """Another run took this target over (our lease ran out); this run stops without writing."""


@dataclass
class PublishDeps:
    posts: PostRepository
    targets: Targets
    accounts: AccountDeps
    media: MediaObjectStore
    images: ImageConverter  # JPEG copies for networks that take only JPEG
    publishers: Callable[[str], NetworkPublisher]
    clock: Clock
    sleep: Callable[[float], None] = field(default=time.sleep)
    lease: timedelta = timedelta(minutes=6)  # longer than the publisher's timeout
    media_url_ttl_seconds: int = 3600


# The longest a signed media URL lasts: 12 hours, the most an IAM role's session (the credentials that sign
# it) may last; a URL signed for longer stops working when they end anyway.
LASTING_MEDIA_URL_SECONDS = 43_200


# ---------------------------------------------------------------------- starting (API)


def targets_of(post: Post, accounts: list[Account]) -> list[Account]:
    """The accounts a post goes to: those it names, and for each network named without an account,
    that network's default account (or its only one)."""
    by_id = {a.id: a for a in accounts}
    chosen = [by_id[i] for i in post.account_ids if i in by_id]
    missing = [i for i in post.account_ids if i not in by_id]
    if missing:
        raise NoAccountForPlatform(
            "These accounts are no longer connected: " + ", ".join(missing),
            details={"account_ids": missing},
        )
    for network in post.platforms:
        if any(a.platform == network for a in chosen):
            continue
        candidates = [a for a in accounts if a.platform == network]
        defaults = [a for a in candidates if a.is_default]
        if len(defaults) == 1 or len(candidates) == 1:
            chosen.append((defaults or candidates)[0])
            continue
        name = catalog()[network].name
        if not candidates:
            raise NoAccountForPlatform(
                f"No {name} account is connected to this workspace; connect one (POST /api/accounts)",
                details={"platform": network},
            )
        raise NoAccountForPlatform(
            f"Several {name} accounts are connected and none is the default; name the account in the "
            "post's platforms, or make one the default (PUT /api/accounts/{id})",
            details={"platform": network, "account_ids": [a.id for a in candidates]},
        )
    return chosen


def start_publishing(
    workspace_id: str,
    post_id: str,
    *,
    posts: PostRepository,
    targets: Targets,
    accounts: AccountRepository,
    queue: PublishQueue,
    clock: Clock,
    schedule_version: int | None = None,
) -> Post:
    """Queue one message per target of the post. Published targets of an earlier run are kept.

    With ``schedule_version`` (a schedule firing), only a post still scheduled under that version
    starts; any other raises StaleSchedule, and the write asserts the post read, so two firings
    at once start it once."""
    # One read: the post with its targets of earlier runs (kept when published, else run again).
    post, stored = targets.post_and_targets(workspace_id, post_id)
    if post is None:
        raise PostNotFound(details={"post_id": post_id})
    if schedule_version is not None and (
        post.status is not PostStatus.SCHEDULED or post.schedule_version != schedule_version
    ):
        raise StaleSchedule(details={"post_id": post_id, "status": post.status.value})
    if post.status not in PUBLISHABLE:
        said = "is being published" if post.status is PostStatus.PUBLISHING else "is already published"
        raise PostNotPublishable(f"This post {said}", details={"post_id": post_id, "status": post.status.value})
    check_content(post.composition(), post.platforms, final=True)
    chosen = targets_of(post, accounts.list(workspace_id))
    expired = [a.id for a in chosen if a.status is AccountStatus.EXPIRED]
    if expired:
        raise AccountNotUsable(
            "Reconnect these accounts before publishing: " + ", ".join(expired), details={"account_ids": expired}
        )
    now = clock()
    run = post.publish_run + 1
    earlier = {t.account_id: t for t in stored}
    kept: list[Target] = []
    fresh: list[Target] = []
    for account in chosen:
        old = earlier.get(account.id)
        if old is not None and old.status is TargetStatus.PUBLISHED:
            kept.append(old)
            continue
        fresh.append(
            Target(
                workspace_id=workspace_id,
                post_id=post_id,
                account_id=account.id,
                platform=account.platform,
                run=run,
                # Checkpoints of a failed run stay: a thread half posted continues where it stopped,
                # and a step whose outcome was unknown is looked up before anything is resent.
                steps=old.steps if old else {},
                armed=old.armed if old else {},
                queued_at=now,
                rev=old.rev + 1 if old else 0,
            )
        )
    started = post.model_copy(
        update={
            "status": PostStatus.PUBLISHING,
            "publish_run": run,
            "platform_posts": [platform_post(t) for t in [*kept, *fresh]],
            "updated_at": now,
            "version": post.version + 1,
        }
    )
    targets.begin(started, post, fresh)
    try:
        queue.send(
            [
                PublishMessage(workspace_id=workspace_id, post_id=post_id, account_id=t.account_id, run=run)
                for t in fresh
            ]
        )
    except DependencyUnavailable:
        # Nothing will run: put the post back as it was, so the client can simply retry.
        restored = post.model_copy(update={"updated_at": clock(), "version": started.version + 1})
        posts.save(restored, started)
        raise
    return started


def platform_post(target: Target) -> PlatformPost:
    return PlatformPost(
        platform=target.platform,
        account_id=target.account_id,
        post_id=target.network_post_id,
        url=target.url,
        status=target.status.value,
        error=target.error.message if target.error else None,
        error_code=target.error.code if target.error else None,
        error_kind=target.error.kind.value if target.error else None,
        attempts=target.attempts,
        published_at=target.published_at,
    )


def as_stored(post: Post, targets: Targets) -> Post:
    """The post with each target's progress as stored now (status, attempts, result).

    The post's own copy of its targets is brought up to date when a delivery ends (settle), so while
    a run is under way, or after one died mid-way, it lags behind the targets: readers get these."""
    if post.status is not PostStatus.PUBLISHING:
        return post
    by_account = {t.account_id: t for t in targets.of_post(post.workspace_id, post.id)}
    current = [
        platform_post(by_account[p.account_id]) if p.account_id in by_account else p for p in post.platform_posts
    ]
    return post.model_copy(update={"platform_posts": current})


def wait_plan(budget_seconds: float, first_seconds: float, max_reads: int) -> list[float]:
    """The pauses of a publish request's wait, one read of the targets after each: doubling from
    ``first_seconds`` (most posts finish within a few seconds; reading every fraction of a second
    cost up to 63 AWS calls a request), at most ``max_reads`` of them, the last ending the budget."""
    if budget_seconds <= 0 or max_reads <= 0:
        return []
    pauses: list[float] = []
    spent, pause = 0.0, first_seconds
    while len(pauses) < max_reads - 1 and spent + pause < budget_seconds:
        pauses.append(pause)
        spent, pause = spent + pause, pause * 2
    pauses.append(budget_seconds - spent)
    return pauses


def wait_for(
    started: Post,
    *,
    targets: Targets,
    pauses: list[float],
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
    clock: Clock,
) -> Post:
    """The post as its targets show it once every target is final (the status the publisher settles
    it with), or as they stand when the pauses are spent. One read (its targets) after each pause,
    none after the last target is final; without pauses, the post as started (its targets queued)."""
    deadline = monotonic() + sum(pauses)
    current = started
    for pause in pauses:
        # A read takes time too: the last pause is cut so the whole wait stays within the budget.
        sleep(max(0.0, min(pause, deadline - monotonic())))
        by_account = {t.account_id: t for t in targets.of_post(started.workspace_id, started.id)}
        moved = progressed(started, by_account, clock())
        current = moved[0] if moved else started
        if current.status is not PostStatus.PUBLISHING:
            break
    return current


# ---------------------------------------------------------------------- running a target (worker)


def run_target(deps: PublishDeps, message: PublishMessage) -> RunOutcome:
    """Run one target as far as it goes now."""
    try:
        # One read for the whole run: the target, its post and its siblings (to settle the post).
        stored = deps.targets.run_of(message.workspace_id, message.post_id, message.account_id)
    except DamagedItem as exc:
        return _fail_unreadable(deps, message, exc)
    target = stored.target
    if target is None or target.run != message.run:
        return RunOutcome()  # the post was deleted, or published again since: this message is stale
    if target.final:
        settle(deps, message.workspace_id, message.post_id)
        return RunOutcome()
    now = deps.clock()
    if target.leased(now):
        assert target.lease_until is not None
        return RunOutcome(retry_in=max(1.0, (target.lease_until - now).total_seconds()))  # another run has it
    owner = uuid.uuid4().hex
    claimed = target.model_copy(
        update={
            "status": TargetStatus.PUBLISHING,
            "started_at": target.started_at or now,
            "lease_until": now + deps.lease,
            "lease_owner": owner,
            "retry_at": None,
            "runs": target.runs + 1,
            "rev": target.rev + 1,
        }
    )
    try:
        deps.targets.save(claimed, target.rev)
    except ConcurrentModification:
        return RunOutcome(retry_in=1.0)  # another delivery claimed it a moment ago
    if claimed.runs > MAX_RUNS:
        interrupted = PublishFailure(
            f"Publishing stopped before it finished {MAX_RUNS} times (the run crashed or timed out); "
            "check the account, then publish again (what was already posted is found, not sent twice)",
            code="RUN_INTERRUPTED",
        )
        outcome = RunOutcome(finished=_finish(deps, claimed, failure=interrupted))
        settle(deps, message.workspace_id, message.post_id)
        return outcome
    post = stored.post()
    run = _Run(post, stored.targets)
    outcome = _run_claimed(deps, claimed, run)
    if not run.settled:
        settle(deps, message.workspace_id, message.post_id)
    return outcome


@dataclass
class _Run:
    """The post and its targets as read when the run began, to settle the post in the finish's own
    write; ``settled`` once that write did."""

    post: Post | None
    targets: dict[str, Target]
    settled: bool = False


def _fail_unreadable(deps: PublishDeps, message: PublishMessage, damage: DamagedItem) -> RunOutcome:
    """A target stored in a form that no longer reads (logged where it was read) cannot be run, and
    would fail every delivery of its message: it fails, visibly, so its post settles."""
    post = deps.posts.get(message.workspace_id, message.post_id)
    copy = next((p for p in post.platform_posts if p.account_id == message.account_id), None) if post else None
    if post is None or copy is None or post.status is not PostStatus.PUBLISHING or post.publish_run != message.run:
        return RunOutcome()  # stale: the post was deleted, settled or published again since
    now = deps.clock()
    failure = PublishFailure(
        "This target's stored state can no longer be read, so whether it went out is unknown: "
        "look at the account, then publish again",
        code=damage.code,
    )
    failed = Target(
        workspace_id=message.workspace_id,
        post_id=message.post_id,
        account_id=message.account_id,
        platform=copy.platform,
        run=message.run,
        status=TargetStatus.FAILED,
        attempts=copy.attempts,
        error=_error(failure),
        queued_at=now,
        finished_at=now,
    )
    stat = PublishStat(platform=copy.platform, published=False, latency_ms=0, error_code=failure.code, at=now)
    try:
        deps.targets.finish(failed, None, stat)
    except ConcurrentModification:
        return RunOutcome()  # the post was deleted meanwhile
    settle(deps, message.workspace_id, message.post_id)
    return RunOutcome(finished=failed)


def _run_claimed(deps: PublishDeps, target: Target, run: _Run) -> RunOutcome:
    post = run.post
    account = deps.accounts.accounts.get(target.workspace_id, target.account_id)
    if post is None:
        return RunOutcome()
    if account is None:
        return RunOutcome(
            finished=_finish(
                deps,
                target,
                failure=NeedsReconnect("The account was disconnected", code="ACCOUNT_DISCONNECTED"),
                run=run,
            )
        )
    # A visible step's result is written with the next checkpoint, or with the finish (or the
    # retry's write) right after the publish: one PutItem fewer per published target.
    steps = CheckpointSteps(
        target, lambda t: _checkpoint(deps, t), clock=deps.clock, sleep=deps.sleep, hold_results=True
    )
    try:
        last: Retryable | None = None
        token, users_token = "", True
        for inline in range(INLINE_ATTEMPTS):
            target.attempts += 1
            try:
                # The account read above serves the first attempt; a retry reads it again (it may have been refreshed).
                if catalog()[target.platform].auth.app_bot_token:  # the app's bot posts (Discord), not the user
                    token, users_token = _app_bot_token(deps, account), False
                else:
                    token, users_token = _token(deps, account, read=account if inline == 0 else None), True
                job = _job(deps, post, account, target, token)
                if catalog()[target.platform].auth.auth_type is AuthType.SIGNER:
                    job = _neynar_job(deps, job, account)
                try:
                    published = deps.publishers(target.platform).publish(job, steps)
                except TokenExpired:
                    if not users_token or job.token != token:
                        raise
                    # Expired before the expiry we hold: renewed once, then tried again (the steps done are kept)
                    token = _token(deps, account, read=None, refused=token)
                    published = deps.publishers(target.platform).publish(dataclasses.replace(job, token=token), steps)
            except NeedsReconnect as failure:
                # The network refused a token we hold (a failed refresh has marked it already)
                if token and users_token:
                    mark_needs_reconnect(
                        deps.accounts, account.workspace_id, account.id, token=token, reason=failure.message
                    )
                return RunOutcome(finished=_finish(deps, target, failure=failure, run=run))
            except Retryable as failure:
                last = failure
                wait = failure.retry_after if failure.retry_after is not None else INLINE_BACKOFF_SECONDS * 2**inline
                out_of_time = target.started_at is not None and deps.clock() - target.started_at > MAX_RETRY_WINDOW
                if target.attempts >= MAX_ATTEMPTS or out_of_time:
                    return RunOutcome(finished=_finish(deps, target, failure=failure, run=run))
                if inline < INLINE_ATTEMPTS - 1 and wait <= MAX_INLINE_WAIT_SECONDS:
                    steps.write_held()  # not held across the pause and the next attempt's token read
                    deps.sleep(wait)
                    continue
                break
            except PublishFailure as failure:
                return RunOutcome(finished=_finish(deps, target, failure=failure, run=run))
            return RunOutcome(finished=_finish(deps, target, published=published, content=post.content, run=run))
        assert last is not None
        return RunOutcome(retry_in=_retry_later(deps, target, last))
    except Exception:
        # A result held for the finishing write is written before any failure goes up (a refused
        # finish, a reconnect mark or a publisher's slip after the post): only a run that dies holding
        # one leaves its step to be looked up on the network, as before results were held.
        with contextlib.suppress(Exception):
            steps.write_held()
        raise


def _token(deps: PublishDeps, account: Account, *, read: Account | None, refused: str | None = None) -> str:
    """The account's token, refreshed first if near expiry (or if it is ``refused``, the token the
    network has just called expired); refresh failures as publishing failures."""
    try:
        if refused is not None:
            return renewed_access_token(deps.accounts, account.workspace_id, account.id, refused=refused)
        return usable_access_token(deps.accounts, account.workspace_id, account.id, read=read)
    except (AccountExpired, TokenRejected, NotRefreshable) as exc:
        raise NeedsReconnect(f"{exc.message}; reconnect the account", code="TOKEN_REJECTED") from exc
    except NetworkUnavailable as exc:
        raise Retryable(f"The token could not be refreshed: {exc.message}", sent=False) from exc
    except NetworkRejected as exc:  # refused for good (a host no longer allowed, a bad answer)
        raise PublishFailure(f"The token could not be refreshed: {exc.message}", code=exc.code) from exc
    except NotFound as exc:
        raise NeedsReconnect("The account was disconnected", code="ACCOUNT_DISCONNECTED") from exc


def _app_bot_token(deps: PublishDeps, account: Account) -> str:
    """The bot token of the app the account was connected with; its absence fails the target plainly."""
    try:
        return app_bot_token(deps.accounts, account.workspace_id, catalog()[account.platform], account.configuration_id)
    except (IntegrationNotConfigured, ConfigurationNotFound) as exc:
        raise PublishFailure(exc.message, code=IntegrationNotConfigured.code) from exc


def _neynar_job(deps: PublishDeps, job: PublishJob, account: Account) -> PublishJob:
    """Farcaster: the calls carry the Neynar API key of the app the account's signer was made with, for
    the signer (the account's sealed token, handed to the publisher only); no key fails plainly."""
    try:
        key = app_api_key(deps.accounts, account.workspace_id, catalog()[account.platform], account.configuration_id)
    except (IntegrationNotConfigured, ConfigurationNotFound) as exc:
        raise PublishFailure(exc.message, code=IntegrationNotConfigured.code) from exc
    signer = dataclasses.replace(job.account, metadata={**job.account.metadata, "signer_uuid": job.token})
    return dataclasses.replace(job, token=key, account=signer)


def _job(deps: PublishDeps, post: Post, account: Account, target: Target, token: str) -> PublishJob:
    content = post.composition()
    network = target.platform
    platform = catalog()[network]
    return PublishJob(
        platform=platform,
        account=PublishAccount.of(account),
        token=token,
        proof_key=proof_key(deps.accounts, account),  # Bluesky with atproto OAuth: its token's DPoP key
        key=f"socialpub-{target.post_id}-{target.account_id}-{target.run}",
        parts=content.parts_for(network, threads=platform.capabilities.supports_threads),
        title=content.title_for(network),
        link=post.link,
        first_comment=content.first_comment_for(network),
        settings=dict(content.settings_for(network)),
        media=[
            _jpeg_copy(deps, m, network, ttl=_media_url_seconds(deps, platform))
            if m.kind is MediaKind.IMAGE and platform.limits.sent_as_jpeg(m.mime_type)
            else _media_file(deps, m, ttl=_media_url_seconds(deps, platform))
            for m in post.media
        ],
    )


def _media_url_seconds(deps: PublishDeps, platform: Platform) -> int:
    """How long the media URL handed to the network lasts: the deployment's MEDIA_URL_TTL_SECONDS for a
    network that fetches the file while publishing, the longest a signed URL can last for one whose clients
    fetch it each time the post is shown (``lasting_media_urls``: Farcaster's embeds)."""
    if platform.lasting_media_urls:
        return max(deps.media_url_ttl_seconds, LASTING_MEDIA_URL_SECONDS)
    return deps.media_url_ttl_seconds


def _jpeg_copy(deps: PublishDeps, media: Media, network: str, *, ttl: int) -> MediaFile:
    """The image as a network that takes only JPEG gets it: a JPEG copy made once, on the first
    publish that needs it, and kept beside the original (``Media.jpeg_key``), so retries and other
    posts' runs send the very same bytes, and the other networks still get the original."""
    store = deps.media
    copy = store.source(media.jpeg_key)
    if copy is None:
        original = store.source(media.object_key)
        if original is None:
            raise PublishFailure(f"The file of media {media.id} is missing", code="MEDIA_MISSING")
        try:
            data = deps.images.to_jpeg(original.read(0, original.size))
        except (UnsupportedMediaType, MediaTooLarge) as exc:
            raise PublishFailure(
                f"{media.mime_type} could not be converted to image/jpeg for {network}: {exc.message}",
                code="MEDIA_REJECTED",
            ) from exc
        # Two runs at once may both convert: the same bytes, put twice, harm nobody.
        store.put(media.jpeg_key, data, JPEG)
        copy = BytesSource(data)
    stem = media.filename.rsplit(".", 1)[0] if "." in media.filename else media.filename
    converted = media.model_copy(
        update={"mime_type": JPEG, "filename": f"{stem}.jpg", "size": copy.size, "object_key": media.jpeg_key}
    )
    return _media_file(deps, converted, copy, ttl=ttl)


def _media_file(deps: PublishDeps, media: Media, source: ByteSource | None = None, *, ttl: int) -> MediaFile:
    store = deps.media

    def read(offset: int, length: int) -> bytes:
        nonlocal source
        if source is None:
            source = store.source(media.object_key)
            if source is None:
                raise PublishFailure(f"The file of media {media.id} is missing", code="MEDIA_MISSING")
        return source.read(offset, length)

    return MediaFile(
        id=media.id,
        kind=media.kind,
        mime_type=media.mime_type,
        filename=media.filename,
        size=media.size,
        url=store.download_url(media.object_key, ttl),
        read=read,
        width=media.width,
        height=media.height,
        duration=media.duration,
        alt_text=media.alt_text,
    )


def _checkpoint(deps: PublishDeps, target: Target) -> None:
    expected = target.rev
    target.rev += 1
    try:
        deps.targets.save(target, expected)
    except ConcurrentModification as exc:
        target.rev = expected
        raise LeaseLost(target.account_id) from exc


def _finish(
    deps: PublishDeps,
    target: Target,
    *,
    published: Published | None = None,
    failure: PublishFailure | None = None,
    content: str = "",
    run: _Run | None = None,
) -> Target:
    """The target made final, with its counters and tracking; with ``run``, the post settled in the
    same write when it can be (else run_target settles it after, reading it again)."""
    now = deps.clock()
    expected = target.rev
    started = target.started_at or now
    done, tracking = finished(target, now, published=published, failure=failure, content=content)
    stat = PublishStat(
        platform=target.platform,
        published=published is not None,
        latency_ms=int((now - started).total_seconds() * 1000),
        error_code=failure.code if failure else None,
        at=now,
    )
    if run is not None and run.post is not None and run.post.status is PostStatus.PUBLISHING:
        moved = progressed(run.post, {**run.targets, done.account_id: done}, now)
        if moved is not None:
            try:
                deps.targets.finish(done, expected, stat, tracking, (moved[0], run.post, moved[1]))
                run.settled = True
                return done
            except (ConcurrentModification, WorkspaceNotFound):
                # Nothing was written: the post (or the target) moved on since the run began, or the
                # workspace is gone. Finish alone, as below, and settle from a fresh read after.
                pass
    try:
        deps.targets.finish(done, expected, stat, tracking)
    except ConcurrentModification as exc:
        raise LeaseLost(target.account_id) from exc
    return done


def finished(
    target: Target,
    now: datetime,
    *,
    published: Published | None = None,
    failure: PublishFailure | None = None,
    content: str = "",
    published_at: datetime | None = None,
) -> tuple[Target, TargetMetrics | None]:
    """The target made final at ``now`` (its lease and retry cleared, its revision moved on) and, when
    published (at ``published_at``, default now), the start of its analytics: a published target is
    tracked from the same write that finishes it, its first reading due now."""
    out_at = published_at or now
    done = target.model_copy(
        update={
            "status": TargetStatus.PUBLISHED if published else TargetStatus.FAILED,
            "network_post_id": published.post_id if published else None,
            "url": published.url if published else None,
            "published_at": out_at if published else None,
            "error": _error(failure) if failure else None,
            "finished_at": now,
            "lease_until": None,
            "lease_owner": None,
            "retry_at": None,
            "rev": target.rev + 1,
        }
    )
    tracking = (
        TargetMetrics(
            workspace_id=done.workspace_id,
            post_id=done.post_id,
            account_id=done.account_id,
            platform=done.platform,
            network_post_id=published.post_id,
            published_at=out_at,
            content=content[:280],
            next_at=now,
        )
        if published
        else None
    )
    return done, tracking


def _retry_later(deps: PublishDeps, target: Target, failure: Retryable) -> float:
    """Keep the target publishing, with its last error shown, and free it for the next delivery."""
    expected = target.rev
    backoff = min(MAX_QUEUE_DELAY_SECONDS, QUEUE_BACKOFF_SECONDS * 2 ** max(0, target.attempts // INLINE_ATTEMPTS - 1))
    delay = max(backoff, failure.retry_after or 0.0)
    waiting = target.model_copy(
        update={
            "error": _error(failure),
            "lease_until": None,
            "lease_owner": None,
            # When the message is due again: if it never comes (dead-lettered), the sweeper re-queues it.
            "retry_at": deps.clock() + timedelta(seconds=delay),
            "rev": expected + 1,
        }
    )
    try:
        deps.targets.save(waiting, expected)
    except ConcurrentModification as exc:
        raise LeaseLost(target.account_id) from exc
    return delay


def _error(failure: PublishFailure) -> TargetError:
    return TargetError(
        code=failure.code,
        kind=FailureKind(failure.kind),
        message=failure.message,
        network_message=failure.network_message,
    )


# ---------------------------------------------------------------------- the post's status


def settle(deps: PublishDeps, workspace_id: str, post_id: str) -> Post | None:
    """Bring the post's progress up to date with its targets; once all are final, its status and event."""
    for _ in range(SETTLE_ATTEMPTS):
        post = deps.posts.get(workspace_id, post_id)
        if post is None or post.status is not PostStatus.PUBLISHING:
            return post
        by_account = {t.account_id: t for t in deps.targets.of_post(workspace_id, post_id)}
        moved = progressed(post, by_account, deps.clock())
        if moved is None:
            return post
        settled, event = moved
        try:
            deps.targets.settle(settled, post, event)
            return settled
        except ConcurrentModification:
            continue
    return None


def progressed(post: Post, by_account: dict[str, Target], now: datetime) -> tuple[Post, Event | None] | None:
    """The post with its targets' progress (by account) and the status derived from them; once all
    are final, its published_at and its event (post.published, partially_published or failed). None:
    nothing moved.

    A target that cannot be read (damaged, left out) keeps the post's copy of it: the post does not
    settle without it, until its message fails it (run_target)."""
    progress = [
        platform_post(by_account[p.account_id]) if p.account_id in by_account else p for p in post.platform_posts
    ]
    status = derived_status([p.status for p in progress])
    if progress == post.platform_posts and status == post.status.value:
        return None
    update: dict[str, object] = {
        "platform_posts": progress,
        "status": PostStatus(status),
        "updated_at": now,
        "version": post.version + 1,
    }
    event = None
    settled = post.model_copy(update=update)
    if status != "publishing":
        moments = [p.published_at for p in progress if p.published_at]
        settled = settled.model_copy(update={"published_at": min(moments) if moments else None})
        event = Event.of(FINAL_EVENTS[status], post.workspace_id, now, _event_data(settled))
    return settled, event


def _event_data(post: Post) -> dict[str, object]:
    return {
        "post_id": post.id,
        "status": post.status.value,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "platform_results": [p.model_dump(mode="json", exclude_none=True) for p in post.platform_posts],
    }
