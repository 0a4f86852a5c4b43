"""Which database, how to connect to it, transactions and migrations.

SQLite (a file, the embedded default) and PostgreSQL (production, psycopg 3) behave alike:
``Database.transaction()`` is one transaction that commits or rolls back whole. On SQLite every
write transaction starts with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of
deadlocking when a reader upgrades to a writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from chipwatch.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30
_READ_ONLY = "chipwatch_read_only"  # execution option: begin a plain (deferred) transaction
_MIGRATION_LOCK = 7_305_311_842  # PostgreSQL advisory lock key: one migrator at a time


def database_url() -> str:
    """``CHIPWATCH_DATABASE_URL``, or a SQLite file ``chipwatch.db`` in the current directory."""
    return normalise_url(get_settings().database_url)


def normalise_url(url: str) -> str:
    """Send ``postgres://`` and ``postgresql://`` URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class Database:
    """An engine plus transactions. ``connect_args`` go to the DBAPI ``connect()``."""

    def __init__(self, url: str | None = None, *, connect_args: dict[str, Any] | None = None):
        self.url = normalise_url(url) if url else database_url()
        self.engine = _create_engine(self.url, connect_args or {})
        self._writer = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            bind=self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits when the block ends, rolls back if it raises."""
        with self._writer.begin() as session:
            yield session

    def session(self) -> Session:
        """A session for reading (``with db.session() as s: ...``); on SQLite it takes no lock."""
        return self._reader()

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision``, in one transaction."""
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def current_revision(self) -> str | None:
        """The revision the database is at (``None`` before the first migration)."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """A new ``Database`` for ``url`` (default: the configured one), migrated to head."""
    database = Database(url)
    if migrate:
        database.upgrade()
    return database


def alembic_config() -> Config:
    """Alembic's configuration, built in code: no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str | None:
    """The newest migration shipped with this version of chipwatch."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _create_engine(url: str, connect_args: dict[str, Any]) -> Engine:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, **connect_args})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    return create_engine(url, connect_args=connect_args)


def _configure_sqlite(engine: Engine) -> None:
    # The pysqlite recipe: the driver must not issue BEGIN itself, we do it in "begin".
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
