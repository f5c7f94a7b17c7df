"""The cold-start baseline of scripts/bench_cold_start.py: the least any DynamoDB-backed FastAPI Lambda does.

Ten GET routes, boto3 with one DynamoDB client created at import, and one GetItem per request (the
workspace the event fixtures act on), wrapped in Mangum exactly as socialpub/api/lambda_entry.py wraps
the real apps. No settings, no Powertools, no models. Whatever a function costs above this is ours.
"""

import os
from typing import Any

import boto3
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
_table = os.environ["WORKSPACES_TABLE"]
_ddb = boto3.client("dynamodb")


def _route(path: str) -> None:
    @app.get(path)
    def read() -> dict[str, bool]:
        item = _ddb.get_item(TableName=_table, Key={"pk": {"S": "WS#ws_bench"}, "sk": {"S": "META"}})
        return {"ok": "Item" in item}


for _path in ("/api/platforms", *(f"/api/resource{n}" for n in range(1, 10))):
    _route(_path)

_asgi = Mangum(app, lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = _asgi(event, context)
    return response
