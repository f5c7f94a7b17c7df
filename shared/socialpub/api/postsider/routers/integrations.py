"""GET /public/v1/integrations, /is-connected and /groups, DELETE /integrations/:id: the
organisation's channels, which are the workspace's accounts of the main API (the same ids as
GET /api/accounts). A channel's other routes: channels.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from socialpub.api.container import ContainerDep
from socialpub.api.postsider.auth import Organisation, OrganisationDep, requires
from socialpub.api.postsider.identifiers import identifier_of
from socialpub.api.postsider.routers.channels import channel
from socialpub.domain.accounts import Account, AccountStatus
from socialpub.domain.permissions import Permission
from socialpub.domain.services import accounts as accounts_service

router = APIRouter(tags=["postsider"])


class Group(BaseModel):
    """A channel group (Postiz's customer): the account's group label is both its id and name."""

    id: str
    name: str

    @classmethod
    def named(cls, label: str) -> Group:
        return cls(id=label, name=label)


class Integration(BaseModel):
    """Postiz's Integration; ``customer`` is left out (not null) for a channel in no group, as Postiz does."""

    id: str
    name: str
    identifier: str
    picture: str | None
    disabled: bool
    profile: str | None
    customer: Group | None = None

    @model_serializer(mode="wrap")
    def _without_empty_customer(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("customer") is None:
            data.pop("customer", None)
        return data

    @classmethod
    def of(cls, a: Account) -> Integration:
        return cls(
            id=a.id,
            name=a.name,
            identifier=identifier_of(a),
            picture=a.profile_image,
            disabled=a.status is not AccountStatus.ACTIVE,
            profile=a.username,
            customer=Group.named(a.group) if a.group else None,
        )


class Disconnected(BaseModel):
    id: str


class Connected(BaseModel):
    connected: bool = True


@router.get("/integrations")
def list_integrations(
    c: ContainerDep, org: Organisation = requires(Permission.ACCOUNTS_READ), group: str | None = None
) -> list[Integration]:
    """Every account of the workspace, disabled ones (expired, in error) included; ``group``: only
    the accounts of that channel group."""
    accounts = c.surface_accounts.list(org.workspace_id)
    return [Integration.of(a) for a in accounts if group is None or a.group == group]


@router.get("/is-connected")
def is_connected(org: OrganisationDep) -> Connected:
    return Connected()


@router.get("/groups")
def list_groups(c: ContainerDep, org: Organisation = requires(Permission.ACCOUNTS_READ)) -> list[Group]:
    """The workspace's channel groups: the distinct groups of its accounts, by name."""
    labels = {a.group for a in c.surface_accounts.list(org.workspace_id) if a.group}
    return [Group.named(label) for label in sorted(labels)]


@router.delete("/integrations/{integration_id}")
def disconnect(
    integration_id: str, c: ContainerDep, org: Organisation = requires(Permission.ACCOUNTS_WRITE)
) -> Disconnected:
    """DELETE /api/accounts/{id}: revoke at the network, take the account out of scheduled posts
    and schedules, remove it (with its event). Answers its id (Postiz answers the row, tokens too)."""
    account = channel(c, org, integration_id)
    accounts_service.disconnect_account(
        c.account_deps(),
        c.account_posts,
        org.workspace_id,
        account.id,
        scheduler=c.post_scheduler,
        schedules=c.schedules,
    )
    return Disconnected(id=account.id)
