"""Publishing: one post to one account is a *target*; each target goes through its network's steps
once, and the post's status is derived from its targets.

At most once per target. Every network call whose effect a reader can see (a status, a tweet, a
pin) is a *visible step*: before it is sent, the step is *armed* (stored); once the network answers,
its result is stored. A run that finds a step armed without a result does not send it again: the
network's outcome is unknown, so the publisher looks the post up on the network first and sends
only when it is not there. Invisible steps (media uploads, containers) are stored once done and
simply redone otherwise: an orphan upload harms nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, Field

from socialpub.domain.errors import Conflict, DomainError, InvalidInput
from socialpub.domain.platforms import Platform
from socialpub.domain.post_content import MediaKind

if TYPE_CHECKING:
    from socialpub.domain.accounts import Account

T = TypeVar("T")
# Looks a visible step's effect up on the network: what was made at or after the given time (the
# moment the step was armed; finders allow a few seconds for clock skew).
Finder = Callable[[datetime], "dict[str, Any] | None"]


class TargetStatus(StrEnum):
    PENDING = "pending"  # queued, not started
    PUBLISHING = "publishing"  # started; waiting for a retry or in a network's hands
    PUBLISHED = "published"
    FAILED = "failed"


FINAL = frozenset({TargetStatus.PUBLISHED, TargetStatus.FAILED})


class Waiting(StrEnum):
    """What an unfinished target waits for (the schedule sweeper watches each kind)."""

    QUEUE = "queued"  # pending: its first message (since it was queued)
    LEASE = "leased"  # a run holds it (until its lease runs out)
    RETRY = "retry"  # put back for a retry: its message comes again (at retry_at)


class FailureKind(StrEnum):
    RETRYABLE = "retryable"  # try again later: 5xx, timeouts, rate limits
    RECONNECT = "needs_reconnect"  # the network refused the account's token
    PERMANENT = "permanent"  # the network refused the post itself


# ---------------------------------------------------------------------- network failures


class PublishFailure(DomainError):
    """A network refused or failed a publishing call; ``code`` is stable (see docs/publishing.md)."""

    kind = FailureKind.PERMANENT
    code = "PUBLISH_FAILED"
    default_message = "The network refused the post"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        network_message: str | None = None,
        status: int | None = None,
        sent: bool | None = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, details={"network_message": network_message, "status": status})
        if code:
            self.code = code
        self.network_message = network_message
        self.status = status
        # False: the network certainly did not act on the call (it answered with a refusal);
        # None: it may have (timeout, 5xx) -- a visible step is then looked up before it is resent.
        self.sent = sent
        self.retry_after = retry_after


class Retryable(PublishFailure):
    kind = FailureKind.RETRYABLE
    code = "NETWORK_UNAVAILABLE"
    default_message = "The network is unavailable; publishing is retried"


class NeedsReconnect(PublishFailure):
    kind = FailureKind.RECONNECT
    code = "TOKEN_REJECTED"
    default_message = "The network refused the account's token; reconnect the account"


class TokenExpired(NeedsReconnect):
    """The network says the access token has expired, though the expiry we hold has not come (a session
    cut short, a PDS's clock): the token is renewed once and the call tried again; only a refused
    renewal asks for a reconnect."""


class Rejected(PublishFailure):
    kind = FailureKind.PERMANENT
    code = "VALIDATION_FAILED"
    default_message = "The network refused the post"


class OutcomeUnknown(PublishFailure):
    """A visible step may have reached the network and this network offers no way to check."""

    kind = FailureKind.PERMANENT
    code = "OUTCOME_UNKNOWN"
    default_message = "The network may or may not have published this; check the account before publishing again"


# ---------------------------------------------------------------------- API-side errors


class PostNotPublishable(Conflict):
    code = "POST_NOT_PUBLISHABLE"
    default_message = "This post cannot be published in its current status"


class NoAccountForPlatform(InvalidInput):
    code = "NO_ACCOUNT_FOR_PLATFORM"
    default_message = "No connected account to publish to"


class AccountNotUsable(Conflict):
    code = "ACCOUNT_NOT_USABLE"
    default_message = "An account this post targets needs to be reconnected"


# ---------------------------------------------------------------------- targets


class TargetError(BaseModel):
    code: str
    kind: FailureKind
    message: str
    network_message: str | None = None


class Target(BaseModel):
    """One (post, account) delivery and everything its steps have stored so far."""

    workspace_id: str
    post_id: str
    account_id: str
    platform: str
    status: TargetStatus = TargetStatus.PENDING
    run: int = 1  # which publish request of the post this belongs to
    attempts: int = 0
    steps: dict[str, Any] = Field(default_factory=dict)  # checkpoints: name -> stored value
    armed: dict[str, str] = Field(default_factory=dict)  # visible steps sent, result not stored: name -> when
    network_post_id: str | None = None
    url: str | None = None
    error: TargetError | None = None
    queued_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    published_at: datetime | None = None
    lease_until: datetime | None = None
    lease_owner: str | None = None
    retry_at: datetime | None = None  # waiting for a retry: when the queue delivers it again
    runs: int = 0  # runs that claimed it (a run that died is taken over by the next one)
    rev: int = 0  # every write asserts the revision it read: a run that lost its lease cannot write

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def leased(self, now: datetime) -> bool:
        return self.lease_until is not None and self.lease_until > now

    def waiting(self) -> tuple[Waiting, datetime] | None:
        """What must happen next for this target to move on, and since (or until) when; None once final."""
        if self.final:
            return None
        if self.lease_until is not None:
            return Waiting.LEASE, self.lease_until
        if self.status is TargetStatus.PENDING:
            return Waiting.QUEUE, self.queued_at
        return Waiting.RETRY, self.retry_at or self.started_at or self.queued_at

    def stalled(self, now: datetime, patience: timedelta) -> bool:
        """Nothing will run this target unless it is queued again: the run holding it died (its lease
        ran out), or its message has not come for ``patience`` after it was due (lost between the
        write and the queue, dead-lettered, or gone with a local stack that was killed)."""
        waiting = self.waiting()
        if waiting is None:
            return False
        kind, since = waiting
        return since <= now if kind is Waiting.LEASE else since <= now - patience


class PublishMessage(BaseModel):
    """What the publish queue carries: one target of one run."""

    workspace_id: str
    post_id: str
    account_id: str
    run: int


class ScheduledPublish(BaseModel):
    """What a post's one-time schedule delivers to the publish queue when the post is due."""

    kind: Literal["scheduled"] = "scheduled"
    workspace_id: str
    post_id: str
    schedule_version: int
    scheduled_at: datetime
    timezone: str


class PublishStat(BaseModel):
    """One finished target, for the per-network health figures."""

    platform: str
    published: bool
    latency_ms: int
    error_code: str | None = None
    at: datetime


class Published(BaseModel):
    """What a network returns for a published post: its id there and its public address."""

    post_id: str
    url: str | None = None


# ---------------------------------------------------------------------- what a publisher gets


@dataclass(frozen=True)
class MediaFile:
    """A media item as a network publisher receives it: a short-lived signed URL (for networks that
    pull) and ranged reads of the bytes (for networks that take uploads)."""

    id: str
    kind: MediaKind
    mime_type: str
    filename: str
    size: int
    url: str
    read: Callable[[int, int], bytes]  # (offset, length) -> bytes
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    alt_text: str | None = None

    def chunks(self, size: int) -> Iterator[tuple[int, bytes]]:
        """(offset, bytes) in pieces of ``size``, read one at a time (videos are not held whole)."""
        for offset in range(0, self.size, size):
            yield offset, self.read(offset, min(size, self.size - offset))

    def content(self) -> bytes:
        return self.read(0, self.size)


@dataclass(frozen=True)
class PublishAccount:
    id: str
    external_id: str  # the network's id of the account, page, channel or chat
    type: str
    username: str | None
    instance: str | None  # Mastodon: the account's server
    metadata: dict[str, str]
    # Bluesky connected with atproto OAuth: the DPoP key its token is bound to (PEM), for insights readers
    proof_key: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, account: Account, proof_key: str | None = None) -> PublishAccount:
        """The account as a network's publisher, its permalinks and its insights reader see it."""
        return cls(
            id=account.id,
            external_id=account.external_id,
            type=account.type,
            username=account.username,
            instance=account.instance,
            metadata=account.metadata,
            proof_key=proof_key,
        )


@dataclass(frozen=True)
class PublishJob:
    """One target's content, as its network receives it (overrides applied)."""

    platform: Platform
    account: PublishAccount
    token: str  # the access token (Telegram: the bot token)
    key: str  # stable per target and run: the network's idempotency key where it has one
    parts: list[str]  # the text, then each reply of a thread
    title: str | None
    link: str | None
    first_comment: str | None
    settings: dict[str, Any]
    media: list[MediaFile] = field(default_factory=list)
    # atproto OAuth: the PEM of the DPoP key the token is bound to (sealed with the account); None: a bearer token
    proof_key: str | None = None

    @property
    def text(self) -> str:
        return self.parts[0]

    def images(self) -> list[MediaFile]:
        return [m for m in self.media if m.kind is MediaKind.IMAGE]

    def videos(self) -> list[MediaFile]:
        return [m for m in self.media if m.kind is MediaKind.VIDEO]


class Steps(Protocol):
    """The target's checkpoints: each value is stored before the next step starts."""

    def once(self, name: str, run: Callable[[], T]) -> T:
        """The stored value of ``name``, or ``run()``'s, stored now (JSON values only)."""
        ...

    def redo(self, name: str, run: Callable[[], T]) -> T:
        """``run()``'s value, stored in place of ``name``'s: an invisible step whose stored result the
        network no longer honours (X's media ids expire a day after the upload)."""
        ...

    def visible(self, name: str, send: Callable[[], dict[str, Any]], find: Finder | None) -> dict[str, Any]:
        """A call that shows something on the network. Its stored result; else, if an earlier run sent
        it without storing the answer, what ``find(armed_at)`` sees on the network (``send`` only when
        ``find`` finds nothing; OutcomeUnknown when there is no ``find``); else ``send()``, armed first."""
        ...

    def wait(self, seconds: float) -> None:
        """Pause between polls of a network's processing."""
        ...


class NetworkPublisher(Protocol):
    """A network's publishing API (one module per catalog network under socialpub.adapters.publishers)."""

    def publish(self, job: PublishJob, steps: Steps) -> Published: ...


# (network, account, the network's id of a post) -> the post's public address, where the network
# makes one from the id alone; else None.
Permalink = Callable[[str, PublishAccount, str], "str | None"]


# ---------------------------------------------------------------------- the post's status


def derived_status(statuses: list[str]) -> str:
    """From the targets' statuses: publishing while any is unfinished; then published, failed or
    partially_published."""
    if any(s not in FINAL for s in statuses):
        return "publishing"
    published = sum(s == TargetStatus.PUBLISHED for s in statuses)
    if published == len(statuses):
        return "published"
    return "partially_published" if published else "failed"


class CheckpointSteps:
    """Steps stored on the target: ``persist`` writes the target (and raises if this run lost it).

    With ``hold_results``, a visible step's result is kept on the target in memory and written with
    the target's next write instead of one of its own: the next step's arming, a write made before
    any other network call or pause, or (after the last step) the caller's write that finishes the
    target or puts it back for a retry, which must follow the publish with no network call between.
    Nothing is sent while a result is held, so a run that dies holding one leaves the step armed,
    and the next run looks it up (``find``) as it would after dying before a result's own write."""

    def __init__(
        self,
        target: Target,
        persist: Callable[[Target], None],
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
        hold_results: bool = False,
    ) -> None:
        self.target = target
        self._persist = persist
        self._clock = clock
        self._sleep = sleep
        self._hold_results = hold_results
        self._held = False

    def once(self, name: str, run: Callable[[], T]) -> T:
        if name in self.target.steps:
            stored: T = self.target.steps[name]
            return stored
        self.write_held()
        value = run()
        self._store(name, value)
        return value

    def redo(self, name: str, run: Callable[[], T]) -> T:
        self.write_held()
        value = run()
        self._store(name, value)
        return value

    def visible(self, name: str, send: Callable[[], dict[str, Any]], find: Finder | None) -> dict[str, Any]:
        if name in self.target.steps:
            stored: dict[str, Any] = self.target.steps[name]
            return stored
        if name in self.target.armed:
            if find is None:
                raise OutcomeUnknown(
                    f"A call to {self.target.platform} was sent and its answer lost, and the network offers no "
                    "way to check whether it took effect; look at the account before publishing again",
                    sent=None,
                )
            found = find(datetime.fromisoformat(self.target.armed[name]))
            if found is not None:
                self._store(name, found)
                return found
            # Not on the network: the earlier call did not take effect, so sending is safe.
        self.target.armed[name] = self._clock().isoformat()
        self._write()  # with a result held, in the same write
        try:
            result = send()
        except PublishFailure as failure:
            # A refusal means nothing was done. Where nothing can be looked up, an error answer
            # (even a 5xx) counts as a refusal; only a lost answer (timeout) stays unknown.
            if failure.sent is False or (find is None and failure.status is not None):
                self.target.armed.pop(name, None)
                self._write()
            raise
        self._store(name, result, hold=self._hold_results)
        return result

    def wait(self, seconds: float) -> None:
        self.write_held()
        self._sleep(seconds)

    def _store(self, name: str, value: Any, *, hold: bool = False) -> None:
        self.target.steps[name] = value
        self.target.armed.pop(name, None)
        if hold:
            self._held = True
        else:
            self._write()

    def write_held(self) -> None:
        """A held result is written now (before anything else is called or awaited)."""
        if self._held:
            self._write()

    def _write(self) -> None:
        self._persist(self.target)
        self._held = False
