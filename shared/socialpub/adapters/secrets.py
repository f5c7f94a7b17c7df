"""KMS-sealed secrets. Each value is one KMS Encrypt call under the stack's SecretsKey, with an
encryption context that names where it belongs: KMS refuses to decrypt it with any other context.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
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
