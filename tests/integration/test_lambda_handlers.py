"""The Lambda entry points themselves: authorizer output and API functions behind API Gateway."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest

from socialpub.authorizer import handle, principal_from_context, principal_to_context
from socialpub.local.template import ROOT
from socialpub.local.workers import LambdaContext
from tests.conftest import Keys

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/api/workspaces"


def load_function(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"fn_{name}", ROOT / "functions" / name / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def test_authorizer__allows_with_context_and_metering_key(keys: Keys, container) -> None:
    # Given a key with a metering key (as deployed stacks bind one per key)
    plaintext = keys.issue(workspaces=())
    key_id = "key_" + plaintext[8:20]
    item = {"pk": {"S": f"KEY#{key_id}"}, "sk": {"S": "KEY"}}
    import boto3

    boto3.client("dynamodb").update_item(
        TableName=container.settings.__self__._environ["API_KEYS_TABLE"],
        Key=item,
        UpdateExpression="SET metering_key = :m",
        ExpressionAttributeValues={":m": {"S": "gateway-key-value"}},
    )
    # When API Gateway asks the authorizer
    event = {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"x-api-key": plaintext}}
    result = load_function("authorizer")(event, LambdaContext("AuthorizerFunction"))
    # Then it allows the whole stage, passes the principal, and names the metering key
    assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert (
        result["policyDocument"]["Statement"][0]["Resource"]
        == "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*/*"
    )
    assert result["usageIdentifierKey"] == "gateway-key-value"
    assert principal_from_context(result["context"]).key_id == key_id


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "pk_live_nope"}, {"X-Api-Key": ""}])
def test_authorizer__refuses_with_unauthorized(container, headers: dict[str, str]) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        handle({"type": "REQUEST", "methodArn": METHOD_ARN, "headers": headers}, container.api_keys)


def _rest_event(method: str, path: str, context: dict[str, str], body: dict | None = None) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/dev{path}",
            "stage": "dev",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "requestId": "req-123",
            "identity": {"sourceIp": "203.0.113.9"},
            "authorizer": context,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def test_workspaces_function__behind_api_gateway(keys: Keys, container) -> None:
    # Given the context the authorizer passes for a valid key (no X-API-Key reaches the function)
    plaintext = keys.issue()
    context = handle(
        {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"X-API-Key": plaintext}}, container.api_keys
    )["context"]
    handler = load_function("workspaces")
    # When the function gets a create and then a list through Mangum
    created = handler(_rest_event("POST", "/api/workspaces", context, {"name": "Via Lambda"}), LambdaContext("Ws"))
    # Then the create succeeds with the API Gateway request id echoed
    assert created["statusCode"] == 201
    headers = {**created["headers"], **{k: v[0] for k, v in created.get("multiValueHeaders", {}).items()}}
    assert headers["x-request-id"] == "req-123"
    ws = json.loads(created["body"])["data"]["workspace"]["id"]
    # And the list (with the context the authorizer now computes) contains it
    context = principal_to_context(principal_from_context(context).model_copy(update={"workspaces": frozenset({ws})}))
    listed = handler(_rest_event("GET", "/api/workspaces", context), LambdaContext("Ws"))
    assert [w["id"] for w in json.loads(listed["body"])["data"]["workspaces"]] == [ws]


def test_media_function__multipart_arrives_base64_encoded(keys: Keys, container, client) -> None:
    # Given a post, and the context the authorizer passes for its key
    plaintext = keys.issue()
    headers = {"X-API-Key": plaintext}
    ws = client.post("/api/workspaces", json={"name": "w"}, headers=headers).json()["data"]["workspace"]["id"]
    headers["X-Workspace-ID"] = ws
    post = client.post("/api/posts", json={"content": "x", "platforms": ["twitter"]}, headers=headers).json()
    post_id = post["data"]["post"]["id"]
    context = handle(
        {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"X-API-Key": plaintext}}, container.api_keys
    )["context"]
    # When API Gateway (binary media type multipart/form-data) hands the function an upload
    fixture = json.loads((ROOT / "events/api/media-upload.json").read_text())
    event = _rest_event("POST", f"/api/posts/{post_id}/media", context)
    event["headers"] = {**fixture["headers"], "X-Workspace-ID": ws}
    event["body"], event["isBase64Encoded"] = fixture["body"], True
    response = load_function("media")(event, LambdaContext("Media"))
    # Then the file was decoded, inspected and attached
    assert response["statusCode"] == 201, response["body"]
    media = json.loads(response["body"])["data"]["media"]
    assert (media["mime_type"], media["dimensions"], media["alt_text"]) == (
        "image/jpeg",
        {"width": 640, "height": 480},
        "A photo",
    )


def test_authorizer__accepts_pizzly_basic_auth(keys: Keys, container) -> None:
    import base64

    plaintext = keys.issue()
    basic = "Basic " + base64.b64encode(f"{plaintext}:".encode()).decode()
    result = handle(
        {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"Authorization": basic}}, container.api_keys
    )
    assert result["principalId"] == "key_" + plaintext[8:20]
    for bad in ("Basic !!!", "Bearer " + plaintext, "Basic " + base64.b64encode(b":nokey").decode()):
        with pytest.raises(Exception, match=r"^Unauthorized$"):
            handle({"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"Authorization": bad}}, container.api_keys)


def test_accounts_function__hosted_callback_url_and_page_behind_api_gateway(keys: Keys, container, emulator) -> None:
    # Given the context the authorizer passes for a key with one workspace
    plaintext = keys.issue()
    context = handle(
        {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {"X-API-Key": plaintext}}, container.api_keys
    )["context"]
    ws = json.loads(
        load_function("workspaces")(_rest_event("POST", "/api/workspaces", context, {"name": "w"}), LambdaContext("W"))[
            "body"
        ]
    )["data"]["workspace"]["id"]
    context = principal_to_context(principal_from_context(context).model_copy(update={"workspaces": frozenset({ws})}))
    handler = load_function("accounts")
    # When a connect starts without a callback_url
    event = _rest_event("POST", "/api/accounts", context, {"platform": "linkedin"})
    event["headers"]["X-Workspace-ID"] = ws
    started = handler(event, LambdaContext("Accounts"))
    # Then the network will send the user to the hosted page on the API's own domain and stage
    assert started["statusCode"] == 200, started["body"]
    auth_url = json.loads(started["body"])["data"]["auth_url"]
    assert (
        "redirect_uri=https%3A%2F%2Fabc123.execute-api.us-east-1.amazonaws.com%2Fdev%2Fapi%2Faccounts%2Fcallback"
        in (auth_url)
    )
    # And the hosted page answers the browser (no authorizer context) with a page, not a JSON error
    landing = _rest_event("GET", "/api/accounts/callback", {})
    landing["queryStringParameters"] = {"state": "forged", "code": "x"}
    page = handler(landing, LambdaContext("Accounts"))
    assert page["statusCode"] == 400
    assert "could not be connected" in page["body"]


def test_account_refresher__scheduled_run_reports(container, emulator) -> None:
    result = load_function("account_refresher")({"source": "aws.scheduler"}, LambdaContext("AccountRefresher"))
    assert result == {"refreshed": 0, "expired": 0, "skipped": 0, "failed": 0}
