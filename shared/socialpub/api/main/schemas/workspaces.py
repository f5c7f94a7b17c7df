from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from socialpub.api.main.envelope import Timestamp
from socialpub.api.main.schemas.common import PartialUpdate, RequestBody
from socialpub.domain.pagination import Pagination
from socialpub.domain.workspaces import (
    MAX_DEFAULT_HASHTAGS,
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    AccountRef,
    Workspace,
    WorkspaceSettings,
    normalize_hashtag,
    validate_timezone,
)


def _strip_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class WorkspaceSettingsBody(WorkspaceSettings):
    model_config = ConfigDict(extra="forbid")


class CreateWorkspaceRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Marketing Team", "settings": {"timezone": "Europe/Paris"}}]}
    )

    name: str = Field(max_length=MAX_NAME_LENGTH)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    settings: WorkspaceSettingsBody = Field(default_factory=WorkspaceSettingsBody)

    _name = field_validator("name")(_strip_name)


class SettingsChanges(PartialUpdate):
    """The settings sent; the others keep their values."""

    timezone: str | None = None
    default_hashtags: list[str] | None = Field(None, max_length=MAX_DEFAULT_HASHTAGS)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else validate_timezone(value)

    @field_validator("default_hashtags")
    @classmethod
    def _hashtags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [normalize_hashtag(tag) for tag in value]


class UpdateWorkspaceRequest(PartialUpdate):
    """Only the fields sent are changed; settings merge key by key; ``null`` clears ``description``."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"description"})

    name: str | None = Field(None, max_length=MAX_NAME_LENGTH)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_LENGTH)
    settings: SettingsChanges | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _strip_name(value)


class WorkspaceSummary(BaseModel):
    id: str
    name: str
    description: str | None
    created_at: Timestamp
    updated_at: Timestamp
    accounts_count: int
    posts_count: int
    members_count: int

    @classmethod
    def of(cls, w: Workspace) -> WorkspaceSummary:
        return cls(
            id=w.id,
            name=w.name,
            description=w.description,
            created_at=w.created_at,
            updated_at=w.updated_at,
            accounts_count=w.stats.accounts_count,
            posts_count=w.stats.posts_count,
            members_count=w.stats.members_count,
        )


class WorkspaceListData(BaseModel):
    workspaces: list[WorkspaceSummary]
    pagination: Pagination


class CreatedWorkspace(BaseModel):
    id: str
    name: str
    description: str | None
    settings: WorkspaceSettings
    created_at: Timestamp

    @classmethod
    def of(cls, w: Workspace) -> CreatedWorkspace:
        return cls.model_validate(w.model_dump(include=set(cls.model_fields)))


class AccountSummary(BaseModel):
    id: str
    platform: str
    name: str
    connected_at: Timestamp


class WorkspaceStatsResponse(BaseModel):
    total_posts: int
    scheduled_posts: int
    published_posts: int


class WorkspaceDetail(WorkspaceSummary):
    settings: WorkspaceSettings
    accounts: list[AccountSummary]
    stats: WorkspaceStatsResponse

    @classmethod
    def of_workspace(cls, w: Workspace, accounts: list[AccountRef]) -> WorkspaceDetail:
        return cls(
            **WorkspaceSummary.of(w).model_dump(),
            settings=w.settings,
            accounts=[AccountSummary.model_validate(a.model_dump()) for a in accounts],
            stats=WorkspaceStatsResponse(
                total_posts=w.stats.posts_count,
                scheduled_posts=w.stats.scheduled_posts,
                published_posts=w.stats.published_posts,
            ),
        )


class UpdatedWorkspace(BaseModel):
    id: str
    name: str
    description: str | None
    settings: WorkspaceSettings
    updated_at: Timestamp

    @classmethod
    def of(cls, w: Workspace) -> UpdatedWorkspace:
        return cls.model_validate(w.model_dump(include=set(cls.model_fields)))


class CreatedWorkspaceData(BaseModel):
    workspace: CreatedWorkspace


class WorkspaceDetailData(BaseModel):
    workspace: WorkspaceDetail


class UpdatedWorkspaceData(BaseModel):
    workspace: UpdatedWorkspace


class MessageData(BaseModel):
    message: str
