"""``chipwatch custody``: chips (add, event, inspect, show, list, import) and, from
``cli_places``, sites, landmarks and flags."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.custody import bulk, chips, inspections
from chipwatch.custody.cli_places import flags_app, landmarks_app, sites_app
from chipwatch.custody.documents import InspectionDoc, validate
from chipwatch.errors import InvalidInput
from chipwatch.orders import decode_document
from chipwatch.store.cli import open_configured

custody_app = typer.Typer(
    help="Chain of custody: every chip from inspection to installation.", no_args_is_help=True
)
custody_app.add_typer(sites_app, name="sites")
custody_app.add_typer(landmarks_app, name="landmarks")
custody_app.add_typer(flags_app, name="flags")

ActorOption = Annotated[
    str | None, typer.Option(help="Who acts, for the audit log (default: your OS user).")
]


def actor_or_user(actor: str | None) -> str:
    return actor or getpass.getuser()


@custody_app.command("add")
@reports_errors
def add(
    serial: str,
    model: Annotated[str, typer.Option(help='Catalog model, e.g. "NVIDIA H200".')],
    licence: Annotated[str | None, typer.Option(help="Licence number it ships under.")] = None,
    order: Annotated[str | None, typer.Option(help="Order id.")] = None,
    custodian: Annotated[str | None, typer.Option(help="Who holds it now.")] = None,
    site: Annotated[str | None, typer.Option(help="Site id, if installed.")] = None,
    state: Annotated[str, typer.Option(help="Its state now.")] = "manufactured",
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a chip by serial."""
    new = chips.NewChip(serial, model, licence, order, custodian, site, state)
    with open_configured().transaction() as session:
        data = chips.add_chip(session, new, actor_or_user(actor)).to_dict()
    if as_json:
        print_json(data)
    else:
        typer.echo(f"chip {data['serial']} registered ({data['model']}, {data['state']})")


@custody_app.command("event")
@reports_errors
def event(
    serial: str,
    event_name: Annotated[str, typer.Argument(metavar="EVENT", help="shipped, received, …")],
    place: Annotated[str | None, typer.Option(help="Where it happened.")] = None,
    evidence: Annotated[
        str | None, typer.Option(help='Evidence as a JSON object, e.g. {"awb": "176-1234"}.')
    ] = None,
    site: Annotated[str | None, typer.Option(help="Site id (received/installed).")] = None,
    custodian: Annotated[str | None, typer.Option(help="Who holds it from now on.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When (ISO 8601 with a timezone; default: now).")
    ] = None,
    event_id: Annotated[
        str | None, typer.Option("--event-id", help="Idempotency key: a repeat changes nothing.")
    ] = None,
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record the next step of a chip's life (refused, with the reason, if illegal)."""
    request = chips.EventRequest(
        serial=serial,
        event=event_name,
        actor=actor_or_user(actor),
        at=_instant(at, "at"),
        place=place,
        evidence=_evidence(evidence),
        event_id=event_id,
        site=site,
        custodian=custodian,
    )
    with open_configured().transaction() as session:
        data = chips.apply_event(session, request).to_dict()
    if as_json:
        print_json(data)
        return
    e = data["event"]
    again = " (already recorded)" if data["repeated"] else ""
    typer.echo(f"chip {serial}: {e['event']} ({e['from_state']} → {e['to_state']}){again}")


@custody_app.command("inspect")
@reports_errors
def inspect(
    serial: str,
    file: Annotated[Path, typer.Option("--file", help="Inspection as YAML or JSON.")],
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a pre-export inspection; a pass enrols the chip's attestation key."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", source=str(file)) from None
    doc = validate(InspectionDoc, decode_document(text, source=str(file)), source=str(file))
    with open_configured().transaction() as session:
        result = inspections.record_inspection(session, serial, doc, actor_or_user(actor))
        data: dict[str, Any] = {
            "inspection": result.inspection.to_dict(),
            "event": result.event.to_dict(),
            "flags": [f.id for f in result.flags],
        }
    if as_json:
        print_json(data)
        return
    inspection = data["inspection"]
    typer.echo(f"chip {serial}: inspection {inspection['result']}")
    for failure in inspection["failures"]:
        typer.echo(f"  - {failure}")
    if data["flags"]:
        typer.echo(f"  flags opened: {', '.join(map(str, data['flags']))}")


@custody_app.command("show")
@reports_errors
def show(serial: str, as_json: JsonFlag = False) -> None:
    """A chip and its timeline: every event, inspection and flag."""
    with open_configured().session() as session:
        data = chips.timeline(session, serial)
    if as_json:
        print_json(data)
        return
    _print_timeline(data)


@custody_app.command("list")
@reports_errors
def list_(
    state: Annotated[str | None, typer.Option(help="Only chips in this state.")] = None,
    site: Annotated[str | None, typer.Option(help="Only chips at this site.")] = None,
    licence: Annotated[str | None, typer.Option(help="Only chips under this licence.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Chips by serial."""
    with open_configured().session() as session:
        found, total = chips.list_chips(
            session, state=state, site=site, licence=licence, limit=limit, offset=offset
        )
        rows = [c.to_dict() for c in found]
    if as_json:
        print_json({"items": rows, "total": total, "limit": limit, "offset": offset})
        return
    table = Table("serial", "model", "state", "site", "licence", "custodian", "key")
    for r in rows:
        key = "enrolled" if r["public_key"] else ""
        table.add_row(
            r["serial"],
            r["model"],
            r["state"],
            r["site"] or "",
            r["licence"] or "",
            r["custodian"] or "",
            key,
        )
    render.console().print(table)
    typer.echo(f"{len(rows)} of {total} chips")


@custody_app.command("import")
@reports_errors
def import_(
    file: Annotated[Path, typer.Argument(help="CSV: serial,model,licence,order,state,site")],
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a whole inventory in one transaction (a bad file is rejected whole)."""
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("importing chips", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = bulk.import_chips(open_configured(), file, actor_or_user(actor), progress=advance)
    if as_json:
        print_json(result.to_dict())
    else:
        typer.echo(
            f"{result.count:,} chips imported from {file.name} "
            f"(sha256 {result.sha256[:12]}…, audit seq {result.audit_seq})"
        )


def _print_timeline(data: dict[str, Any]) -> None:
    out = render.console()
    out.print(f"[bold]Chip {data['serial']}[/bold] ({data['model']}) — {data['state']}")
    out.print(f"Licence       {data['licence'] or '—'}    Order {data['order_id'] or '—'}")
    out.print(f"Custodian     {data['custodian'] or '—'}    Site {data['site'] or '—'}")
    out.print(f"Key           {data['public_key'] or 'not enrolled'}")
    out.print(f"Next          {', '.join(data['allowed_next']) or 'nothing (final)'}")
    table = Table("#", "at (UTC)", "event", "from → to", "actor", "place", "evidence")
    for column in table.columns[:4]:
        column.no_wrap = True
    for e in data["timeline"]:
        table.add_row(
            str(e["seq"]),
            e["at"][:19].replace("T", " "),
            e["event"],
            f"{e['from_state'] or '·'} → {e['to_state']}",
            e["actor"],
            e["place"] or "",
            _brief(e["evidence"]),
        )
    out.print(table)
    for f in data["flags"]:
        out.print(f"Flag {f['id']}     {f['kind']} ({f['status']}) {json.dumps(f['detail'])}")


def _brief(evidence: dict[str, Any], width: int = 60) -> str:
    """Evidence on one line, shortened (``show --json`` has all of it)."""
    text = ", ".join(f"{k}={v}" for k, v in evidence.items() if v not in (None, "", [], {}))
    return text if len(text) <= width else text[: width - 1] + "…"


def _evidence(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field="evidence") from None
    if not isinstance(value, dict):
        raise InvalidInput("evidence must be a JSON object", field="evidence")
    return value


def _instant(text: str | None, field: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 instant: {text!r}", field=field) from None
    if value.tzinfo is None:
        raise InvalidInput("give a timezone (e.g. 2026-03-01T10:00:00Z)", field=field)
    return value
