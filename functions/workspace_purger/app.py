"""WorkspacePurgerFunction: drains the workspace purge queue (socialpub.workers.workspace_purger)."""

from socialpub.workers.workspace_purger import adapters, handler

adapters()  # settings and AWS clients at init: fail fast, and keep them off the first message

__all__ = ["handler"]
