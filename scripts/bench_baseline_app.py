"""The cold-start baseline of scripts/bench_cold_start.py: the smallest FastAPI Lambda that answers.

One GET route, no settings, no AWS clients, no Powertools, wrapped in Mangum exactly as
socialpub/api/lambda_entry.py wraps the real apps. Whatever a function costs above this is ours.
"""

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/api/platforms")
def ok() -> dict[str, bool]:
    return {"ok": True}


_asgi = Mangum(app, lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = _asgi(event, context)
    return response
