"""Pizzly's shapes (seeds/001): objects carry ``"object": "<type>"`` and credentials are masked."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
    image: str | None = None
    auth: dict[str, Any]
    request: dict[str, Any]

    @classmethod
    def of(cls, p: Platform) -> IntegrationView:
        a = p.auth
        return cls(
            id=p.id,
            name=p.name,
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
