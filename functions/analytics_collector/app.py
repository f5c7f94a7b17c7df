"""AnalyticsCollectorFunction: scheduled reading of post and account figures (socialpub.workers.analytics_collector)."""

from socialpub.workers.analytics_collector import adapters, handler

adapters()  # settings and AWS clients at init: fail fast

__all__ = ["handler"]
