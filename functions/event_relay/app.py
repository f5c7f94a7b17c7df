"""EventRelayFunction: hands recorded events to the webhook queue (socialpub.workers.event_relay)."""

from socialpub.workers.event_relay import adapters, handler

adapters()  # settings and AWS clients at init: fail fast

__all__ = ["handler"]
