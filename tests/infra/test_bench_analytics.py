"""scripts/bench_analytics.py still runs against the current code (its --quick mode), and writes its
section of the benchmarks page; no figure is checked (no timing thresholds in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from socialpub.local.template import ROOT

pytestmark = pytest.mark.slow  # starts an interpreter (about 15 s)

SCRIPT = ROOT / "scripts" / "bench_analytics.py"


def test_bench_analytics__quick_run__prints_the_figures_and_writes_its_section(tmp_path: Path) -> None:
    # Given a benchmarks page with another section
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nOther section.\n")

    # When the analytics benchmark runs in its quick mode
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--markdown", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )

    # Then it succeeds and prints the collector's calls and both requests' times
    assert done.returncode == 0, done.stderr[-3000:]
    assert "AWS calls per target" in done.stdout
    assert "ratio analytics / posts" in done.stdout
    # And its section is added between its markers, the other section kept
    text = page.read_text()
    assert "Other section." in text
    assert "<!-- bench-analytics:begin" in text
    assert "<!-- bench-analytics:end -->" in text
    assert "--quick" in text
