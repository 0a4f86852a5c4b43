"""``chipwatch holds``: clear a named hold for one order, with a reason; list the reviews."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.holds import clear_hold, list_reviews
from chipwatch.orders import load_order
from chipwatch.store.cli import open_configured
from chipwatch.workflow import decide_order

holds_app = typer.Typer(
    help="Hold reviews: an officer clears a named hold for one order, on the record.",
    no_args_is_help=True,
)


@holds_app.command("clear")
@reports_errors
def holds_clear(
    order_file: Annotated[Path, typer.Argument(help="The order (YAML or JSON).", metavar="ORDER")],
    rule: Annotated[
        str, typer.Option(help="The hold rule to clear, e.g. CN-2026-01-14-CUSTOMS-H200.")
    ],
    reason: Annotated[str, typer.Option(help="Why the order may proceed (required).")],
    evidence: Annotated[
        str, typer.Option(help='JSON with what was checked, e.g. {"approval": "MOFCOM-…"}.')
    ] = "{}",
    actor: Annotated[str, typer.Option(help="Who clears it (default: the OS user).")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Clear one hold of an order (its current decision); the decision then shows it cleared."""
    try:
        facts: Any = json.loads(evidence)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not JSON: {exc.msg}", field="evidence") from None
    if not isinstance(facts, dict):
        raise InvalidInput("must be a JSON object", field="evidence")
    order = load_order(order_file)
    db = open_configured()
    decision = decide_order(db, order)
    with db.transaction() as session:
        review = clear_hold(
            session,
            order,
            decision,
            rule,
            reason=reason,
            actor=actor or getpass.getuser(),
            evidence=facts,
        ).to_dict()
    after = decide_order(db, order)
    if as_json:
        print_json({"review": review, "outcome": after.outcome})
        return
    typer.echo(f"{rule} cleared for order {order.id} by {review['actor']}: {review['reason']}")
    typer.echo(f"the order's outcome is now {after.outcome.upper()}")


@holds_app.command("list")
@reports_errors
def holds_list(
    order: Annotated[str | None, typer.Option(help="Only this order id.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recorded hold reviews, newest first."""
    db = open_configured()
    with db.session() as session:
        rows = [r.to_dict() for r in list_reviews(session, order_id=order)]
    if as_json:
        print_json({"items": rows})
        return
    if not rows:
        typer.echo("No hold has been cleared yet.")
    for r in rows:
        typer.echo(
            f"{r['at'][:19]}  {r['order_id']}  {r['rule_id']} ({r['jurisdiction']})  "
            f"by {r['actor']}: {r['reason']}"
        )
