"""The deployment's own app credentials per network: one Secrets Manager secret holding
``{"<network>": {"clientId": "...", "clientSecret": "..."}}``, read at most every few minutes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from botocore.exceptions import ClientError

from socialpub.domain.errors import DependencyUnavailable

CACHE_SECONDS = 300


class SecretsManagerDefaults:
    def __init__(self, client: Any, secret_id: str, clock: Any = time.monotonic) -> None:
        self._sm = client
        self._secret_id = secret_id
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: dict[str, dict[str, str]] = {}
        self._read_at: float | None = None

    def get(self, integration: str) -> dict[str, str] | None:
        with self._lock:
            if self._read_at is None or self._clock() - self._read_at > CACHE_SECONDS:
                self._cached = self._read()
                self._read_at = self._clock()
            entry = self._cached.get(integration)
        return dict(entry) if isinstance(entry, dict) else None

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            text = self._sm.get_secret_value(SecretId=self._secret_id).get("SecretString") or "{}"
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return {}
            raise DependencyUnavailable("The secrets store is unavailable") from None
        try:
            data = json.loads(text)
        except ValueError:
            return {}  # a malformed secret means no defaults, not a crash on every connect
        return data if isinstance(data, dict) else {}
