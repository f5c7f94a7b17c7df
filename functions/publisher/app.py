"""PublisherFunction: runs publishing targets from the publish queue (socialpub.workers.publisher)."""

from socialpub.workers.publisher import adapters, handler

adapters()  # settings and AWS clients at init: fail fast, and keep them off the first message

__all__ = ["handler"]
