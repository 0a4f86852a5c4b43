"""``chipwatch licences`` against a SQLite file named by CHIPWATCH_DATABASE_URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipwatch.cli import app
from tests.licensing.licence_fixture import licence_document

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "licences" / "h200-alibaba.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'licences.db'}"
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", url)
    return url


def test_add_list_show_the_bundled_example() -> None:
    added = runner.invoke(app, ["licences", "add", str(EXAMPLE), "--actor", "alice"])
    assert added.exit_code == 0, added.output
    assert "D1287654 added" in added.output
    again = runner.invoke(app, ["licences", "add", str(EXAMPLE)])
    assert again.exit_code == 0 and "already recorded" in again.output
    listed = json.loads(runner.invoke(app, ["licences", "list", "--json"]).output)
    assert [row["number"] for row in listed] == ["D1287654"]
    shown = json.loads(runner.invoke(app, ["licences", "show", "D1287654", "--json"]).output)
    assert shown["conditions"]["fee_rate"] == "0.25"
    assert shown["actions"][0]["actor"] == "alice"
    table = runner.invoke(app, ["licences", "show", "D1287654"])
    assert "Alibaba Cloud Computing Co., Ltd." in table.output


def test_add_reads_stdin_and_reports_bad_files() -> None:
    document = json.dumps(licence_document())
    assert runner.invoke(app, ["licences", "add", "-"], input=document).exit_code == 0
    bad = json.dumps(licence_document(number="T-0002", quantity=0, destinations=["XX"]))
    result = runner.invoke(app, ["licences", "add", "-"], input=bad)
    assert result.exit_code == 2
    assert "quantity" in result.output and "destinations.0" in result.output
    conflicting = json.dumps(licence_document(quantity=5))
    result = runner.invoke(app, ["licences", "add", "-"], input=conflicting)
    assert result.exit_code == 2 and "different document" in result.output


def test_suspend_reinstate_revoke() -> None:
    runner.invoke(app, ["licences", "add", str(EXAMPLE)])
    suspended = runner.invoke(
        app,
        ["licences", "suspend", "D1287654", "--reason", "is-informed letter", "--actor", "bob"],
        input="y\n",
    )
    assert suspended.exit_code == 0, suspended.output
    assert "suspended" in suspended.output and "3 approved customers" in suspended.output
    listed = runner.invoke(app, ["licences", "list", "--status", "suspended", "--json"])
    assert [row["number"] for row in json.loads(listed.output)] == ["D1287654"]
    reinstated = runner.invoke(app, ["licences", "reinstate", "D1287654", "--reason", "lifted"])
    assert reinstated.exit_code == 0
    revoked = runner.invoke(
        app, ["licences", "revoke", "D1287654", "--reason", "misuse", "--yes", "--json"]
    )
    assert json.loads(revoked.output)["licence"]["status"] == "revoked"
    refused = runner.invoke(app, ["licences", "reinstate", "D1287654", "--reason", "please"])
    assert refused.exit_code == 2 and "final" in refused.output
    audit = json.loads(runner.invoke(app, ["audit", "log", "--json"]).output)
    assert [r["action"] for r in audit] == [
        "licence.revoke",
        "licence.reinstate",
        "licence.suspend",
        "licence.add",
    ]
    assert audit[2]["actor"] == "bob"
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_unknown_licence() -> None:
    result = runner.invoke(app, ["licences", "show", "NOPE"])
    assert result.exit_code == 2 and "no licence numbered 'NOPE'" in result.output
