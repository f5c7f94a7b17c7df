"""API Gateway's cache of the main API's authorizer decisions (template.yaml, ``ReauthorizeEvery``).

A decision (the key's principal: tier, permissions, workspaces) is reused for the same X-API-Key
until its TTL. After a change of what a key may do (revoked, its tier or permissions changed, a
workspace created or deleted), flushing the stage's cache makes the change take effect on the next
request instead of after the TTL. A failed flush is logged, not raised: the change is stored, and
the TTL still bounds how long the old decision lives.
"""

from __future__ import annotations

import logging

from socialpub.adapters.aws import client

logger = logging.getLogger(__name__)


class ApiGatewayAuthorizerCache:
    def flush(self, api_id: str, stage: str) -> bool:
        """True when API Gateway accepted the flush."""
        try:
            client("apigateway").flush_stage_authorizers_cache(restApiId=api_id, stageName=stage)
        except Exception:  # whatever the failure, the change is stored: never fail the request for it
            logger.exception("Could not flush the authorizer cache of %s/%s; the TTL bounds it", api_id, stage)
            return False
        return True
