"""API Gateway usage plans: each product API key gets its own gateway key, bound to its tier's plan.

API Gateway meters and throttles per gateway key, so one gateway key per product key gives every
customer their own throttle bucket and monthly quota (a shared key per tier would pool them).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable
from socialpub.domain.ids import random_base62
from socialpub.domain.tiers import Tier


class ApiGatewayUsagePlans:
    def __init__(self, client: Any, plan_ids: dict[Tier, str]) -> None:
        self._apigw = client
        self._plans = plan_ids

    def bind(self, key_id: str, tier: Tier) -> str:
        """Create the gateway key for ``key_id`` on the tier's plan; returns its value (the metering key)."""
        metering_key = random_base62(40)
        try:
            created = self._apigw.create_api_key(name=key_id, value=metering_key, enabled=True)
            self._apigw.create_usage_plan_key(usagePlanId=self._plans[tier], keyId=created["id"], keyType="API_KEY")
        except (ClientError, BotoCoreError) as exc:
            raise DependencyUnavailable(details={"service": "apigateway"}) from exc
        return metering_key
