"""Secrets (app credentials, OAuth tokens): sealed at rest by the SecretBox port, shown only masked."""

from __future__ import annotations

from typing import Protocol

SHOWN_PREFIX = 4  # as Pizzly shows them: "e9ca***************"
MAX_SECRET_BYTES = 4096  # what one KMS Encrypt call takes


def mask(value: str) -> str:
    """The first four characters, then one star per hidden character; short values are all stars."""
    shown = value[:SHOWN_PREFIX] if len(value) > 2 * SHOWN_PREFIX else ""
    return shown + "*" * (len(value) - len(shown))


class SecretBox(Protocol):
    """Encrypts a secret bound to a context (workspace, purpose, id): a sealed value copied to another
    record does not open there."""

    def seal(self, plaintext: str, context: dict[str, str]) -> str: ...
    def open(self, sealed: str, context: dict[str, str]) -> str: ...
