"""The Lambda entry point for an API function: Mangum around the app, built once per cold start."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from socialpub import snapstart
from socialpub.observability import logs_lambda_context, metrics

Handler = Any


def lambda_entry(app: FastAPI, *, clients: tuple[str, ...] = ("dynamodb",)) -> Handler:
    """Wrap ``app`` for Lambda. The AWS ``clients`` it uses are made on first use, so a cold start
    pays only for those its first request needs (each costs tens of milliseconds of CPU); under
    SnapStart they are built before the snapshot and made again after each restore (socialpub.snapstart)."""
    snapstart.prime(clients)
    asgi = Mangum(app, lifespan="off")

    @logs_lambda_context  # the correlation id (API Gateway's request id) is added by EdgeMiddleware
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response: dict[str, Any] = asgi(event, context)
        return response

    return handler
