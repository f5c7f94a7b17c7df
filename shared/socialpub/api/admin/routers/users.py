"""/admin/users (part of the admin router, admin.py): the admin plane's users and roles.
Needs the users.manage permission (admin role)."""

from __future__ import annotations

from fastapi import APIRouter, status

from socialpub.api.admin.auth import ActorDep, admin_with
from socialpub.api.admin.errors import ERROR_RESPONSES
from socialpub.api.admin.schemas import (
    CreateUserRequest,
    MessageData,
    UpdateUserRequest,
    UserData,
    UserListData,
    UserView,
)
from socialpub.api.container import ContainerDep
from socialpub.api.main.envelope import Envelope, ok
from socialpub.domain.admin_auth import AdminPermission
from socialpub.domain.services import users as service

# Mounted at /admin/users.
router = APIRouter(tags=["admin"], responses=ERROR_RESPONSES, dependencies=[admin_with(AdminPermission.USERS_MANAGE)])


@router.get("")
def list_users(c: ContainerDep) -> Envelope[UserListData]:
    users = c.admin_auth_deps().users.all()
    return ok(UserListData(users=[UserView.of(u) for u in users]))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(body: CreateUserRequest, actor: ActorDep, c: ContainerDep) -> Envelope[UserData]:
    """A user with a role (admin, editor, viewer) and a password of at least 12 characters."""
    deps = c.admin_auth_deps()
    user = service.create_admin_user(
        email=body.email,
        name=body.name,
        password=body.password,
        role=body.role,
        repo=deps.users,
        clock=c.clock,
        audit=deps.audit,
        actor=actor,
    )
    return ok(UserData(user=UserView.of(user)))


@router.put("/{user_id}")
def update_user(user_id: str, body: UpdateUserRequest, actor: ActorDep, c: ContainerDep) -> Envelope[UserData]:
    """Change name, role, is_active or password. The last active admin cannot be demoted or deactivated (409)."""
    deps = c.admin_auth_deps()
    changes = service.UserChanges.model_validate(body.model_dump(exclude_unset=True))
    user = service.update_user(deps.users, user_id, changes, clock=c.clock, audit=deps.audit, actor=actor)
    return ok(UserData(user=UserView.of(user)))


@router.delete("/{user_id}")
def delete_user(user_id: str, actor: ActorDep, c: ContainerDep) -> Envelope[MessageData]:
    """Remove a user; their tokens stop working. The last active admin cannot be deleted (409)."""
    deps = c.admin_auth_deps()
    service.delete_user(deps.users, user_id, clock=c.clock, audit=deps.audit, actor=actor)
    return ok(MessageData(message="User deleted successfully"))
