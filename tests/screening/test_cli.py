"""``chipwatch screen``, ``lists ...`` and ``cases ...`` against a SQLite file."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from chipwatch.cli import app
from tests.screening.fixtures import (
    FIXTURES,
    HIT_ID,
    MALFORMED,
    SAMPLE_ID,
    V1,
    V2,
    YUANHANG_ID,
    order,
    party,
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'screening.db'}"
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: no wrapped cells
    return url


def run(*args: str | Path, code: int = 0) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def run_json(*args: str | Path) -> Any:
    return json.loads(run(*args, "--json").stdout)


def import_v1() -> None:
    run("lists", "import", FIXTURES / V1, "--format", "csl-csv", "--actor", "alice")


def test_lists_import_versions_and_diff() -> None:
    first = run("lists", "import", FIXTURES / V1, "--format", "csl-csv", "--actor", "alice")
    assert "imported as list version csl-csv#1 (9 entries; 9 added, 0 changed, 0 removed" in (
        first.output
    )
    again = run("lists", "import", FIXTURES / V1)  # the format sniffed from the file
    assert "unchanged: already list version csl-csv#1" in again.output

    second = run_json("lists", "import", FIXTURES / V2, "--actor", "alice")
    assert second["created"] is True and second["label"] == "csl-csv#2"
    assert (second["added"], second["changed"], second["removed"]) == (2, 2, 1)
    assert second["cases_opened"] == [] and second["actor"] == "alice"

    versions = run_json("lists", "versions")["versions"]
    assert [(v["id"], v["current"]) for v in versions] == [(2, True), (1, False)]
    table = run("lists", "versions").output
    assert "csl-csv" in table and "DPL EL MEU SDN UVL" in table

    diff = run("lists", "diff", "2").output.splitlines()
    assert diff[0] == "version 1 → 2: 2 added, 2 changed, 1 removed"
    assert f"+ EL:{YUANHANG_ID} Shenzhen Yuanhang Microelectronics Co., Ltd." in diff
    assert f"~ EL:{HIT_ID} Harbin Institute of Technology" in diff
    assert f"- UVL:{SAMPLE_ID} Sample Components Trading" in diff
    as_json = run_json("lists", "diff", "2", "--against", "1")
    assert (as_json["old"], as_json["new"]) == (1, 2) and len(as_json["added"]) == 2
    missing = run("lists", "diff", "7", code=2)
    assert "no list version 7" in missing.output


def test_lists_import_rejects_a_malformed_file_whole() -> None:
    result = run("lists", "import", FIXTURES / MALFORMED, "--format", "csl-csv", code=2)
    assert "line 3: type" in result.output and "line 4: name" in result.output
    assert run_json("lists", "versions") == {"versions": []}
    assert "No list loaded yet" in run("lists", "versions").output
    unknown = run("lists", "import", FIXTURES / V1, "--format", "csv", code=2)
    assert "unknown list format" in unknown.output


def test_lists_formats() -> None:
    output = run("lists", "formats").output
    assert "csl-csv" in output and "ofac-sdn" in output and "(extra files: alt, add)" in output


def test_screen_a_name() -> None:
    import_v1()
    data = run_json("screen", "Harbin Institute of Technology", "--country", "CN")
    assert data["query"] == "Harbin Institute of Technology"
    best = data["matches"][0]
    assert {"name", "aliases", "source", "entry_id", "score", "match", "explanation"} <= set(best)
    assert (best["name"], best["source"], best["entry_id"]) == (
        "Harbin Institute of Technology",
        "EL",
        HIT_ID,
    )
    assert best["match"] is True and best["aliases"] == ["HIT", "Harbin Gongye Daxue"]
    assert best["explanation"]["list_version"] == "csl-csv#1"
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)
    table = run("screen", "哈尔滨工业大学", "--country", "CN").output
    assert "MATCH" in table and "Harbin Institute of Technology" in table
    nothing = run("screen", "Qwertyuiop Zxcvbnm").output
    assert "No list entry resembles 'Qwertyuiop Zxcvbnm'" in nothing


def test_screen_without_a_list_or_a_name() -> None:
    result = run("screen", "Harbin Institute of Technology", code=2)
    assert "no restricted-party list is loaded" in result.output
    assert "chipwatch lists import" in result.output
    import_v1()
    assert "give a NAME or --batch FILE" in run("screen", code=2).output


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_screen_a_batch(tmp_path: Path) -> None:
    import_v1()
    batch = write(
        tmp_path / "parties.csv",
        "id,name,country\n"
        "1,Harbin Institute of Technology,CN\n"
        "2,Alibaba Cloud Computing Co.,CN\n"
        "3,哈尔滨工业大学,CN\n"
        "\n"
        "4,Gazprombank,\n",
    )
    out = tmp_path / "hits.csv"
    run("screen", "--batch", batch, "--out", out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["id", "query", "matched_name", "source", "entry_id", "score", "match"]
    assert [(r["id"], r["match"]) for r in rows] == [
        ("1", "true"),
        ("2", "false"),
        ("3", "true"),
        ("4", "true"),
    ]
    assert rows[0]["matched_name"] == "Harbin Institute of Technology"
    assert (rows[0]["source"], rows[0]["entry_id"]) == ("EL", HIT_ID)
    assert rows[2]["query"] == "哈尔滨工业大学" and float(rows[2]["score"]) >= 0.8
    assert rows[3]["source"] == "SDN"
    to_stdout = run("screen", "--batch", batch).stdout
    assert to_stdout.splitlines()[0] == "id,query,matched_name,source,entry_id,score,match"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("id,country\n1,CN\n", "line 1"),
        ("id,name,country\n1,Acme,CN\n2,Beta,CN,extra\n", "line 3"),
        ("id,name,country\n1,Acme,CN\n2,,CN\n", "line 3: name"),
    ],
)
def test_a_bad_batch_file_names_the_line(tmp_path: Path, text: str, named: str) -> None:
    import_v1()
    batch = write(tmp_path / "bad.csv", text)
    result = run("screen", "--batch", batch, "--out", tmp_path / "out.csv", code=2)
    assert named in result.output and "bad.csv" in result.output


def open_a_case(tmp_path: Path) -> None:
    """`chipwatch check` an order whose end user may be on the Entity List."""
    document = order(party("Harbin Institute of Technology", "HK")).model_dump_json()
    result = run("check", write(tmp_path / "order.json", document), "--json", "--actor", "sales")
    assert json.loads(result.stdout)["screening_cases"] == [1]


def test_the_review_queue(tmp_path: Path) -> None:
    import_v1()
    open_a_case(tmp_path)
    listed = run_json("cases", "list")
    assert listed["total"] == 1 and listed["items"][0]["status"] == "open"
    assert "Harbin Institute of Technology" in run("cases", "list").output
    shown = run("cases", "show", "1").output
    assert "case 1 (open)" in shown and f"EL:{HIT_ID}" in shown
    assert run_json("cases", "show", "1")["list_entry"]["entry_id"] == HIT_ID

    missing_reason = run("cases", "clear", "1", code=2)
    assert "Missing option '--reason'" in missing_reason.output
    cleared = run("cases", "clear", "1", "--reason", "a Hong Kong namesake", "--actor", "kim")
    assert "case 1: cleared by kim: a Hong Kong namesake" in cleared.output
    assert "already cleared" in run("cases", "clear", "1", "--reason", "again", code=2).output
    assert "No open screening cases." in run("cases", "list").output

    confirmed = run_json("cases", "confirm", "1", "--reason", "same entity after all")
    assert confirmed["status"] == "confirmed"
    assert [d["status"] for d in confirmed["dispositions"]] == ["cleared", "confirmed"]
    assert run_json("cases", "list", "--status", "confirmed")["total"] == 1
    assert run_json("cases", "list", "--status", "cleared")["total"] == 0
    assert "must be one of" in run("cases", "list", "--status", "closed", code=2).output
    assert "no screening case 9" in run("cases", "show", "9", code=2).output
