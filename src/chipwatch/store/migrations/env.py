"""Alembic environment: runs on the connection ``Database.upgrade()`` passes in.

No alembic.ini and no logging setup: the configuration is built in ``chipwatch.store.db``.
For ``alembic`` on the command line, ``CHIPWATCH_DATABASE_URL`` picks the database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from chipwatch.store.db import Database
from chipwatch.store.models import all_models

target_metadata = all_models()


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    database = Database()
    try:
        with database.engine.begin() as own_connection:
            run_migrations(own_connection)
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("chipwatch migrations run online only: use `chipwatch db upgrade`")
run_online()
