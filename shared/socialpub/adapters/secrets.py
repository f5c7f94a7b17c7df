"""KMS-sealed secrets. Each value is one KMS Encrypt call under the stack's SecretsKey, with an
encryption context that names where it belongs: KMS refuses to decrypt it with any other context.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.errors import DependencyUnavailable, InvalidInput
from socialpub.domain.secrets import MAX_SECRET_BYTES

_RETRYABLE = {"ThrottlingException", "KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException"}


class KmsSecretBox:
    def __init__(self, client: Any, key_id: str) -> None:
        self._kms = client
        self._key_id = key_id

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        data = plaintext.encode()
        if len(data) > MAX_SECRET_BYTES:
            raise InvalidInput(f"A secret may have at most {MAX_SECRET_BYTES} bytes", details={"size": len(data)})
        with _translated():
            blob = self._kms.encrypt(KeyId=self._key_id, Plaintext=data, EncryptionContext=context)["CiphertextBlob"]
        return base64.b64encode(blob).decode()

    def open(self, sealed: str, context: dict[str, str]) -> str:
        with _translated():
            plain = self._kms.decrypt(
                KeyId=self._key_id, CiphertextBlob=base64.b64decode(sealed), EncryptionContext=context
            )["Plaintext"]
        return bytes(plain).decode()


class CachedSecretBox:
    """A box that keeps what it opened in memory (a warm container's), so that a token used again,
    as a publisher uses one per published target, costs no KMS Decrypt.

    Entries are keyed by the ciphertext and its encryption context: a refreshed or reconnected token
    is a new ciphertext (a new Encrypt), so it never gets an older token's plaintext. Each entry is
    kept ``ttl_seconds`` at most and the ``size`` most recent only, so a secret does not stay in
    memory for the container's life."""

    def __init__(
        self,
        box: KmsSecretBox,
        *,
        ttl_seconds: float = 900.0,
        size: int = 256,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._box = box
        self._ttl = ttl_seconds
        self._size = size
        self._now = now
        self._opened: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        return self._box.seal(plaintext, context)

    def open(self, sealed: str, context: dict[str, str]) -> str:
        key = hashlib.sha256("\0".join([sealed, *sorted(f"{k}={v}" for k, v in context.items())]).encode()).hexdigest()
        now = self._now()
        kept = self._opened.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        plain = self._box.open(sealed, context)
        self._opened[key] = (now + self._ttl, plain)
        self._opened.move_to_end(key)
        while len(self._opened) > self._size:
            self._opened.popitem(last=False)
        return plain


@contextmanager
def _translated() -> Iterator[None]:
    """Throttling and outages are 503s; a ciphertext that does not open (tampered, moved to another
    record, wrong key) is a bug or an attack, and propagates as one."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _RETRYABLE:
            raise DependencyUnavailable(details={"service": "kms"}) from exc
        raise
    except BotoCoreError as exc:
        raise DependencyUnavailable(details={"service": "kms"}) from exc
