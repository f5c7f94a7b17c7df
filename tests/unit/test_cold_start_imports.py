"""What a Lambda function builds at import: nothing that only the OpenAPI document uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from socialpub.local.template import ROOT

# Imports the posts router in a fresh interpreter and prints, per route, the statuses FastAPI built a
# response serializer for besides the route's own response model.
_PROBE = """
import json
from socialpub.api.main.routers import posts
print(json.dumps({r.path + " " + ",".join(sorted(r.methods)): sorted(map(str, r.response_fields))
                  for r in posts.router.routes}))
"""


def _error_fields(environment: dict[str, str]) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"} | environment
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, cwd=ROOT, check=True, timeout=300
    )
    fields: dict[str, list[str]] = json.loads(proc.stdout.splitlines()[-1])
    return fields


def test_on_lambda_the_routes_build_no_serializer_for_the_documented_errors() -> None:
    # Given the Lambda runtime's environment, which names the function
    # When the posts function imports its router
    fields = _error_fields({"AWS_LAMBDA_FUNCTION_NAME": "PostsFunction"})

    # Then no route built a serializer for its documented error statuses (the OpenAPI document, their
    # only user, is not served on Lambda)
    assert fields
    assert all(statuses == [] for statuses in fields.values()), fields


def test_locally_every_route_still_documents_its_errors() -> None:
    # Given a process outside Lambda (the local server serves /docs and /openapi.json)
    # When it imports the posts router
    fields = _error_fields({})

    # Then every route documents the error envelope for each status of the error table
    assert fields
    assert all({"404", "422", "503"} <= set(statuses) for statuses in fields.values()), fields
