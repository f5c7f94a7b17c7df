"""One Lambda invocation of the built artifact, as the Lambda runtime makes it (tests/infra/test_artifact.py).

Started as ``python3.12 -I -S artifact_runner.py`` with a job on stdin: ``-I`` ignores PYTHON* variables,
the user site and the current folder, ``-S`` skips site-packages, so the path holds the standard library
only. The job then puts the function's code and the two layers in front of it, as Lambda does with
/var/task and /opt/python, imports the handler's module by name and calls it with the event. The result
(or the traceback) is written as JSON to the job's ``result`` file: the function's logs own stdout.

Standard library only: nothing else is importable here until the job's folders are on the path.
"""

from __future__ import annotations

import importlib
import json
import sys
import sysconfig
import traceback
from pathlib import Path
from typing import Any


class LambdaContext:
    """The attributes Powertools and Mangum read from a Lambda context."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = "00000000-0000-4000-8000-000000000000"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "artifact-gate"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _outsiders(allowed: list[str]) -> list[str]:
    """Modules loaded from anywhere but the standard library and the job's folders (must be none)."""
    roots = [str(Path(p).resolve()) for p in allowed]
    roots += [str(Path(sysconfig.get_paths()[k]).resolve()) for k in ("stdlib", "platstdlib")]
    found = []
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if name in ("__main__", "__mp_main__") or not origin:  # this runner; built-in modules
            continue
        if not str(Path(origin).resolve()).startswith(tuple(roots)):
            found.append(f"{name} ({origin})")
    return sorted(found)


def run(job: dict[str, Any]) -> dict[str, Any]:
    leaked = [p for p in sys.path if "site-packages" in p or "dist-packages" in p]
    if leaked:
        return {"error": f"the interpreter's path is not bare: {leaked}"}
    sys.path[:0] = job["path"]
    module_name, attribute = job["handler"].rsplit(".", 1)
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
        response = handler(job["event"], LambdaContext(job["function_name"]))
    except BaseException:
        return {"error": traceback.format_exc()}
    return {"response": response, "outsiders": _outsiders(job["path"])}


def main() -> None:
    job = json.load(sys.stdin)
    result = run(job)
    Path(job["result"]).write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
