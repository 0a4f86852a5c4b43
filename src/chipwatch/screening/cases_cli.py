"""``chipwatch cases``: the screening review queue."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.screening import cases as case_store
from chipwatch.screening.cli import Actor, actor_or_os_user
from chipwatch.store.cli import open_configured

cases_app = typer.Typer(help="The screening review queue.", no_args_is_help=True)


@cases_app.command("list")
@reports_errors
def cases_list(
    status: Annotated[str | None, typer.Option(help="open, cleared or confirmed.")] = "open",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Screening cases (default: the open ones)."""
    db = open_configured()
    with db.session() as session:
        views, total = case_store.list_cases(session, status=status, limit=limit)
        rows = [v.to_dict() for v in views]
    if as_json:
        print_json({"items": rows, "total": total, "limit": limit, "offset": 0})
        return
    if not rows:
        typer.echo(f"No {status or ''} screening cases.")
        return
    table = Table(title=f"Screening cases ({total} {status or 'in all'})")
    for column in ("id", "status", "party", "list entry", "score", "opened"):
        table.add_column(column)
    for r in rows:
        e = r["list_entry"]
        table.add_row(
            str(r["id"]),
            r["status"],
            r["subject"],
            f"{e['source']}:{e['entry_id']} {e['name']}",
            f"{r['score']:.2f}",
            r["opened_at"][:19],
        )
    Console().print(table)


@cases_app.command("show")
@reports_errors
def cases_show(case_id: int, as_json: JsonFlag = False) -> None:
    """One case: the party, the list entry, why it matched, its dispositions."""
    db = open_configured()
    with db.session() as session:
        data = case_store.get_case(session, case_id).to_dict()
    print_json(data) if as_json else _print_case(data)


def _print_case(data: dict[str, Any]) -> None:
    party, entry = data["party"], data["list_entry"]
    exp = data["explanation"]
    typer.echo(f"case {data['id']} ({data['status']}), opened {data['opened_at'][:19]}")
    typer.echo(f"  party:      {data['subject']} ({party['country']})")
    typer.echo(f"  list entry: {entry['source']}:{entry['entry_id']} {entry['name']}")
    typer.echo(
        f"  matched:    '{exp.get('matched_alias', '')}' ({exp.get('alias_kind', '')}), "
        f"score {data['score']:.2f}, features {exp.get('features', {})}"
    )
    for pair in exp.get("token_pairs", []):
        typer.echo(f"              {pair['query']} ≈ {pair['alias']} ({pair['similarity']})")
    for d in data["dispositions"]:
        typer.echo(f"  {d['at'][:19]} {d['status']} by {d['actor']}: {d['reason']}")


def _dispose(case_id: int, status: str, reason: str, actor: str, as_json: bool) -> None:
    db = open_configured()
    with db.transaction() as session:
        data = case_store.dispose(
            session, case_id, status, reason, actor_or_os_user(actor)
        ).to_dict()
    if as_json:
        print_json(data)
    else:
        typer.echo(f"case {case_id}: {status} by {data['dispositions'][-1]['actor']}: {reason}")


@cases_app.command("clear")
@reports_errors
def cases_clear(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why this is not the listed party (required).")],
    actor: Actor = "",
    as_json: JsonFlag = False,
) -> None:
    """Clear a case as a false positive; remembered for this party and this list entry."""
    _dispose(case_id, "cleared", reason, actor, as_json)


@cases_app.command("confirm")
@reports_errors
def cases_confirm(
    case_id: int,
    reason: Annotated[str, typer.Option(help="Why this is the listed party (required).")],
    actor: Actor = "",
    as_json: JsonFlag = False,
) -> None:
    """Confirm a case: the party is the listed entry; decisions treat it as listed."""
    _dispose(case_id, "confirmed", reason, actor, as_json)
