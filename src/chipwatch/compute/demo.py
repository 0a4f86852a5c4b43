"""A seeded demo fleet at the article's scale: sites across the East-Data-West-Computing
clusters, each with a profile, and N tracked chips (state installed/attested, one
``imported`` custody event each) written by bulk insert (COPY on PostgreSQL).

The model mix and site mix are data (``data/compute/demo_fleet.yaml``, with sources):
the vendor shares of cards are IDC's 2025 China shipments, NVIDIA's split by chip is Epoch's
China stock. Imported chips go only to sites that are not domestic-only (drawn per site
with its sector's probability: the reported rule for state-funded centres); domestic chips
go anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from chipwatch.compute.capacity import default_capacities
from chipwatch.compute.hubs import default_hubs
from chipwatch.compute.model import SiteProfile
from chipwatch.custody.model import Chip, ChipEvent, Site
from chipwatch.errors import Conflict, InvalidData, InvalidInput
from chipwatch.settings import get_settings
from chipwatch.store import Database, audit
from chipwatch.yamlio import YAMLError, load_yaml

CREATED = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
BATCH = 50_000
CHIPS = cast(Table, Chip.__table__)
EVENTS = cast(Table, ChipEvent.__table__)


@dataclass(slots=True)
class DemoSite:
    id: str
    cluster: str
    hub: str
    province: str
    region: str
    lat: float
    lon: float
    sector: str
    size: float
    pue: float
    tariff: float
    subsidy_rate: float | None
    power_factor: float
    domestic_only: bool
    chips: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class DemoResult:
    sites: int
    chips: int
    by_model: dict[str, int]
    audit_seq: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "sites": self.sites,
            "chips": self.chips,
            "by_model": self.by_model,
            "audit_seq": self.audit_seq,
        }


def demo_path() -> Path:
    return get_settings().data_dir / "compute" / "demo_fleet.yaml"


@cache
def demo_spec() -> dict[str, Any]:
    path = demo_path()
    try:
        spec = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read the demo fleet spec: {exc}", source=str(path)) from None
    caps = default_capacities()
    for vendor, entry in spec["vendors"].items():
        for model in entry["models"]:
            if model not in caps or caps[model].vendor != vendor:
                raise InvalidData(f"no {vendor} model '{model}'", field=f"vendors.{vendor}")
    if abs(sum(v["share"] for v in spec["vendors"].values()) - 1) > 1e-9:
        raise InvalidData("vendor shares must add up to 1", field="vendors", source=str(path))
    return cast(dict[str, Any], spec)


def model_counts(chips: int) -> dict[str, int]:
    """Cards per model: vendor share x model weight, rounded by largest remainder."""
    exact: dict[str, float] = {}
    for entry in demo_spec()["vendors"].values():
        weights = entry["models"]
        total = sum(weights.values())
        for model, weight in weights.items():
            exact[model] = chips * entry["share"] * weight / total
    counts = {m: int(v) for m, v in exact.items()}
    short = chips - sum(counts.values())
    for model in sorted(exact, key=lambda m: exact[m] - counts[m], reverse=True)[:short]:
        counts[model] += 1
    return counts


def plan_fleet(chips: int, sites: int, seed: int) -> list[DemoSite]:
    """The sites and how many chips of each model each holds (pure, seeded)."""
    if chips < 1 or sites < 1:
        raise InvalidInput("needs at least one chip and one site", field="chips")
    rng = random.Random(seed)
    spec = demo_spec()["sites"]
    plan = [_site(rng, spec, seed, i) for i in range(sites)]
    caps = default_capacities()
    open_sites = [s for s in plan if not s.domestic_only] or plan
    for model, count in sorted(model_counts(chips).items()):
        pool = plan if caps[model].domestic else open_sites
        weights = [s.size for s in pool]
        for index, n in Counter(rng.choices(range(len(pool)), weights, k=count)).items():
            pool[index].chips[model] += n
    return plan


def _site(rng: random.Random, spec: dict[str, Any], seed: int, i: int) -> DemoSite:
    clusters = [(h, c) for h in default_hubs().hubs for c in h.clusters]
    hub, cluster = rng.choice(clusters)
    sectors = spec["sectors"]
    sector = rng.choices(list(sectors), list(sectors.values()))[0]
    low, high = spec["pue"][hub.region]
    subsidised = cluster.province in spec["subsidy_provinces"]
    return DemoSite(
        id=f"demo{seed}-{i + 1:04d}",
        cluster=cluster.id,
        hub=hub.id,
        province=cluster.province,
        region=hub.region,
        lat=round(cluster.lat + rng.uniform(-0.3, 0.3), 4),
        lon=round(cluster.lon + rng.uniform(-0.3, 0.3), 4),
        sector=sector,
        size=rng.lognormvariate(0, 0.8),
        pue=round(rng.uniform(low, high), 2),
        tariff=spec["tariff_usd_per_kwh"][hub.region],
        subsidy_rate=spec["subsidy_rate"] if subsidised else None,
        power_factor=rng.uniform(*spec["declared_power_factor"]),
        domestic_only=rng.random() < spec["domestic_only_probability"][sector],
    )


def write_fleet(db: Database, plan: list[DemoSite], seed: int, actor: str) -> DemoResult:
    """Sites, profiles and chips of the plan in one transaction (refused if already there)."""
    caps = default_capacities()
    now = dt.datetime.now(dt.UTC)
    by_model: Counter[str] = Counter()
    for site in plan:
        by_model.update(site.chips)
    with db.transaction() as session:
        if session.scalar(select(Site.id).where(Site.id == plan[0].id)) is not None:
            raise Conflict(f"the demo fleet with seed {seed} is already in the database")
        record = audit.append(
            session,
            actor=actor,
            action="compute.demo_fleet",
            subject=f"seed {seed}",
            payload={"seed": seed, "sites": len(plan), "chips": sum(by_model.values())},
        )
        for site in plan:
            session.add(_site_row(site, now))
        session.flush()
        for site in plan:
            it_w = sum(n * (caps[m].tdp_w or 0) for m, n in site.chips.items())
            power = max(0.1, it_w * site.pue * site.power_factor / 1e6)
            session.add(_profile_row(site, round(power, 3), now))
        session.flush()
        _bulk_chips(session.connection(), plan, seed, actor, record.seq)
    return DemoResult(len(plan), sum(by_model.values()), dict(sorted(by_model.items())), record.seq)


def _site_row(site: DemoSite, now: dt.datetime) -> Site:
    return Site(
        id=site.id,
        name=f"Demo data centre {site.id} ({site.cluster})",
        lat=site.lat,
        lon=site.lon,
        country="CN",
        operator=f"Demo {site.sector.replace('_', ' ')} operator {site.id[-4:]}",
        licence_number=None,
        end_user=None,
        radius_km=50.0,
        check_in_hours=24.0,
        declared_mw=None,
        updated_at=now,
    )


def _profile_row(site: DemoSite, power_mw: float, now: dt.datetime) -> SiteProfile:
    return SiteProfile(
        site_id=site.id,
        hub=site.hub,
        cluster=site.cluster,
        province=site.province,
        operator=None,
        operator_sector=site.sector,
        power_mw=power_mw,
        pue=site.pue,
        tariff_usd_per_kwh=site.tariff,
        subsidy_rate=site.subsidy_rate,
        updated_at=now,
    )


ChipRow = tuple[str, str, str, str, str | None, dt.datetime]  # serial, model, site, state, …


def _chip_rows(plan: list[DemoSite], seed: int) -> list[ChipRow]:
    arrivals = demo_spec().get("arrivals") or {}
    rows: list[ChipRow] = []
    i = 0
    for number, site in enumerate(plan):
        for model, n in sorted(site.chips.items()):
            arrival = arrivals.get(model)
            created = CREATED
            licence = None
            if arrival is not None:
                day = arrival["registered"]
                created = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
                licence = f"DEMO{seed}-{model}-{number % arrival['licences'] + 1}"
            for _ in range(n):
                i += 1
                state = "attested" if i % 4 == 0 else "installed"
                rows.append((f"DEMO{seed}-{i:07d}", model, site.id, state, licence, created))
    return rows


def _bulk_chips(
    connection: Connection, plan: list[DemoSite], seed: int, actor: str, audit_seq: int
) -> None:
    rows = _chip_rows(plan, seed)
    evidence = {"demo_fleet": seed}
    if connection.dialect.name == "postgresql":
        _copy(connection, rows, actor, audit_seq, json.dumps(evidence))
        return
    dialect = connection.dialect
    proof = _processed(EVENTS, "evidence", evidence, connection)
    when = {c: _processed(CHIPS, "created_at", c, connection) for c in {r[5] for r in rows}}
    chip_sql = _insert_sql(CHIPS, dialect.paramstyle)
    event_sql = _insert_sql(EVENTS, dialect.paramstyle)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        connection.exec_driver_sql(
            chip_sql,
            [
                (s, m, lic, None, None, site, st, None, None, None, 1, when[at])
                for s, m, site, st, lic, at in batch
            ],
        )
        connection.exec_driver_sql(
            event_sql,
            [
                (s, 1, "imported", None, st, actor, when[at], None, proof, None, audit_seq)
                for s, _, _, st, _, at in batch
            ],
        )


def _copy(connection: Connection, rows: list[ChipRow], actor: str, seq: int, proof: str) -> None:
    raw = connection.connection.driver_connection
    assert raw is not None
    chip_columns = "serial, model, site_id, state, licence_number, events, created_at"
    event_columns = "serial, seq, event, to_state, actor, at, evidence, audit_seq"
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY chips ({chip_columns}) FROM STDIN") as copy:
            for serial, model, site, state, licence, at in rows:
                copy.write_row((serial, model, site, state, licence, 1, at))
        with cursor.copy(f"COPY chip_events ({event_columns}) FROM STDIN") as copy:
            for serial, _, _, state, _, at in rows:
                copy.write_row((serial, 1, "imported", state, actor, at, proof, seq))


def _processed(table: Table, column: str, value: Any, connection: Connection) -> Any:
    dialect = connection.dialect
    process = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return value if process is None else process(value)


def _insert_sql(table: Table, paramstyle: str) -> str:
    columns = [c.name for c in table.columns if c.name != "id"]
    mark = "?" if paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * len(columns))
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
