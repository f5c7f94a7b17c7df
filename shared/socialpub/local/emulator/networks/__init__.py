"""Each network's endpoints, one module per network id, each with ``router(state)`` and ``SIGN_IN``.

The modules are found in this package (never read from the product's catalog): a module whose name
starts with ``_`` is a helper, not a network."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from fastapi import APIRouter

from socialpub.local.emulator.signin import SignIn
from socialpub.local.emulator.state import EmulatorState


@cache
def _modules() -> dict[str, ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return {name: importlib.import_module(f"{__name__}.{name}") for name in names}


def sign_ins() -> dict[str, SignIn]:
    """Each network's sign-in, by network id, in a stable (alphabetical) order."""
    found = {}
    for module in _modules().values():
        sign_in = getattr(module, "SIGN_IN", None)
        if isinstance(sign_in, SignIn):
            found[sign_in.network] = sign_in
    return found


def network_routers(state: EmulatorState) -> list[APIRouter]:
    return [module.router(state) for module in _modules().values() if hasattr(module, "router")]
