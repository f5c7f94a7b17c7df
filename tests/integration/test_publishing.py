"""The publishing pipeline end to end in-process: POST /api/posts/{id}/publish queues one message per
target (moto SQS), the real PublisherFunction handler runs them against the platform emulator, and
the post's status, platform_posts and events follow. Deliveries are driven by the test, so
duplicates, concurrency, crashes and retries happen exactly where each test puts them."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository
from socialpub.api import app_factory
from socialpub.api.container import Container
from socialpub.authorizer import handle
from socialpub.config import ConfigurationError, PublishingSettings, load
from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.publishing import Target
from socialpub.domain.services.publishing import MAX_RUNS, wait_plan
from socialpub.local.workers import LambdaContext
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import INSTANCE, Pipeline, events, get, mastodon_post, publish
from tests.integration.test_accounts import connect
from tests.integration.test_lambda_handlers import METHOD_ARN, _rest_event, load_function
from tests.integration.test_media import upload
from tests.integration.test_posts import create, new_workspace
from tests.media_files import image


class CrashingTargets(DynamoTargetRepository):
    """The run dies at a visible step: right after the network accepted it, before its result is
    stored (``sent=True``: at the write that would store it, the next checkpoint or the finish); or
    right after it was armed (stored), before it was sent (``sent=False``). A dead run writes nothing
    more (its process is gone) until the next run reads the target."""

    def __init__(self, inner: DynamoTargetRepository, step: str, *, sent: bool = True) -> None:
        self.__dict__.update(inner.__dict__)
        self.step: str | None = step
        self.sent = sent
        self.dead = False

    def _kill(self) -> None:
        self.step, self.dead = None, True
        raise RuntimeError("the function was killed")

    def run_of(self, *args: Any, **kwargs: Any) -> Any:
        self.dead = False  # a new run (a new process) begins by reading its target
        return super().run_of(*args, **kwargs)

    def save(self, target: Target, expected_rev: int) -> None:
        if self.dead or (self.step is not None and self.sent and self.step in target.steps):
            self._kill()
        super().save(target, expected_rev)
        if self.step is not None and not self.sent and self.step in target.armed:
            self._kill()

    def finish(self, target: Target, expected_rev: int | None, *args: Any, **kwargs: Any) -> None:
        # The last step's result is stored by the finish itself (CheckpointSteps hold_results).
        if self.dead or (self.step is not None and self.sent and self.step in target.steps):
            self._kill()
        super().finish(target, expected_rev, *args, **kwargs)


class FinishRefusedOnce(DynamoTargetRepository):
    """DynamoDB refuses the write that finishes a target once (throttled), the run itself alive."""

    def __init__(self, inner: DynamoTargetRepository) -> None:
        self.__dict__.update(inner.__dict__)
        self.refused = 0

    def finish(self, target: Target, expected_rev: int | None, *args: Any, **kwargs: Any) -> None:
        if not self.refused:
            self.refused += 1
            raise DependencyUnavailable("DynamoDB throttled the request")
        super().finish(target, expected_rev, *args, **kwargs)


# ---------------------------------------------------------------------- the happy path


def test_publish__image_post__202_then_published_with_permalink_and_event(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given a post with an image to a Mastodon account
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, "Launch day")
    picture = image("JPEG")
    assert upload(client, headers, post["id"], picture, alt_text="The launch").status_code == 201

    # When it is published, the answer comes before the publisher ran: 202 with progress
    answer = publish(client, headers, post["id"])
    assert answer.status_code == 202, answer.text
    started = answer.json()["data"]["post"]
    assert started["status"] == "publishing"
    assert started["progress"] == {"total": 1, "published": 0, "failed": 0, "in_progress": 1}
    assert started["platform_results"][0]["status"] == "pending"

    # And once the publisher has run
    pipeline.drain()

    # Then the network holds exactly one status with the text and the image
    (status,) = pipeline.posts_on("mastodon")
    assert status.text == "Launch day"
    assert status.media[0]["sha256"] == hashlib.sha256(picture).hexdigest()
    assert status.media[0]["alt_text"] == "The launch"
    # And the post shows it published, with the network's id and permalink
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    (copy,) = shown["platform_posts"]
    assert (copy["status"], copy["post_id"], copy["url"]) == ("published", status.id, status.url)
    assert shown["published_at"] is not None
    # And post.published was recorded once, for webhooks
    (event,) = events(container, headers["X-Workspace-ID"], "post.published")
    assert event["data"]["M"]["post_id"]["S"] == post["id"]
    # And the network's health counters moved
    day = pipeline.clock().date().isoformat()
    assert pipeline.deps.targets.platform_day("mastodon", day)["published"] == 1  # type: ignore[attr-defined]


def test_publish__finishing_within_the_budget__answers_like_the_seed(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given the publisher running in the background, and a few seconds of budget
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    container.configure(PUBLISH_WAIT_SECONDS="10")
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            pipeline.deliver(pipeline.receive())
            stop.wait(0.05)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        # When the post is published
        answer = publish(client, headers, post["id"])
    finally:
        stop.set()
        thread.join(5)

    # Then the answer is the seed's: published, with each platform's result
    assert answer.status_code == 200, answer.text
    body = answer.json()["data"]["post"]
    assert body["status"] == "published"
    (result,) = body["platform_results"]
    status = pipeline.posts_on("mastodon")[0]
    assert result == {
        "platform": "mastodon",
        "account_id": result["account_id"],
        "status": "success",
        "post_id": status.id,
        "url": status.url,
        "error": None,
        "attempts": 1,
    }


def test_publish__twice__409_and_a_single_post(client: TestClient, keys: Keys, pipeline: Pipeline) -> None:
    # Given a post whose publishing started (a double click)
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    assert publish(client, headers, post["id"]).status_code == 202

    # When publish is clicked again, while publishing and once published
    again = publish(client, headers, post["id"])
    pipeline.drain()
    after = publish(client, headers, post["id"])

    # Then both are refused, and the network holds one status
    assert (again.status_code, again.json()["error"]["code"]) == (409, "POST_NOT_PUBLISHABLE")
    assert (after.status_code, after.json()["error"]["code"]) == (409, "POST_NOT_PUBLISHABLE")
    assert "already published" in after.json()["error"]["message"]
    assert len(pipeline.posts_on("mastodon")) == 1


def test_publish__bad_requests__clear_errors_and_nothing_queued(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    headers = new_workspace(client, keys)
    # Given a post to X with no X account connected, and one breaking X's rules once final
    lonely = create(client, headers, content="Hi", platforms=["twitter"])
    instagram = create(client, headers, content="No picture", platforms=["instagram"])

    # When they are published, or an unknown / other workspace's post is
    no_account = publish(client, headers, lonely["id"])
    not_ready = publish(client, headers, instagram["id"])
    unknown = publish(client, headers, "post_unknown")
    other = publish(client, new_workspace(client, keys), lonely["id"])

    # Then each gets a clear error, and nothing reached the queue
    assert (no_account.status_code, no_account.json()["error"]["code"]) == (400, "NO_ACCOUNT_FOR_PLATFORM")
    assert (not_ready.status_code, not_ready.json()["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "POST_NOT_FOUND")
    assert (other.status_code, other.json()["error"]["code"]) == (404, "POST_NOT_FOUND")
    assert get(client, headers, lonely["id"])["status"] == "draft"
    assert pipeline.receive() == []


# ---------------------------------------------------------------------- at most once


def test_duplicate_delivery__the_same_message_twice__one_post(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a queued target whose message SQS delivers twice (at-least-once delivery)
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    (message,) = pipeline.receive()

    # When both deliveries run, one after the other
    assert pipeline.deliver([message]) == set()
    pipeline.sqs.send_message(QueueUrl=pipeline.url, MessageBody=message["Body"])
    pipeline.drain()

    # Then the network holds one status, and the post is published
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"


def test_concurrent_delivery__two_runs_at_once__one_post(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator
) -> None:
    # Given the same message delivered to two functions at the same moment, the network being slow
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    (message,) = pipeline.receive()
    duplicate = dict(message, MessageId="duplicate-delivery")
    emulator.state.faults.clear()
    results: list[set[str]] = []

    # When both run concurrently
    threads = [threading.Thread(target=lambda m=m: results.append(pipeline.deliver([m]))) for m in (message, duplicate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # Then one ran and the other was put back for later (the target was leased); one status exists
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"


def test_crash_between_the_networks_success_and_our_checkpoint__one_post(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a run killed right after the network accepted the status, before its result was stored
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    pipeline.deps.targets = CrashingTargets(pipeline.deps.targets, "status.0")  # type: ignore[arg-type]
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}
    assert len(pipeline.posts_on("mastodon")) == 1

    # When SQS delivers it again: first while the dead run's lease still holds, then after it ran out
    pipeline.make_visible([message])
    (again,) = pipeline.receive()
    assert pipeline.deliver([again]) == {again["MessageId"]}  # leased: put back for later
    pipeline.clock.moment += timedelta(minutes=7)
    pipeline.make_visible([again])
    pipeline.drain()

    # Then the rerun found the status already made: still one on the network, and the post shows it
    (status,) = pipeline.posts_on("mastodon")
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == status.id


def test_finish_refused_after_the_networks_success__result_kept_and_the_rerun_never_asks_the_network(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given a run whose status Mastodon accepted, and whose finishing write DynamoDB then refused
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    pipeline.deps.targets = FinishRefusedOnce(pipeline.deps.targets)  # type: ignore[arg-type]
    (message,) = pipeline.receive()
    pipeline.deliver([message])
    assert pipeline.deps.targets.refused == 1

    # Then the status's answer was stored all the same (the run held it for that write)
    (stored,) = container.targets.of_post(headers["X-Workspace-ID"], post["id"])
    (status,) = pipeline.posts_on("mastodon")
    assert stored.steps["status.0"]["id"] == status.id
    assert "status.0" not in stored.armed

    # When SQS delivers it again after the lease
    pipeline.clock.moment += timedelta(minutes=7)
    pipeline.make_visible([message])
    pipeline.drain()

    # Then the rerun finished from the stored answer: one status, and the post shows it
    assert [p.id for p in pipeline.posts_on("mastodon")] == [status.id]
    shown = get(client, headers, post["id"])
    assert (shown["status"], shown["platform_posts"][0]["post_id"]) == ("published", status.id)


def test_a_run_that_died_mid_way__the_api_shows_the_target_as_stored(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given a run that claimed its target, armed the status and died before sending it
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    pipeline.deps.targets = CrashingTargets(pipeline.deps.targets, "status.0", sent=False)  # type: ignore[arg-type]
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}

    # When the post is read
    shown = get(client, headers, post["id"])

    # Then its target is shown as stored: publishing, after one attempt (not "pending", 0)
    (stored,) = container.targets.of_post(headers["X-Workspace-ID"], post["id"])
    assert (stored.status.value, stored.attempts) == ("publishing", 1)
    assert [(p["status"], p["attempts"]) for p in shown["platform_posts"]] == [("publishing", 1)]
    assert shown["status"] == "publishing"


def test_a_target_whose_runs_keep_dying__fails_visibly_instead_of_being_revived_forever(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given a target that MAX_RUNS runs claimed, none of which finished (each crashed)
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    (stored,) = container.targets.of_post(headers["X-Workspace-ID"], post["id"])
    container.targets.save(stored.model_copy(update={"runs": MAX_RUNS, "rev": stored.rev + 1}), stored.rev)

    # When one more delivery comes
    pipeline.drain()

    # Then the target fails with RUN_INTERRUPTED, nothing is sent, and the post shows it
    shown = get(client, headers, post["id"])
    assert shown["status"] == "failed"
    assert shown["platform_posts"][0]["error_code"] == "RUN_INTERRUPTED"
    assert pipeline.posts_on("mastodon") == []


# ---------------------------------------------------------------------- failures and retries


def test_429_then_success__retried_after_retry_after__one_post(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator
) -> None:
    # Given the network rate-limits the first call, asking for 3 seconds
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    emulator.fault("mastodon", "statuses", 429, body={"error": "Too many requests"})
    emulator.state.faults[("mastodon", "statuses")].headers = {"Retry-After": "3"}

    # When the post is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then the publisher waited the 3 seconds and posted once
    assert 3.0 in pipeline.slept
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["platform_posts"][0]["attempts"] == 2


def test_500_three_times_then_success__one_post(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator
) -> None:
    # Given the network fails three times with a 500 (before taking any effect)
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    emulator.fault("mastodon", "statuses", 500, count=3, body={"error": "Internal server error"})

    # When the post is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then it was retried with growing backoff and posted once
    assert pipeline.slept[:3] == [0.5, 1.0, 2.0]
    assert len(pipeline.posts_on("mastodon")) == 1
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["attempts"] == 4


def test_a_network_down_longer__back_on_the_queue_then_published(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator
) -> None:
    # Given the network fails more times than one delivery retries in place
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    emulator.fault("mastodon", "statuses", 503, count=5, body={"error": "Service unavailable"})
    publish(client, headers, post["id"])

    # When the first delivery gives up for now
    (message,) = pipeline.receive()
    assert pipeline.deliver([message]) == {message["MessageId"]}

    # Then the post shows it is still trying, with the network's error
    waiting = get(client, headers, post["id"])
    assert waiting["status"] == "publishing"
    (progress,) = waiting["platform_posts"]
    assert (progress["status"], progress["error_code"], progress["error_kind"]) == (
        "publishing",
        "NETWORK_UNAVAILABLE",
        "retryable",
    )
    # And the message was put back for 30 seconds; when due, it publishes once
    pipeline.make_visible([message])
    pipeline.drain()
    assert len(pipeline.posts_on("mastodon")) == 1
    assert get(client, headers, post["id"])["status"] == "published"


def test_token_revoked_mid_publish__needs_reconnect_and_the_account_is_marked(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, container: Container
) -> None:
    # Given the user revoked the app on the network after the post was queued
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    publish(client, headers, post["id"])
    emulator.state.revoke_all("mastodon")

    # When the publisher runs
    pipeline.drain()

    # Then the target failed asking for a reconnect, and nothing was posted
    shown = get(client, headers, post["id"])
    assert shown["status"] == "failed"
    (progress,) = shown["platform_posts"]
    assert (progress["error_code"], progress["error_kind"]) == ("TOKEN_REJECTED", "needs_reconnect")
    assert pipeline.posts_on("mastodon") == []
    # And the account is marked expired, with account.expired and post.failed recorded
    account = client.get(f"/api/accounts/{progress['account_id']}", headers=headers).json()["data"]["account"]
    assert account["status"] == "expired"
    assert len(events(container, headers["X-Workspace-ID"], "account.expired")) == 1
    assert len(events(container, headers["X-Workspace-ID"], "post.failed")) == 1
    # And publishing again is refused until the account is reconnected
    again = publish(client, headers, post["id"])
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ACCOUNT_NOT_USABLE")


def test_poison_message__fails_every_delivery_for_the_dlq(client: TestClient, keys: Keys, pipeline: Pipeline) -> None:
    # Given a message that is not a publishing target
    pipeline.sqs.send_message(QueueUrl=pipeline.url, MessageBody='{"not": "a target"}')

    # When it is delivered
    (message,) = pipeline.receive()
    failed = pipeline.deliver([message])

    # Then it is reported failed (SQS moves it to the DLQ after maxReceiveCount deliveries)
    assert failed == {message["MessageId"]}


def test_three_networks_one_refusing__partially_published_with_each_result(
    client: TestClient, keys: Keys, pipeline: Pipeline, emulator: Emulator, container: Container
) -> None:
    # Given a post to Mastodon, Bluesky and Telegram, and Bluesky refusing the record for good
    headers = new_workspace(client, keys)
    mastodon = connect(client, headers, platform="mastodon", instance=INSTANCE)
    credentials = {
        "bluesky": {"identifier": "ada.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        "telegram": {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@launches"},
    }
    others = [
        client.post("/api/accounts", json={"platform": p, "credentials": c}, headers=headers).json()["data"]["account"]
        for p, c in credentials.items()
    ]
    post = create(client, headers, content="Three ways", platforms=[mastodon["id"], *(a["id"] for a in others)])
    refusal = {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: text too long"}
    emulator.fault("bluesky", "createRecord", 400, body=refusal)

    # When it is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then two networks hold the post, Bluesky none, and the post says so target by target
    assert len(pipeline.posts_on("mastodon")) == 1
    assert len(pipeline.posts_on("telegram")) == 1
    assert pipeline.posts_on("bluesky") == []
    shown = get(client, headers, post["id"])
    assert shown["status"] == "partially_published"
    by_network = {p["platform"]: p for p in shown["platform_posts"]}
    assert by_network["mastodon"]["status"] == by_network["telegram"]["status"] == "published"
    failed = by_network["bluesky"]
    assert (failed["status"], failed["error_code"], failed["error_kind"]) == (
        "failed",
        "VALIDATION_FAILED",
        "permanent",
    )
    assert "text too long" in failed["error"]
    assert len(events(container, headers["X-Workspace-ID"], "post.partially_published")) == 1

    # And publishing again sends only the failed target
    emulator.state.faults.clear()
    again = publish(client, headers, post["id"])
    assert again.json()["data"]["post"]["progress"] == {"total": 3, "published": 2, "failed": 0, "in_progress": 1}
    pipeline.drain()
    assert get(client, headers, post["id"])["status"] == "published"
    assert [len(pipeline.posts_on(n)) for n in ("mastodon", "telegram", "bluesky")] == [1, 1, 1]


def test_a_thread_to_mastodon_and_telegram__the_thread_on_mastodon_its_first_part_on_telegram(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a three-part thread to Mastodon (threads) and Telegram (none)
    headers = new_workspace(client, keys)
    mastodon = connect(client, headers, platform="mastodon", instance=INSTANCE)
    channel = {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@launches"}
    telegram = client.post(
        "/api/accounts", json={"platform": "telegram", "credentials": channel}, headers=headers
    ).json()["data"]["account"]
    platforms = [mastodon["id"], telegram["id"]]
    post = create(client, headers, content="Part one", thread=["Part two", "Part three"], platforms=platforms)
    # And the post says what Telegram will get
    warnings = post["validation"]["warnings"]
    assert [(w["platform"], w["rule"]) for w in warnings] == [("telegram", "thread_first_part_only")]

    # When it is published
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then Mastodon holds the thread as replies, Telegram one message with the first part
    statuses = {s.text: s for s in pipeline.posts_on("mastodon")}
    assert set(statuses) == {"Part one", "Part two", "Part three"}
    assert statuses["Part one"].reply_to is None
    assert statuses["Part two"].reply_to == statuses["Part one"].id
    assert statuses["Part three"].reply_to == statuses["Part two"].id
    assert [m.text for m in pipeline.posts_on("telegram")] == ["Part one"]
    assert get(client, headers, post["id"])["status"] == "published"


# ---------------------------------------------------------------------- waiting for the results


class FakeTime:
    """A monotonic clock that only sleeps move: the request waits without really waiting."""

    def __init__(self, during_sleep: Callable[[], None] | None = None) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self.during_sleep = during_sleep

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.during_sleep is not None:
            self.during_sleep()

    def monotonic(self) -> float:
        return self.now


@contextmanager
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every AWS call made inside the block, where every boto3 call passes."""
    calls: list[str] = []
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls.append(f"{self.meta.service_model.service_name}:{operation}")
        return original(self, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", counting)
        yield calls


def test_publish__waiting_the_whole_budget__at_most_10_aws_calls_behind_api_gateway(
    client: TestClient, keys: Keys, container: Container, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the posts function as deployed (12 s of budget by default), the authorizer's context for
    # a key, and a post whose publisher never runs
    headers = new_workspace(client, keys)
    plaintext = headers["X-API-Key"]
    post = mastodon_post(client, headers)
    waited = FakeTime()

    def container_of_the_function(environ: dict[str, str] | None = None) -> Container:
        made = Container(environ)
        made.sleep, made.monotonic = waited.sleep, waited.monotonic
        return made

    monkeypatch.setattr(app_factory, "Container", container_of_the_function)
    handler = load_function("posts")
    context = handle(
        {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"X-API-Key": plaintext}}, container.api_keys
    )["context"]
    event = _rest_event("POST", f"/api/posts/{post['id']}/publish", context)
    event["headers"]["X-Workspace-ID"] = headers["X-Workspace-ID"]

    # When it is published through the function's handler
    with aws_calls(monkeypatch) as calls:
        answer = handler(event, LambdaContext("PostsFunction"))

    # Then it waited out the whole budget, 202 with the targets pending
    assert answer["statusCode"] == 202, answer["body"]
    assert json.loads(answer["body"])["data"]["post"]["status"] == "publishing"
    assert sum(waited.slept) == 12
    # And the request made at most 9 AWS calls, 4 of them reading the targets (was up to 63; 10
    # before the post and its targets were read in one query)
    assert len(calls) <= 9, calls
    assert calls[calls.index("sqs:SendMessageBatch") + 1 :] == ["dynamodb:Query"] * 4


def test_publish__finishing_early__stops_reading_and_answers_like_the_seed(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a budget of 12 s, and the publisher running during the first pause
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    container.configure(PUBLISH_WAIT_SECONDS="12")
    waited = FakeTime()
    container.sleep, container.monotonic = waited.sleep, waited.monotonic

    # When the post is published
    with aws_calls(monkeypatch) as calls:

        def publisher_runs() -> None:  # its own calls are not the request's
            before = len(calls)
            pipeline.drain()
            del calls[before:]

        waited.during_sleep = publisher_runs
        answer = publish(client, headers, post["id"])

    # Then it answers 200 with the network's result after one pause and one read
    assert answer.status_code == 200, answer.text
    assert waited.slept == [1.0]
    assert calls[calls.index("sqs:SendMessageBatch") + 1 :].count("dynamodb:Query") == 1
    body = answer.json()["data"]["post"]
    (status,) = pipeline.posts_on("mastodon")
    assert (body["status"], body["published_at"] is not None) == ("published", True)
    assert body["platform_results"][0]["status"] == "success"
    assert (body["platform_results"][0]["post_id"], body["platform_results"][0]["url"]) == (status.id, status.url)
    # And the post shows the same
    assert get(client, headers, post["id"])["status"] == "published"


def test_publish__wait_false__answers_at_once_without_reading_again(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a budget of 12 s
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)
    container.configure(PUBLISH_WAIT_SECONDS="12")
    waited = FakeTime()
    container.sleep, container.monotonic = waited.sleep, waited.monotonic

    # When the client asks not to wait
    with aws_calls(monkeypatch) as calls:
        answer = client.post(f"/api/posts/{post['id']}/publish?wait=false", headers=headers)

    # Then 202 comes at once with each target as queued, and nothing was read after queueing
    assert answer.status_code == 202, answer.text
    body = answer.json()["data"]["post"]
    assert body["status"] == "publishing"
    assert body["progress"] == {"total": 1, "published": 0, "failed": 0, "in_progress": 1}
    assert body["platform_results"][0]["status"] == "pending"
    assert waited.slept == []
    assert calls[-1] == "sqs:SendMessageBatch"
    # And the post is published once the publisher runs
    pipeline.drain()
    assert get(client, headers, post["id"])["status"] == "published"


def test_publish__bad_wait_value__400_and_nothing_queued(client: TestClient, keys: Keys, pipeline: Pipeline) -> None:
    # Given a draft post
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers)

    # When it is published with a wait that is not a boolean
    answer = client.post(f"/api/posts/{post['id']}/publish?wait=soon", headers=headers)

    # Then 400 in the envelope names the parameter, and nothing started
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [(f["field"], f["location"]) for f in error["details"]["fields"]] == [("wait", "query")]
    assert get(client, headers, post["id"])["status"] == "draft"
    assert pipeline.receive() == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PUBLISH_WAIT_READS", "5"), ("PUBLISH_WAIT_READS", "0"), ("PUBLISH_WAIT_FIRST_SECONDS", "0")],
)
def test_publish_wait_settings__out_of_range__the_function_fails_at_cold_start(
    aws: dict[str, str], variable: str, value: str
) -> None:
    # Given a wait setting that would break the call budget (or never pause)
    environ = {**aws, variable: value}
    # When the posts function's settings are loaded at cold start, then it fails naming the variable
    with pytest.raises(ConfigurationError, match=variable):
        load(PublishingSettings, environ)


def test_wait_plan__doubling_pauses_ending_the_budget_within_the_reads() -> None:
    # Given budgets, first pauses and read limits, then the pauses double and the last ends the budget
    assert wait_plan(12, 1, 4) == [1, 2, 4, 5]
    assert wait_plan(12, 0.25, 4) == [0.25, 0.5, 1, 10.25]
    assert wait_plan(2, 1, 4) == [1, 1]
    assert wait_plan(0.5, 1, 4) == [0.5]
    assert wait_plan(0, 1, 4) == []
