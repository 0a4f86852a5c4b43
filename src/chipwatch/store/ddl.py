"""DDL that migrations share: make a table append-only (rows are never updated)."""

from __future__ import annotations

from alembic import op


def refuse_updates(table: str) -> None:
    """A trigger that aborts any UPDATE of ``table`` (PostgreSQL and SQLite)."""
    message = f"{table} rows are never updated"
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {table}_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_update()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def allow_updates(table: str) -> None:
    """Undo ``refuse_updates``."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_no_update ON {table}")
        op.execute(f"DROP FUNCTION {table}_refuse_update()")
    else:
        op.execute(f"DROP TRIGGER {table}_no_update")
