"""The only Logger and Metrics instances. Service name and namespace come from POWERTOOLS_* variables.

Tracer is deliberately absent: it imports the X-Ray SDK and costs about 250 ms of cold start
(reference/aws-local-tooling.md 3.4); Lambda's active tracing still records each invocation.

Keys that describe one invocation or one request (the function, its request id, the correlation
id) are kept per context (a ContextVar: this thread, this asyncio task), never on the
process-wide Logger: the local stack runs every function in one process, its workers in
threads beside the API server, and each log line must name the function that wrote it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "socialpub")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "socialpub")

logger = Logger()
metrics = Metrics()

# In Lambda one process runs one function, so what it logs while it initialises names it too.
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    logger.append_keys(function_name=os.environ["AWS_LAMBDA_FUNCTION_NAME"])

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def log_keys(**keys: object) -> Iterator[None]:
    """Add ``keys`` to every log line written in this context until the block ends."""
    saved = dict(logger.thread_safe_get_current_keys())
    logger.thread_safe_append_keys(**keys)
    try:
        yield
    finally:
        # Put back a new dict rather than remove keys from the current one, which a context copied
        # from this one (a thread pool's) may share.
        logger.thread_safe_clear_keys()
        logger.thread_safe_append_keys(**saved)


def logs_lambda_context(handler: F) -> F:
    """What ``Logger.inject_lambda_context`` adds to each log line (function name, memory, ARN,
    request id, cold start), for the duration of one invocation and in its context only."""
    cold = True

    @functools.wraps(handler)
    def invoke(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal cold
        keys = {
            "function_name": context.function_name,
            "function_memory_size": context.memory_limit_in_mb,
            "function_arn": context.invoked_function_arn,
            "function_request_id": context.aws_request_id,
            "cold_start": cold,
        }
        cold = False
        with log_keys(**keys):
            return handler(event, context, *args, **kwargs)

    invoke.logs_lambda_context = True  # type: ignore[attr-defined]  # a mark that the wrappers above keep
    return invoke  # type: ignore[return-value]
