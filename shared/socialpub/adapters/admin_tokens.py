"""Admin JWTs (HS256, PyJWT), signed with a key kept in Secrets Manager and read once per process."""

from __future__ import annotations

import threading
from typing import Any

import jwt
from botocore.exceptions import BotoCoreError, ClientError

from socialpub.domain.admin_auth import SessionEnded
from socialpub.domain.errors import DependencyUnavailable

ALGORITHM = "HS256"
ISSUER = "socialpub-admin"


class SecretsManagerJwtSigner:
    def __init__(self, client: Any, secret_id: str) -> None:
        self._secrets = client
        self._secret_id = secret_id
        self._key: str | None = None
        self._lock = threading.Lock()

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode({**claims, "iss": ISSUER}, self._signing_key(), algorithm=ALGORITHM)

    def verify(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._signing_key(),
                algorithms=[ALGORITHM],  # never what the token's header asks for
                issuer=ISSUER,
                # Expiry is the domain's check, against its clock (services/admin_auth.authenticate).
                options={"require": ["exp", "iat", "sub", "sid"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise SessionEnded() from exc
        return claims

    def _signing_key(self) -> str:
        if self._key is None:
            with self._lock:
                if self._key is None:
                    try:
                        self._key = str(self._secrets.get_secret_value(SecretId=self._secret_id)["SecretString"])
                    except (ClientError, BotoCoreError) as exc:
                        raise DependencyUnavailable(details={"service": "secretsmanager"}) from exc
        return self._key
