"""The publishing pipeline in the test's hands: the real PublisherFunction handler over moto SQS,
against the platform emulator; deliveries happen when (and as often as) a test says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.api.container import Container
from socialpub.config import PublisherSettings, load
from socialpub.local.workers import LambdaContext, sqs_event
from socialpub.workers import publisher
from tests.conftest import Emulator, FrozenClock
from tests.integration.test_accounts import connect
from tests.integration.test_posts import create

INSTANCE = "mastodon.example"


class Pipeline:
    """The publisher function over the publish queue, with deliveries in the test's hands."""

    def __init__(self, container: Container, emulator: Emulator, clock: FrozenClock) -> None:
        publisher.adapters.cache_clear()
        self.deps, self.queue = publisher.adapters()
        self.deps.clock = clock
        self.deps.accounts.clock = clock
        self.deps.accounts.network = HttpNetworkAuth(emulator=emulator.url, sleep=lambda _: None)
        self.slept: list[float] = []
        self.deps.sleep = self.slept.append
        self.clock = clock
        self.emulator = emulator
        self.sqs = boto3.client("sqs")
        self.url = load(PublisherSettings).publish_queue_url

    def receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        return messages

    def deliver(self, messages: list[dict[str, Any]]) -> set[str]:
        """Run the handler on these messages as one batch; delete what succeeded; the failed ids."""
        if not messages:
            return set()
        arn = "arn:aws:sqs:us-east-1:123456789012:PublishQueue"
        result = publisher.handler(sqs_event(messages, arn), LambdaContext("PublisherFunction"))
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for m in messages:
            if m["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        return failed

    def make_visible(self, messages: list[dict[str, Any]]) -> None:
        """Time passes: messages put back for later are due now."""
        for m in messages:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)

    def drain(self, rounds: int = 10) -> None:
        for _ in range(rounds):
            messages = self.receive()
            if not messages:
                return
            failed = set().union(*(self.deliver([m]) for m in messages))  # BatchSize 1, as deployed
            self.make_visible([m for m in messages if m["MessageId"] in failed])
        raise AssertionError("the publish queue did not drain")

    def posts_on(self, network: str) -> list[Any]:
        return self.emulator.state.posts_of(network)


def running_pipeline(
    container: Container, emulator: Emulator, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pipeline]:
    monkeypatch.setenv("PLATFORM_EMULATOR_URL", emulator.url)
    container.configure(PUBLISH_WAIT_SECONDS="0")  # the test drives deliveries: answer at once
    yield Pipeline(container, emulator, clock)
    publisher.adapters.cache_clear()
    emulator.state.posts.clear()


def mastodon_post(client: TestClient, headers: dict[str, str], text: str = "Hello fediverse") -> dict[str, Any]:
    account = connect(client, headers, platform="mastodon", instance=INSTANCE)
    post = create(client, headers, content=text, platforms=[account["id"]])
    return post


def publish(client: TestClient, headers: dict[str, str], post_id: str) -> Any:
    return client.post(f"/api/posts/{post_id}/publish", headers=headers)


def get(client: TestClient, headers: dict[str, str], post_id: str) -> dict[str, Any]:
    post: dict[str, Any] = client.get(f"/api/posts/{post_id}", headers=headers).json()["data"]["post"]
    return post


def events(container: Container, workspace_id: str, type_: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").query(
        TableName=load(PublisherSettings).workspaces_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}"}, ":e": {"S": "EVENT#"}},
    )["Items"]
    return [json.loads(json.dumps(i, default=str)) for i in items if i["type"]["S"] == type_]
