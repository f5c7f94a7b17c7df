"""Permissions an API key can carry."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    WORKSPACES_READ = "workspaces.read"
    WORKSPACES_WRITE = "workspaces.write"
    POSTS_READ = "posts.read"
    POSTS_WRITE = "posts.write"
    MEDIA_WRITE = "media.write"
    SCHEDULES_READ = "schedules.read"
    SCHEDULES_WRITE = "schedules.write"
    ACCOUNTS_READ = "accounts.read"
    ACCOUNTS_WRITE = "accounts.write"
    ANALYTICS_READ = "analytics.read"


ALL_PERMISSIONS: frozenset[Permission] = frozenset(Permission)
