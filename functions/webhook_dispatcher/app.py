"""WebhookDispatcherFunction: fans events out and delivers webhooks (socialpub.workers.webhook_dispatcher)."""

from socialpub.workers.webhook_dispatcher import adapters, handler

adapters()  # settings and AWS clients at init: fail fast

__all__ = ["handler"]
