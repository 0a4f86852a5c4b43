"""Policy scenarios as data (``data/compute/scenarios/*.yaml``): which installed compute a
policy change would remove (or, under a cap, could add), by hub and sector, with the chips
and licences behind each number.

``remove``: every unit matching ``match`` is removed. ``cap``: matching chips above
``share x of_chips`` are removed pro rata across hubs and sectors; headroom below the cap is
reported as units of the first listed model that could be added (not attributable to a
hub: ``(unallocated)``).
Selection and sums run in the database, grouped by hub, sector and licence.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import func, literal, null, select, union_all

from chipwatch.compute.capacity import ORIGINS, ModelCapacity, default_capacities
from chipwatch.compute.model import SECTORS, DeclaredInventory, SiteProfile
from chipwatch.compute.report import COUNTED_STATES, NONE, capacity_table
from chipwatch.custody.model import Chip, Site
from chipwatch.errors import InvalidData, NotFound
from chipwatch.settings import get_settings
from chipwatch.store import Database
from chipwatch.yamlio import YAMLError, load_yaml

UNALLOCATED = "(unallocated)"
NO_LICENCE = "(no licence recorded)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Strict):
    title: str
    url: str | None


class Match(_Strict):
    sectors: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    registered_after: dt.date | None = None

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _among(value, SECTORS, "sector")

    @field_validator("origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _among(value, ORIGINS, "origin")

    @field_validator("models")
    @classmethod
    def _models(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _among(value, tuple(default_capacities()), "catalog model id")


class Cap(_Strict):
    share: float = Field(gt=0, le=1)
    of_chips: int = Field(ge=0)
    of_chips_source: str


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    description: str
    evidence: Literal["primary_text", "secondary_source", "reported", "derived", "guess"]
    sources: tuple[SourceRef, ...] = Field(min_length=1)
    kind: Literal["remove", "cap"]
    match: Match
    cap: Cap | None = None

    @model_validator(mode="after")
    def _cap_fits_kind(self) -> Scenario:
        if (self.kind == "cap") != (self.cap is not None):
            raise ValueError("a cap scenario needs cap, a remove scenario none")
        if self.kind == "cap" and len(self.match.models) == 0:
            raise ValueError("a cap scenario names the models it caps")
        return self


def _among(value: tuple[str, ...], known: tuple[str, ...], what: str) -> tuple[str, ...]:
    for item in value:
        if item not in known:
            raise ValueError(f"'{item}' is not a known {what}")
    return value


def scenarios_dir() -> Path:
    return get_settings().data_dir / "compute" / "scenarios"


def load_scenario(path: Path) -> Scenario:
    where = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read the scenario: {exc}", source=where) from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(part) for part in first["loc"]) or "scenario"
        raise InvalidData(first["msg"], field=at, source=where) from None
    if scenario.id != path.stem:
        raise InvalidData(f"id '{scenario.id}' differs from the file name", field="id")
    return scenario


def list_scenarios() -> list[Scenario]:
    return [load_scenario(p) for p in sorted(scenarios_dir().glob("*.yaml"))]


def find_scenario(name: str) -> Scenario:
    path = scenarios_dir() / f"{name}.yaml"
    if "/" in name or not path.is_file():
        known = ", ".join(s.id for s in list_scenarios())
        raise NotFound(f"no scenario '{name}' (known: {known})", field="scenario")
    return load_scenario(path)


def evaluate(db: Database, scenario: Scenario, on: dt.date | None = None) -> dict[str, Any]:
    """What the scenario removes (or could add) on ``on``, by hub and sector."""
    day = on or dt.datetime.now(dt.UTC).date()
    caps = default_capacities()
    with db.session() as session:
        grouped = [dict(r._mapping) for r in session.execute(_query(scenario.match, day, caps))]
    groups = _by_hub_sector(grouped)
    matched = sum(g["chips"] for g in groups.values())
    factor, added = 1.0, 0
    if scenario.cap is not None:
        allowed = int(scenario.cap.share * scenario.cap.of_chips)
        factor = max(0, matched - allowed) / matched if matched else 0.0
        added = max(0, allowed - matched)
    rows = [_scaled(g, factor, "removed") for g in groups.values()]
    rows = [r for r in rows if r["units"]]
    if added:
        model = caps[scenario.match.models[0]]
        rows.append(_headroom(added // model.chips, model))
    rows.sort(key=lambda r: (r["change"], -r["h100_eq"], r["hub"], r["sector"]))
    return {
        "scenario": scenario.model_dump(mode="json"),
        "on": day.isoformat(),
        "matched_chips": matched,
        "rows": rows,
        "total": _totals(rows),
    }


def _query(match: Match, on: dt.date, caps: dict[str, ModelCapacity]) -> Any:
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    tracked = select(
        Chip.site_id.label("site_id"),
        Chip.model.label("model"),
        Chip.licence_number.label("licence"),
        func.count().label("n"),
    ).where(Chip.state.in_(COUNTED_STATES), Chip.site_id.is_not(None), Chip.created_at < end)
    later = DeclaredInventory.__table__.alias("later")
    newest = ~(
        select(later.c.id)
        .where(
            later.c.site_id == DeclaredInventory.site_id,
            later.c.model == DeclaredInventory.model,
            later.c.as_of > DeclaredInventory.as_of,
            later.c.as_of <= on,
        )
        .exists()
    )
    declared = select(
        DeclaredInventory.site_id,
        DeclaredInventory.model,
        null().label("licence"),
        DeclaredInventory.count.label("n"),
    ).where(DeclaredInventory.as_of <= on, newest)
    if match.registered_after is not None:
        after = dt.datetime.combine(
            match.registered_after + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC
        )
        tracked = tracked.where(Chip.created_at >= after)
        declared = declared.where(DeclaredInventory.as_of > match.registered_after)
    if match.models:
        tracked = tracked.where(Chip.model.in_(match.models))
        declared = declared.where(DeclaredInventory.model.in_(match.models))
    tracked = tracked.group_by(Chip.site_id, Chip.model, Chip.licence_number)
    units = union_all(tracked, declared).cte("scenario_units")
    cap = capacity_table(caps)
    hub = func.coalesce(SiteProfile.hub, NONE)
    sector = func.coalesce(SiteProfile.operator_sector, NONE)
    licence = func.coalesce(units.c.licence, literal(NO_LICENCE))
    query = (
        select(
            hub.label("hub"),
            sector.label("sector"),
            licence.label("licence"),
            func.sum(units.c.n * cap.c.chips).label("chips"),
            func.sum(units.c.n).label("units"),
            func.sum(units.c.n * cap.c.fp16).label("fp16"),
            func.sum(units.c.n * cap.c.tpp).label("tpp"),
            func.sum(units.c.n * cap.c.h100).label("h100"),
        )
        .select_from(units)
        .join(cap, cap.c.model == units.c.model)
        .join(Site, Site.id == units.c.site_id)
        .outerjoin(SiteProfile, SiteProfile.site_id == units.c.site_id)
        .group_by(hub, sector, licence)
    )
    if match.sectors:
        query = query.where(SiteProfile.operator_sector.in_(match.sectors))
    if match.origins:
        query = query.where(cap.c.origin.in_(match.origins))
    return query


def _num(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _by_hub_sector(grouped: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Fold the (hub, sector, licence) rows into one entry per (hub, sector)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in grouped:
        key = (r["hub"], r["sector"])
        entry = out.setdefault(
            key,
            {
                "hub": key[0],
                "sector": key[1],
                "chips": 0,
                "units": 0,
                "fp16_flops": 0.0,
                "tpp": 0.0,
                "h100_eq": 0.0,
                "licences": [],
            },
        )
        entry["chips"] += int(r["chips"] or 0)
        entry["units"] += int(r["units"] or 0)
        entry["fp16_flops"] += _num(r["fp16"])
        entry["tpp"] += _num(r["tpp"])
        entry["h100_eq"] += _num(r["h100"])
        entry["licences"].append({"licence": r["licence"], "chips": int(r["chips"] or 0)})
    for entry in out.values():
        entry["licences"].sort(key=lambda x: (-x["chips"], x["licence"]))
    return out


def _scaled(entry: dict[str, Any], factor: float, change: str) -> dict[str, Any]:
    row = dict(entry, change=change)
    if factor != 1.0:
        for name in ("chips", "units"):
            row[name] = round(entry[name] * factor)
        for name in ("fp16_flops", "tpp", "h100_eq"):
            row[name] = entry[name] * factor
        row["licences"] = [
            {"licence": x["licence"], "chips": round(x["chips"] * factor)}
            for x in entry["licences"]
        ]
    return row


def _headroom(units: int, cap: ModelCapacity) -> dict[str, Any]:
    return {
        "hub": UNALLOCATED,
        "sector": UNALLOCATED,
        "change": "added",
        "chips": units * cap.chips,
        "units": units,
        "fp16_flops": units * (cap.fp16_flops or 0.0),
        "tpp": units * (cap.tpp or 0.0),
        "h100_eq": units * (cap.h100_eq or 0.0),
        "licences": [],
        "model": cap.model,
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for change in ("removed", "added"):
        chosen = [r for r in rows if r["change"] == change]
        total[change] = {
            name: sum(r[name] for r in chosen)
            for name in ("chips", "units", "fp16_flops", "tpp", "h100_eq")
        }
    return total
