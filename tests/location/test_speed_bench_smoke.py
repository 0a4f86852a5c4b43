"""bench/attestation_speed.py still runs (tiny fleet; speed is not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ROOT / ".." / "shared" / "data" / "rtt" / "wondernetwork_servers_2020-07-19.csv"

pytestmark = pytest.mark.integration


def test_speed_bench_runs() -> None:
    if not SERVERS.exists():
        pytest.skip(f"reference data not found at {SERVERS}")
    script = ROOT / "bench" / "attestation_speed.py"
    result = subprocess.run(
        [sys.executable, str(script), "--reports", "3000", "--signed", "20", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout)
    assert report["geometry"]["reports"] == 3000
    assert report["geometry"]["honest_inconsistent"] == 0
    assert report["signatures"]["failures"] == 0
    assert report["signatures"]["full_path_invalid"] == 0
