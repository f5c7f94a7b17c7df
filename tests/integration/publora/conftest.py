"""Fixtures of the Publora /api/v1 tests."""

from __future__ import annotations

from typing import Any

from socialpub.api.container import Container
from socialpub.domain.accounts import Account
from tests.integration.postsider.test_foundation import add_account as _add_account


def publora_key(headers: dict[str, str]) -> dict[str, str]:
    """The main API's headers for a one-workspace key, as a Publora client sends that key."""
    return {"x-publora-key": headers["X-API-Key"]}


def add_account(container: Container, workspace_id: str, **fields: Any) -> Account:
    """An account as a connect leaves it (stored through the accounts repository)."""
    return _add_account(container, workspace_id, **fields)
