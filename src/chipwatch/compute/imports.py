"""CSV imports: site profiles and declared inventories. A file is checked whole first; one
problem anywhere rejects it (``InvalidInput`` naming line and field), nothing is half-loaded.

* profiles: ``site,operator_sector[,hub,cluster,province,operator,power_mw,pue,
  tariff_usd_per_kwh,subsidy_rate]`` (create or replace by site)
* inventory: ``site,model,count[,as_of]`` (``as_of`` defaults to today; a row for the same
  site, model and date replaces the earlier one)
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chipwatch import service
from chipwatch.compute.hubs import default_hubs
from chipwatch.compute.model import SECTORS, DeclaredInventory, SiteProfile
from chipwatch.custody.model import Site
from chipwatch.errors import InvalidInput
from chipwatch.store import Database, audit

PROFILE_COLUMNS: Final = (
    "site",
    "operator_sector",
    "hub",
    "cluster",
    "province",
    "operator",
    "power_mw",
    "pue",
    "tariff_usd_per_kwh",
    "subsidy_rate",
)
INVENTORY_COLUMNS: Final = ("site", "model", "count", "as_of")
MAX_ERRORS: Final = 20
Row = dict[str, str | None]


class _Errors:
    def __init__(self, source: str):
        self.source = source
        self.items: list[dict[str, str]] = []

    def add(self, line: int, field: str, problem: str) -> None:
        self.items.append({"field": f"line {line}: {field}", "problem": problem})
        if len(self.items) >= MAX_ERRORS:
            self.raise_if_any()

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput.from_errors(self.items, source=self.source)


def import_profiles(db: Database, path: Path, actor: str) -> int:
    """Create or replace the profile of every site in the file; returns the count."""
    text, digest = _read(path)
    with db.transaction() as session:
        errors = _Errors(str(path))
        sites = set(session.scalars(select(Site.id)))
        profiles = [
            p
            for line, row in _rows(text, PROFILE_COLUMNS, ("site", "operator_sector"), errors)
            if (p := _profile(line, row, sites, errors)) is not None
        ]
        _duplicates([(line, p.site_id) for line, p in profiles], "site", errors)
        _nonempty(profiles, errors)
        errors.raise_if_any()
        for _, profile in profiles:
            session.merge(profile)
        _audit(session, actor, "compute.sites.import", path, digest, len(profiles))
    return len(profiles)


def import_inventory(db: Database, path: Path, actor: str) -> int:
    """Record every declared inventory row of the file; returns the count."""
    text, digest = _read(path)
    today = dt.datetime.now(dt.UTC).date()
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as session:
        errors = _Errors(str(path))
        sites = set(session.scalars(select(Site.id)))
        rows = [
            r
            for line, row in _rows(text, INVENTORY_COLUMNS, ("site", "model", "count"), errors)
            if (r := _inventory(line, row, sites, today, errors)) is not None
        ]
        _duplicates([(line, (r[0], r[1], r[3])) for line, r in rows], "site", errors)
        _nonempty(rows, errors)
        errors.raise_if_any()
        for _, (site, model, count, as_of) in rows:
            session.execute(
                delete(DeclaredInventory).where(
                    DeclaredInventory.site_id == site,
                    DeclaredInventory.model == model,
                    DeclaredInventory.as_of == as_of,
                )
            )
            session.add(
                DeclaredInventory(
                    site_id=site,
                    model=model,
                    count=count,
                    as_of=as_of,
                    source=path.name,
                    imported_at=now,
                )
            )
        _audit(session, actor, "compute.inventory.import", path, digest, len(rows))
    return len(rows)


def _read(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", source=str(path)) from None
    try:
        return data.decode("utf-8-sig"), hashlib.sha256(data).hexdigest()
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", source=str(path)) from None


def _rows(
    text: str, columns: tuple[str, ...], required: tuple[str, ...], errors: _Errors
) -> Iterator[tuple[int, Row]]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    unknown = [h for h in header if h not in columns]
    missing = [c for c in required if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        problem = f"columns are {', '.join(columns)} ({', '.join(required)} required)"
        if missing:
            problem += f"; missing {', '.join(missing)}"
        if unknown:
            problem += f"; unknown {', '.join(unknown)}"
        errors.add(1, "header", problem)
        errors.raise_if_any()
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            errors.add(
                reader.line_num, "row", f"has {len(fields)} columns, the header {len(header)}"
            )
            continue
        yield reader.line_num, {h: (f.strip() or None) for h, f in zip(header, fields, strict=True)}


def _profile(
    line: int, row: Row, sites: set[str], errors: _Errors
) -> tuple[int, SiteProfile] | None:
    ok = True
    site = row.get("site") or ""
    if site not in sites:
        ok = _bad(errors, line, "site", f"no site '{site}' is recorded (custody sites import)")
    sector = row.get("operator_sector") or ""
    if sector not in SECTORS:
        ok = _bad(errors, line, "operator_sector", f"'{sector}' is not one of {', '.join(SECTORS)}")
    hub, cluster, province = row.get("hub"), row.get("cluster"), row.get("province")
    registry = default_hubs()
    if hub is not None and registry.hub(hub) is None:
        ok = _bad(errors, line, "hub", f"unknown hub '{hub}' (see data/compute/hubs.yaml)")
    if cluster is not None:
        found = registry.cluster(cluster)
        if found is None:
            ok = _bad(errors, line, "cluster", f"unknown cluster '{cluster}'")
        elif hub is not None and found[0].id != hub:
            ok = _bad(errors, line, "cluster", f"'{cluster}' is in hub '{found[0].id}'")
        else:
            hub = hub or found[0].id
            province = province or found[1].province
    numbers: dict[str, float | None] = {}
    for name, low, high in (
        ("power_mw", 0.0, None),
        ("pue", 1.0, None),
        ("tariff_usd_per_kwh", 0.0, None),
        ("subsidy_rate", 0.0, 1.0),
    ):
        value = _number(line, row.get(name), name, low, high, errors)
        ok = ok and value is not False
        numbers[name] = None if value is False else value
    if not ok:
        return None
    return line, SiteProfile(
        site_id=site,
        hub=hub,
        cluster=cluster,
        province=province,
        operator=row.get("operator"),
        operator_sector=sector,
        updated_at=dt.datetime.now(dt.UTC),
        **numbers,
    )


def _inventory(
    line: int, row: Row, sites: set[str], today: dt.date, errors: _Errors
) -> tuple[int, tuple[str, str, int, dt.date]] | None:
    ok = True
    site = row.get("site") or ""
    if site not in sites:
        ok = _bad(errors, line, "site", f"no site '{site}' is recorded (custody sites import)")
    found = service.default().catalog.find(row.get("model") or "")
    if found is None:
        ok = _bad(errors, line, "model", f"unknown accelerator model {row.get('model')!r}")
    count = _integer(row.get("count"))
    if count is None:
        ok = _bad(errors, line, "count", f"a whole number >= 0, got {row.get('count')!r}")
    as_of = today
    if row.get("as_of") is not None:
        try:
            as_of = dt.date.fromisoformat(row["as_of"] or "")
        except ValueError:
            ok = _bad(errors, line, "as_of", f"a date YYYY-MM-DD, got {row.get('as_of')!r}")
    if not ok or found is None or count is None:
        return None
    return line, (site, found.id, count, as_of)


def _integer(text: str | None) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if value >= 0 else None


def _number(
    line: int, text: str | None, name: str, low: float, high: float | None, errors: _Errors
) -> float | bool | None:
    """The number, ``None`` if empty, ``False`` if bad (the error is recorded)."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= low and (high is None or value <= high)) or (
        name == "power_mw" and value == 0
    ):
        bound = f"between {low:g} and {high:g}" if high is not None else f"a number >= {low:g}"
        if name == "power_mw":
            bound = "a number > 0"
        return _bad(errors, line, name, f"{bound}, got {text!r}")
    return value


def _duplicates(keys: list[tuple[int, Any]], field: str, errors: _Errors) -> None:
    seen: dict[Any, int] = {}
    for line, key in keys:
        if key in seen:
            errors.add(line, field, f"repeats line {seen[key]}")
        seen.setdefault(key, line)


def _nonempty(rows: list[Any], errors: _Errors) -> None:
    if not rows and not errors.items:
        errors.add(2, "row", "the file has no rows")


def _bad(errors: _Errors, line: int, field: str, problem: str) -> bool:
    errors.add(line, field, problem)
    return False


def _audit(session: Session, actor: str, action: str, path: Path, digest: str, count: int) -> None:
    if not actor.strip():
        raise InvalidInput("an actor is required", field="actor")
    audit.append(
        session,
        actor=actor,
        action=action,
        subject=path.name,
        payload={"file": path.name, "sha256": digest, "count": count},
    )
