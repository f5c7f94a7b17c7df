"""Workspaces: the tenant boundary. Everything a workspace owns lives and dies with it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cache
from zoneinfo import available_timezones

from pydantic import BaseModel, Field, field_validator

from socialpub.domain.records import changed

DEFAULT_TIMEZONE = "UTC"
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 1000
MAX_DEFAULT_HASHTAGS = 30


class WorkspaceStatus(StrEnum):
    ACTIVE = "active"
    DELETING = "deleting"


def validate_timezone(value: str) -> str:
    """An IANA zone name such as ``Europe/Paris``; abbreviations like ``CET`` are not accepted."""
    if value not in _iana_zones():
        raise ValueError(f"'{value}' is not an IANA time zone (for example Europe/Paris)")
    return value


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def normalize_hashtag(value: str) -> str:
    tag = value.strip()
    if not tag.startswith("#"):
        tag = f"#{tag}"
    if len(tag) < 2 or any(ch.isspace() for ch in tag) or len(tag) > 100:
        raise ValueError(f"'{value}' is not a hashtag (one word, at most 100 characters)")
    return tag


class WorkspaceSettings(BaseModel):
    timezone: str = DEFAULT_TIMEZONE
    default_hashtags: list[str] = Field(default_factory=list, max_length=MAX_DEFAULT_HASHTAGS)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("default_hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        return [normalize_hashtag(tag) for tag in value]


class WorkspaceStats(BaseModel):
    """Counters maintained on every state change (never computed by scanning)."""

    accounts_count: int = 0
    posts_count: int = 0
    members_count: int = 0
    scheduled_posts: int = 0
    published_posts: int = 0


def counter_moves(old: dict[str, int], new: dict[str, int]) -> dict[str, int]:
    """How a workspace's counters move when one thing it counts goes from adding ``old`` to adding
    ``new`` (each: counter -> amount); unmoved counters are left out."""
    return {k: new.get(k, 0) - old.get(k, 0) for k in sorted(old.keys() | new.keys()) if new.get(k, 0) != old.get(k, 0)}


class AccountRef(BaseModel):
    """How a workspace lists its connected social accounts."""

    id: str
    platform: str
    name: str
    connected_at: datetime


class Workspace(BaseModel):
    id: str
    name: str
    description: str | None = None
    settings: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    status: WorkspaceStatus = WorkspaceStatus.ACTIVE
    member_keys: frozenset[str] = Field(default_factory=frozenset)
    stats: WorkspaceStats = Field(default_factory=WorkspaceStats)
    # Posts created per calendar month (YYYY-MM, UTC), counted against the plan (domain/quotas.py).
    posts_created: dict[str, int] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class WorkspaceChanges(BaseModel):
    """A partial update: only the fields set on it are applied (None clears a field that may be
    empty, and is refused for one that may not); settings merge key by key."""

    name: str | None = None
    description: str | None = None
    settings: dict[str, object] | None = None

    def apply(self, workspace: Workspace, now: datetime) -> Workspace:
        update = self.model_dump(exclude_unset=True)
        if self.settings is not None:
            update["settings"] = {**workspace.settings.model_dump(), **self.settings}
        return changed(workspace, {**update, "updated_at": now})
