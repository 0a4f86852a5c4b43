"""A database shared by the tests of one module (each test uses licence numbers of its own):
migrating a fresh PostgreSQL schema per test would dominate the run time of table tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chipwatch.store import Database
from tests.conftest import postgres_db, sqlite_db


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
    ids=["sqlite", "postgresql"],
)
def module_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A fresh, migrated database per test module: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield from sqlite_db(tmp_path_factory.mktemp("shared"))
    else:
        yield from postgres_db()
