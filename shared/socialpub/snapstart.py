"""Lambda SnapStart: what is primed before the snapshot and what is made again after a restore.

With SnapStart, Lambda runs a version's init once, snapshots the memory, and resumes every new execution
environment from that snapshot. So whatever init leaves in memory is shared by every environment:

- safe to prime: imports, validated settings, parsed botocore models (the process-wide loader of
  ``socialpub.adapters.aws``), the app and its routes;
- not safe: the ``random`` module's state (every environment would draw the same numbers; botocore's
  retry jitter uses it; our ids and tokens use ``secrets``, which reads the kernel at each call), and the
  AWS clients with their session, credentials and open connections, which are dropped after a restore
  and made again on first use (from the primed loader, so without parsing the models again).

The hooks come from ``snapshot_restore_py``, which only the Lambda Python runtime provides. Where it is
absent (locally, in tests, on a runtime without SnapStart) registering does nothing and no snapshot is
ever taken, so the functions behave as before. docs/operations.md#snapstart has the effect and caveats.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from socialpub.adapters import aws

try:  # the Lambda runtime's library; absent elsewhere
    from snapshot_restore_py import register_after_restore, register_before_snapshot  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - exercised where the runtime is absent, i.e. everywhere but Lambda

    def register_before_snapshot(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        return func

    def register_after_restore(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
        return func


def prime(clients: Iterable[str], *, after_restore: Iterable[Callable[[], object]] = ()) -> None:
    """Before the snapshot, build ``clients`` once (imports botocore's client code and parses their
    models into the shared loader); after each restore, drop every client and the session, reseed
    ``random``, then run ``after_restore`` (e.g. to forget a repository that holds a client)."""
    register_before_snapshot(_build, tuple(clients))
    register_after_restore(restored, tuple(after_restore))


def _build(clients: tuple[str, ...]) -> None:
    for service in clients:
        aws.client(service)


def restored(callbacks: tuple[Callable[[], object], ...] = ()) -> None:
    """What a resumed environment must not share with its siblings: made again, or on first use."""
    random.seed()  # from os.urandom: each environment draws its own numbers
    aws.reset_clients()  # credentials, connections and clients are the environment's own
    for callback in callbacks:
        callback()
