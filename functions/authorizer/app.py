"""AuthorizerFunction: the REQUEST authorizer of the REST API (socialpub.authorizer)."""

from typing import Any

from socialpub import config
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.api_keys import DynamoApiKeyRepository
from socialpub.authorizer import handle

_keys = DynamoApiKeyRepository(client("dynamodb"), config.load(config.AuthSettings).api_keys_table)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, _keys)
