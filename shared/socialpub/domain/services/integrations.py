"""Configuration use-cases: register, read, change and remove a workspace's app credentials."""

from __future__ import annotations

from pydantic import BaseModel

from socialpub.domain.errors import InvalidInput
from socialpub.domain.ids import new_id
from socialpub.domain.integrations import (
    Configuration,
    ConfigurationNotFound,
    credential_fields,
    integration,
    optional_credential_fields,
)
from socialpub.domain.ports import Clock, ConfigurationRepository
from socialpub.domain.records import changed
from socialpub.domain.secrets import SecretBox, mask


class ConfigurationInput(BaseModel):
    credentials: dict[str, str] | None = None
    scopes: list[str] | None = None


def _sealed(config: Configuration, credentials: dict[str, str], box: SecretBox) -> Configuration:
    """Seal the credentials sent. A value equal to the stored mask (a client sending back what it read)
    keeps the stored secret."""
    platform = integration(config.integration)
    fields = credential_fields(platform)
    taken = (*fields, *optional_credential_fields(platform))
    unknown = sorted(set(credentials) - set(taken))
    if unknown:
        raise InvalidInput(
            f"Unknown credential(s) {', '.join(unknown)}; {config.integration} takes {', '.join(taken)}",
            details={"field": "credentials", "unknown": unknown},
        )
    sealed, masked = dict(config.sealed), dict(config.masked)
    for name, value in credentials.items():
        if value == config.masked.get(name):
            continue
        if not value.strip():
            raise InvalidInput(f"credentials.{name} must not be blank", details={"field": f"credentials.{name}"})
        sealed[name] = box.seal(value, config.context(name))
        masked[name] = mask(value)
    missing = [f for f in fields if f not in sealed]
    if missing:
        raise InvalidInput(
            f"Missing credential(s) {', '.join(missing)}", details={"field": "credentials", "missing": missing}
        )
    return config.model_copy(update={"sealed": sealed, "masked": masked})


def create_configuration(
    workspace_id: str,
    integration_id: str,
    data: ConfigurationInput,
    *,
    repo: ConfigurationRepository,
    box: SecretBox,
    clock: Clock,
) -> Configuration:
    platform = integration(integration_id)
    credential_fields(platform)
    now = clock()
    draft = Configuration(
        id=new_id("cfg"),
        workspace_id=workspace_id,
        integration=platform.id,
        scopes=platform.auth.scopes if data.scopes is None else data.scopes,
        sealed={},
        masked={},
        created_at=now,
        updated_at=now,
    )
    config = _sealed(draft, data.credentials or {}, box)
    repo.create(config)
    return config


def get_configuration(
    workspace_id: str, integration_id: str, configuration_id: str, repo: ConfigurationRepository
) -> Configuration:
    integration(integration_id)
    config = repo.get(workspace_id, integration_id, configuration_id)
    if config is None:
        raise ConfigurationNotFound(details={"configuration_id": configuration_id})
    return config


def list_configurations(workspace_id: str, integration_id: str, repo: ConfigurationRepository) -> list[Configuration]:
    integration(integration_id)
    return repo.list(workspace_id, integration_id)


def update_configuration(
    workspace_id: str,
    integration_id: str,
    configuration_id: str,
    data: ConfigurationInput,
    *,
    repo: ConfigurationRepository,
    box: SecretBox,
    clock: Clock,
) -> Configuration:
    current = get_configuration(workspace_id, integration_id, configuration_id, repo)
    # Pizzly's way: a field left out or null keeps its value.
    update: dict[str, object] = {"updated_at": clock()}
    if data.scopes is not None:
        update["scopes"] = data.scopes
    updated = changed(_sealed(current, data.credentials or {}, box), update)
    repo.save(updated)
    return updated


def delete_configuration(
    workspace_id: str, integration_id: str, configuration_id: str, repo: ConfigurationRepository
) -> None:
    repo.delete(get_configuration(workspace_id, integration_id, configuration_id, repo))
