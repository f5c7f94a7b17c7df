"""AuthorizerFunction: the REQUEST authorizer of the REST API (socialpub.authorizer)."""

from functools import cache
from typing import Any

from socialpub import config, snapstart
from socialpub.adapters.aws import client
from socialpub.adapters.dynamodb.api_keys import DynamoApiKeyRepository
from socialpub.authorizer import handle

_settings = config.load(config.AuthSettings)


@cache
def _keys() -> DynamoApiKeyRepository:
    """Made on the first request (its client too), and again after a SnapStart restore."""
    return DynamoApiKeyRepository(client("dynamodb"), _settings.api_keys_table)


snapstart.prime(("dynamodb",), after_restore=(_keys.cache_clear,))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, _keys())
