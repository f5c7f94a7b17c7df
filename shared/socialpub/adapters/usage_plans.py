"""API Gateway usage plans: each product API key gets its own gateway key, bound to its tier's plan.

API Gateway meters and throttles per gateway key, so one gateway key per product key gives every
customer their own throttle bucket and monthly quota (a shared key per tier would pool them). The
gateway key is named after the product key; the plans are found by their names
(``<prefix>-<tier>``, as template.yaml names them), so no plan id needs configuring.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.ids import random_base62
from socialpub.domain.tiers import Tier


class ApiGatewayUsagePlans:
    def __init__(self, client: Any, plan_ids: dict[Tier, str] | None = None, *, name_prefix: str = "") -> None:
        self._apigw = client
        self._plans = plan_ids or {}
        self._prefix = name_prefix

    def bind(self, key_id: str, tier: Tier) -> str:
        """Create the gateway key for ``key_id`` on the tier's plan; returns its value (the metering key)."""
        metering_key = random_base62(40)
        try:
            created = self._apigw.create_api_key(name=key_id, value=metering_key, enabled=True)
            self._apigw.create_usage_plan_key(usagePlanId=self._plan(tier), keyId=created["id"], keyType="API_KEY")
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "apigateway"}) from exc
        return metering_key

    def move(self, key_id: str, old: Tier, new: Tier) -> None:
        """Put ``key_id``'s gateway key on the new tier's plan, off the old one."""
        try:
            gateway_key = self._gateway_key(key_id)
            if gateway_key is None:
                return  # a key made before metering (or locally without it): nothing to move
            self._apigw.create_usage_plan_key(usagePlanId=self._plan(new), keyId=gateway_key, keyType="API_KEY")
            try:
                self._apigw.delete_usage_plan_key(usagePlanId=self._plan(old), keyId=gateway_key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                    raise
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "apigateway"}) from exc

    def disable(self, key_id: str) -> None:
        """A revoked key's gateway key stops being metered (the authorizer refuses it anyway)."""
        try:
            gateway_key = self._gateway_key(key_id)
            if gateway_key is not None:
                self._apigw.update_api_key(
                    apiKey=gateway_key, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
                )
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "apigateway"}) from exc

    def plan_of(self, key_id: str) -> Tier | None:
        """Which tier's plan the key's gateway key is on (operators and tests)."""
        gateway_key = self._gateway_key(key_id)
        for tier in Tier:
            keys = self._apigw.get_usage_plan_keys(usagePlanId=self._plan(tier)).get("items", [])
            if any(k["id"] == gateway_key for k in keys):
                return tier
        return None

    def _gateway_key(self, key_id: str) -> str | None:
        found = self._apigw.get_api_keys(nameQuery=key_id, includeValues=False).get("items", [])
        matching = [k["id"] for k in found if k.get("name") == key_id]
        return matching[0] if matching else None

    def _plan(self, tier: Tier) -> str:
        if tier not in self._plans:
            wanted = {f"{self._prefix}-{t.value}": t for t in Tier}
            position = None
            while True:
                page = self._apigw.get_usage_plans(**({"position": position} if position else {}))
                for plan in page.get("items", []):
                    if plan.get("name") in wanted:
                        self._plans[wanted[plan["name"]]] = plan["id"]
                position = page.get("position")
                if not position:
                    break
        if tier not in self._plans:
            raise DependencyUnavailable(
                "The usage plan of this tier is missing",
                details={"service": "apigateway", "plan": f"{self._prefix}-{tier}"},
            )
        return self._plans[tier]
