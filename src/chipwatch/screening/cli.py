"""``chipwatch screen``: screen names against the loaded lists, one or a CSV batch."""

from __future__ import annotations

import csv
import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.screening.matching import Hit
from chipwatch.screening.runtime import load_screener
from chipwatch.screening.screener import ListScreener
from chipwatch.store.cli import open_configured

Actor = Annotated[str, typer.Option(help="Who does this (default: the OS user).")]


def actor_or_os_user(actor: str) -> str:
    return actor or getpass.getuser()


def _screener() -> ListScreener:
    screener = load_screener(open_configured())
    if screener is None:
        raise InvalidInput(
            "no restricted-party list is loaded: run `chipwatch lists update` or "
            "`chipwatch lists import FILE --format ...` first",
            field="lists",
        )
    return screener


@reports_errors
def screen(
    name: Annotated[str | None, typer.Argument(help="The name to screen.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO country of the party.")] = None,
    entity_type: Annotated[
        str | None, typer.Option("--type", help="person or company (optional).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most candidates to show.")] = 5,
    batch: Annotated[
        Path | None, typer.Option(help="CSV with columns id,name,country to screen.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Where --batch writes its results.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Screen a name (or a CSV of names) against the loaded lists, with explanations."""
    if batch is not None:
        _screen_batch(batch, out)
        return
    if not name:
        raise InvalidInput("give a NAME or --batch FILE", field="name")
    hits = _screener().index.search(name, country=country, entity_type=entity_type, limit=limit)
    if as_json:
        print_json({"query": name, "country": country, "matches": [h.to_dict() for h in hits]})
        return
    _print_hits(name, hits)


def _print_hits(name: str, hits: list[Hit]) -> None:
    console = Console()
    if not hits:
        console.print(f"No list entry resembles '{name}' (nothing scored 0.50 or more).")
        return
    table = Table(title=f"Screening '{name}'")
    for column in ("score", "match", "list", "entry", "name", "matched alias", "why"):
        table.add_column(column)
    for hit in hits:
        exp = hit.explanation
        pairs = ", ".join(f"{p['query']}≈{p['alias']}" for p in exp["token_pairs"])
        unmatched = exp["unmatched_query_tokens"] + exp["unmatched_alias_tokens"]
        why = pairs + (f"; unmatched: {' '.join(unmatched)}" if unmatched else "")
        if exp.get("notes"):
            why += "; " + "; ".join(exp["notes"])
        table.add_row(
            f"{hit.score:.2f}",
            "MATCH" if hit.match else "",
            hit.entry.source,
            hit.entry.entry_id,
            hit.entry.name,
            f"{exp['matched_alias']} ({exp['alias_kind']})",
            why,
        )
    console.print(table)


def _screen_batch(path: Path, out: Path | None) -> None:
    rows = _read_batch(path)
    screener = _screener()
    handle = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        writer = csv.writer(handle)
        writer.writerow(["id", "query", "matched_name", "source", "entry_id", "score", "match"])
        with Progress(console=Console(stderr=True), transient=out is None) as progress:
            task = progress.add_task("screening", total=len(rows))
            for row_id, name, country in rows:
                hits = screener.index.search(name, country=country or None, limit=1)
                best = hits[0] if hits else None
                writer.writerow(
                    [
                        row_id,
                        name,
                        best.entry.name if best else "",
                        best.entry.source if best else "",
                        best.entry.entry_id if best else "",
                        f"{best.score:.4f}" if best else "",
                        "true" if best and best.match else "false",
                    ]
                )
                progress.advance(task)
    finally:
        if out:
            handle.close()


def _read_batch(path: Path) -> list[tuple[str, str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read: {exc}", source=str(path)) from None
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("id", "name") if c not in header]
    if missing:
        raise InvalidInput(
            f"the header needs the columns id,name[,country]; missing {', '.join(missing)}",
            field="line 1",
            source=str(path),
        )
    rows: list[tuple[str, str, str]] = []
    problems: list[dict[str, str]] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        record = dict(zip(header, (c.strip() for c in row), strict=False))
        if len(row) != len(header):
            problems.append(
                {
                    "field": f"line {number}",
                    "problem": f"{len(row)} columns, expected {len(header)}",
                }
            )
        elif not record.get("name"):
            problems.append({"field": f"line {number}: name", "problem": "empty"})
        else:
            rows.append((record["id"], record["name"], record.get("country", "").upper()))
    if problems:
        raise InvalidInput.from_errors(problems, source=str(path))
    return rows
