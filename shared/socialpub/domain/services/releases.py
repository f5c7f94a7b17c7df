"""Recording by hand a post the publisher could not confirm.

A target fails with OUTCOME_UNKNOWN when a visible call may have reached a network that offers no
way to look it up (Telegram's Bot API, TikTok photo posts, ...): the publisher never sends it again,
and asks the user to look at the account. When the post is there, the user records its id on the
network: the target becomes published with it, exactly as if the publisher had got the answer
(the same target write, analytics tracking, post status and event: services/publishing.py), in one
write that asserts the target's revision and the post's version, so a run of the publisher that
wrote either meanwhile is never overwritten.
"""

from __future__ import annotations

from datetime import datetime

from socialpub.domain.errors import InvalidInput
from socialpub.domain.platforms import catalog
from socialpub.domain.ports import AccountRepository, Clock, PostRepository
from socialpub.domain.ports import TargetRepository as Targets
from socialpub.domain.posts import ConcurrentModification, Post, PostNotFound, PostStatus
from socialpub.domain.publishing import OutcomeUnknown, Permalink, PublishAccount, Published, Target, TargetStatus
from socialpub.domain.services.publishing import SETTLE_ATTEMPTS, finished, progressed

MAX_NETWORK_POST_ID = 200  # networks' ids are far shorter (a Bluesky at:// URI is the longest)
# A post whose targets are those of its last run (a draft or scheduled post is not being published,
# whatever an earlier run left).
PUBLISHED_OR_GOING = frozenset(
    {PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.PARTIALLY_PUBLISHED, PostStatus.FAILED}
)


class OutcomeNotUnknown(InvalidInput):
    """No target of the post (or not the one named) waits for its outcome to be recorded."""

    code = "OUTCOME_NOT_UNKNOWN"
    default_message = "Only a target whose outcome is unknown (OUTCOME_UNKNOWN) takes a post id by hand"

    def __init__(self, state: str, *, post_id: str) -> None:
        super().__init__(f"{self.default_message}; this post: {state}", details={"post_id": post_id, "state": state})
        self.state = state  # what the post's targets are, in words


def network_post_id_problem(value: str) -> str | None:
    """What is wrong with a network's post id given by hand, in class-validator's words; None: fine."""
    if not value:
        return "should not be empty"
    if len(value) > MAX_NETWORK_POST_ID:
        return f"must be shorter than or equal to {MAX_NETWORK_POST_ID} characters"
    if any(c.isspace() or not c.isprintable() for c in value):
        return "must not contain whitespace or control characters"
    return None


def record_release(
    workspace_id: str,
    post_id: str,
    network_post_id: str,
    *,
    account_id: str | None = None,
    posts: PostRepository,
    targets: Targets,
    accounts: AccountRepository,
    permalink: Permalink,
    clock: Clock,
) -> Post:
    """Record the network's id of the post a target with an unknown outcome made: the target (the
    one to ``account_id``, else the post's one such target) becomes published, and the post settles
    from its targets. The settled post; OutcomeNotUnknown when no target is in that state."""
    problem = network_post_id_problem(network_post_id)
    if problem is not None:
        raise InvalidInput(f"The network's post id {problem}", details={"field": "network_post_id"})
    for _ in range(SETTLE_ATTEMPTS):
        post = posts.get(workspace_id, post_id)
        if post is None:
            raise PostNotFound(details={"post_id": post_id})
        current = {t.account_id: t for t in targets.of_post(workspace_id, post_id)}
        target = _unknown_target(post, current, account_id)
        account = accounts.get(workspace_id, target.account_id)  # None: disconnected since, no link then
        url = permalink(target.platform, PublishAccount.of(account), network_post_id) if account else None
        now = clock()
        done, tracking = finished(
            target,
            now,
            published=Published(post_id=network_post_id, url=url),
            content=post.content,
            published_at=_sent_at(target) or now,
        )
        moved = progressed(post, {**current, done.account_id: done}, now)
        assert moved is not None  # a target went from failed to published
        settled, event = moved
        try:
            targets.record(done, target.rev, tracking, settled, post, event)
        except ConcurrentModification:
            continue  # the publisher wrote the post or the target meanwhile: read both again
        return settled
    raise ConcurrentModification(details={"post_id": post_id})


def _unknown_target(post: Post, current: dict[str, Target], account_id: str | None) -> Target:
    """The target whose outcome waits to be recorded: one of the post's last run, failed with
    OUTCOME_UNKNOWN."""
    if post.status not in PUBLISHED_OR_GOING:
        said = "a draft" if post.status is PostStatus.DRAFT else str(post.status.value)
        raise OutcomeNotUnknown(f"it is {said}, not published", post_id=post.id)
    ours = [
        current[p.account_id]
        for p in post.platform_posts
        if p.account_id in current and current[p.account_id].run == post.publish_run
    ]
    if account_id is not None:
        ours = [t for t in ours if t.account_id == account_id]
        if not ours:
            raise OutcomeNotUnknown(f"it was not published to account {account_id}", post_id=post.id)
    unknown = [t for t in ours if _outcome_unknown(t)]
    if len(unknown) > 1:
        raise InvalidInput(
            "Several targets of this post have an unknown outcome: name the account whose post id this is",
            details={"post_id": post.id, "account_ids": [t.account_id for t in unknown]},
        )
    if not unknown:
        raise OutcomeNotUnknown("; ".join(_state(t) for t in ours) or "it has no targets", post_id=post.id)
    return unknown[0]


def _outcome_unknown(target: Target) -> bool:
    return (
        target.status is TargetStatus.FAILED and target.error is not None and target.error.code == OutcomeUnknown.code
    )


def _state(target: Target) -> str:
    network = catalog()[target.platform].name
    if target.status is TargetStatus.PUBLISHED:
        return f"{network} published it as {target.network_post_id}"
    if target.status is TargetStatus.FAILED:
        code = target.error.code if target.error else "an error"
        return f"{network} failed with {code}, which is not a lost answer"
    return f"{network} is still being published to"


def _sent_at(target: Target) -> datetime | None:
    """When the call whose answer was lost was sent (its step was armed then): when the network
    published the post, rather than when the user recorded it."""
    moments = [datetime.fromisoformat(at) for at in target.armed.values()]
    return min(moments) if moments else None
