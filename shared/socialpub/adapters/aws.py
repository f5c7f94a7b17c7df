"""AWS clients: created once per process, on one session, and shared (clients are thread-safe once built).

Endpoints come from the standard ``AWS_ENDPOINT_URL`` variable, which the local stack points at
its moto server; nothing in the product knows whether it talks to AWS or to moto.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"max_attempts": 3, "mode": "standard"},
)
# Presigned URLs must be SigV4: it is the only signature S3 accepts everywhere, and the only one that
# binds the signed Content-Length and Content-Type of an upload URL.
_SERVICE_CONFIG = {"s3": Config(signature_version="s3v4")}
# The loader caches every JSON model it parses (endpoints, service models). A new session brings a
# new loader, and parsing those files again cost ~100 ms per client, so every session shares this one.
_LOADER = botocore.loaders.create_loader()
_clients: dict[str, Any] = {}
_session: boto3.session.Session | None = None
_lock = threading.Lock()


def session() -> boto3.session.Session:
    """The process-wide session: credentials and region are resolved once, models parsed once."""
    global _session
    with _lock:
        if _session is None:
            core = botocore.session.get_session()
            core.register_component("data_loader", _LOADER)
            _session = boto3.session.Session(botocore_session=core)
        return _session


def client(service: str) -> Any:
    """The process-wide client for ``service`` (creating clients is not thread-safe, so it is locked)."""
    existing = _clients.get(service)
    if existing is not None:
        return existing
    shared = session()
    with _lock:
        if service not in _clients:
            config = _CONFIG.merge(_SERVICE_CONFIG[service]) if service in _SERVICE_CONFIG else _CONFIG
            _clients[service] = shared.client(service, config=config)
        return _clients[service]


class _Deferred:
    """Stands for the process-wide client of a service and makes it on first use (an attribute read):
    an adapter built for a request that never calls it costs no client (each costs tens of
    milliseconds of CPU and memory for its models), and after ``reset_clients`` (a SnapStart restore)
    the adapter uses the new client instead of keeping the old one."""

    __slots__ = ("_service",)

    def __init__(self, service: str) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(client(self._service), name)

    def __repr__(self) -> str:
        return f"<{self._service} client, made on first use>"


def deferred(service: str) -> Any:
    """The process-wide client for ``service``, made when first used rather than now."""
    return _Deferred(service)


def reset_clients() -> None:
    """Forget every client and the session (tests switch endpoints and credentials between runs)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
