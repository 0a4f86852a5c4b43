"""``chipwatch screen``, ``chipwatch lists ...`` and ``chipwatch cases ...``."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.screening import cases as case_store
from chipwatch.screening import repository
from chipwatch.screening.lists import EXTRA_FILES, FORMATS, ParsedList, parse_list, sniff_format
from chipwatch.screening.lists.download import OFFICIAL_SOURCES, fetch
from chipwatch.screening.matching import Hit
from chipwatch.screening.rescreen import rescreen
from chipwatch.screening.runtime import load_screener
from chipwatch.screening.screener import ListScreener
from chipwatch.store.cli import open_configured

lists_app = typer.Typer(
    help="Restricted-party lists: import, update, versions, diffs.", no_args_is_help=True
)
cases_app = typer.Typer(help="The screening review queue.", no_args_is_help=True)
DEFAULT_UPDATE = ("csl", "ofac-sdn", "ofac-cons")  # csl-json is the same list as csl
Actor = Annotated[str, typer.Option(help="Who does this (default: the OS user).")]


def _actor(actor: str) -> str:
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


# lists ------------------------------------------------------------------------------------


@lists_app.command("import")
@reports_errors
def lists_import(
    file: Annotated[Path, typer.Argument(help="The list file.")],
    fmt: Annotated[
        str | None, typer.Option("--format", "--source", help=f"One of: {', '.join(FORMATS)}.")
    ] = None,
    alt: Annotated[Path | None, typer.Option(help="OFAC alt.csv (aliases).")] = None,
    add: Annotated[Path | None, typer.Option(help="OFAC add.csv (addresses).")] = None,
    retrieved_at: Annotated[
        dt.datetime | None, typer.Option(help="When the file was downloaded (default: now).")
    ] = None,
    actor: Actor = "",
    as_json: JsonFlag = False,
) -> None:
    """Load a local list file as a new list version (the whole file or nothing)."""
    try:
        data = file.read_bytes()
        extra = {k: p.read_bytes() for k, p in (("alt", alt), ("add", add)) if p is not None}
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", source=str(exc.filename)) from None
    fmt = fmt or sniff_format(data, file.name)
    if fmt is None:
        raise InvalidInput(
            f"cannot tell the format; give --format ({', '.join(FORMATS)})",
            field="format",
            source=str(file),
        )
    parsed = parse_list(data, fmt, name=str(file), extra=extra)
    when = retrieved_at.replace(tzinfo=retrieved_at.tzinfo or dt.UTC) if retrieved_at else None
    _store(
        parsed, origin=str(file.resolve()), actor=_actor(actor), retrieved_at=when, as_json=as_json
    )


def _store(
    parsed: ParsedList, *, origin: str, actor: str, retrieved_at: dt.datetime | None, as_json: bool
) -> None:
    db = open_configured()
    result = repository.import_list(
        db, parsed, origin=origin, actor=actor, retrieved_at=retrieved_at
    )
    opened = rescreen(db, result.version.id, actor=actor) if result.created else []
    data = {
        **result.version.to_dict(),
        "created": result.created,
        "cases_opened": opened,
        "ignored_rows": parsed.ignored_rows,
    }
    if as_json:
        print_json(data)
        return
    v = result.version
    verb = "imported as" if result.created else "unchanged: already"
    typer.echo(
        f"{origin}: {verb} list version {v.label} ({v.entry_count:,} entries; "
        f"{v.added:,} added, {v.changed:,} changed, {v.removed:,} removed since the previous)"
    )
    if opened:
        typer.echo(f"re-screen of stored parties opened {len(opened)} case(s): {opened}")


@lists_app.command("update")
@reports_errors
def lists_update(
    sources: Annotated[
        list[str] | None, typer.Argument(help=f"Which: {', '.join(OFFICIAL_SOURCES)}.")
    ] = None,
    actor: Actor = "",
    as_json: JsonFlag = False,
) -> None:
    """Download the official current lists and import each as a list version."""
    for source in sources or list(DEFAULT_UPDATE):
        if source not in OFFICIAL_SOURCES:
            raise InvalidInput(f"unknown list source '{source}'", field="source")
        spec = OFFICIAL_SOURCES[source]
        retrieved_at = dt.datetime.now(dt.UTC)
        data, extra = fetch(source)
        parsed = parse_list(data, spec.fmt, name=spec.url, extra=extra)
        _store(
            parsed, origin=spec.url, actor=_actor(actor), retrieved_at=retrieved_at, as_json=as_json
        )


@lists_app.command("versions")
@reports_errors
def lists_versions(as_json: JsonFlag = False) -> None:
    """Every list version, newest first; the current one per source is marked."""
    db = open_configured()
    with db.session() as session:
        versions = repository.list_versions(session)
        current = {v.id for v in repository.current_versions(session).values()}
        rows = [{**v.to_dict(), "current": v.id in current} for v in versions]
    if as_json:
        print_json({"versions": rows})
        return
    if not rows:
        typer.echo("No list loaded yet: run `chipwatch lists update` or `chipwatch lists import`.")
        return
    table = Table(title="List versions")
    for column in (
        "id",
        "format",
        "sources",
        "entries",
        "+",
        "~",
        "-",
        "retrieved",
        "sha256",
        "current",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["format"],
            " ".join(r["sources"]),
            f"{r['entry_count']:,}",
            str(r["added"]),
            str(r["changed"]),
            str(r["removed"]),
            r["retrieved_at"][:19],
            r["file_sha256"][:12],
            "yes" if r["current"] else "",
        )
    Console().print(table)


@lists_app.command("diff")
@reports_errors
def lists_diff(
    version: Annotated[int, typer.Argument(help="The newer version id.")],
    against: Annotated[int | None, typer.Option(help="The older one (default: previous).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Entries added, changed and removed between two list versions."""
    db = open_configured()
    with db.session() as session:
        diff = repository.diff_versions(session, version, against)
    if as_json:
        print_json(diff.to_dict())
        return
    typer.echo(
        f"version {diff.old} → {diff.new}: {len(diff.added)} added, "
        f"{len(diff.changed)} changed, {len(diff.removed)} removed"
    )
    for mark, rows in (("+", diff.added), ("~", diff.changed), ("-", diff.removed)):
        for source, entry_id, name in rows:
            typer.echo(f"{mark} {source}:{entry_id} {name}")


@lists_app.command("formats")
def lists_formats() -> None:
    """The list file formats chipwatch reads."""
    for name, description in FORMATS.items():
        extra = f" (extra files: {', '.join(EXTRA_FILES[name])})" if name in EXTRA_FILES else ""
        typer.echo(f"{name:14} {description}{extra}")


# cases ------------------------------------------------------------------------------------


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
        data = case_store.dispose(session, case_id, status, reason, _actor(actor)).to_dict()
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
