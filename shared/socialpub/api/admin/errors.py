"""The admin plane's error table: the main API's (api/main/errors.py), reused as is.

The admin plane is part of the main API's seed (seeds/000) and answers in its envelope, so one table
serves both: app_factory installs it on AdminFunction's app as on every app it builds. Admin's own
refusals are domain errors like any other (no or an ended session: 401; a role without the
permission: 403). ERROR_RESPONSES documents the table's answers on every admin route.
"""

from __future__ import annotations

from socialpub.api.main.envelope import ERROR_RESPONSES
from socialpub.api.main.errors import STATUS_BY_ERROR, install_error_handlers, status_of

__all__ = ["ERROR_RESPONSES", "STATUS_BY_ERROR", "install_error_handlers", "status_of"]
