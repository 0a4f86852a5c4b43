"""bench/ledger.py still runs (a smoke test on a few shipments; speed is not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import postgres_url, require_postgres

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ledger.py"


@pytest.mark.postgresql
def test_ledger_bench_prints_its_ratio() -> None:
    require_postgres()
    result = subprocess.run(
        [sys.executable, str(BENCH), "--url", postgres_url(), "--workers", "2",
         "--requests", "20", "--seconds", "1", "--clients", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )  # fmt: skip
    assert "shipments/s" in result.stdout and "transactions/s" in result.stdout
    assert "of the simple-update ceiling" in result.stdout
