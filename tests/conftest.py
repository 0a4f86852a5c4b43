"""Shared database fixtures: every database test runs on SQLite and on PostgreSQL.

``database`` yields a fresh, migrated ``Database`` per test: SQLite in ``tmp_path``;
PostgreSQL at ``CHIPWATCH_TEST_POSTGRES_URL`` in a schema of its own, dropped afterwards.
Without a reachable PostgreSQL the postgresql cases skip, or fail when ``CI`` is set.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from chipwatch import clock
from chipwatch.store import Database

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _database_url_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that open the configured database use a file of their own, never ./chipwatch.db."""
    if "CHIPWATCH_DATABASE_URL" not in os.environ:
        monkeypatch.setenv("CHIPWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'chipwatch.db'}")


# Licence checks judge expiry on today (``chipwatch.clock.utc_today``): pinned, so that the
# fixtures' licences (valid to 2027-01-31) do not expire under the tests one day.
PINNED_TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_today", lambda: PINNED_TODAY)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the PostgreSQL test server")


def postgres_url() -> str:
    return os.environ.get("CHIPWATCH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@cache
def _postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used (checked once per session), or None."""
    engine = create_engine(postgres_url(), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: not reachable
        cause = getattr(exc, "orig", None) or exc  # the driver's error, without SQLAlchemy's wrap
        return f"{type(cause).__name__}: {str(cause).strip().splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    problem = _postgres_unreachable()
    if problem is None:
        return
    message = f"PostgreSQL not reachable at {postgres_url()}: {problem}"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(message)
    pytest.skip(message)


def sqlite_db(directory: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{directory / 'chipwatch-test.db'}")
    database.upgrade()
    yield database
    database.dispose()


def postgres_db() -> Iterator[Database]:
    require_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(postgres_url(), connect_args={"options": f"-csearch_path={schema}"})
    try:
        database.upgrade()
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
    ids=["sqlite", "postgresql"],
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield from sqlite_db(tmp_path)
    else:
        yield from postgres_db()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database (for tests that need only one)."""
    yield from sqlite_db(tmp_path)


@pytest.fixture
def postgresql_database() -> Iterator[Database]:
    """A fresh, migrated PostgreSQL schema (for concurrency tests that need real row locks)."""
    yield from postgres_db()
