"""Scheduling end to end in-process: POST /api/posts/{id}/schedule makes a one-time schedule in moto
EventBridge Scheduler; the local scheduler fires it onto the publish queue when the test's clock
says so; the real PublisherFunction and ScheduleSweeperFunction handlers do the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.domain.accounts import AccountStatus
from socialpub.local.scheduler import LocalScheduler
from socialpub.local.workers import LambdaContext
from socialpub.workers import schedule_sweeper
from tests.conftest import Emulator, FrozenClock, Keys
from tests.integration.pipeline import INSTANCE, Pipeline, events, get, mastodon_post, publish
from tests.integration.test_accounts import connect
from tests.integration.test_posts import create, new_workspace, workspace_stats
from tests.integration.test_publishing import CrashingTargets

GROUP = "PostSchedules"


def schedule(client: TestClient, headers: dict[str, str], post_id: str, at: str, timezone: str | None = None) -> Any:
    body = {"scheduled_at": at} | ({"timezone": timezone} if timezone else {})
    return client.post(f"/api/posts/{post_id}/schedule", json=body, headers=headers)


def stored_schedule(post_id: str) -> dict[str, Any]:
    found: dict[str, Any] = boto3.client("scheduler").get_schedule(Name=post_id, GroupName=GROUP)
    return found


def schedule_exists(post_id: str) -> bool:
    listed = boto3.client("scheduler").list_schedules(GroupName=GROUP, NamePrefix=post_id)["Schedules"]
    return any(s["Name"] == post_id for s in listed)


def utc(local: str) -> str:
    return datetime.fromisoformat(local).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def in_seconds(clock: FrozenClock, seconds: int) -> str:
    return (clock() + timedelta(seconds=seconds)).isoformat()


class Sweeper:
    """The ScheduleSweeperFunction handler on the test's clock."""

    def __init__(self, clock: FrozenClock) -> None:
        schedule_sweeper.adapters.cache_clear()
        deps, _ = schedule_sweeper.adapters()
        deps.clock = clock

    def run(self) -> dict[str, int]:
        report: dict[str, int] = schedule_sweeper.handler({}, LambdaContext("ScheduleSweeperFunction"))
        return report


@pytest.fixture
def scheduler(pipeline: Pipeline) -> LocalScheduler:
    return LocalScheduler(boto3.client("scheduler"), boto3.client("sqs"))


@pytest.fixture
def sweeper(clock: FrozenClock, pipeline: Pipeline) -> Iterator[Sweeper]:
    yield Sweeper(clock)
    schedule_sweeper.adapters.cache_clear()


# ---------------------------------------------------------------------- one post, one schedule


def test_schedule__makes_a_one_time_schedule_to_the_publish_queue(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container, aws: dict[str, str]
) -> None:
    # Given a draft in a workspace whose time zone is Paris
    headers = new_workspace(client, keys, timezone="Europe/Paris")
    post = mastodon_post(client, headers)

    # When it is scheduled for 09:00 on 5 March, written without an offset
    answer = schedule(client, headers, post["id"], "2026-03-05T09:00:00")

    # Then the answer is the seed's: scheduled, at 08:00 UTC, in Paris time
    assert answer.status_code == 200, answer.text
    shown = answer.json()["data"]["post"]
    assert (shown["status"], shown["scheduled_at"], shown["scheduled_timezone"]) == (
        "scheduled",
        "2026-03-05T08:00:00Z",
        "Europe/Paris",
    )
    # And Scheduler holds one schedule named after the post, at that wall-clock time in Paris
    stored = stored_schedule(post["id"])
    assert stored["ScheduleExpression"] == "at(2026-03-05T09:00:00)"
    assert stored["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert stored["ActionAfterCompletion"] == "DELETE"
    assert stored["FlexibleTimeWindow"] == {"Mode": "OFF"}
    # And it sends to the publish queue, with retries for a day and the DLQ after
    target = stored["Target"]
    assert target["Arn"] == aws["PUBLISH_QUEUE_ARN"]
    assert target["RoleArn"] == aws["POST_SCHEDULER_ROLE_ARN"]
    assert target["DeadLetterConfig"] == {"Arn": aws["PUBLISH_DLQ_ARN"]}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    # And its payload names the post and the schedule version it was made for
    assert json.loads(target["Input"]) == {
        "kind": "scheduled",
        "workspace_id": headers["X-Workspace-ID"],
        "post_id": post["id"],
        "schedule_version": 1,
        "scheduled_at": "2026-03-05T08:00:00Z",
        "timezone": "Europe/Paris",
    }
    # And post.scheduled was recorded, and the workspace counts one scheduled post
    (event,) = events(container, headers["X-Workspace-ID"], "post.scheduled")
    assert event["data"]["M"]["scheduled_at"]["S"] == "2026-03-05T08:00:00+00:00"
    assert workspace_stats(client, headers)["scheduled_posts"] == 1


def test_schedule__fires_when_due_and_a_second_firing_publishes_nothing(
    client: TestClient, keys: Keys, pipeline: Pipeline, scheduler: LocalScheduler, clock: FrozenClock
) -> None:
    # Given a post scheduled a minute ahead
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, "On time")
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200
    firing = stored_schedule(post["id"])["Target"]["Input"]

    # When nothing is due yet, nothing fires
    assert scheduler.fire_due(clock()) == 0
    # And when its minute comes, it fires, and Scheduler delivers the same firing twice
    clock.moment += timedelta(seconds=60)
    assert scheduler.fire_due(clock()) == 1
    pipeline.sqs.send_message(QueueUrl=pipeline.url, MessageBody=firing)
    pipeline.drain()

    # Then the network holds exactly one status, and the post is published
    (status,) = pipeline.posts_on("mastodon")
    assert status.text == "On time"
    assert get(client, headers, post["id"])["status"] == "published"
    # And the schedule deleted itself after firing
    assert not schedule_exists(post["id"])


def test_reschedule__moves_the_schedule_and_the_old_firing_publishes_nothing(
    client: TestClient, keys: Keys, pipeline: Pipeline, scheduler: LocalScheduler, clock: FrozenClock
) -> None:
    # Given a post scheduled at +60 s, then moved to +120 s
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200
    old_firing = stored_schedule(post["id"])["Target"]["Input"]
    moved = schedule(client, headers, post["id"], in_seconds(clock, 120))
    assert moved.status_code == 200, moved.text

    # Then the one schedule moved, and carries the next version
    stored = stored_schedule(post["id"])
    assert stored["ScheduleExpression"] == f"at({(clock() + timedelta(seconds=120)).strftime('%Y-%m-%dT%H:%M:%S')})"
    assert json.loads(stored["Target"]["Input"])["schedule_version"] == 2

    # When the old time comes and a firing for the old version arrives anyway
    clock.moment += timedelta(seconds=60)
    assert scheduler.fire_due(clock()) == 0
    pipeline.sqs.send_message(QueueUrl=pipeline.url, MessageBody=old_firing)
    pipeline.drain()

    # Then nothing is published and the post is still scheduled
    assert pipeline.posts_on("mastodon") == []
    assert get(client, headers, post["id"])["status"] == "scheduled"

    # And at the new time it publishes, once
    clock.moment += timedelta(seconds=60)
    assert scheduler.fire_due(clock()) == 1
    pipeline.drain()
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"


def test_schedule__an_edit_before_the_time_is_what_gets_published(
    client: TestClient, keys: Keys, pipeline: Pipeline, scheduler: LocalScheduler, clock: FrozenClock
) -> None:
    # Given a scheduled post whose text is changed afterwards
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, "First draft")
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200
    edited = client.put(f"/api/posts/{post['id']}", json={"content": "Final words"}, headers=headers)
    assert edited.status_code == 200, edited.text

    # When its schedule fires
    clock.moment += timedelta(seconds=60)
    scheduler.fire_due(clock())
    pipeline.drain()

    # Then the edited text is what the network holds
    (status,) = pipeline.posts_on("mastodon")
    assert status.text == "Final words"


def test_schedule__an_edit_that_could_not_publish_is_refused_while_scheduled(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given a scheduled Mastodon post (a draft may be empty; a post going out may not)
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, "Something to say")
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200

    # When its text is emptied
    edited = client.put(f"/api/posts/{post['id']}", json={"content": ""}, headers=headers)

    # Then 400 names the rule, and the post keeps its text and its time
    assert edited.status_code == 400, edited.text
    assert edited.json()["error"]["details"]["platforms"]["mastodon"][0]["rule"] == "text_required"
    shown = get(client, headers, post["id"])
    assert (shown["status"], shown["content"]) == ("scheduled", "Something to say")


def test_unschedule__back_to_draft_and_its_schedule_is_gone(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock, container: Container
) -> None:
    # Given a scheduled post
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200
    firing = stored_schedule(post["id"])["Target"]["Input"]

    # When it is moved back to draft
    answer = client.delete(f"/api/posts/{post['id']}/schedule", headers=headers)

    # Then it is a draft with no time, and its schedule is removed
    assert answer.status_code == 200, answer.text
    shown = answer.json()["data"]["post"]
    assert (shown["status"], shown["scheduled_at"], shown["scheduled_timezone"]) == ("draft", None, None)
    assert not schedule_exists(post["id"])
    assert workspace_stats(client, headers)["scheduled_posts"] == 0
    # And a firing that was already on its way publishes nothing
    clock.moment += timedelta(seconds=60)
    pipeline.sqs.send_message(QueueUrl=pipeline.url, MessageBody=firing)
    pipeline.drain()
    assert pipeline.posts_on("mastodon") == []
    assert get(client, headers, post["id"])["status"] == "draft"
    # And unscheduling a draft is refused
    again = client.delete(f"/api/posts/{post['id']}/schedule", headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "POST_NOT_SCHEDULED"


def test_delete__a_scheduled_post_takes_its_schedule_with_it(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200

    assert client.delete(f"/api/posts/{post['id']}", headers=headers).status_code == 200

    assert not schedule_exists(post["id"])


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"scheduled_at": "2026-03-01T09:00:00Z"}, "scheduled_at", "in the future"),
        ({"scheduled_at": "next tuesday"}, "scheduled_at", "ISO 8601"),
        ({"scheduled_at": "2030-01-01T09:00:00Z"}, "scheduled_at", "two years"),
        ({"scheduled_at": "2026-03-29T02:30:00", "timezone": "Europe/Paris"}, "scheduled_at", "does not exist"),
        ({"scheduled_at": "2026-03-05T09:00:00", "timezone": "Mars/Olympus"}, "timezone", "IANA"),
        ({"scheduled_at": "2026-03-05T09:00:00", "timezone": "CET "}, "timezone", "IANA"),
        ({"scheduled_at": 1772701200}, "scheduled_at", ""),
        ({}, "scheduled_at", ""),
    ],
)
def test_schedule__bad_times_and_zones_are_refused_and_nothing_changes(
    client: TestClient, keys: Keys, pipeline: Pipeline, body: dict[str, Any], field: str, says: str
) -> None:
    # Given a draft
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)

    # When it is scheduled with a bad time or zone
    answer = client.post(f"/api/posts/{post['id']}/schedule", json=body, headers=headers)

    # Then 400 names the field, and the post stays a draft with no schedule
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in json.dumps(error["details"])
    assert says in error["message"]
    assert get(client, headers, post["id"])["status"] == "draft"
    assert not schedule_exists(post["id"])


def test_schedule__refused_for_what_could_not_publish_then(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    later = in_seconds(clock, 3600)
    # An Instagram post without media is a fine draft, but cannot be published: refused with the rule
    no_media = create(client, headers, content="Caption", platforms=["instagram"])
    refused = schedule(client, headers, no_media["id"], later)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["platforms"]["instagram"][0]["rule"] == "media_required"
    # A network with no connected account: refused, naming it
    no_account = create(client, headers, content="Hello", platforms=["bluesky"])
    refused = schedule(client, headers, no_account["id"], later)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "NO_ACCOUNT_FOR_PLATFORM")
    # A published post: 409
    published = mastodon_post(client, headers)
    publish(client, headers, published["id"])
    pipeline.drain()
    refused = schedule(client, headers, published["id"], later)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "POST_NOT_SCHEDULABLE")
    # Unknown posts and other tenants' posts: 404
    assert schedule(client, headers, "post_nope", later).status_code == 404
    stranger = new_workspace(client, keys)
    assert schedule(client, stranger, no_media["id"], later).status_code == 404
    # And none of them got a schedule
    assert not any(schedule_exists(p["id"]) for p in (no_media, no_account, published))


def test_schedule__an_account_expired_by_the_time_fails_the_post_visibly(
    client: TestClient,
    keys: Keys,
    pipeline: Pipeline,
    scheduler: LocalScheduler,
    clock: FrozenClock,
    container: Container,
) -> None:
    # Given a scheduled post whose account expires before its time
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200
    workspace_id = headers["X-Workspace-ID"]
    (account,) = container.post_accounts.list(workspace_id)
    expired = account.model_copy(update={"status": AccountStatus.EXPIRED, "token_version": account.token_version + 1})
    assert container.post_accounts.save(expired, account)

    # When its schedule fires
    clock.moment += timedelta(seconds=60)
    scheduler.fire_due(clock())
    pipeline.drain()

    # Then the post failed, saying why on its network, and post.failed was recorded
    shown = get(client, headers, post["id"])
    assert shown["status"] == "failed"
    (result,) = shown["platform_posts"]
    assert (result["platform"], result["status"], result["error_code"]) == ("mastodon", "failed", "ACCOUNT_NOT_USABLE")
    assert len(events(container, workspace_id, "post.failed")) == 1
    assert pipeline.posts_on("mastodon") == []


def test_disconnect__a_post_left_without_accounts_goes_to_draft_and_loses_its_schedule(
    client: TestClient, keys: Keys, pipeline: Pipeline, clock: FrozenClock
) -> None:
    # Given a post scheduled to the workspace's only Mastodon account
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200

    # When the account is disconnected
    (account_id,) = get(client, headers, post["id"])["account_ids"]
    gone = client.delete(f"/api/accounts/{account_id}", headers=headers)

    # Then the post was cancelled back to draft, and its schedule removed
    assert gone.status_code == 200, gone.text
    assert gone.json()["data"]["cancelled_posts"] == 1
    assert get(client, headers, post["id"])["status"] == "draft"
    assert not schedule_exists(post["id"])


# ---------------------------------------------------------------------- the sweeper


def emitted(output: str, metric: str) -> list[float]:
    """The values of one metric in the embedded-metric-format lines a handler printed."""
    values: list[float] = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line and metric in line:
            value = json.loads(line)[metric]
            values.extend(value if isinstance(value, list) else [value])
    return values


def test_sweeper__publishes_a_post_whose_schedule_never_fired(
    client: TestClient,
    keys: Keys,
    pipeline: Pipeline,
    sweeper: Sweeper,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a scheduled post whose schedule was lost (deleted behind our back)
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, "Better late than never")
    assert schedule(client, headers, post["id"], in_seconds(clock, 60)).status_code == 200
    boto3.client("scheduler").delete_schedule(Name=post["id"], GroupName=GROUP)

    # When the sweeper runs within the grace period after its time, it leaves it to Scheduler
    clock.moment += timedelta(seconds=60 + 60)
    assert sweeper.run() == {"late_posts": 0, "requeued_targets": 0}
    # And when it runs past the grace period, it starts the post
    clock.moment += timedelta(seconds=90)
    capsys.readouterr()
    assert sweeper.run() == {"late_posts": 1, "requeued_targets": 0}
    # And it reports the late post and its lateness (150 s) as metrics, for the alarm and dashboard
    printed = capsys.readouterr().out
    assert emitted(printed, "LateScheduledPosts") == [1.0]
    assert emitted(printed, "ScheduledPostLateness") == [150.0]
    pipeline.drain()

    # Then the post is published once, and the next sweep finds nothing
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"
    assert sweeper.run() == {"late_posts": 0, "requeued_targets": 0}


def test_sweeper__requeues_targets_whose_messages_never_reached_the_queue(
    client: TestClient, keys: Keys, pipeline: Pipeline, sweeper: Sweeper, clock: FrozenClock
) -> None:
    # Given a post being published whose target message was lost
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert publish(client, headers, post["id"]).status_code == 202
    for message in pipeline.receive():
        pipeline.sqs.delete_message(QueueUrl=pipeline.url, ReceiptHandle=message["ReceiptHandle"])

    # When the sweeper runs before it counts as stalled, nothing is re-queued
    clock.moment += timedelta(minutes=5)
    assert sweeper.run()["requeued_targets"] == 0
    # And once it has stalled, its target is queued again
    clock.moment += timedelta(minutes=6)
    assert sweeper.run()["requeued_targets"] == 1
    pipeline.drain()

    # Then it is published, once
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"


def test_sweeper__a_target_whose_run_died_before_the_network_call__published_once(
    client: TestClient, keys: Keys, pipeline: Pipeline, sweeper: Sweeper, clock: FrozenClock
) -> None:
    # Given a run that claimed its target, armed the status and died before sending it, its message
    # gone with it (a killed local stack) or to the DLQ
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.deps.targets = CrashingTargets(pipeline.deps.targets, "status.0", sent=False)  # type: ignore[arg-type]
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}
    pipeline.sqs.delete_message(QueueUrl=pipeline.url, ReceiptHandle=message["ReceiptHandle"])
    assert pipeline.posts_on("mastodon") == []

    # When the sweeper runs while the dead run's lease still holds, it leaves the target alone
    clock.moment += timedelta(minutes=1)
    assert sweeper.run()["requeued_targets"] == 0
    # And once the lease has run out, it queues the target again
    clock.moment += timedelta(minutes=6)
    assert sweeper.run()["requeued_targets"] == 1
    pipeline.drain()

    # Then the status is sent once, and the post is published and shows it
    (status,) = pipeline.posts_on("mastodon")
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == status.id
    assert sweeper.run()["requeued_targets"] == 0


def test_sweeper__a_target_whose_run_died_after_the_network_call__recorded_without_a_second_post(
    client: TestClient, keys: Keys, pipeline: Pipeline, sweeper: Sweeper, clock: FrozenClock
) -> None:
    # Given a run killed right after the network accepted the status, before its result was
    # stored, its message gone with it
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.deps.targets = CrashingTargets(pipeline.deps.targets, "status.0")  # type: ignore[arg-type]
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}
    pipeline.sqs.delete_message(QueueUrl=pipeline.url, ReceiptHandle=message["ReceiptHandle"])
    (status,) = pipeline.posts_on("mastodon")

    # When the sweeper runs after the dead run's lease ran out
    clock.moment += timedelta(minutes=7)
    assert sweeper.run()["requeued_targets"] == 1
    pipeline.drain()

    # Then the status already made is recorded: still one on the network, and the post shows it
    assert [p.id for p in pipeline.posts_on("mastodon")] == [status.id]
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == status.id


def test_sweeper__a_target_waiting_for_a_retry_whose_message_was_dead_lettered__published_once(
    client: TestClient, keys: Keys, pipeline: Pipeline, sweeper: Sweeper, clock: FrozenClock, emulator: Emulator
) -> None:
    # Given a target put back for a retry in 30 s (the network was down), whose message then went
    # to the DLQ
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    emulator.fault("mastodon", "statuses", 503, count=4, body={"error": "Service unavailable"})
    assert publish(client, headers, post["id"]).status_code == 202
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}
    pipeline.sqs.delete_message(QueueUrl=pipeline.url, ReceiptHandle=message["ReceiptHandle"])

    # When the sweeper runs while the retry could still come, nothing is re-queued
    clock.moment += timedelta(minutes=5)
    assert sweeper.run()["requeued_targets"] == 0
    # And once it is long overdue, the target is queued again
    clock.moment += timedelta(minutes=6)
    assert sweeper.run()["requeued_targets"] == 1
    pipeline.drain()

    # Then it is published, once
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"


# ---------------------------------------------------------------------- schedules and the queue


def weekly_schedule(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body.setdefault("name", "Morning Posts")
    body.setdefault("timezone", "Europe/Paris")
    body.setdefault(
        "slots",
        [
            {"day": "monday", "time": "09:00", "platforms": ["mastodon"]},
            {"day": "wednesday", "time": "09:00", "platforms": ["mastodon"]},
        ],
    )
    answer = client.post("/api/schedules", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()["data"]["schedule"]
    return created


def queue(client: TestClient, headers: dict[str, str], post_id: str, **body: Any) -> Any:
    return client.post(f"/api/posts/{post_id}/queue", json=body or None, headers=headers)


def test_queue__ten_posts_take_ten_distinct_slots_in_order(client: TestClient, keys: Keys, pipeline: Pipeline) -> None:
    # Given a Monday and Wednesday 09:00 Paris schedule for Mastodon, and ten posts
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    sched = weekly_schedule(client, headers)
    posts = [create(client, headers, content=f"Post {i}", platforms=[account["id"]]) for i in range(10)]
    expected = client.get(f"/api/schedules/{sched['id']}/next-slots?count=10", headers=headers).json()["data"]

    # When each is added to the queue
    answers = [queue(client, headers, p["id"]) for p in posts]

    # Then each took the next free slot: ten distinct times, in order, matching the next slots
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    placed = [a.json()["data"]["post"] for a in answers]
    assert all(p["status"] == "scheduled" and p["queue"]["schedule_id"] == sched["id"] for p in placed)
    local = [s["slot_time"] for s in expected["slots"]]
    assert local[:3] == ["2026-03-04T09:00:00+01:00", "2026-03-09T09:00:00+01:00", "2026-03-11T09:00:00+01:00"]
    assert [p["scheduled_at"] for p in placed] == [utc(t) for t in local]
    assert len({p["scheduled_at"] for p in placed}) == 10
    # And each has its own schedule at its slot's wall-clock time in Paris (past 29 March: summer time)
    for p, slot_time in zip(placed, local, strict=True):
        stored = stored_schedule(p["id"])
        assert stored["ScheduleExpression"] == f"at({slot_time[:19]})"
        assert stored["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert local[-1] == "2026-04-06T09:00:00+02:00"
    # And the schedule lists them as upcoming, and its next slots as taken
    detail = client.get(f"/api/schedules/{sched['id']}", headers=headers).json()["data"]["schedule"]
    assert [u["post_id"] for u in detail["upcoming_posts"]] == [p["id"] for p in posts]
    assert detail["stats"]["next_slot"] == "2026-03-04T09:00:00+01:00"
    after = client.get(f"/api/schedules/{sched['id']}/next-slots?count=11", headers=headers).json()["data"]["slots"]
    assert [s["taken"] for s in after] == [["mastodon"]] * 10 + [[]]


def test_queue__a_slot_freed_by_unscheduling_is_taken_by_the_next_post(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    weekly_schedule(client, headers)
    first, second, third = (create(client, headers, content=f"P{i}", platforms=[account["id"]]) for i in range(3))
    times = [queue(client, headers, p["id"]).json()["data"]["post"]["scheduled_at"] for p in (first, second)]

    # When the first goes back to draft, its slot is free again for the next post queued
    assert client.delete(f"/api/posts/{first['id']}/schedule", headers=headers).status_code == 200
    taken = queue(client, headers, third["id"]).json()["data"]["post"]["scheduled_at"]

    assert taken == times[0]


def test_queue__refusals(client: TestClient, keys: Keys, pipeline: Pipeline) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    post = create(client, headers, content="Queued", platforms=[account["id"]])
    # No schedule at all
    refused = queue(client, headers, post["id"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "NO_FREE_SLOT")
    # Schedules whose slots do not cover the post's network
    other = weekly_schedule(client, headers, slots=[{"day": "friday", "time": "10:00", "platforms": ["twitter"]}])
    refused = queue(client, headers, post["id"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "NO_FREE_SLOT")
    assert "mastodon" in refused.json()["error"]["message"]
    # A paused schedule
    paused = weekly_schedule(client, headers, is_active=False)
    refused = queue(client, headers, post["id"], schedule_id=paused["id"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "SCHEDULE_INACTIVE")
    # Unknown and other tenants' schedules
    assert queue(client, headers, post["id"], schedule_id="sched_nope").status_code == 404
    stranger = new_workspace(client, keys)
    assert queue(client, stranger, post["id"], schedule_id=other["id"]).status_code == 404
    # And the post is still a draft
    assert get(client, headers, post["id"])["status"] == "draft"


def test_queue__a_published_queued_post_counts_in_the_schedules_stats(
    client: TestClient, keys: Keys, pipeline: Pipeline, scheduler: LocalScheduler, clock: FrozenClock
) -> None:
    headers = new_workspace(client, keys)
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    sched = weekly_schedule(client, headers)
    post = create(client, headers, content="Queued", platforms=[account["id"]])
    placed = queue(client, headers, post["id"]).json()["data"]["post"]

    # When its slot comes and it is published
    clock.moment = datetime.fromisoformat(placed["scheduled_at"])
    assert scheduler.fire_due(clock()) == 1
    pipeline.drain()

    # Then the schedule counts it, in all and this week, and lists it no more as upcoming
    detail = client.get(f"/api/schedules/{sched['id']}", headers=headers).json()["data"]["schedule"]
    assert detail["stats"]["total_published"] == 1
    assert detail["stats"]["this_week"] == 1
    assert detail["upcoming_posts"] == []


# ---------------------------------------------------------------------- schedules CRUD


def test_schedules__crud_with_the_seeds_shapes(client: TestClient, keys: Keys, pipeline: Pipeline) -> None:
    headers = new_workspace(client, keys, timezone="Europe/London")
    connect(client, headers, platform="mastodon", instance=INSTANCE)
    # Created: the time zone defaults to the workspace's
    created = weekly_schedule(client, headers, name="Morning Posts", description="Daily", timezone=None)
    assert created["timezone"] == "Europe/London"
    assert created["is_active"] is True
    assert [s["id"] for s in created["slots"]] == ["slot_1", "slot_2"]
    # Listed
    listed = client.get("/api/schedules", headers=headers).json()["data"]["schedules"]
    assert [s["id"] for s in listed] == [created["id"]]
    # Changed: only the fields sent
    changed = client.put(
        f"/api/schedules/{created['id']}",
        json={"is_active": False, "slots": [{"day": "tuesday", "time": "10:00", "platforms": ["mastodon"]}]},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()["data"]["schedule"]
    assert (body["name"], body["is_active"], body["slots"][0]["day"]) == ("Morning Posts", False, "tuesday")
    detail = client.get(f"/api/schedules/{created['id']}", headers=headers).json()["data"]["schedule"]
    assert detail["stats"] == {"total_published": 0, "this_week": 0, "next_slot": None}  # paused
    # Deleted
    gone = client.delete(f"/api/schedules/{created['id']}", headers=headers)
    assert gone.json()["data"] == {"message": "Schedule deleted successfully"}
    assert client.get(f"/api/schedules/{created['id']}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "slots": [{"day": "monday", "time": "25:00", "platforms": ["mastodon"]}]}, "time"),
        ({"name": "x", "slots": [{"day": "someday", "time": "09:00", "platforms": ["mastodon"]}]}, "day"),
        ({"name": "x", "slots": [{"day": "monday", "time": "09:00", "platforms": ["myspace"]}]}, "platforms"),
        ({"name": "x", "slots": [{"day": "monday", "time": "09:00", "platforms": []}]}, "platforms"),
        ({"name": "x", "timezone": "Mars/Olympus", "slots": []}, "timezone"),
        ({"name": "  ", "slots": []}, "name"),
        ({"slots": []}, "name"),
    ],
)
def test_schedules__bad_input_is_refused_and_nothing_is_stored(
    client: TestClient, keys: Keys, pipeline: Pipeline, body: dict[str, Any], field: str
) -> None:
    headers = new_workspace(client, keys)
    answer = client.post("/api/schedules", json=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert field in json.dumps(answer.json()["error"]["details"])
    assert client.get("/api/schedules", headers=headers).json()["data"]["schedules"] == []


def test_schedules__other_tenants_get_404_and_next_slots_count_is_bounded(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    connect(client, headers, platform="mastodon", instance=INSTANCE)
    created = weekly_schedule(client, headers)
    stranger = new_workspace(client, keys)
    for method, path in [
        ("GET", f"/api/schedules/{created['id']}"),
        ("PUT", f"/api/schedules/{created['id']}"),
        ("DELETE", f"/api/schedules/{created['id']}"),
        ("GET", f"/api/schedules/{created['id']}/next-slots"),
    ]:
        answer = client.request(method, path, json={} if method == "PUT" else None, headers=stranger)
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "SCHEDULE_NOT_FOUND"), path
    assert client.get(f"/api/schedules/{created['id']}/next-slots?count=0", headers=headers).status_code == 400
    assert client.get(f"/api/schedules/{created['id']}/next-slots?count=101", headers=headers).status_code == 400
    assert len(client.get("/api/schedules", headers=headers).json()["data"]["schedules"]) == 1
