"""The database layer: URLs, transactions, SQLite settings, column types, migrations."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, select, text
from sqlalchemy.exc import StatementError

from chipwatch.store import Database, database_url, open_database
from chipwatch.store.db import alembic_config, head_revision, normalise_url
from chipwatch.store.models import all_models
from chipwatch.store.types import JSONType, Money, UTCDateTime


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite:///chipwatch.db"),
        ("", "sqlite:///chipwatch.db"),
        ("sqlite:////var/lib/chipwatch.db", "sqlite:////var/lib/chipwatch.db"),
        ("postgresql://u:p@db:5432/cw", "postgresql+psycopg://u:p@db:5432/cw"),
        ("postgres://u@db/cw", "postgresql+psycopg://u@db/cw"),
        ("postgresql+psycopg://u@db/cw", "postgresql+psycopg://u@db/cw"),
    ],
)
def test_database_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, given: str | None, expected: str
) -> None:
    if given is None:
        monkeypatch.delenv("CHIPWATCH_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("CHIPWATCH_DATABASE_URL", given)
    assert database_url() == expected
    assert normalise_url(expected) == expected


def test_a_database_is_migrated_to_head(database: Database) -> None:
    assert database.dialect in ("sqlite", "postgresql")
    assert database.current_revision() == head_revision()
    database.upgrade()  # a second run is a no-op
    assert database.current_revision() == head_revision()


def test_open_database_migrates(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    assert database.current_revision() == head_revision()
    assert open_database(f"sqlite:///{tmp_path / 'y.db'}", migrate=False).current_revision() is None


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, all_models()) == []


def test_migrations_downgrade_to_nothing_and_back(database: Database) -> None:
    with database.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        assert "audit_log" not in inspect(connection).get_table_names()
    database.upgrade()
    assert database.current_revision() == head_revision()


def _scratch_table(database: Database) -> Table:
    table = Table(
        "scratch",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
        Column("amount", Money()),
        Column("doc", JSONType),
    )
    table.create(database.engine)
    return table


def test_a_transaction_commits_or_rolls_back_whole(database: Database) -> None:
    table = _scratch_table(database)
    with database.transaction() as session:
        session.execute(table.insert().values(id=1))
    with pytest.raises(RuntimeError), database.transaction() as session:
        session.execute(table.insert().values(id=2))
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.scalars(select(table.c.id)).all() == [1]


def test_column_types_round_trip_exactly(database: Database) -> None:
    table = _scratch_table(database)
    at = dt.datetime(2026, 2, 10, 17, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    amount = Decimal("12345678901234567.89")  # 19 digits: more than a float holds
    doc = {"b": [1, "二"], "a": {"nested": True}}
    with database.transaction() as session:
        session.execute(table.insert().values(id=1, at=at, amount=amount, doc=doc))
    with database.session() as session:
        row = session.execute(select(table)).one()
        total = session.scalar(select(table.c.amount + table.c.amount))
    assert row.at == at and row.at.tzinfo == dt.UTC
    assert row.amount == amount and isinstance(row.amount, Decimal)
    assert total == amount * 2
    assert row.doc == doc


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", dt.datetime(2026, 2, 10, 9, 0)),  # naive
        ("amount", 1.5),  # float
        ("amount", Decimal("0.001")),  # sub-cent
    ],
)
def test_column_types_refuse_ambiguous_values(
    sqlite_database: Database, column: str, value: Any
) -> None:
    table = _scratch_table(sqlite_database)
    with pytest.raises(StatementError), sqlite_database.transaction() as session:
        session.execute(table.insert().values(id=1, **{column: value}))


def test_sqlite_settings(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}


def test_sqlite_writers_queue_instead_of_deadlocking(sqlite_database: Database) -> None:
    # Both read, then write: with deferred BEGIN one of them would fail on the lock upgrade.
    table = _scratch_table(sqlite_database)
    with sqlite_database.transaction() as session:
        session.execute(table.insert().values(id=1, doc={"n": 0}))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with sqlite_database.transaction() as session:
                    n = session.execute(select(table.c.doc)).scalar_one()["n"]
                    session.execute(table.update().values(doc={"n": n + 1}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_database.session() as session:
        assert session.execute(select(table.c.doc)).scalar_one() == {"n": 80}


def test_reading_takes_no_write_lock_on_sqlite(sqlite_database: Database) -> None:
    with sqlite_database.session() as reader:
        reader.execute(text("SELECT seq FROM audit_head")).all()
        with sqlite_database.transaction() as writer:  # would wait 30 s on a write lock
            writer.execute(text("UPDATE audit_head SET seq = seq"))
