"""The platform emulator: each network's API on loopback, for the local stack and tests.
Each network is its own module under networks/: its sign-in (``SIGN_IN``, served by app.py), its
publishing API, limits and counting, all from the network's docs and never from the product (it
imports nothing of socialpub.domain, adapters or api: tests/infra/test_emulator_independence.py)."""

from socialpub.local.emulator.app import create_emulator
from socialpub.local.emulator.state import EmulatedPost, EmulatorState

__all__ = ["EmulatedPost", "EmulatorState", "create_emulator"]
