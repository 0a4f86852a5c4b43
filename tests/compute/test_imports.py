"""CSV imports of profiles and declared inventories: a bad file is rejected whole, each
problem naming its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from chipwatch.compute.imports import import_inventory, import_profiles
from chipwatch.compute.model import DeclaredInventory, SiteProfile
from chipwatch.errors import InvalidInput
from chipwatch.store import Database
from tests.compute.fleet import build_fleet


@pytest.fixture
def fleet(database: Database, tmp_path: Path) -> Database:
    build_fleet(database, tmp_path)
    return database


def _count(db: Database, table: type[SiteProfile] | type[DeclaredInventory]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("site,model\ns-gansu,nvidia-h20\n", {"line 1: header"}),
        ("site,model,count,colour\n", {"line 1: header"}),
        ("site,model,count\n", {"line 2: row"}),
        ("site,model,count\nnowhere,nvidia-h20,1\n", {"line 2: site"}),
        ("site,model,count\ns-gansu,no-such-chip,1\n", {"line 2: model"}),
        ("site,model,count\ns-gansu,nvidia-h20,-1\n", {"line 2: count"}),
        ("site,model,count\ns-gansu,nvidia-h20,1.5\n", {"line 2: count"}),
        ("site,model,count,as_of\ns-gansu,nvidia-h20,1,2026-02-30\n", {"line 2: as_of"}),
        ("site,model,count\ns-gansu,nvidia-h20\n", {"line 2: row"}),
        (
            "site,model,count\ns-gansu,nvidia-h20,1\ns-gansu,nvidia-h20,2\nx,nvidia-h20,1\n",
            {"line 3: site", "line 4: site"},
        ),
    ],
)
def test_bad_inventory_rejected_whole(
    fleet: Database, tmp_path: Path, text: str, errors: set[str]
) -> None:
    before = _count(fleet, DeclaredInventory)
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_inventory(fleet, path, "tester")
    assert {e["field"] for e in caught.value.errors} == errors
    assert caught.value.source == str(path)
    assert _count(fleet, DeclaredInventory) == before


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("nowhere,private", "site"),
        ("s-none,charity", "operator_sector"),
        ("s-none,private,atlantis", "hub"),
        ("s-none,private,gansu,zhongwei", "cluster"),  # Zhongwei is in the Ningxia hub
        ("s-none,private,,no-such-cluster", "cluster"),
        ("s-none,private,,,,,0", "power_mw"),
        ("s-none,private,,,,,1,0.9", "pue"),
        ("s-none,private,,,,,1,1.1,-1", "tariff_usd_per_kwh"),
        ("s-none,private,,,,,1,1.1,0.1,1.5", "subsidy_rate"),
        ("s-none,private,,,,,many", "power_mw"),
    ],
)
def test_bad_profile_rejected_whole(fleet: Database, tmp_path: Path, row: str, field: str) -> None:
    header = "site,operator_sector,hub,cluster,province,operator,power_mw,pue,"
    header += "tariff_usd_per_kwh,subsidy_rate"

    def pad(text: str) -> str:
        return text + "," * (header.count(",") - text.count(","))

    path = tmp_path / "profiles-bad.csv"
    path.write_text(f"{header}\n{pad('s-none,public')}\n{pad(row)}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_profiles(fleet, path, "tester")
    assert [e["field"] for e in caught.value.errors] == [f"line 3: {field}"]
    with fleet.session() as session:
        assert session.get(SiteProfile, "s-none") is None  # line 2 was good, yet not loaded


def test_reimport_replaces_same_date(fleet: Database, tmp_path: Path) -> None:
    path = tmp_path / "again.csv"
    path.write_text("site,model,count,as_of\ns-gansu,cambricon-mlu590,4,2026-03-01\n", "utf-8")
    assert import_inventory(fleet, path, "tester") == 1
    with fleet.session() as session:
        counts = session.scalars(
            select(DeclaredInventory.count).where(DeclaredInventory.site_id == "s-gansu")
        ).all()
    assert counts == [4]


def test_profile_reimport_replaces(fleet: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("site,operator_sector,cluster\ns-gansu,public,zhongwei\n", "utf-8")
    import_profiles(fleet, path, "tester")
    with fleet.session() as session:
        profile = session.get(SiteProfile, "s-gansu")
        assert profile is not None
        assert (profile.hub, profile.province, profile.pue) == ("ningxia", "Ningxia", None)
