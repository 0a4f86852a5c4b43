"""``chipwatch custody sites|landmarks|flags``: import and list places, work the flag queue."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.custody import flags, places
from chipwatch.errors import InvalidInput
from chipwatch.store.cli import open_configured

sites_app = typer.Typer(help="Sites (data centres): import from files, list.", no_args_is_help=True)
landmarks_app = typer.Typer(help="Landmarks (timing servers): import, list.", no_args_is_help=True)
flags_app = typer.Typer(help="The custody flag queue: list, clear, confirm.", no_args_is_help=True)

ActorOption = Annotated[
    str | None, typer.Option(help="Who acts, for the audit log (default: your OS user).")
]
FileArgument = Annotated[Path, typer.Argument(help="YAML, JSON or CSV (with a header row).")]


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


@sites_app.command("import")
@reports_errors
def sites_import(file: FileArgument, actor: ActorOption = None, as_json: JsonFlag = False) -> None:
    """Create or replace sites by id (a bad file is rejected whole)."""
    docs = places.read_sites(file)
    with open_configured().transaction() as session:
        created, replaced = places.put_sites(session, docs, _actor(actor), source=file.name)
    _report("sites", created, replaced, as_json)


@sites_app.command("list")
@reports_errors
def sites_list(as_json: JsonFlag = False) -> None:
    """Every site."""
    with open_configured().session() as session:
        rows = [s.to_dict() for s in places.list_sites(session)]
    if as_json:
        print_json(rows)
        return
    table = Table(
        "id", "name", "country", "lat", "lon", "radius km", "check-in h", "MW", "end user"
    )
    for r in rows:
        mw = "" if r["declared_mw"] is None else f"{r['declared_mw']:g}"
        table.add_row(
            r["id"],
            r["name"],
            r["country"],
            f"{r['lat']:.4f}",
            f"{r['lon']:.4f}",
            f"{r['radius_km']:g}",
            f"{r['check_in_hours']:g}",
            mw,
            r["end_user"] or "",
        )
    render.console().print(table)


@sites_app.command("remove")
@reports_errors
def sites_remove(site_id: str, actor: ActorOption = None) -> None:
    """Delete a site no chip refers to."""
    with open_configured().transaction() as session:
        places.remove_site(session, site_id, _actor(actor))
    typer.echo(f"site {site_id} removed")


@landmarks_app.command("import")
@reports_errors
def landmarks_import(
    file: FileArgument, actor: ActorOption = None, as_json: JsonFlag = False
) -> None:
    """Create or replace landmarks by id (a bad file is rejected whole)."""
    docs = places.read_landmarks(file)
    with open_configured().transaction() as session:
        created, replaced = places.put_landmarks(session, docs, _actor(actor), source=file.name)
    _report("landmarks", created, replaced, as_json)


@landmarks_app.command("list")
@reports_errors
def landmarks_list(
    vetting: Annotated[str | None, typer.Option(help="vetted, provisional or revoked")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every landmark (or those with one vetting status)."""
    with open_configured().session() as session:
        rows = [m.to_dict() for m in places.list_landmarks(session, vetting=vetting)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "country", "lat", "lon", "vetting", "vetted by", "key")
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            r["country"],
            f"{r['lat']:.4f}",
            f"{r['lon']:.4f}",
            r["vetting"],
            r["vetted_by"] or "",
            r["public_key"][:16] + "…",
        )
    render.console().print(table)


@flags_app.command("list")
@reports_errors
def flags_list(
    status: Annotated[str | None, typer.Option(help="open, cleared or confirmed")] = "open",
    serial: Annotated[str | None, typer.Option(help="Only this chip's flags.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (silent, …).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every status.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Flags, newest first (open ones unless --status or --all)."""
    with open_configured().session() as session:
        views, total = flags.list_flags(
            session, status=None if all_ else status, serial=serial, kind=kind, limit=limit
        )
        rows = [v.to_dict() for v in views]
    if as_json:
        print_json({"items": rows, "total": total})
        return
    table = Table("id", "opened (UTC)", "serial", "site", "kind", "status", "detail")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["opened_at"][:19].replace("T", " "),
            r["serial"] or "",
            r["site"] or "",
            r["kind"],
            r["status"],
            json.dumps(r["detail"], ensure_ascii=False),
        )
    render.console().print(table)
    typer.echo(f"{len(rows)} of {total} flags")


@flags_app.command("clear")
@reports_errors
def flags_clear(
    flag_id: int,
    reason: Annotated[str, typer.Option(help="Why it is not a problem, for the audit log.")],
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Close a flag as a false alarm (the chip returns to its state once no flag is open)."""
    _dispose(flag_id, "cleared", reason, actor, as_json)


@flags_app.command("confirm")
@reports_errors
def flags_confirm(
    flag_id: int,
    reason: Annotated[str, typer.Option(help="What was found, for the audit log.")],
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Close a flag as a real problem (the chip stays flagged)."""
    _dispose(flag_id, "confirmed", reason, actor, as_json)


@flags_app.command("check-silent")
@reports_errors
def flags_check_silent(
    now: Annotated[str | None, typer.Option(help="Check as of (ISO 8601; default: now).")] = None,
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Flag installed chips silent for longer than their site's check-in interval."""
    when = dt.datetime.now(dt.UTC)
    if now is not None:
        try:
            when = dt.datetime.fromisoformat(now)
        except ValueError:
            raise InvalidInput(f"not an ISO 8601 instant: {now!r}", field="now") from None
        if when.tzinfo is None:
            raise InvalidInput("give a timezone (e.g. 2026-03-01T10:00:00Z)", field="now")
    opened = flags.check_silent(open_configured(), when, _actor(actor))
    if as_json:
        print_json({"flags": opened})
    else:
        typer.echo(f"{len(opened)} silent chip(s) flagged")


def _dispose(flag_id: int, status: str, reason: str, actor: str | None, as_json: bool) -> None:
    with open_configured().transaction() as session:
        data = flags.dispose_flag(session, flag_id, status, reason, _actor(actor)).to_dict()
    if as_json:
        print_json(data)
    else:
        typer.echo(f"flag {flag_id} {status}")


def _report(what: str, created: list[str], replaced: list[str], as_json: bool) -> None:
    if as_json:
        print_json({"created": created, "replaced": replaced})
        return
    typer.echo(f"{len(created)} {what} created, {len(replaced)} replaced")
