"""``chipwatch licences``: add, list, show, suspend, revoke, reinstate."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.licensing import service
from chipwatch.licensing.documents import parse_licence_document, read_licence_file
from chipwatch.orders import decode_document
from chipwatch.store.cli import open_configured

licences_app = typer.Typer(help="Licences: record them, change their status.", no_args_is_help=True)

ActorOption = Annotated[
    str | None, typer.Option(help="Who acts, for the audit log (default: your OS user).")
]
ReasonOption = Annotated[str, typer.Option(help="Why, for the audit log.")]


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


@licences_app.command("add")
@reports_errors
def add(
    licence_file: Annotated[
        Path, typer.Argument(help="Licence as YAML or JSON; '-' reads stdin.", metavar="FILE")
    ],
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a licence (re-adding the identical document changes nothing)."""
    if str(licence_file) == "-":
        original = decode_document(sys.stdin.read(), source="stdin")
        doc = parse_licence_document(original, source="stdin")
    else:
        doc, original = read_licence_file(licence_file)
    added = service.add_licence(open_configured(), doc, _actor(actor), original=original)
    if as_json:
        print_json({"created": added.created, **added.licence.to_dict(dt.date.today())})
        return
    verb = "added" if added.created else "already recorded (identical document):"
    typer.echo(f"licence {added.licence.number} {verb} {added.licence.licensee}")


@licences_app.command("list")
@reports_errors
def list_(
    status: Annotated[
        str | None, typer.Option(help="Only licences in this status today (active, …).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Licences by number, with their status today."""
    today = dt.date.today()
    licences, _ = service.list_licences(open_configured(), status=status, limit=10_000)
    rows = [licence.to_dict(today) for licence in licences]
    if as_json:
        print_json(rows)
        return
    table = Table("number", "authority", "licensee", "status", "valid", "quantity", "value (USD)")
    for row in rows:
        table.add_row(
            row["number"],
            row["authority"],
            row["licensee"],
            row["status"],
            f"{row['valid_from']} – {row['valid_to']}",
            f"{row['quantity_cap']:,}",
            f"{float(row['value_cap_usd']):,.2f}",
        )
    render.console().print(table)


@licences_app.command("show")
@reports_errors
def show(number: str, as_json: JsonFlag = False) -> None:
    """One licence: its terms, customers and every action taken on it."""
    data = service.get_licence(open_configured(), number).to_dict(dt.date.today())
    if as_json:
        print_json(data)
        return
    _print_licence(data)


def _print_licence(data: dict[str, Any]) -> None:
    out = render.console()
    out.print(f"[bold]Licence {data['number']}[/bold] ({data['authority']}) — {data['status']}")
    out.print(f"Licensee      {data['licensee']}")
    out.print(f"Valid         {data['valid_from']} to {data['valid_to']}")
    out.print(f"Items         {', '.join(data['items'])} → {', '.join(data['destinations'])}")
    out.print(f"Caps          {data['quantity_cap']:,} units, USD {data['value_cap_usd']}")
    for customer in data["approved_customers"]:
        out.print(f"Customer      {customer['name']} ({customer['country'] or '?'})")
    for key, value in data["conditions"].items():
        out.print(f"Condition     {key}: {value}")
    actions = Table("at (UTC)", "action", "from", "to", "actor", "reason", "audit seq")
    for a in data["actions"]:
        actions.add_row(
            a["at"][:19].replace("T", " "),
            a["action"],
            a["from_status"] or "",
            a["to_status"],
            a["actor"],
            a["reason"],
            str(a["audit_seq"]),
        )
    out.print(actions)


def _status_command(action: str) -> Any:
    change = getattr(service, action)

    @reports_errors
    def command(
        number: Annotated[str, typer.Argument(help="The licence number.")],
        reason: ReasonOption,
        actor: ActorOption = None,
        yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
        as_json: JsonFlag = False,
    ) -> None:
        database = open_configured()
        if action != "reinstate":
            before = service.blast_radius(database, number).to_dict()
            if not as_json:
                _print_radius(before)
            if not yes and not typer.confirm(f"{action} licence {number}?", err=True):
                raise typer.Exit(1)
        licence = change(database, number, _actor(actor), reason)
        radius = service.blast_radius(database, number).to_dict()
        if as_json:
            print_json({"licence": licence.to_dict(dt.date.today()), "blast_radius": radius})
            return
        typer.echo(f"licence {number}: {licence.status}")
        if action != "reinstate":
            blocked = len(radius["pending_shipments"])
            typer.echo(f"{blocked} pending shipments blocked")

    command.__doc__ = {
        "suspend": "Suspend a licence: no shipments under it until reinstated (shows the "
        "blast radius and asks first; --yes skips the question).",
        "revoke": "Revoke a licence, for good (shows the blast radius and asks first).",
        "reinstate": "Lift a suspension.",
    }[action]
    return command


def _print_radius(radius: dict[str, Any]) -> None:
    out = render.console()
    licence = radius["licence"]
    out.print(f"[bold]Blast radius of licence {licence['number']}[/bold] ({licence['status']})")
    for key, label in (
        ("customers", "approved customers"),
        ("pending_shipments", "pending shipments"),
        ("in_transit", "shipments in transit"),
        ("delivered_chips", "delivered chips"),
    ):
        out.print(f"  {len(radius[key])} {label}")
    shipments = [("pending", s) for s in radius["pending_shipments"]]
    shipments += [("in transit", s) for s in radius["in_transit"]]
    if shipments:
        table = Table("shipment", "state", "order", "model", "qty", "end user", "to")
        for state, s in shipments:
            table.add_row(
                str(s["id"]),
                state if s["status"] != "blocked" else "blocked",
                s["order_id"],
                s["model"],
                f"{s['quantity']:,}",
                s["end_user"],
                s["destination"],
            )
        out.print(table)
    chips = radius["delivered_chips"]
    if chips:
        shown = ", ".join(c["serial"] for c in chips[:20])
        more = f" and {len(chips) - 20} more" if len(chips) > 20 else ""
        out.print(f"Delivered chips: {shown}{more}")


for _action in ("suspend", "revoke", "reinstate"):
    licences_app.command(_action)(_status_command(_action))


@licences_app.command("blast-radius")
@reports_errors
def blast_radius(number: str, as_json: JsonFlag = False) -> None:
    """What suspending or revoking the licence would affect: customers, pending shipments,
    shipments in transit, delivered chips."""
    radius = service.blast_radius(open_configured(), number).to_dict()
    if as_json:
        print_json(radius)
        return
    _print_radius(radius)
