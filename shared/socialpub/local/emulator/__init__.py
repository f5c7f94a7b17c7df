"""The platform emulator: each catalog network's API on loopback, for the local stack and tests.
Sign-in (app.py) comes from the catalog; each network's publishing API is its own module under
networks/."""

from socialpub.local.emulator.app import create_emulator
from socialpub.local.emulator.state import EmulatedPost, EmulatorState

__all__ = ["EmulatedPost", "EmulatorState", "create_emulator"]
