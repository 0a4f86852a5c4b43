"""``chipwatch ship``, ``shipments``, ``fees`` and the blast radius before a suspension."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipwatch.cli import app
from tests.licensing.shipment_fixture import LICENSEE, licence_doc, order_doc

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'ship.db'}")
    (tmp_path / "licence.json").write_text(json.dumps(licence_doc()))
    (tmp_path / "order.json").write_text(json.dumps(order_doc()))
    (tmp_path / "serials.txt").write_text("# chips tested by the lab\nSN-3\nSN-4  # rack 2\n\n")
    assert runner.invoke(app, ["licences", "add", str(tmp_path / "licence.json")]).exit_code == 0
    report = [
        "shipments", "report-us", "--licensee", LICENSEE, "--product", "NVIDIA H200",
        "--period", "2026-Q1", "--quantity", "1000", "--source", "Q1 sales ledger",
    ]  # fmt: skip
    assert runner.invoke(app, report).exit_code == 0
    return tmp_path


def _ship(files: Path, *extra: str) -> list[str]:
    return ["ship", str(files / "order.json"), "--licence", "MO-0001", *extra]


def test_ship_replay_refuse_and_list(files: Path) -> None:
    shipped = runner.invoke(
        app, _ship(files, "--quantity", "2", "--serial", "SN-1", "--serial", "SN-2",
                   "--idempotency-key", "k1", "--actor", "bob"),
    )  # fmt: skip
    assert shipped.exit_code == 0, shipped.output
    assert "shipment 1 pending under licence MO-0001: 2 × nvidia-h200-sxm-141gb" in shipped.output
    assert "Section 232 duty: USD 15500.00 (accrued" in shipped.output
    assert "left on the licence: 98 units" in shipped.output
    again = runner.invoke(
        app, _ship(files, "--quantity", "2", "--serial", "SN-2", "--serial", "SN-1",
                   "--idempotency-key", "k1"),
    )  # fmt: skip
    assert again.exit_code == 0 and "nothing drawn" in again.output
    from_file = runner.invoke(
        app, _ship(files, "--quantity", "2", "--serials-file", str(files / "serials.txt"),
                   "--idempotency-key", "k2", "--json"),
    )  # fmt: skip
    assert json.loads(from_file.output)["serials"] == ["SN-3", "SN-4"]
    refused = runner.invoke(
        app, _ship(files, "--quantity", "1", "--serial", "SN-1", "--idempotency-key", "k3")
    )
    assert refused.exit_code == 2
    assert "serials.0" in refused.output and "already in shipment 1" in refused.output
    listed = json.loads(runner.invoke(app, ["shipments", "list", "--json"]).output)
    assert [s["id"] for s in listed] == [2, 1]
    table = runner.invoke(app, ["shipments", "list", "--licence", "MO-0001"])
    assert "PO-MO-1" in table.output
    shown = runner.invoke(app, ["shipments", "show", "1"])
    assert "SN-1, SN-2" in shown.output and "US-2026-232" in shown.output
    volumes = json.loads(runner.invoke(app, ["shipments", "us-volumes", "--json"]).output)
    assert [(v["quantity"], v["source"]) for v in volumes] == [(1000, "Q1 sales ledger")]
    assert "2026-Q1" in runner.invoke(app, ["shipments", "us-volumes"]).output


def test_statuses_fees_and_statements(files: Path) -> None:
    runner.invoke(
        app, _ship(files, "--quantity", "2", "--serial", "A", "--serial", "B",
                   "--idempotency-key", "k1"),
    )  # fmt: skip
    assert "shipped" in runner.invoke(app, ["shipments", "dispatch", "1"]).output
    assert "delivered" in runner.invoke(app, ["shipments", "deliver", "1"]).output
    late = runner.invoke(app, ["shipments", "cancel", "1", "--reason", "late"])
    assert late.exit_code == 2 and "delivered" in late.output
    remit = ["fees", "remit", "--licensee", LICENSEE, "--period", "2026-Q1",
             "--amount", "5000.00", "--reference", "FEDWIRE-1"]  # fmt: skip
    assert "recorded" in runner.invoke(app, remit).output
    assert "already recorded" in runner.invoke(app, remit).output
    balances = json.loads(runner.invoke(app, ["fees", "balances", "--json"]).output)
    assert balances[0]["outstanding"] == "10500.00"
    csv_text = runner.invoke(app, ["fees", "statement", "--period", "2026-Q1"]).output
    assert csv_text.startswith("Fee statement\nPeriod,2026-Q1")
    assert f"total,{LICENSEE},15500.00,0.00,5000.00,10500.00" in csv_text
    pdf = files / "statement.pdf"
    wrote = runner.invoke(
        app, ["fees", "statement", "--period", "2026-Q1", "--licensee", LICENSEE,
              "--format", "pdf", "--out", str(pdf)],
    )  # fmt: skip
    assert wrote.exit_code == 0 and "outstanding USD 10500.00" in wrote.output
    assert pdf.read_bytes().startswith(b"%PDF")
    no_out = runner.invoke(app, ["fees", "statement", "--period", "2026-Q1", "--format", "pdf"])
    assert no_out.exit_code == 2 and "--out" in no_out.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_suspending_shows_the_blast_radius_and_asks_first(files: Path) -> None:
    runner.invoke(app, _ship(files, "--quantity", "1", "--serial", "A", "--idempotency-key", "k1"))
    suspend = ["licences", "suspend", "MO-0001", "--reason", "is-informed letter"]
    declined = runner.invoke(app, suspend, input="n\n")
    assert declined.exit_code == 1
    assert "1 pending shipments" in declined.output and "PO-MO-1" in declined.output
    shown = json.loads(runner.invoke(app, ["licences", "show", "MO-0001", "--json"]).output)
    assert shown["status"] == "active"
    done = runner.invoke(app, [*suspend, "--yes"])
    assert done.exit_code == 0 and "1 pending shipments blocked" in done.output
    radius = runner.invoke(app, ["licences", "blast-radius", "MO-0001", "--json"])
    assert json.loads(radius.output)["pending_shipments"][0]["status"] == "blocked"
