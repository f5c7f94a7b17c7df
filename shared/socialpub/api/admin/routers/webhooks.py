"""/admin/webhooks (part of the admin router, admin.py): webhooks, their delivery logs,
tests and redeliveries. Needs the webhooks.manage permission (admin and editor roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from socialpub.api.admin.auth import ActorDep, admin_with
from socialpub.api.admin.errors import ERROR_RESPONSES
from socialpub.api.admin.schemas import (
    AttemptData,
    AttemptView,
    CreateWebhookRequest,
    DeliveryListData,
    DeliveryView,
    MessageData,
    UpdateWebhookRequest,
    WebhookData,
    WebhookListData,
    WebhookView,
)
from socialpub.api.container import ContainerDep
from socialpub.api.main.envelope import Envelope, ok
from socialpub.domain.admin_auth import AdminPermission
from socialpub.domain.services import webhooks as service

# Mounted at /admin/webhooks; every route needs a signed-in admin whose role may manage webhooks.
router = APIRouter(
    tags=["admin"], responses=ERROR_RESPONSES, dependencies=[admin_with(AdminPermission.WEBHOOKS_MANAGE)]
)


@router.get("")
def list_webhooks(c: ContainerDep, workspace_id: str | None = None) -> Envelope[WebhookListData]:
    """Every webhook, with its counters and when it last fired; ``workspace_id`` keeps those that
    deliver that workspace's events."""
    return ok(
        WebhookListData(webhooks=[WebhookView.of(w) for w in service.list_webhooks(c.webhook_deps(), workspace_id)])
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_webhook(body: CreateWebhookRequest, actor: ActorDep, c: ContainerDep) -> Envelope[WebhookData]:
    """An https URL to a public host, the events it takes, and a secret (generated when left out;
    the answer shows it this once)."""
    webhook, secret = service.create_webhook(
        c.webhook_deps(), service.NewWebhook.model_validate(body.model_dump()), actor
    )
    return ok(WebhookData(webhook=WebhookView.of(webhook, secret=secret)))


@router.get("/{webhook_id}")
def get_webhook(webhook_id: str, c: ContainerDep) -> Envelope[WebhookData]:
    return ok(WebhookData(webhook=WebhookView.of(service.get_webhook(c.webhook_deps(), webhook_id))))


@router.put("/{webhook_id}")
def update_webhook(
    webhook_id: str, body: UpdateWebhookRequest, actor: ActorDep, c: ContainerDep
) -> Envelope[WebhookData]:
    changes = service.WebhookChanges.model_validate(body.model_dump(exclude_unset=True))
    webhook = service.update_webhook(c.webhook_deps(), webhook_id, changes, actor)
    return ok(WebhookData(webhook=WebhookView.of(webhook)))


@router.delete("/{webhook_id}")
def delete_webhook(webhook_id: str, actor: ActorDep, c: ContainerDep) -> Envelope[MessageData]:
    service.delete_webhook(c.webhook_deps(), webhook_id, actor)
    return ok(MessageData(message="Webhook deleted successfully"))


@router.post("/{webhook_id}/test")
def test_webhook(webhook_id: str, c: ContainerDep) -> Envelope[AttemptData]:
    """Send a signed ``webhook.test`` event now; the answer says what the receiver did."""
    delivery, attempt = service.send_test(c.webhook_deps(), webhook_id)
    return ok(AttemptData(delivery=DeliveryView.of(delivery), attempt=AttemptView.model_validate(attempt.model_dump())))


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    webhook_id: str,
    c: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: Annotated[str | None, Query(max_length=100)] = None,
) -> Envelope[DeliveryListData]:
    """Newest first, each with its attempts (status code, latency, error); page with ``before``."""
    deps = c.webhook_deps()
    service.get_webhook(deps, webhook_id)
    found = deps.webhooks.deliveries(webhook_id, limit=limit, before=before)
    next_before = found[-1].id if len(found) == limit else None
    return ok(DeliveryListData(deliveries=[DeliveryView.of(d) for d in found], next_before=next_before))


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver")
def redeliver(webhook_id: str, delivery_id: str, c: ContainerDep) -> Envelope[AttemptData]:
    """Send a delivery again now, with its original body and webhook-id."""
    delivery, attempt = service.redeliver(c.webhook_deps(), webhook_id, delivery_id)
    return ok(AttemptData(delivery=DeliveryView.of(delivery), attempt=AttemptView.model_validate(attempt.model_dump())))
