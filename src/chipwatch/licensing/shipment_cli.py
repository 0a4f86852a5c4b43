"""``chipwatch ship`` and ``chipwatch shipments …``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.licensing import aggregate, shipment_status, shipment_views, shipments
from chipwatch.orders import decode_document, load_order, parse_order
from chipwatch.store.cli import open_configured

shipments_app = typer.Typer(help="Shipments drawn on licences.", no_args_is_help=True)
fees_app = typer.Typer(
    help="The fee ledger: balances, statements, remittances.", no_args_is_help=True
)

Actor = Annotated[str | None, typer.Option(help="Who acts, for the audit log (default: you).")]


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


@reports_errors
def ship_command(
    order_file: Annotated[
        Path, typer.Argument(help="The order (YAML or JSON; '-' reads stdin).", metavar="ORDER")
    ],
    licence: Annotated[str, typer.Option("--licence", help="The licence to draw on.")],
    quantity: Annotated[int, typer.Option(help="Units shipped (of the order's line).")],
    idempotency_key: Annotated[
        str, typer.Option(help="Your unique key for this request: a retry reuses it.")
    ],
    serial: Annotated[
        list[str] | None, typer.Option("--serial", help="A chip serial (repeat the option).")
    ] = None,
    serials_file: Annotated[
        Path | None, typer.Option(help="Chip serials, one a line ('#' comments).")
    ] = None,
    actor: Actor = None,
    as_json: JsonFlag = False,
) -> None:
    """Ship units of an order under a licence: re-decide, check the licence, draw it down."""
    if str(order_file) == "-":
        order = parse_order(decode_document(sys.stdin.read(), source="stdin"), source="stdin")
    else:
        order = load_order(order_file)
    chips = list(serial or []) + (_read_serials(serials_file) if serials_file else [])
    result = shipments.ship(
        open_configured(),
        order=order,
        licence_number=licence,
        quantity=quantity,
        serials=chips,
        idempotency_key=idempotency_key,
        actor=_actor(actor),
    )
    if as_json:
        print_json({**result.shipment, "replayed": result.replayed, "remaining": result.remaining})
        return
    s = result.shipment
    if result.replayed:
        typer.echo("idempotency key seen before: its first result, nothing drawn")
    typer.echo(
        f"shipment {s['id']} {s['status']} under licence {s['licence']}: {s['quantity']:,} × "
        f"{s['model']} to {s['destination']} ({s['end_user']}), USD {s['value_usd']}"
    )
    for fee in s["fees"]:
        owed = "accrued" if fee["binding"] else "reported, not owed"
        typer.echo(f"  {fee['label']}: USD {fee['amount_usd']} ({owed}; {fee['rule_id'] or ''})")
    left = result.remaining
    typer.echo(f"  left on the licence: {left['quantity']:,} units, USD {left['value_usd']}")


def _read_serials(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the serials: {exc}", source=str(path)) from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


@shipments_app.command("list")
@reports_errors
def list_(
    licence: Annotated[str | None, typer.Option("--licence", help="Under this licence.")] = None,
    status: Annotated[str | None, typer.Option(help="pending, blocked, shipped, …")] = None,
    order: Annotated[str | None, typer.Option("--order", help="Of this order id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Shipments, newest first."""
    rows, _ = shipment_views.list_shipments(
        open_configured(), licence=licence, status=status, order_id=order, limit=limit
    )
    if as_json:
        print_json(rows)
        return
    table = Table("id", "licence", "order", "model", "qty", "value (USD)", "to", "date", "status")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["licence"],
            r["order_id"],
            r["model"],
            f"{r['quantity']:,}",
            r["value_usd"],
            r["destination"],
            r["ship_date"],
            r["status"],
        )
    render.console().print(table)


@shipments_app.command("show")
@reports_errors
def show(shipment_id: int, as_json: JsonFlag = False) -> None:
    """One shipment: its serials, events, draw-downs and fees."""
    data = shipment_views.get_shipment(open_configured(), shipment_id)
    if as_json:
        print_json(data)
        return
    _print_shipment(data)


def _print_shipment(data: dict[str, Any]) -> None:
    out = render.console()
    out.print(f"[bold]Shipment {data['id']}[/bold] — {data['status']}")
    out.print(f"Licence       {data['licence']} ({data['licensee']})")
    out.print(f"Order         {data['order_id']} dated {data['ship_date']} ({data['period']})")
    out.print(f"Items         {data['quantity']:,} × {data['model']} ({data['eccn']})")
    out.print(f"Value         USD {data['value_usd']} at {data['unit_price_usd']}")
    out.print(f"To            {data['end_user']}, {data['destination']}")
    out.print(f"Serials       {', '.join(data['serials'])}")
    events = Table("at (UTC)", "status", "actor", "reason", "audit seq")
    for e in data["events"]:
        at = e["at"][:19].replace("T", " ")
        events.add_row(at, e["status"], e["actor"], e["reason"], str(e["audit_seq"]))
    out.print(events)
    ledger = Table("kind", "quantity / rule", "amount (USD)", "binding", "audit seq")
    for d in data["drawdowns"]:
        ledger.add_row(
            f"draw-down {d['kind']}", str(d["quantity"]), d["value_usd"], "", str(d["audit_seq"])
        )
    for f in data["fees"]:
        binding = "yes" if f["binding"] else "reported"
        ledger.add_row(
            f"fee {f['kind']}", f["rule_id"] or "", f["amount_usd"], binding, str(f["audit_seq"])
        )
    out.print(ledger)


def _status_command(action: str) -> Any:
    change = getattr(shipment_status, f"{action}_shipment")

    @reports_errors
    def command(
        shipment_id: Annotated[int, typer.Argument(help="The shipment id.")],
        reason: Annotated[str, typer.Option(help="Why (for the audit log).")] = "",
        actor: Actor = None,
        as_json: JsonFlag = False,
    ) -> None:
        data = change(open_configured(), shipment_id, _actor(actor), reason)
        if as_json:
            print_json(data)
            return
        typer.echo(f"shipment {shipment_id}: {data['status']}")

    command.__doc__ = {
        "dispatch": "The shipment left: in transit (only under an active licence).",
        "deliver": "The shipment reached its consignee.",
        "cancel": "Cancel a shipment not yet delivered: reverses its draw-down and fees.",
    }[action]
    return command


for _action in ("dispatch", "deliver", "cancel"):
    shipments_app.command(_action)(_status_command(_action))


@shipments_app.command("report-us")
@reports_errors
def report_us(
    licensee: Annotated[str, typer.Option(help="The exporter reporting.")],
    product: Annotated[str, typer.Option(help="The catalog model, e.g. 'NVIDIA H200'.")],
    period: Annotated[str, typer.Option(help="The quarter, e.g. 2026-Q1.")],
    quantity: Annotated[int, typer.Option(help="Units shipped to US end users in it.")],
    source: Annotated[str, typer.Option(help="Where the figure comes from.")] = "",
    actor: Actor = None,
) -> None:
    """Record units shipped to US end users (the aggregate cap's base; a later report for the
    same quarter supersedes it)."""
    report = aggregate.record_us_shipments(
        open_configured(),
        licensee=licensee,
        product=product,
        period=period,
        quantity=quantity,
        actor=_actor(actor),
        source=source,
    )
    typer.echo(f"recorded: {report.quantity:,} × {report.product} to US end users in {period}")


@shipments_app.command("us-volumes")
@reports_errors
def us_volumes(
    licensee: Annotated[str | None, typer.Option(help="Of this exporter.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every report of US shipments (superseded ones too), oldest first."""
    rows = [r.to_dict() for r in aggregate.list_us_shipments(open_configured(), licensee=licensee)]
    if as_json:
        print_json(rows)
        return
    table = Table("licensee", "product", "period", "quantity", "reported at", "source")
    for r in rows:
        at = r["at"][:19].replace("T", " ")
        table.add_row(
            r["licensee"], r["product"], r["period"], f"{r['quantity']:,}", at, r["source"]
        )
    render.console().print(table)
