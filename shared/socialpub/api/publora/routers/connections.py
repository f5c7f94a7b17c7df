"""GET /api/v1/platform-connections: the workspace's accounts, as Publora lists its connections."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from socialpub.api.container import ContainerDep
from socialpub.api.publora.auth import Caller, requires
from socialpub.api.publora.identifiers import platform_id_of
from socialpub.domain.accounts import Account
from socialpub.domain.permissions import Permission

router = APIRouter(tags=["publora"])


class Connection(BaseModel):
    """``displayName`` for every network: Publora has it for X, Bluesky and Mastodon only, but every
    network the product connects gives the account a display name."""

    platformId: str
    username: str | None
    displayName: str
    profileImageUrl: str | None

    @classmethod
    def of(cls, account: Account) -> Connection:
        return cls(
            platformId=platform_id_of(account),
            username=account.username,
            displayName=account.name,
            profileImageUrl=account.profile_image,
        )


class Connections(BaseModel):
    success: bool = True
    connections: list[Connection]


@router.get("/platform-connections")
def platform_connections(c: ContainerDep, caller: Caller = requires(Permission.ACCOUNTS_READ)) -> Connections:
    """Every account of the workspace, expired ones included (publishing to one says why it fails)."""
    return Connections(connections=[Connection.of(a) for a in c.surface_accounts.list(caller.workspace_id)])
