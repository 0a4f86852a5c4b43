"""bench/compute_report.py still runs (a smoke test on a small fleet; speed is not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "compute_report.py"


def test_compute_bench_prints_its_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--chips", "3000", "--sites", "10", "--no-postgres"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "machine:" in result.stdout
    assert (
        "sqlite: report by hub:" in result.stdout and "sqlite: report by origin:" in result.stdout
    )
