"""``chipwatch lists``: import, update, versions and diffs of restricted-party lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.screening import repository
from chipwatch.screening.cli import Actor, actor_or_os_user
from chipwatch.screening.lists import EXTRA_FILES, FORMATS, ParsedList, parse_list, sniff_format
from chipwatch.screening.lists.download import OFFICIAL_SOURCES, fetch
from chipwatch.screening.rescreen import rescreen
from chipwatch.store.cli import open_configured

lists_app = typer.Typer(
    help="Restricted-party lists: import, update, versions, diffs.", no_args_is_help=True
)
DEFAULT_UPDATE = ("csl", "ofac-sdn", "ofac-cons")  # csl-json is the same list as csl


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
        parsed,
        origin=str(file.resolve()),
        actor=actor_or_os_user(actor),
        retrieved_at=when,
        as_json=as_json,
    )


def _store(
    parsed: ParsedList, *, origin: str, actor: str, retrieved_at: dt.datetime | None, as_json: bool
) -> None:
    db = open_configured()
    result = repository.import_list(
        db, parsed, origin=origin, actor=actor, retrieved_at=retrieved_at
    )
    opened = rescreen(db, result.version.id, actor=actor)  # idempotent: also on a retry
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
            parsed,
            origin=spec.url,
            actor=actor_or_os_user(actor),
            retrieved_at=retrieved_at,
            as_json=as_json,
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
