"""The benchmark still runs (a smoke test on a few orders; speed is not asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_decide.py"


def test_bench_decide_prints_its_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--orders", "300", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "decide:" in result.stdout and "orders/s" in result.stdout
    assert "outcomes:" in result.stdout
