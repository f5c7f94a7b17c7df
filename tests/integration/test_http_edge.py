"""What every route answers at the HTTP edge, whatever it does: 405 with the full Allow header, 413 for
a body over the cap however it is sent, and an OpenAPI document whose operations are distinct."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.integration.test_posts import new_workspace

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def served(openapi: dict[str, Any], path: str) -> set[str]:
    """The methods that the OpenAPI document declares on any template matching this concrete path."""
    methods: set[str] = set()
    for template, operations in openapi["paths"].items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path):
            methods |= {m.upper() for m in operations if m in HTTP_METHODS}
    return methods


def test_405__allow_lists_every_method_the_path_serves(client: TestClient) -> None:
    # Given DELETE /api/accounts, a path served by GET and POST (two routes)
    answer = client.delete("/api/accounts")

    # Then 405 in the envelope, and Allow names both
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert answer.headers["allow"] == "GET, POST"


def test_405__on_every_path_of_every_surface_allow_is_what_the_openapi_declares(client: TestClient) -> None:
    openapi = client.app.openapi()  # type: ignore[attr-defined]
    checked = 0
    for template in openapi["paths"]:
        # Given a concrete path of each template, and a method none of its routes serves
        path = re.sub(r"\{[^/]+\}", "x1", template)
        expected = served(openapi, path)
        unserved = [m for m in ("PATCH", "PUT", "DELETE", "POST", "GET") if m not in expected]
        if not unserved:
            continue

        # When that method is sent
        answer = client.request(unserved[0], path)

        # Then 405 lists exactly the methods served there
        assert answer.status_code == 405, (unserved[0], path, answer.text)
        allowed = set(answer.headers["allow"].split(", "))
        assert allowed == expected, (unserved[0], path)
        checked += 1
    assert checked > 40


def operation_ids(openapi: dict[str, Any]) -> Iterator[str]:
    for operations in openapi["paths"].values():
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                yield operation["operationId"]


def test_openapi__every_operation_id_is_unique(client: TestClient) -> None:
    # Given the local app, which holds every router of every surface
    openapi = client.app.openapi()  # type: ignore[attr-defined]

    # Then no two operations share an operationId (clients generated from it name methods by them)
    repeated = [op for op, count in Counter(operation_ids(openapi)).items() if count > 1]
    assert repeated == []
    assert "get" in openapi["paths"]["/api/{integration_id}/authentications/{authentication_id}/refresh"]
    assert "post" in openapi["paths"]["/api/{integration_id}/authentications/{authentication_id}/refresh"]


def test_413__a_chunked_body_over_the_cap_is_refused_in_the_envelope(client: TestClient, keys: Keys) -> None:
    headers = new_workspace(client, keys)
    cap = 1024 * 1024  # MAX_BODY_BYTES's default

    def chunks() -> Iterator[bytes]:
        # An 11 MB JSON body, streamed: no Content-Length, so the cap can only be enforced by counting
        yield b'{"content": "'
        for _ in range(11):
            yield b"a" * 1_000_000
        yield b'", "platforms": ["twitter"]}'

    # When it is sent with Transfer-Encoding: chunked
    answer = client.post("/api/posts", content=chunks(), headers=headers)

    # Then 413 in the envelope, naming the cap, and nothing was created
    assert answer.status_code == 413, answer.text[:500]
    assert answer.json()["error"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "message": f"The request body exceeds {cap} bytes",
        "details": {"max_bytes": cap},
    }
    listed = client.get("/api/posts", headers=headers).json()["data"]["posts"]
    assert listed == []
