"""bench/location_eval.py on the real WonderNetwork pings: zero false alarms once cleaned."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data" / "rtt"

pytestmark = pytest.mark.integration


def test_clean_landmarks_give_no_false_alarms() -> None:
    if not DATA.is_dir():
        pytest.skip(f"reference data not found at {DATA}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "location_eval.py"), "--json", "--repeats", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout)
    dropped = {d["name"] for d in report["dropped"]}
    assert {"La Ceiba", "Belfast"} <= dropped
    assert report["ping_ids_without_server_row"] == ["292", "293", "294", "295"]
    settings = [*report["clean_subsets"], report["clean_no_landmark_within_500km"]]
    assert all(s["false_alarm_rate"] == 0.0 for s in settings)
    assert report["raw_all_landmarks"]["false_alarm_rate"] > 0  # mislabelled landmarks
    everyone = report["clean_subsets"][0]
    assert everyone["moved_2000km"]["detection_rate"] > everyone["moved_500km"]["detection_rate"]
    assert everyone["moved_1000km"]["proven_at_1000km"] == 0.0
    assert report["kl_example"]["shenzhen_chip_claims_kl"]["verdict"] == "inconsistent"
    assert report["kl_example"]["kl_chip_with_singapore_only"]["verdict"] == "proven"
