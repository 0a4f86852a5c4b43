"""``chipwatch location verify`` stand-alone on the example files, and ``demo-report``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipwatch.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "location"
NOW = "2026-03-01T10:02:00Z"
runner = CliRunner()


def verify(report: Path, *extra: str) -> tuple[int, str]:
    files = ["--landmarks", str(EXAMPLES / "landmarks.csv"), "--sites", str(EXAMPLES / "sites.csv")]
    result = runner.invoke(app, ["location", "verify", str(report), *files, *extra])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("report", "verdict", "code"),
    [
        ("report.json", "proven", 0),
        ("report-diverted.json", "inconsistent", 3),
        ("report-forged.json", "invalid", 3),
    ],
)
def test_verify_example_reports(report: str, verdict: str, code: int) -> None:
    chips = ["--chips", str(EXAMPLES / "chips.csv"), "--now", NOW, "--json"]
    exit_code, output = verify(EXAMPLES / report, *chips)
    assert exit_code == code, output
    doc = json.loads(output)
    assert doc["verdict"] == verdict
    assert {"deciding_landmark", "bound_km", "feasible_region", "measurements"} <= doc.keys()


def test_text_output_and_missing_chip_keys() -> None:
    exit_code, output = verify(EXAMPLES / "report.json", "--now", NOW)
    assert exit_code == 3 and "INVALID" in output and "no enrolled key" in output
    exit_code, output = verify(EXAMPLES / "report.json", "--skip-signatures")
    assert exit_code == 0 and "PROVEN" in output and "kul-lm-1" in output


def test_bad_inputs_exit_2_naming_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "report.json"
    bad.write_text('{"serial": "X", "claimed_site": "kul-1", "measurements": [{}]}')
    exit_code, output = verify(bad, "--skip-signatures")
    assert exit_code == 2 and "measurements.0.nonce" in output
    sites = tmp_path / "sites.csv"
    sites.write_text("id,lat,lon,radius_km\nkul-1,3.1,101.7,-5\nkul-1,9,0,10\nx,95,0,1\n")
    result = runner.invoke(
        app,
        [
            "location",
            "verify",
            str(EXAMPLES / "report.json"),
            "--landmarks",
            str(EXAMPLES / "landmarks.csv"),
            "--sites",
            str(sites),
        ],
    )
    assert result.exit_code == 2
    assert "line 2: radius_km" in result.output and "line 3: id" in result.output
    assert "line 4: lat" in result.output
    result = runner.invoke(
        app, ["location", "verify", str(EXAMPLES / "report.json"), "--sites", str(sites)]
    )
    assert result.exit_code == 2 and "--landmarks" in result.output


def test_demo_report_round_trip(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["location", "demo-report", "--out", str(tmp_path), "--scenario", "diverted"]
    )
    assert result.exit_code == 0, result.output
    args = ["location", "verify", str(tmp_path / "report.json"), "--json"]
    for name in ("landmarks", "sites", "chips"):
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    result = runner.invoke(app, args)  # fresh: measured just now
    assert json.loads(result.output)["verdict"] == "inconsistent"
