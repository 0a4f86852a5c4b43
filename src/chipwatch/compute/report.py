"""The compute report: installed capacity grouped by hub, province, operator, vendor, origin,
sector or site, aggregated IN THE DATABASE.

Units counted at a site: chips whose custody state is installed or attested there (grouped
by site and model), plus the latest declared inventory on or before the report date. Each
(site, model) pair is joined with a constants table of per-model capacity (a ``UNION ALL``
of literal rows built from the catalog), then summed by the chosen key. Python only turns
the few grouped rows into dicts and adds shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)

from chipwatch.compute.capacity import ModelCapacity, default_capacities
from chipwatch.compute.model import DeclaredInventory, SiteProfile
from chipwatch.custody.model import Chip, Site
from chipwatch.errors import InvalidInput
from chipwatch.store import Database

By = Literal["hub", "province", "operator", "vendor", "origin", "sector", "site"]
BY: Final[tuple[str, ...]] = get_args(By)
COUNTED_STATES: Final = ("installed", "attested")
HOURS_PER_YEAR: Final = 8760
NONE: Final = "(none)"


@dataclass(frozen=True, slots=True)
class Report:
    by: str
    on: dt.date
    rows: list[dict[str, Any]]
    total: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "on": self.on.isoformat(), "rows": self.rows, "total": self.total}


def report(db: Database, by: str = "hub", on: dt.date | None = None) -> Report:
    """Capacity by ``by`` on ``on`` (default: today, UTC)."""
    if by not in BY:
        raise InvalidInput(f"'{by}' is not one of {', '.join(BY)}", field="by")
    day = on or dt.datetime.now(dt.UTC).date()
    query = _query(by, day, default_capacities())
    with db.session() as session:
        raw = [dict(r._mapping) for r in session.execute(query)]
    rows = [_row(r, by) for r in raw]
    rows.sort(key=lambda r: (-r["h100_eq"], str(r["key"])))
    total = _total(rows)
    for row in rows:
        row["share"] = _ratio(row["h100_eq"], total["h100_eq"])
    return Report(by, day, rows, total)


def capacity_table(caps: dict[str, ModelCapacity]) -> CTE:
    """Per-model constants as a CTE of literal rows (the same SQL on SQLite and PostgreSQL)."""
    selects = [
        select(
            cast(literal(c.model), String(100)).label("model"),
            cast(literal(c.vendor), String(100)).label("vendor"),
            cast(literal(c.origin), String(40)).label("origin"),
            cast(literal(c.chips), Integer).label("chips"),
            cast(literal(c.fp16_flops), Float).label("fp16"),
            cast(literal(c.fp8_flops), Float).label("fp8"),
            cast(literal(c.tpp), Float).label("tpp"),
            cast(literal(c.h100_eq), Float).label("h100"),
            cast(literal(c.tdp_w), Float).label("tdp_w"),
        )
        for c in sorted(caps.values(), key=lambda c: c.model)
    ]
    return union_all(*selects).cte("model_capacity")


def units_table(on: dt.date) -> CTE:
    """(site, model, units): tracked chips at sites plus the latest declaration by ``on``."""
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    tracked = (
        select(Chip.site_id.label("site_id"), Chip.model.label("model"), func.count().label("n"))
        .where(Chip.state.in_(COUNTED_STATES), Chip.site_id.is_not(None), Chip.created_at < end)
        .group_by(Chip.site_id, Chip.model)
    )
    later = DeclaredInventory.__table__.alias("later")
    latest = ~(
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
        DeclaredInventory.site_id, DeclaredInventory.model, DeclaredInventory.count.label("n")
    ).where(DeclaredInventory.as_of <= on, latest)
    return union_all(tracked, declared).cte("units")


def _query(by: str, on: dt.date, caps: dict[str, ModelCapacity]) -> Any:
    cap = capacity_table(caps)
    units = units_table(on)
    n = units.c.n
    chips = n * func.coalesce(cap.c.chips, 1)
    domestic = cap.c.origin.in_(
        (
            "domestic_design_domestic_fab",
            "domestic_design_foreign_fab",
            "domestic_design_unknown_fab",
        )
    )
    pue = func.coalesce(SiteProfile.pue, 1.0)
    it_w = n * cap.c.tdp_w
    energy = it_w * pue * (HOURS_PER_YEAR / 1000.0) * SiteProfile.tariff_usd_per_kwh
    stats = _site_stats(units, cap, pue)
    eligible = and_(stats.c.imported_chips == 0, SiteProfile.subsidy_rate.is_not(None))
    key = _key(by, cap)
    columns: list[ColumnElement[Any]] = [
        key.label("key"),
        func.sum(chips).label("chips"),
        func.sum(n * cap.c.fp16).label("fp16_flops"),
        func.sum(n * cap.c.fp8).label("fp8_flops"),
        func.sum(n * cap.c.tpp).label("tpp"),
        func.sum(n * cap.c.h100).label("h100_eq"),
        func.sum(case((domestic, n * cap.c.h100), else_=0.0)).label("domestic_h100_eq"),
        func.sum(
            case((cap.c.origin == "domestic_design_domestic_fab", n * cap.c.h100), else_=0.0)
        ).label("domestic_fab_h100_eq"),
        func.sum(case((cap.c.fp16.is_(None), chips), else_=0)).label("chips_unknown_fp16"),
        func.sum(case((cap.c.tdp_w.is_(None), chips), else_=0)).label("chips_unknown_tdp"),
        func.sum(it_w).label("it_w"),
        func.sum(it_w * pue).label("facility_w"),
        func.sum(energy).label("energy_usd"),
        func.sum(case((eligible, energy * SiteProfile.subsidy_rate), else_=0.0)).label(
            "subsidy_usd"
        ),
        func.count(func.distinct(units.c.site_id)).label("sites"),
        func.count(func.distinct(case((stats.c.over_power, units.c.site_id)))).label(
            "sites_over_power"
        ),
    ]
    if by == "site":
        columns += [
            func.max(stats.c.declared_mw).label("declared_mw"),
            func.max(SiteProfile.pue).label("pue"),
        ]
    return (
        select(*columns)
        .select_from(units)
        .outerjoin(cap, cap.c.model == units.c.model)
        .join(Site, Site.id == units.c.site_id)
        .outerjoin(SiteProfile, SiteProfile.site_id == units.c.site_id)
        .join(stats, stats.c.site_id == units.c.site_id)
        .group_by(key)
    )


def _site_stats(units: CTE, cap: CTE, pue: ColumnElement[Any]) -> Any:
    """Per site: imported chips (subsidy eligibility) and whether chips x TDP x PUE exceed
    the declared power (profile ``power_mw``, else custody's ``sites.declared_mw``)."""
    declared = func.max(func.coalesce(SiteProfile.power_mw, Site.declared_mw))
    it_w = func.sum(units.c.n * cap.c.tdp_w)
    imported = case((cap.c.origin == "imported", units.c.n * cap.c.chips), else_=0)
    return (
        select(
            units.c.site_id,
            func.sum(imported).label("imported_chips"),
            declared.label("declared_mw"),
            case(
                (or_(declared.is_(None), it_w.is_(None)), False),
                else_=it_w * func.max(pue) / 1e6 > declared,
            ).label("over_power"),
        )
        .select_from(units)
        .outerjoin(cap, cap.c.model == units.c.model)
        .join(Site, Site.id == units.c.site_id)
        .outerjoin(SiteProfile, SiteProfile.site_id == units.c.site_id)
        .group_by(units.c.site_id)
        .subquery("site_stats")
    )


def _key(by: str, cap: CTE) -> ColumnElement[Any]:
    columns: dict[str, Any] = {
        "hub": SiteProfile.hub,
        "province": SiteProfile.province,
        "operator": func.coalesce(SiteProfile.operator, Site.operator),
        "sector": SiteProfile.operator_sector,
        "site": Site.id,
        "vendor": cap.c.vendor,
        "origin": cap.c.origin,
    }
    return func.coalesce(columns[by], NONE)


def _num(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _ratio(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def _row(raw: dict[str, Any], by: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": raw["key"],
        "chips": int(raw["chips"] or 0),
        "fp16_flops": _num(raw["fp16_flops"]),
        "fp8_flops": _num(raw["fp8_flops"]),
        "tpp": _num(raw["tpp"]),
        "h100_eq": _num(raw["h100_eq"]),
        "domestic_h100_eq": _num(raw["domestic_h100_eq"]),
        "domestic_fab_h100_eq": _num(raw["domestic_fab_h100_eq"]),
        "chips_unknown_fp16": int(raw["chips_unknown_fp16"] or 0),
        "chips_unknown_tdp": int(raw["chips_unknown_tdp"] or 0),
        "it_power_mw": _num(raw["it_w"]) / 1e6,
        "facility_power_mw": _num(raw["facility_w"]) / 1e6,
        "energy_cost_usd_per_year": _num(raw["energy_usd"]),
        "subsidy_usd_per_year": _num(raw["subsidy_usd"]),
        "sites": int(raw["sites"]),
        "sites_over_declared_power": int(raw["sites_over_power"]),
    }
    _ratios(row)
    if by == "site":
        declared = raw["declared_mw"]
        row["declared_mw"] = None if declared is None else float(declared)
        row["chips_per_mw"] = None if not declared else row["chips"] / float(declared)
        row["over_declared_power"] = bool(row["sites_over_declared_power"])
    return row


def _ratios(row: dict[str, Any]) -> None:
    row["autonomy_ratio"] = _ratio(row["domestic_h100_eq"], row["h100_eq"])
    row["domestic_fab_ratio"] = _ratio(row["domestic_fab_h100_eq"], row["h100_eq"])


SUMMED: Final = (
    "chips",
    "fp16_flops",
    "fp8_flops",
    "tpp",
    "h100_eq",
    "domestic_h100_eq",
    "domestic_fab_h100_eq",
    "chips_unknown_fp16",
    "chips_unknown_tdp",
    "it_power_mw",
    "facility_power_mw",
    "energy_cost_usd_per_year",
    "subsidy_usd_per_year",
)


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"key": "total"}
    for name in SUMMED:
        total[name] = sum(r[name] for r in rows)
    total["share"] = 1.0 if total["h100_eq"] else None
    _ratios(total)
    return total
