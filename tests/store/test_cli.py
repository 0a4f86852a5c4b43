"""``chipwatch db`` and ``chipwatch audit`` against a SQLite file named by the environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from chipwatch.cli import app
from chipwatch.store import Database
from chipwatch.store.audit import append
from chipwatch.store.db import head_revision

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", url)
    return url


def _seed(url: str, n: int) -> Database:
    database = Database(url)
    database.upgrade()
    for i in range(n):
        with database.transaction() as session:
            append(session, actor="alice", action="licence.add", subject=f"L-{i}", payload={"i": i})
    return database


def test_db_upgrade_and_current(db_url: str) -> None:
    before = runner.invoke(app, ["db", "current", "--json"])
    assert before.exit_code == 0, before.output
    assert json.loads(before.output)["current"] is None
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"at revision {head_revision()}" in upgraded.output
    current = runner.invoke(app, ["db", "current"])
    assert "up to date" in current.output


def test_audit_verify_exits_0_when_intact_and_1_naming_the_seq(db_url: str) -> None:
    database = _seed(db_url, 3)
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 records" in ok.output
    with database.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_log_no_update"))
        connection.execute(text("UPDATE audit_log SET subject = 'L-X' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "seq 2" in broken.output
    as_json = runner.invoke(app, ["audit", "verify", "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["first_bad_seq"] == 2


def test_audit_log_filters(db_url: str) -> None:
    _seed(db_url, 3)
    table = runner.invoke(app, ["audit", "log"])
    assert table.exit_code == 0, table.output
    assert "licence.add" in table.output and "L-2" in table.output
    rows = json.loads(runner.invoke(app, ["audit", "log", "--json", "--limit", "2"]).output)
    assert [r["seq"] for r in rows] == [3, 2]
    rows = json.loads(runner.invoke(app, ["audit", "log", "--json", "--subject", "L-0"]).output)
    assert [r["seq"] for r in rows] == [1]
    assert json.loads(runner.invoke(app, ["audit", "log", "--json", "--actor", "bob"]).output) == []


def test_an_unreachable_database_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", "sqlite:////nonexistent-dir/x/cw.db")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "cannot open the database" in result.output
