"""WorkspacePurgerFunction: drains the workspace purge queue (socialpub.workers.workspace_purger)."""

from socialpub.workers.workspace_purger import handler

__all__ = ["handler"]
