"""``chipwatch``: the command line. Thin: parse, call the service, render or print JSON."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from chipwatch import render, service
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.compute.cli import compute_app
from chipwatch.custody.cli import custody_app
from chipwatch.holds_cli import holds_app
from chipwatch.licensing.cli import licences_app
from chipwatch.licensing.fee_cli import fees_app
from chipwatch.licensing.shipment_cli import ship_command, shipments_app
from chipwatch.location.cli import location_app, verify_location
from chipwatch.orders import decode_document, load_order, parse_order
from chipwatch.screening.cases_cli import cases_app
from chipwatch.screening.cli import screen
from chipwatch.screening.lists_cli import lists_app
from chipwatch.store.cli import audit_app, db_app, open_configured
from chipwatch.workflow import check_order, decide_order

app = typer.Typer(
    help="Export control for AI accelerators: classify chips, decide orders.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(lists_app, name="lists")
app.add_typer(cases_app, name="cases")
app.add_typer(holds_app, name="holds")
app.command()(screen)
app.add_typer(licences_app, name="licences")
app.command("ship")(ship_command)
app.add_typer(shipments_app, name="shipments")
app.add_typer(fees_app, name="fees")
app.add_typer(location_app, name="location")
custody_app.command("verify-location")(verify_location)
app.add_typer(custody_app, name="custody")
app.add_typer(compute_app, name="compute")


@app.command()
@reports_errors
def classify(
    model: Annotated[str, typer.Argument(help='Model name or alias, e.g. "NVIDIA H200".')],
    on: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Classify under the rules in force on this date (default: today).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show TPP, performance density and the control class of a model, with the arithmetic."""
    day = on.date() if on else dt.date.today()
    result = service.default().classify(model, day)
    if as_json:
        print_json(result.to_dict())
    else:
        render.console().print(render.classification_view(result))


@app.command()
@reports_errors
def check(
    order_file: Annotated[
        Path, typer.Argument(help="Order as YAML or JSON; '-' reads stdin.", metavar="ORDER")
    ],
    as_json: JsonFlag = False,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Decide as if the order were dated this day (re-decide under another version).",
        ),
    ] = None,
    timeline: Annotated[
        bool,
        typer.Option(
            "--timeline",
            help="Re-decide the order under every rulebook version and show how the outcome moved.",
        ),
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record/--dry-run",
            help="Screen against the database's lists, open review cases and audit the decision "
            "(default), or only decide.",
        ),
    ] = True,
    actor: Annotated[str, typer.Option(help="Who asks (default: the OS user).")] = "",
) -> None:
    """Decide an order under the rulebook version in force on its date.

    Parties are screened against the lists loaded in the database (`chipwatch lists`); a
    possible match holds the order and opens a review case (`chipwatch cases`).
    """
    if str(order_file) == "-":
        order = parse_order(decode_document(sys.stdin.read(), source="stdin"), source="stdin")
    else:
        order = load_order(order_file)
    if as_of is not None:
        order = order.model_copy(update={"date": as_of.date()})
    if timeline:
        rows = service.default().timeline(order)
        if as_json:
            print_json({"order_id": order.id, "timeline": rows})
        else:
            render.console().print(render.timeline_view(order.id, rows))
        return
    if not record:
        decision = decide_order(open_configured(), order)
        data = decision.to_dict()
    else:
        recorded = check_order(open_configured(), order, actor=actor or getpass.getuser())
        decision = recorded.decision
        data = {
            **decision.to_dict(),
            "screening_cases": list(recorded.case_ids),
            "audit_seq": recorded.audit_seq,
        }
    if as_json:
        print_json(data)
        return
    render.console().print(render.decision_view(decision))
    if record:
        cases = ", ".join(map(str, recorded.case_ids)) or "none"
        typer.echo(f"recorded: audit record {recorded.audit_seq}; screening cases opened: {cases}")


@app.command()
@reports_errors
def catalog(as_json: JsonFlag = False) -> None:
    """List the accelerator models chipwatch knows, with their key specs and class today."""
    today = dt.date.today()
    listing = service.default().catalog_listing(today)
    if as_json:
        print_json(listing)
        return
    render.console().print(render.catalog_view(listing))


@app.command()
@reports_errors
def rules(
    on: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only the rules in force on this date."),
    ] = None,
    versions: Annotated[bool, typer.Option("--versions", help="List rulebook versions.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List the rulebook's rules (or versions), with citations and evidence."""
    cw = service.default()
    listing = cw.versions_listing() if versions else cw.rules_listing(on.date() if on else None)
    if as_json:
        print_json(listing)
    elif versions:
        render.console().print(render.versions_view(listing))
    else:
        render.console().print(render.rules_view(listing))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    uvicorn.run("chipwatch.api.app:create_app", factory=True, host=host, port=port)


if __name__ == "__main__":
    app()
