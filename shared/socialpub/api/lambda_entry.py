"""The Lambda entry point for an API function: Mangum around the app, built once per cold start."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from socialpub.adapters.aws import client
from socialpub.observability import logs_lambda_context, metrics

Handler = Any


def lambda_entry(app: FastAPI, *, clients: tuple[str, ...] = ("dynamodb",)) -> Handler:
    """Wrap ``app`` for Lambda. The AWS clients it will need are created now, during init, which
    Lambda runs at full CPU, rather than on the first request (about 150 ms for a client)."""
    for service in clients:
        client(service)
    asgi = Mangum(app, lifespan="off")

    @logs_lambda_context  # the correlation id (API Gateway's request id) is added by EdgeMiddleware
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = asgi(event, context)
        return response

    return handler
