"""GET /public/v1/integrations, /is-connected and /groups: the organisation's channels, which are
the workspace's accounts of the main API (the same ids as GET /api/accounts)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from socialpub.api.container import ContainerDep
from socialpub.api.postsider.auth import Organisation, OrganisationDep, requires
from socialpub.api.postsider.identifiers import identifier_of
from socialpub.domain.accounts import Account, AccountStatus
from socialpub.domain.permissions import Permission

router = APIRouter(tags=["postsider"])


class Integration(BaseModel):
    """Postiz's Integration; ``customer`` is left out, as Postiz does for a channel without one."""

    id: str
    name: str
    identifier: str
    picture: str | None
    disabled: bool
    profile: str | None

    @classmethod
    def of(cls, a: Account) -> Integration:
        return cls(
            id=a.id,
            name=a.name,
            identifier=identifier_of(a),
            picture=a.profile_image,
            disabled=a.status is not AccountStatus.ACTIVE,
            profile=a.username,
        )


class Connected(BaseModel):
    connected: bool = True


class Group(BaseModel):
    id: str
    name: str


@router.get("/integrations")
def list_integrations(
    c: ContainerDep, org: Organisation = requires(Permission.ACCOUNTS_READ), group: str | None = None
) -> list[Integration]:
    """Every account of the workspace, disabled ones (expired, in error) included. ``group`` is
    accepted and not applied yet: accounts have no group (channel groups are a later part)."""
    return [Integration.of(a) for a in c.postsider_accounts.list(org.workspace_id)]


@router.get("/is-connected")
def is_connected(org: OrganisationDep) -> Connected:
    return Connected()


@router.get("/groups")
def list_groups(org: Organisation = requires(Permission.ACCOUNTS_READ)) -> list[Group]:
    """Always empty today: accounts cannot be put in groups yet."""
    return []
