"""Each network's publishing endpoints, one module per catalog id, each with ``router(state)``."""

from __future__ import annotations

import importlib

from fastapi import APIRouter

from socialpub.domain.platforms import catalog
from socialpub.local.emulator.state import EmulatorState


def network_routers(state: EmulatorState) -> list[APIRouter]:
    routers = []
    for platform_id in catalog():
        name = f"{__name__}.{platform_id}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        routers.append(module.router(state))
    return routers
