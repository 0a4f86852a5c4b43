"""``chipwatch compute`` and ``/v1/compute`` on the hand-made fleet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chipwatch.api.app import create_app
from chipwatch.compute.cli import compute_app
from chipwatch.store import Database, open_database
from tests.compute.fleet import build_fleet

runner = CliRunner()


@pytest.fixture
def configured(tmp_path: Path) -> Database:
    """The fleet in the configured database (conftest points it at tmp_path)."""
    db = open_database()
    build_fleet(db, tmp_path)
    return db


def test_report_json_and_csv(configured: Database) -> None:
    result = runner.invoke(
        compute_app, ["report", "--by", "origin", "--on", "2026-11-29", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    chips = {row["key"]: row["chips"] for row in doc["rows"]}
    assert chips == {
        "imported": 19,
        "domestic_design_domestic_fab": 13,
        "domestic_design_foreign_fab": 1,
    }
    result = runner.invoke(compute_app, ["report", "--by", "vendor", "--on", "2026-11-29", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["key"] for r in rows] == ["NVIDIA", "Cambricon", "Huawei", "total"]
    assert rows[-1]["chips"] == "33"


def test_report_table(configured: Database) -> None:
    result = runner.invoke(compute_app, ["report", "--on", "2026-11-29"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "gansu" in result.output and "total" in result.output


@pytest.mark.parametrize(
    "args",
    [["report", "--by", "colour"], ["report", "--on", "someday"]],
)
def test_report_bad_options(configured: Database, args: list[str]) -> None:
    assert runner.invoke(compute_app, args).exit_code == 2


def test_imports_from_the_command_line(configured: Database, tmp_path: Path) -> None:
    path = tmp_path / "inv.csv"
    path.write_text("site,model,count\ns-none,nvidia-h20,3\n", encoding="utf-8")
    result = runner.invoke(compute_app, ["inventory", "import", str(path), "--actor", "me"])
    assert result.exit_code == 0, result.output
    assert "1 inventory rows imported" in result.output
    path.write_text("site,model,count\ns-none,nvidia-h20,x\n", encoding="utf-8")
    result = runner.invoke(compute_app, ["inventory", "import", str(path), "--actor", "me"])
    assert result.exit_code == 2
    assert "line 2: count" in result.output
    path.write_text("site,operator_sector\ns-none,university\n", encoding="utf-8")
    result = runner.invoke(compute_app, ["sites", "import", str(path), "--actor", "me"])
    assert result.exit_code == 0, result.output


def test_api_report(database: Database, tmp_path: Path) -> None:
    build_fleet(database, tmp_path)
    with TestClient(create_app(database)) as client:
        response = client.get("/v1/compute/report", params={"by": "sector", "on": "2026-11-29"})
        assert response.status_code == 200
        chips = {row["key"]: row["chips"] for row in response.json()["rows"]}
        assert chips == {"state_owned": 13, "private": 19, "(none)": 1}
        bad = client.get("/v1/compute/report", params={"by": "colour"})
        assert bad.status_code == 422
        assert bad.json()["field"] == "by"
        hubs = client.get("/v1/compute/hubs").json()
        assert len(hubs["hubs"]) == 8
        assert sum(len(h["clusters"]) for h in hubs["hubs"]) == 10


def test_scenario_cli(configured: Database) -> None:
    result = runner.invoke(
        compute_app, ["scenario", "no-new-h200", "--on", "2026-11-29"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "No new H200" in result.output
    result = runner.invoke(compute_app, ["scenario", "h200-half-of-us", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["matched_chips"] == 0  # the fixture has no H200
    assert runner.invoke(compute_app, ["scenario", "nothing"]).exit_code == 2
    listing = runner.invoke(compute_app, ["scenarios"])
    assert "public-no-imports" in listing.output


def test_api_scenario(database: Database, tmp_path: Path) -> None:
    build_fleet(database, tmp_path)
    with TestClient(create_app(database)) as client:
        response = client.get("/v1/compute/scenarios/public-no-imports")
        assert response.status_code == 200
        assert response.json()["total"]["removed"]["chips"] == 0
        assert client.get("/v1/compute/scenarios/nothing").status_code == 404
        assert len(client.get("/v1/compute/scenarios").json()) == 3
