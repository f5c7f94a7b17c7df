"""MediaProcessorFunction: checks uploads as they land in the media bucket (socialpub.workers.media_processor)."""

from socialpub.workers.media_processor import adapters, handler

adapters()  # settings, AWS clients and the media probe at init: fail fast, and keep them off the first message

__all__ = ["handler"]
