"""Workspace use-cases."""

from __future__ import annotations

from pydantic import BaseModel

from socialpub.domain.errors import WorkspaceNotFound
from socialpub.domain.ids import new_id
from socialpub.domain.pagination import Pagination, page_slice
from socialpub.domain.ports import Clock, WorkspaceObjectStore, WorkspacePurgeQueue, WorkspaceRepository
from socialpub.domain.services.auth import Principal, require_workspace
from socialpub.domain.workspaces import (
    AccountRef,
    Workspace,
    WorkspaceChanges,
    WorkspaceSettings,
    WorkspaceStats,
    WorkspaceStatus,
)


class NewWorkspace(BaseModel):
    name: str
    description: str | None = None
    settings: WorkspaceSettings = WorkspaceSettings()


def create_workspace(command: NewWorkspace, principal: Principal, repo: WorkspaceRepository, clock: Clock) -> Workspace:
    """Create a workspace; the key that created it gets access to it in the same transaction."""
    now = clock()
    workspace = Workspace(
        id=new_id("ws"),
        name=command.name,
        description=command.description,
        settings=command.settings,
        member_keys=frozenset({principal.key_id}),
        stats=WorkspaceStats(members_count=1),
        created_at=now,
        updated_at=now,
    )
    repo.create(workspace, owner_key_id=principal.key_id)
    return workspace


def get_workspace(workspace_id: str, principal: Principal, repo: WorkspaceRepository) -> Workspace:
    require_workspace(principal, workspace_id)
    workspace = repo.get(workspace_id)
    if workspace is None or workspace.status is not WorkspaceStatus.ACTIVE:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})
    return workspace


def get_workspace_detail(
    workspace_id: str, principal: Principal, repo: WorkspaceRepository
) -> tuple[Workspace, list[AccountRef]]:
    """The workspace (as ``get_workspace``) with its connected accounts, read together."""
    require_workspace(principal, workspace_id)
    workspace, accounts = repo.get_with_accounts(workspace_id)
    if workspace is None or workspace.status is not WorkspaceStatus.ACTIVE:
        raise WorkspaceNotFound(details={"workspace_id": workspace_id})
    return workspace, accounts


def list_workspaces(
    principal: Principal, repo: WorkspaceRepository, *, page: int, per_page: int
) -> tuple[list[Workspace], Pagination]:
    """The key's workspaces, oldest first (ids are time-ordered), with an exact total."""
    ids = sorted(principal.workspaces)
    wanted = page_slice(ids, page=page, per_page=per_page)
    found = {w.id: w for w in repo.get_many(wanted) if w.status is WorkspaceStatus.ACTIVE}
    return [found[i] for i in wanted if i in found], Pagination.of(page=page, per_page=per_page, total_items=len(ids))


def update_workspace(
    workspace_id: str, changes: WorkspaceChanges, principal: Principal, repo: WorkspaceRepository, clock: Clock
) -> Workspace:
    updated = changes.apply(get_workspace(workspace_id, principal, repo), clock())
    repo.save(updated)
    return updated


def delete_workspace(
    workspace_id: str,
    principal: Principal,
    repo: WorkspaceRepository,
    purge_queue: WorkspacePurgeQueue,
    clock: Clock,
) -> None:
    """Hide the workspace at once (revoking every key's access) and purge its data in the background."""
    workspace = get_workspace(workspace_id, principal, repo)
    repo.mark_deleting(workspace, clock())
    purge_queue.request_purge(workspace_id)


def purge_workspace(
    workspace_id: str, repo: WorkspaceRepository, objects: WorkspaceObjectStore, budget: int = 500
) -> bool:
    """Delete up to ``budget`` items and objects of a deleted workspace; True once nothing is left.

    The meta item goes last, so an interrupted purge is simply resumed by the next message.
    """
    deleted = repo.purge_items(workspace_id, budget)
    deleted += objects.delete_workspace_objects(workspace_id, max(0, budget - deleted))
    if deleted >= budget:
        return False
    repo.delete_meta(workspace_id)
    return True
