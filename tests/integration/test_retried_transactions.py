"""A transaction whose answer is lost is retried by botocore with the same ClientRequestToken, which
DynamoDB honours: the retry succeeds without applying it twice. The local stack and the tests run on
moto, made to honour it too (socialpub.local.moto_fidelity), so a retried creation is not a 409."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from fastapi.testclient import TestClient

from socialpub.adapters import aws
from tests.conftest import Keys
from tests.integration.test_posts import new_workspace


def _answer_lost_once(operation: str) -> Any:
    """A ``needs-retry`` handler: the first attempt of ``operation`` is retried as if its answer was
    lost after DynamoDB applied it (a read timeout), later attempts are left to botocore."""
    seen: list[int] = []

    def retry_first(attempts: int, operation: Any, **_: Any) -> float | None:
        if operation.name != operation_name or attempts > 1:
            return None
        seen.append(attempts)
        return 0.0

    operation_name = operation
    retry_first.seen = seen  # type: ignore[attr-defined]
    return retry_first


def test_create_post__its_transaction_retried_after_a_lost_answer__created_once_and_answered_201(
    client: TestClient, keys: Keys
) -> None:
    # Given a DynamoDB client whose first TransactWriteItems answer is "lost" and retried
    headers = new_workspace(client, keys)
    lost = _answer_lost_once("TransactWriteItems")
    aws.client("dynamodb").meta.events.register("needs-retry.dynamodb.TransactWriteItems", lost)

    # When a post is created
    created = client.post("/api/posts", json={"content": "Once", "platforms": ["twitter"]}, headers=headers)

    # Then the retry happened, the user gets the created post, and it is stored once
    assert lost.seen == [1]
    assert created.status_code == 201, created.text
    listed = client.get("/api/posts", headers=headers).json()["data"]["posts"]
    assert [p["id"] for p in listed] == [created.json()["data"]["post"]["id"]]


def test_same_client_token_with_other_items__refused_as_dynamodb_does(client: TestClient) -> None:
    # Given a transaction applied with a client token
    ddb = aws.client("dynamodb")
    table = next(t for t in ddb.list_tables()["TableNames"] if "Workspaces" in t)
    item = {"pk": {"S": "WS#token-test"}, "sk": {"S": "META"}}
    put = {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
    ddb.transact_write_items(TransactItems=[put], ClientRequestToken="token-1")

    # When the same request is sent again, and then other items with the same token
    ddb.transact_write_items(TransactItems=[put], ClientRequestToken="token-1")
    other = {"Put": {"TableName": table, "Item": {**item, "sk": {"S": "OTHER"}}}}
    with pytest.raises(ClientError) as refused:
        ddb.transact_write_items(TransactItems=[other], ClientRequestToken="token-1")

    # Then the repeat succeeded without a second write, and the changed request is refused
    assert refused.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert ddb.get_item(TableName=table, Key={"pk": item["pk"], "sk": {"S": "OTHER"}}).get("Item") is None
    # And a new token applies the transaction's condition again (the item exists: refused)
    with pytest.raises(ClientError) as again:
        ddb.transact_write_items(TransactItems=[put], ClientRequestToken="token-2")
    assert again.value.response["Error"]["Code"] == "TransactionCanceledException"
