"""Idempotency-Key on creating routes: ``dependencies=[IDEMPOTENT]``.

The dependency runs after authentication: it reserves the key, or answers a replay with the stored
response. EdgeMiddleware then stores the route's response under the reservation before sending it
(or releases the reservation on a 5xx, so the client may retry).
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from socialpub.api.container import ContainerDep
from socialpub.api.main.auth import PrincipalDep
from socialpub.domain.errors import InvalidInput
from socialpub.domain.idempotency import MAX_KEY_LENGTH, StoredResponse, fingerprint, record_id


class Replay(Exception):
    def __init__(self, stored: StoredResponse) -> None:
        self.stored = stored


def replay_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    stored = exc.stored
    return Response(
        stored.body, status_code=stored.status, media_type=stored.content_type, headers={"Idempotent-Replayed": "true"}
    )


async def _idempotency(
    request: Request,
    principal: PrincipalDep,
    container: ContainerDep,
    # Its bounds are documented in the OpenAPI but checked below, to answer with details.header.
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", json_schema_extra={"minLength": 1, "maxLength": MAX_KEY_LENGTH}),
    ] = None,
) -> None:
    if idempotency_key is None:
        return
    if not 1 <= len(idempotency_key) <= MAX_KEY_LENGTH:
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters", details={"header": "Idempotency-Key"}
        )
    rid = record_id(principal.key_id, request.method, request.url.path, idempotency_key)
    same_as = fingerprint(await _content(request), workspace_id=request.headers.get("x-workspace-id", ""))
    stored = await run_in_threadpool(container.idempotency.reserve, rid, same_as, int(container.epoch()))
    if stored is not None:
        raise Replay(stored)
    request.state.idempotency_record = rid


async def _content(request: Request) -> bytes:
    """The request's content. A multipart body is read as its parsed fields (FastAPI has consumed the
    stream by now), which also ignores the boundary clients draw at random for every attempt."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await request.body()
    lines = []
    for name, value in (await request.form()).multi_items():
        if isinstance(value, UploadFile):
            digest = hashlib.sha256(await value.read()).hexdigest()
            await value.seek(0)
            lines.append(f"{name}:file:{value.filename}:{value.content_type}:{digest}")
        else:
            lines.append(f"{name}:{value}")
    return "\n".join(lines).encode()


IDEMPOTENT = Depends(_idempotency)
