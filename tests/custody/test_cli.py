"""``chipwatch custody`` end to end on a SQLite file: the example walk-through and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipwatch.custody.cli import custody_app
from chipwatch.licensing import service
from chipwatch.licensing.documents import read_licence_file
from chipwatch.store import open_database

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "custody"
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(custody_app, [*args])
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str) -> str:
    result = runner.invoke(custody_app, [*args])
    assert result.exit_code == 2, result.output
    return result.output


@pytest.fixture(autouse=True)
def _licence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'custody.db'}")
    doc, original = read_licence_file(ROOT / "examples" / "licences" / "h200-alibaba.yaml")
    service.add_licence(open_database(), doc, "alice", original=original)


def test_the_example_chip_from_inspection_to_installation(tmp_path: Path) -> None:
    assert "2 sites created" in run("sites", "import", str(EXAMPLES / "sites.yaml"))
    assert "3 landmarks created" in run("landmarks", "import", str(EXAMPLES / "landmarks.csv"))
    assert "3 chips imported" in run("import", str(EXAMPLES / "chips.csv"), "--actor", "alice")
    serial = "H200-0001234"
    assert "cannot be shipped" in fails("event", serial, "shipped")
    assert "inspection pass" in run("inspect", serial, "--file", str(EXAMPLES / "inspection.yaml"))
    run("event", serial, "tested", "--evidence", '{"report": "LAB-77"}')
    run("event", serial, "shipped", "--place", "San Jose", "--event-id", "ship-1")
    assert "already recorded" in run("event", serial, "shipped", "--event-id", "ship-1")
    run("event", serial, "in_transit", "--custodian", "Carrier Ltd")
    run("event", serial, "received", "--site", "kul-1", "--at", "2026-03-01T08:00:00+08:00")
    assert "received → installed" in run("event", serial, "installed")
    shown = json.loads(run("show", serial, "--json"))
    assert shown["state"] == "installed" and shown["custodian"] == "Carrier Ltd"
    assert shown["timeline"][-2]["at"] == "2026-03-01T00:00:00.000000Z"
    assert shown["timeline"][2]["evidence"] == {"report": "LAB-77"}
    assert "H200-0001234" in run("show", serial)
    listed = json.loads(run("list", "--state", "installed", "--json"))
    assert [c["serial"] for c in listed["items"]] == [serial]
    assert "kul-1" in run("sites", "list") and "sin-1" in run("landmarks", "list")
    assert "1 silent chip(s) flagged" in run("flags", "check-silent", "--now", "2030-01-01T00:00Z")
    flags = json.loads(run("flags", "list", "--json"))["items"]
    assert [f["kind"] for f in flags] == ["silent"]
    run("flags", "clear", str(flags[0]["id"]), "--reason", "maintenance")
    assert json.loads(run("show", serial, "--json"))["state"] == "installed"


def test_errors_name_the_field_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "sites.csv"
    bad.write_text("id,name,lat,lon,country,operator,radius_km\nkul-1,KL,95,101,MY,X,-1\n")
    out = fails("sites", "import", str(bad))
    assert "line 2: lat" in out and "line 2: radius_km" in out
    assert "unknown accelerator model" in fails("add", "X-1", "--model", "Nope 9000")
    assert "no chip with serial" in fails("event", "X-404", "shipped")
    run("add", "X-1", "--model", "NVIDIA H200")
    assert "evidence" in fails("event", "X-1", "quarantined", "--evidence", "[1]")
    assert "is not a custody event" in fails("event", "X-1", "teleported")
    assert "give a timezone" in fails("event", "X-1", "quarantined", "--at", "2026-03-01T10:00")
