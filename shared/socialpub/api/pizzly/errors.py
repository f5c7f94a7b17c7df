"""Pizzly's error table: the main API's (api/main/errors.py), reused as is.

Pizzly's paths take the main API's keys and answer errors in its envelope (seeds/001 defines no
error shape of its own), so one table serves both: app_factory installs it on
IntegrationsFunction's app as on every app it builds. ERROR_RESPONSES documents the table's answers
on every Pizzly route.
"""

from __future__ import annotations

from socialpub.api.main.envelope import ERROR_RESPONSES
from socialpub.api.main.errors import STATUS_BY_ERROR, install_error_handlers, status_of

__all__ = ["ERROR_RESPONSES", "STATUS_BY_ERROR", "install_error_handlers", "status_of"]
