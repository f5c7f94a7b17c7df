"""/api/workspaces: list and create need no X-Workspace-ID; the others take the id from the path."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from socialpub.api.container import ContainerDep
from socialpub.api.main.auth import forget_cached_authorizations, requires
from socialpub.api.main.envelope import ERROR_RESPONSES, Envelope, ok
from socialpub.api.main.idempotency import IDEMPOTENT
from socialpub.api.main.schemas.workspaces import (
    CreatedWorkspace,
    CreatedWorkspaceData,
    CreateWorkspaceRequest,
    MessageData,
    UpdatedWorkspace,
    UpdatedWorkspaceData,
    UpdateWorkspaceRequest,
    WorkspaceDetail,
    WorkspaceDetailData,
    WorkspaceListData,
    WorkspaceSummary,
)
from socialpub.config import WorkspacesSettings
from socialpub.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from socialpub.domain.permissions import Permission
from socialpub.domain.services import workspaces as service
from socialpub.domain.services.auth import Principal
from socialpub.domain.workspaces import WorkspaceChanges

SETTINGS = WorkspacesSettings
router = APIRouter(prefix="/api/workspaces", tags=["workspaces"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, requires(Permission.WORKSPACES_READ)]
Writer = Annotated[Principal, requires(Permission.WORKSPACES_WRITE)]


@router.get("")
def list_workspaces(
    principal: Reader,
    c: ContainerDep,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> Envelope[WorkspaceListData]:
    """The workspaces this API key can use."""
    items, pagination = service.list_workspaces(principal, c.workspaces, page=page, per_page=limit)
    return ok(WorkspaceListData(workspaces=[WorkspaceSummary.of(w) for w in items], pagination=pagination))


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[IDEMPOTENT])
def create_workspace(
    body: CreateWorkspaceRequest, principal: Writer, c: ContainerDep, request: Request
) -> Envelope[CreatedWorkspaceData]:
    """Create a workspace; the calling key gets access to it."""
    command = service.NewWorkspace(name=body.name, description=body.description, settings=body.settings)
    w = service.create_workspace(command, principal, c.workspaces, c.clock)
    forget_cached_authorizations(request, c)  # the key's cached scope lacks the new workspace
    return ok(CreatedWorkspaceData(workspace=CreatedWorkspace.of(w)))


@router.get("/{workspace_id}")
def get_workspace(workspace_id: str, principal: Reader, c: ContainerDep) -> Envelope[WorkspaceDetailData]:
    """One workspace with its connected accounts and post statistics."""
    w, accounts = service.get_workspace_detail(workspace_id, principal, c.workspaces)
    return ok(WorkspaceDetailData(workspace=WorkspaceDetail.of_workspace(w, accounts)))


@router.put("/{workspace_id}")
def update_workspace(
    workspace_id: str, body: UpdateWorkspaceRequest, principal: Writer, c: ContainerDep
) -> Envelope[UpdatedWorkspaceData]:
    """Change name, description or settings; settings merge key by key."""
    changes = WorkspaceChanges.model_validate(body.changes())
    w = service.update_workspace(workspace_id, changes, principal, c.workspaces, c.clock)
    return ok(UpdatedWorkspaceData(workspace=UpdatedWorkspace.of(w)))


@router.delete("/{workspace_id}")
def delete_workspace(workspace_id: str, principal: Writer, c: ContainerDep, request: Request) -> Envelope[MessageData]:
    """Delete a workspace and, in the background, everything it owns."""
    service.delete_workspace(workspace_id, principal, c.workspaces, c.workspace_purge_queue, c.clock)
    # Reads check the workspace against the key's scope only: cached scopes must not keep it.
    forget_cached_authorizations(request, c)
    return ok(MessageData(message="Workspace deleted successfully"))
