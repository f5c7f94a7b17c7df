"""AccountRefresherFunction: scheduled token refresh (socialpub.workers.account_refresher)."""

from socialpub.workers.account_refresher import adapters, handler

adapters()  # settings and AWS clients at init: fail fast

__all__ = ["handler"]
