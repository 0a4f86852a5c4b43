"""``chipwatch db`` (migrations) and ``chipwatch audit`` (verify and read the audit log)."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidData
from chipwatch.store import audit
from chipwatch.store.db import Database, database_url, head_revision, open_database

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def open_configured(*, migrate: bool = True) -> Database:
    """The database ``CHIPWATCH_DATABASE_URL`` names, migrated; a clear error if unreachable."""
    url = database_url()
    try:
        return open_database(url, migrate=migrate)
    except OperationalError as exc:
        first_line = str(exc.orig or exc).strip().splitlines()[0]
        raise InvalidData(
            f"cannot open the database: {first_line}", source=shown_url(url)
        ) from None


@db_app.command("upgrade")
@reports_errors
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    database = open_configured()
    typer.echo(f"{shown_url(database.url)}: at revision {database.current_revision()}")


@db_app.command("current")
@reports_errors
def db_current(as_json: JsonFlag = False) -> None:
    """Show the database's schema revision and the newest one this chipwatch knows."""
    database = open_configured(migrate=False)
    current, head = database.current_revision(), head_revision()
    if as_json:
        print_json({"url": shown_url(database.url), "current": current, "head": head})
        return
    state = "up to date" if current == head else "run `chipwatch db upgrade`"
    typer.echo(f"{shown_url(database.url)}: revision {current or 'none'} (head {head}; {state})")


@audit_app.command("verify")
@reports_errors
def audit_verify(as_json: JsonFlag = False) -> None:
    """Recompute the hash chain; exit 1 naming the first altered or removed record."""
    database = open_configured()
    with database.session() as session:
        result = audit.verify(session)
    if as_json:
        print_json(result.to_dict())
    elif result.ok:
        typer.echo(
            f"audit chain ok: {result.records} records, head seq {result.head_seq} "
            f"hash {result.head_hash}"
        )
    else:
        typer.echo(f"audit chain broken at seq {result.first_bad_seq}: {result.problem}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("log")
@reports_errors
def audit_log(
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. licence.add.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only records by this actor.")] = None,
    subject: Annotated[str | None, typer.Option(help="Only this subject, e.g. a licence.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """The newest audit records, newest first."""
    database = open_configured()
    with database.session() as session:
        records = audit.list_records(
            session, action=action, actor=actor, subject=subject, limit=limit
        )
        rows = [record.to_dict() for record in records]
    if as_json:
        print_json(rows)
        return
    table = Table("seq", "at (UTC)", "actor", "action", "subject", "hash")
    for row in rows:
        at = str(row["at"])[:19].replace("T", " ")
        table.add_row(
            str(row["seq"]), at, row["actor"], row["action"], row["subject"], row["hash"][:12]
        )
    render.console().print(table)


@audit_app.command("prune")
@reports_errors
def audit_prune(
    actor: Annotated[str | None, typer.Option(help="Who prunes (default: you).")] = None,
) -> None:
    """Delete records older than CHIPWATCH_AUDIT_RETENTION_YEARS, keeping the chain verifiable."""
    database = open_configured()
    with database.transaction() as session:
        deleted = audit.prune(session, dt.datetime.now(dt.UTC), actor=actor or getpass.getuser())
    typer.echo(f"pruned {deleted} audit records")
