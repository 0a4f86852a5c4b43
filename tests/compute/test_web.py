"""Charts from the CLI and the API, and the ``/compute`` pages, on the hand-made fleet."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chipwatch.api.app import create_app
from chipwatch.compute.cli import compute_app
from chipwatch.store import Database, open_database
from tests.compute.fleet import build_fleet

NS = "{http://www.w3.org/2000/svg}"
ON = "2026-11-29"
runner = CliRunner()


@pytest.fixture
def client(database: Database, tmp_path: Path) -> Iterator[TestClient]:
    build_fleet(database, tmp_path)
    with TestClient(create_app(database)) as client:
        yield client


def _svg_in(html: str) -> ET.Element:
    found = re.search(r"<svg .*?</svg>", html, flags=re.S)
    assert found is not None
    return ET.fromstring(found.group(0))


def test_cli_writes_the_charts(tmp_path: Path) -> None:
    build_fleet(open_database(), tmp_path)
    chart = tmp_path / "hub.svg"
    result = runner.invoke(
        compute_app, ["report", "--on", ON, "--json", "--svg", str(chart)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    root = ET.fromstring(chart.read_text(encoding="utf-8"))
    assert "5.91 (100% domestic)" in ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    chart = tmp_path / "scenario.svg"
    result = runner.invoke(
        compute_app, ["scenario", "public-no-imports", "--on", ON, "--svg", str(chart)]
    )
    assert result.exit_code == 0, result.output
    assert "5.91 (unchanged)" in chart.read_text(encoding="utf-8")
    nowhere = tmp_path / "missing" / "x.svg"
    assert runner.invoke(compute_app, ["report", "--svg", str(nowhere)]).exit_code == 2


def test_api_charts(client: TestClient) -> None:
    response = client.get("/v1/compute/report.svg", params={"by": "origin", "on": ON})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(response.text).tag == f"{NS}svg"
    assert "imported" in response.text
    response = client.get("/v1/compute/scenarios/h200-half-of-us.svg", params={"on": ON})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "+300,030 could be added" in response.text
    assert client.get("/v1/compute/scenarios/nothing.svg").status_code == 404
    assert client.get("/v1/compute/report.svg", params={"by": "colour"}).status_code == 422
    assert client.get("/v1/compute/scenarios/no-new-h200").status_code == 200  # still JSON


def test_report_page(client: TestClient) -> None:
    response = client.get("/compute", params={"by": "hub", "on": ON})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for row in (
        '<tr><td>gansu</td><td class="n">13</td>',
        '<tr><td>yangtze-river-delta</td><td class="n">19</td>',
        '<tr><td>(none)</td><td class="n">1</td>',
        '<tr class="total"><td>total</td><td class="n">33</td>',
    ):
        assert row in html
    assert _svg_in(html).findtext(f"{NS}title") == f"Installed compute by hub, {ON} (H100-eq)"
    for by in ("hub", "origin", "vendor", "sector", "site"):
        assert f'href="/compute?by={by}&amp;on={ON}"' in html
    assert f'href="/compute/scenarios/public-no-imports?on={ON}"' in html
    assert "<script" not in html and "src=" not in html
    assert client.get("/compute", params={"by": "colour"}).status_code == 422


def test_scenario_page(client: TestClient) -> None:
    response = client.get("/compute/scenarios/h200-half-of-us", params={"on": ON})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert (
        '<tr><td>added</td><td>(unallocated)</td><td>(unallocated)</td><td class="n">300,000</td>'
        in html
    )
    assert _svg_in(html).find(f"{NS}desc") is not None
    assert client.get("/compute/scenarios/nothing").status_code == 404


def test_empty_state(database: Database) -> None:
    with TestClient(create_app(database)) as client:
        html = client.get("/compute").text
        assert "No compute registered yet" in html
        assert "chipwatch compute demo-fleet --chips 100000" in html
        assert "<table" not in html
        assert "No compute registered yet" in client.get("/compute/scenarios/no-new-h200").text
