"""Pizzly's shapes (seeds/001): objects carry ``"object": "<type>"`` and credentials are masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from socialpub.domain.accounts import Account
from socialpub.domain.integrations import MAX_SCOPES, Configuration
from socialpub.domain.platforms import Platform


class ConfigurationBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    credentials: dict[str, str] | None = Field(None, max_length=10)
    scopes: list[str] | None = Field(None, max_length=MAX_SCOPES)


class IntegrationView(BaseModel):
    object: str = "integration"
    id: str
    name: str
    image: str  # the network's logo URL, as Pizzly's integration files give one
    auth: dict[str, Any]
    request: dict[str, Any]

    @classmethod
    def of(cls, p: Platform) -> IntegrationView:
        a = p.auth
        return cls(
            id=p.id,
            name=p.name,
            image=str(p.logo_url),
            auth={
                "authorizationURL": a.authorization_url,
                "tokenURL": a.token_url,
                "authType": a.auth_type.value,
                "tokenParams": a.token_params,
                "authorizationParams": a.authorization_params,
                "scopes": a.scopes,
                "pkce": a.pkce,
                "auth": {"accessType": "offline"} if a.refresh.supported else {},
            },
            request={"baseURL": a.request.base_url, "headers": a.request.headers},
        )


class ConfigurationView(BaseModel):
    object: str = "configuration"
    id: str
    scopes: list[str]
    credentials: dict[str, str]

    @classmethod
    def of(cls, c: Configuration) -> ConfigurationView:
        return cls(id=c.id, scopes=c.scopes, credentials=c.masked)


class ConfigurationMessage(BaseModel):
    message: str
    configuration: ConfigurationView


class ConfigurationList(BaseModel):
    object: str = "list"
    configurations: list[ConfigurationView]


class Message(BaseModel):
    message: str


class AuthenticationView(BaseModel):
    """An account's tokens as Pizzly shows them: masked, with updatedAt in epoch milliseconds."""

    object: str = "authentication"
    id: str
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: Account) -> AuthenticationView:
        payload: dict[str, Any] = {"updatedAt": int(a.token_updated_at.timestamp() * 1000)}
        payload.update({_camel(k): v for k, v in a.masked.items()})  # accessToken, refreshToken, appPassword
        if a.token_expires_at is not None:
            payload["expiresIn"] = a.token_expires_at.isoformat()
        return cls(id=a.id, payload=payload, created_at=a.connected_at, updated_at=a.token_updated_at)


class AuthenticationList(BaseModel):
    object: str = "list"
    authentications: list[AuthenticationView]


class AuthenticationMessage(BaseModel):
    message: str
    authentication: AuthenticationView


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)
