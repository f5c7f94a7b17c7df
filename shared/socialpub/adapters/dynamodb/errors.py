"""Translate DynamoDB client errors into domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from socialpub.domain.errors import DependencyUnavailable

_RETRYABLE = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def cancellation_codes(exc: ClientError) -> list[str]:
    return [str(r.get("Code", "None")) for r in exc.response.get("CancellationReasons", [])]


@contextmanager
def translated() -> Iterator[None]:
    """Throttling and outages become DependencyUnavailable (503); anything else is a bug and propagates."""
    try:
        yield
    except ClientError as exc:
        if error_code(exc) in _RETRYABLE:
            raise DependencyUnavailable(details={"service": "dynamodb"}) from exc
        raise
    except ParamValidationError:
        raise  # a malformed request is our bug, not an outage
    except BotoCoreError as exc:
        raise DependencyUnavailable(details={"service": "dynamodb"}) from exc
