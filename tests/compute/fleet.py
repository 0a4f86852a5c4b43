"""A small hand-made fleet: three sites, tracked chips in every custody state that matters,
and declared inventories with several dates. The numbers are reconciled by hand in
test_report.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from chipwatch.compute.imports import import_inventory, import_profiles
from chipwatch.custody.model import Chip, Site
from chipwatch.store import Database

CREATED = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
PROFILES = """site,operator_sector,hub,cluster,operator,power_mw,pue,tariff_usd_per_kwh,subsidy_rate
s-gansu,state_owned,gansu,qingyang,Gansu Compute,1.0,1.2,0.05,0.5
s-shanghai,private,,yrd-eco-green-demo-zone,,0.01,1.5,0.10,
"""
INVENTORY = """site,model,count,as_of
s-shanghai,nvidia-hgx-h20-8gpu,1,2026-01-01
s-shanghai,NVIDIA HGX H20 8-GPU,2,2026-06-01
s-shanghai,nvidia-hgx-h20-8gpu,5,2099-01-01
s-gansu,cambricon-mlu590,10,2026-03-01
"""
# (serial, model, state, site)
CHIPS = [
    ("G1", "huawei-ascend-910c", "installed", "s-gansu"),
    ("G2", "huawei-ascend-910c", "installed", "s-gansu"),
    ("G3", "huawei-ascend-910c", "attested", "s-gansu"),
    ("G4", "huawei-ascend-910c", "flagged", "s-gansu"),  # not counted
    ("G5", "huawei-ascend-910c", "decommissioned", "s-gansu"),  # not counted
    ("S1", "nvidia-h100-sxm5-80gb", "installed", "s-shanghai"),
    ("S2", "nvidia-h100-sxm5-80gb", "attested", "s-shanghai"),
    ("S3", "cambricon-mlu370-x8", "attested", "s-shanghai"),
    ("N1", "nvidia-h20", "installed", "s-none"),
    ("T1", "nvidia-h20", "received", None),  # not at a site: not counted
]


def _site(site_id: str, operator: str) -> Site:
    return Site(
        id=site_id,
        name=site_id,
        lat=30.0,
        lon=110.0,
        country="CN",
        operator=operator,
        radius_km=50.0,
        check_in_hours=24.0,
        declared_mw=None,
        updated_at=CREATED,
    )


def build_fleet(db: Database, directory: Path) -> None:
    with db.transaction() as session:
        for site_id, operator in (
            ("s-gansu", "GC"),
            ("s-shanghai", "SH Cloud"),
            ("s-none", "Acme"),
        ):
            session.add(_site(site_id, operator))
        session.flush()
        for serial, model, state, site in CHIPS:
            session.add(
                Chip(
                    serial=serial,
                    model=model,
                    state=state,
                    site_id=site,
                    events=1,
                    created_at=CREATED,
                )
            )
    profiles = directory / "profiles.csv"
    profiles.write_text(PROFILES, encoding="utf-8")
    inventory = directory / "inventory.csv"
    inventory.write_text(INVENTORY, encoding="utf-8")
    import_profiles(db, profiles, "tester")
    import_inventory(db, inventory, "tester")
