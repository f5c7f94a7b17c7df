"""How many AWS calls the PublisherFunction makes for one published target, counted at botocore
(``BaseClient._make_api_call``) through the real handler: a budget that a regression fails
(docs/benchmarks.md, issue 19)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import botocore.client
import pytest
from fastapi.testclient import TestClient

from socialpub.adapters.dynamodb.posts import DynamoPostRepository
from socialpub.adapters.dynamodb.publishing import DynamoTargetRepository
from socialpub.api.container import Container
from socialpub.domain.ports import StoredRun
from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, events, get, mastodon_post, publish
from tests.integration.test_posts import create, new_workspace

# A warm container's calls for one published target, by operation: one Query of the post with its
# targets, one GetItem of the account; the claim and the step armed before the network call
# (PutItems); the finish, which also stores the step's result and settles the post (TransactWriteItems).
WARM_BUDGET = {
    "dynamodb.GetItem": 1,
    "dynamodb.PutItem": 2,
    "dynamodb.Query": 1,
    "dynamodb.TransactWriteItems": 1,
}
COLD_EXTRA = {"kms.Decrypt": 1}  # the first publish of a token in a container opens it


class Calls:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counted: Counter[str] = Counter()
        make_api_call = botocore.client.BaseClient._make_api_call
        calls = self

        def counted(client: Any, operation: str, params: Any) -> Any:
            calls.counted[f"{client.meta.service_model.service_name}.{operation}"] += 1
            return make_api_call(client, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)

    def of(self, pipeline: Pipeline) -> dict[str, int]:
        """The calls of delivering what is queued (the test's own SQS receive/delete left out)."""
        messages = pipeline.receive()
        assert len(messages) == 1
        self.counted.clear()
        assert pipeline.deliver(messages) == set()
        counted = dict(self.counted)
        counted.pop("sqs.DeleteMessage", None)
        return counted


def test_publisher__one_target__within_its_aws_call_budget_cold_and_warm(
    client: TestClient, keys: Keys, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two posts to one Mastodon account
    headers = new_workspace(client, keys)
    first = mastodon_post(client, headers, "First")
    second = create(client, headers, content="Second", platforms=first["platforms"])
    calls = Calls(monkeypatch)

    # When each is published and its one target delivered to the publisher
    assert publish(client, headers, first["id"]).status_code == 202
    cold = calls.of(pipeline)
    assert publish(client, headers, second["id"]).status_code == 202
    warm = calls.of(pipeline)

    # Then both posts are published
    assert get(client, headers, first["id"])["status"] == "published"
    assert get(client, headers, second["id"])["status"] == "published"
    # And the publisher stayed within its budget: the warm container reuses the opened token
    assert warm == WARM_BUDGET, warm
    assert sum(warm.values()) <= 5
    assert cold == dict(Counter(WARM_BUDGET) + Counter(COLD_EXTRA)), cold


class PostMovedOnAfterRead(DynamoTargetRepository):
    """Right after the run's first read, the post is written by someone else (as another target's
    run settling it would): the finish cannot settle it from what the run read."""

    def __init__(self, inner: DynamoTargetRepository, posts: DynamoPostRepository) -> None:
        self.__dict__.update(inner.__dict__)
        self.posts = posts
        self.moved = False

    def run_of(self, workspace_id: str, post_id: str, account_id: str) -> StoredRun:
        stored = super().run_of(workspace_id, post_id, account_id)
        if not self.moved:
            self.moved = True
            post = self.posts.get(workspace_id, post_id)
            assert post is not None
            self.posts.save(post.model_copy(update={"version": post.version + 1}), post)
        return stored


def test_publisher__post_written_meanwhile__target_finished_alone_then_post_settled(
    client: TestClient, keys: Keys, pipeline: Pipeline, container: Container
) -> None:
    # Given a post to one Mastodon account, and a run during which the post is written by another
    headers = new_workspace(client, keys)
    post = mastodon_post(client, headers, "Raced")
    targets = pipeline.deps.targets
    assert isinstance(targets, DynamoTargetRepository)
    pipeline.deps.targets = PostMovedOnAfterRead(targets, DynamoPostRepository(targets._ddb, targets._table))

    # When it is published and delivered
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()

    # Then the status went out once, and the post still settled: published, with its event once
    (status,) = pipeline.posts_on("mastodon")
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == status.id
    assert len(events(container, headers["X-Workspace-ID"], "post.published")) == 1
