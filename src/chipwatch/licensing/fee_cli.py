"""``chipwatch fees``: balances, statements (CSV or PDF), remittances."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.licensing import remittances
from chipwatch.licensing.statement_pdf import statement_pdf
from chipwatch.licensing.statements import build_statement, statement_csv
from chipwatch.store.cli import open_configured

fees_app = typer.Typer(
    help="The fee ledger: balances, statements, remittances.", no_args_is_help=True
)

Actor = Annotated[str | None, typer.Option(help="Who acts, for the audit log (default: you).")]


@fees_app.command("balances")
@reports_errors
def balances(
    period: Annotated[str | None, typer.Option(help="A quarter, e.g. 2026-Q1.")] = None,
    licensee: Annotated[str | None, typer.Option(help="One licensee.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Accrued, reported (not owed), remitted and outstanding per licensee and period."""
    rows = remittances.balances(open_configured(), period=period, licensee=licensee)
    if as_json:
        print_json(rows)
        return
    table = Table("licensee", "period", "accrued", "reported", "remitted", "outstanding")
    for r in rows:
        table.add_row(
            r["licensee"], r["period"], r["accrued"], r["reported"], r["remitted"], r["outstanding"]
        )
    render.console().print(table)


@fees_app.command("statement")
@reports_errors
def statement(
    period: Annotated[str, typer.Option(help="The quarter, e.g. 2026-Q1.")],
    licensee: Annotated[str | None, typer.Option(help="One licensee (default: all).")] = None,
    format_: Annotated[str, typer.Option("--format", help="csv or pdf.")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Write here (default: stdout for CSV).")] = None,
) -> None:
    """A fee statement for a quarter: every ledger line, with totals accrued, remitted and
    outstanding."""
    if format_ not in ("csv", "pdf"):
        raise InvalidInput(f"'{format_}' is neither csv nor pdf", field="format")
    if format_ == "pdf" and out is None:
        raise InvalidInput("a PDF needs --out FILE", field="out")
    built = build_statement(open_configured(), period=period, licensee=licensee)
    if format_ == "csv" and out is None:
        typer.echo(statement_csv(built), nl=False)
        return
    assert out is not None
    if format_ == "csv":
        out.write_text(statement_csv(built), encoding="utf-8")
    else:
        out.write_bytes(statement_pdf(built))
    total = built.grand_total
    typer.echo(
        f"wrote {out}: {len(built.lines)} lines; accrued USD {total.accrued}, remitted USD "
        f"{total.remitted}, outstanding USD {total.outstanding}"
    )


@fees_app.command("remit")
@reports_errors
def remit(
    licensee: Annotated[str, typer.Option(help="Who paid.")],
    period: Annotated[str, typer.Option(help="The quarter paid for, e.g. 2026-Q1.")],
    amount: Annotated[str, typer.Option(help="USD, e.g. 775000.00.")],
    reference: Annotated[str, typer.Option(help="The payment's reference (unique).")],
    actor: Actor = None,
) -> None:
    """Record a remittance (the same reference again changes nothing)."""
    entry, created = remittances.remit(
        open_configured(),
        licensee=licensee,
        period=period,
        amount=amount,
        reference=reference,
        actor=actor or getpass.getuser(),
    )
    verb = "recorded" if created else "already recorded"
    typer.echo(f"remittance {entry.reference} {verb}: USD {entry.amount} for {entry.period}")
