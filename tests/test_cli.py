"""The command line: tables for people, --json for machines, exit codes for scripts."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chipwatch.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "orders"
runner = CliRunner()


def test_check_prints_a_table_with_outcome_reasons_and_fee() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "h200-alibaba-2026-02.yaml")])
    assert result.exit_code == 0, result.output
    for text in (
        "PO-2026-0042",
        "HOLD",
        "US-2026-H200-CASE-BY-CASE",
        "91 FR 1684",
        "7,750,000.00",
        "Third-party testing",
        "chipwatch-us-cn@2026-02-03",
    ):
        assert text in result.output


def test_check_json_has_the_documented_shape() -> None:
    result = runner.invoke(app, ["check", "--json", str(EXAMPLES / "h200-alibaba-2026-02.yaml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outcome"] == "hold"
    assert data["jurisdictions"]["US"]["outcome"] == "license_required"
    assert data["jurisdictions"]["CN"]["outcome"] == "hold"
    assert data["fee_usd"] == 7_750_000.0
    assert data["rulebook_version"]["id"] == "chipwatch-us-cn@2026-02-03"
    assert data["classification"][0]["eccn"] == "3A090.a"
    assert {"rule_id", "text", "citation", "evidence"} <= set(data["reasons"][0])
    assert data["conditions"] and data["fee_basis"]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_bundled_example_decides(example: str) -> None:
    result = runner.invoke(app, ["check", "--json", str(EXAMPLES / example)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcome"] in (
        "allowed",
        "license_required",
        "hold",
        "prohibited",
    )


def test_check_reads_stdin() -> None:
    text = (EXAMPLES / "b200-to-china-2026-02.yaml").read_text()
    result = runner.invoke(app, ["check", "--json", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcome"] == "prohibited"


def test_bad_order_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (EXAMPLES / "b200-to-china-2026-02.yaml").read_text().replace("NVIDIA B200", "NVIDIA Z9000")
    )
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 2
    assert "items.0.model" in result.output and "NVIDIA Z9000" in result.output


def test_order_before_the_rulebook_exits_2(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(
        (EXAMPLES / "b200-to-china-2026-02.yaml").read_text().replace("2026-02-10", "2021-05-01")
    )
    result = runner.invoke(app, ["check", str(old)])
    assert result.exit_code == 2
    assert "date" in result.output and "no rulebook in force" in result.output


def test_classify_shows_the_arithmetic() -> None:
    result = runner.invoke(app, ["classify", "NVIDIA H200", "--on", "2026-02-10"])
    assert result.exit_code == 0, result.output
    for text in ("3A090.a", "1979 dense TOPS x 8 bits = 15,832.0", "PD = TPP / die area", "19.45"):
        assert text in result.output


def test_classify_json() -> None:
    result = runner.invoke(app, ["classify", "H20", "--on", "2025-05-01", "--json"])
    data = json.loads(result.output)
    assert (data["eccn"], data["tpp"], round(data["pd"], 2)) == ("not_controlled", 2368, 2.91)


def test_classify_unknown_model_exits_2() -> None:
    result = runner.invoke(app, ["classify", "Z9000"])
    assert result.exit_code == 2 and "unknown accelerator model" in result.output


def test_catalog_and_rules_listings() -> None:
    catalog = json.loads(runner.invoke(app, ["catalog", "--json"]).output)
    assert len(catalog["models"]) >= 25
    rules = json.loads(runner.invoke(app, ["rules", "--on", "2026-02-10", "--json"]).output)
    ids = {r["id"] for r in rules["rules"]}
    assert "US-2026-H200-CASE-BY-CASE" in ids and "US-2022-AC-CN" not in ids
    versions = runner.invoke(app, ["rules", "--versions"])
    assert versions.exit_code == 0 and "chipwatch-us-cn@2026-01-15" in versions.output


def test_timeline_shows_the_h200_outcome_moving_in_2026() -> None:
    result = runner.invoke(
        app, ["check", "--timeline", "--json", str(EXAMPLES / "h200-alibaba-2026-02.yaml")]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["timeline"]
    assert rows[0]["from"] == "2022-10-07" and rows[-1]["to"] is None
    assert [r["jurisdictions"]["US"] for r in rows][-2:] == ["prohibited", "license_required"]
    assert rows[-1]["from"] == "2026-01-15" and rows[-1]["includes_order_date"]
    assert sum(r["includes_order_date"] for r in rows) == 1
    for before, after in itertools.pairwise(rows):  # neighbouring stretches differ
        assert before["rules"] != after["rules"] or before["outcome"] != after["outcome"]


def test_as_of_re_decides_under_another_version() -> None:
    path = str(EXAMPLES / "h200-alibaba-2026-02.yaml")
    result = runner.invoke(app, ["check", "--json", "--as-of", "2025-12-01", path])
    data = json.loads(result.output)
    assert data["date"] == "2025-12-01" and data["jurisdictions"]["US"]["outcome"] == "prohibited"


def test_timeline_of_an_order_before_the_rulebook_exits_2(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(
        (EXAMPLES / "b200-to-china-2026-02.yaml").read_text().replace("2026-02-10", "2021-05-01")
    )
    result = runner.invoke(app, ["check", "--timeline", str(old)])
    assert result.exit_code == 2 and "no rulebook in force" in result.output
