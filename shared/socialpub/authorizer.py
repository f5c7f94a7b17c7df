"""The API Gateway REQUEST authorizer for /api: checks X-API-Key and passes the principal on.

API Gateway calls ``handle`` (functions/authorizer/app.py); the local stack and tests call
``authenticate`` directly, so both paths run the same check. The response also carries the key's
metering key as ``usageIdentifierKey``: the value of the API Gateway key bound to the usage plan of
its tier (adapters/usage_plans.py), so the gateway's throttle and monthly quota apply per key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from socialpub.domain.api_keys import presented_key
from socialpub.domain.errors import Unauthenticated
from socialpub.domain.permissions import Permission
from socialpub.domain.ports import ApiKeyRepository
from socialpub.domain.services.auth import Principal, authenticate
from socialpub.domain.tiers import Tier


def principal_to_context(principal: Principal) -> dict[str, str]:
    """Authorizer context values must be flat strings."""
    return {
        "key_id": principal.key_id,
        "tier": principal.tier.value,
        "permissions": ",".join(sorted(principal.permissions)),
        "workspaces": ",".join(sorted(principal.workspaces)),
    }


def principal_from_context(context: dict[str, Any]) -> Principal:
    def split(name: str) -> frozenset[str]:
        return frozenset(filter(None, str(context.get(name, "")).split(",")))

    return Principal(
        key_id=str(context["key_id"]),
        tier=Tier(context["tier"]),
        permissions=frozenset(Permission(p) for p in split("permissions")),
        workspaces=split("workspaces"),
    )


def _header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _api_arn_wildcard(method_arn: str) -> str:
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/path -> .../stage/*/* so one
    # decision covers every route of this stage.
    api, _, rest = method_arn.partition("/")
    stage = rest.split("/", 1)[0]
    return f"{api}/{stage}/*/*"


def handle(event: dict[str, Any], keys: ApiKeyRepository) -> dict[str, Any]:
    """Allow with context, or raise ``Exception("Unauthorized")``, which API Gateway turns into a 401
    (rendered in the API's error envelope by the UNAUTHORIZED gateway response)."""
    try:
        presented = presented_key(_header(event, "x-api-key"), _header(event, "authorization"))
        principal = authenticate(presented, keys, datetime.now(UTC))
    except Unauthenticated as exc:
        raise Exception("Unauthorized") from exc
    response: dict[str, Any] = {
        "principalId": principal.key_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": _api_arn_wildcard(event["methodArn"])}
            ],
        },
        "context": principal_to_context(principal),
    }
    if principal.metering_key:
        response["usageIdentifierKey"] = principal.metering_key
    return response
