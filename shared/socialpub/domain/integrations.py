"""Integrations, Pizzly's way: an integration is a network's catalog entry; a configuration is the app
credentials and scopes a workspace registers for it (bring your own app)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from socialpub.domain.errors import InvalidInput, NotFound
from socialpub.domain.platforms import AuthType, Platform, catalog

# The credentials an app registration has, by auth type (Pizzly's names).
CREDENTIAL_FIELDS: dict[AuthType, tuple[str, ...]] = {
    AuthType.OAUTH2: ("clientId", "clientSecret"),
    AuthType.OAUTH1: ("consumerKey", "consumerSecret"),
    AuthType.SIGNER: ("apiKey",),  # Farcaster: the Neynar API key every call carries (x-api-key)
}
# Credentials an app registration may add, by what the network needs beyond sign-in.
API_KEY_FIELD = "apiKey"  # Farcaster: the app's Neynar API key, which its signers are paired with
BOT_TOKEN_FIELD = "botToken"  # Discord: the app's bot token, which posts (AuthSettings.app_bot_token)
# Farcaster: the app's own FID and its custody address's private key (hex), which signs the signed key
# request of each signer socialpub makes for a user (Neynar's POST /v2/farcaster/signer/signed_key)
APP_FID_FIELD = "appFid"
CUSTODY_KEY_FIELD = "appCustodyKey"
MAX_SCOPES = 100


class IntegrationNotFound(NotFound):
    code = "INTEGRATION_NOT_FOUND"
    default_message = "No such integration; see GET /api/platforms for the ids"


class ConfigurationNotFound(NotFound):
    code = "CONFIGURATION_NOT_FOUND"
    default_message = "Configuration not found"


class Configuration(BaseModel):
    id: str
    workspace_id: str
    integration: str
    scopes: list[str]
    sealed: dict[str, str]  # credential name -> KMS-sealed value
    masked: dict[str, str]  # credential name -> what responses show ("e9ca****...")
    created_at: datetime
    updated_at: datetime

    def context(self, field: str) -> dict[str, str]:
        """The encryption context of one credential: it opens only for this record and field."""
        return {
            "workspace_id": self.workspace_id,
            "record": f"configuration/{self.integration}/{self.id}",
            "field": field,
        }


def integration(integration_id: str) -> Platform:
    platform = catalog().get(integration_id)
    if platform is None:
        raise IntegrationNotFound(details={"integration": integration_id})
    return platform


def credential_fields(platform: Platform) -> tuple[str, ...]:
    fields = CREDENTIAL_FIELDS.get(platform.auth.auth_type)
    if fields is None:
        raise InvalidInput(
            f"{platform.name} connects with {platform.auth.auth_type.value}, which needs no app credentials",
            details={"integration": platform.id, "auth_type": platform.auth.auth_type.value},
        )
    return fields


def optional_credential_fields(platform: Platform) -> tuple[str, ...]:
    """Credentials an app registration may carry beyond ``credential_fields`` (Discord's bot token,
    Farcaster's app FID and custody key)."""
    if platform.auth.auth_type is AuthType.SIGNER:
        return (APP_FID_FIELD, CUSTODY_KEY_FIELD)
    return (BOT_TOKEN_FIELD,) if platform.auth.app_bot_token else ()
