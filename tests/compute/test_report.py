"""The report on the hand-made fleet (fleet.py), reconciled by hand, on both databases.

Per-chip figures from the catalog (dense 16-bit TFLOP/s, FP8 TFLOP/s, TPP, TDP W):
  Ascend 910C    800,    -,  12800, 700   domestic design + domestic fab
  MLU590         345,    -,   5520, 200   domestic design + domestic fab
  MLU370-X8       96,    -,   2048, 250   domestic design + foreign fab (origins.yaml)
  H100 SXM     989.4, 1979,  15832, 700   imported
  H20            148,  296,   2368, 400   imported
  HGX H20 8-GPU = 8 x H20: 1184, 2368, 18944, 3200 W, 8 chips
H100-equivalent = 16-bit TFLOP/s / 989.4.

Counted on 2026-11-29: installed/attested chips at a site + the latest declaration by then.
  gansu:   3 x 910C (G1-G3; G4 flagged and G5 decommissioned are not counted) + 10 x MLU590
  yangtze: 2 x H100 + 1 x MLU370 + 2 x HGX H20 (the 2026-06-01 declaration; 2099 is future)
  (none):  1 x H20 at s-none (no profile); T1 is at no site
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chipwatch.compute.report import report
from chipwatch.errors import InvalidInput
from chipwatch.store import Database
from tests.compute.fleet import build_fleet

ON = dt.date(2026, 11, 29)
T = 1e12


@pytest.fixture
def fleet(database: Database, tmp_path: Path) -> Database:
    build_fleet(database, tmp_path)
    return database


def _rows(db: Database, by: str, on: dt.date = ON) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in report(db, by, on).rows}


def test_by_hub_reconciles_by_hand(fleet: Database) -> None:
    rows = _rows(fleet, "hub")
    assert list(rows) == ["gansu", "yangtze-river-delta", "(none)"]  # by H100-eq, largest first
    gansu = rows["gansu"]
    assert gansu["chips"] == 13  # 3 + 10
    assert gansu["fp16_flops"] == pytest.approx(5850 * T)  # 3 x 800 + 10 x 345
    assert gansu["fp8_flops"] == 0
    assert gansu["tpp"] == pytest.approx(93600)  # 3 x 12800 + 10 x 5520
    assert gansu["h100_eq"] == pytest.approx(5850 / 989.4)
    assert gansu["autonomy_ratio"] == 1.0
    assert gansu["domestic_fab_ratio"] == 1.0
    # power: 3 x 700 + 10 x 200 = 4100 W IT; x PUE 1.2 = 4920 W; 1 MW declared: not over
    assert gansu["it_power_mw"] == pytest.approx(4100 / 1e6)
    assert gansu["facility_power_mw"] == pytest.approx(4920 / 1e6)
    assert gansu["sites_over_declared_power"] == 0
    # 4920 W x 8760 h = 43,099.2 kWh x $0.05 = $2,154.96; all domestic, 50 % subsidy = $1,077.48
    assert gansu["energy_cost_usd_per_year"] == pytest.approx(2154.96)
    assert gansu["subsidy_usd_per_year"] == pytest.approx(1077.48)

    yrd = rows["yangtze-river-delta"]  # the hub came from the cluster
    assert yrd["chips"] == 19  # 2 + 1 + 2 x 8
    assert yrd["fp16_flops"] == pytest.approx(4442.8 * T)  # 2 x 989.4 + 96 + 2 x 1184
    assert yrd["fp8_flops"] == pytest.approx(8694 * T)  # 2 x 1979 + 2 x 2368
    assert yrd["tpp"] == pytest.approx(71600)  # 2 x 15832 + 2048 + 2 x 18944
    assert yrd["autonomy_ratio"] == pytest.approx(96 / 4442.8)  # only the MLU370 is domestic
    assert yrd["domestic_fab_ratio"] == 0
    # 2 x 700 + 250 + 2 x 3200 = 8050 W x 1.5 = 12,075 W > 0.01 MW declared: flagged
    assert yrd["facility_power_mw"] == pytest.approx(12075 / 1e6)
    assert yrd["sites_over_declared_power"] == 1
    # 12,075 W x 8.76 kWh/W-year x $0.10 = $10,577.70; imported chips: no subsidy
    assert yrd["energy_cost_usd_per_year"] == pytest.approx(10577.70)
    assert yrd["subsidy_usd_per_year"] == 0

    none = rows["(none)"]
    assert (none["chips"], none["tpp"], none["energy_cost_usd_per_year"]) == (1, 2368, 0)

    total = report(fleet, "hub", ON).total
    assert total["chips"] == 33  # 13 + 19 + 1
    h100 = (5850 + 4442.8 + 148) / 989.4
    assert total["h100_eq"] == pytest.approx(h100)
    assert total["autonomy_ratio"] == pytest.approx((5850 + 96) / 10440.8)
    assert gansu["share"] == pytest.approx(5850 / 10440.8)


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("vendor", {"NVIDIA": 19, "Cambricon": 11, "Huawei": 3}),
        (
            "origin",
            {
                "imported": 19,
                "domestic_design_domestic_fab": 13,
                "domestic_design_foreign_fab": 1,
            },
        ),
        ("sector", {"state_owned": 13, "private": 19, "(none)": 1}),
        ("operator", {"Gansu Compute": 13, "SH Cloud": 19, "Acme": 1}),
        ("province", {"Gansu": 13, "Shanghai": 19, "(none)": 1}),
        ("site", {"s-gansu": 13, "s-shanghai": 19, "s-none": 1}),
    ],
)
def test_chips_by_key(fleet: Database, by: str, expected: dict[str, int]) -> None:
    assert {k: r["chips"] for k, r in _rows(fleet, by).items()} == expected


def test_by_site_power_columns(fleet: Database) -> None:
    rows = _rows(fleet, "site")
    assert rows["s-shanghai"]["declared_mw"] == 0.01
    assert rows["s-shanghai"]["chips_per_mw"] == pytest.approx(1900)  # 19 / 0.01
    assert rows["s-shanghai"]["over_declared_power"] is True
    assert rows["s-gansu"]["over_declared_power"] is False
    assert rows["s-none"]["declared_mw"] is None


@pytest.mark.parametrize(
    ("on", "gansu_chips", "yrd_chips"),
    [
        (dt.date(2026, 2, 1), 3, 3 + 8),  # before the MLU590 declaration; 1 HGX (January)
        (dt.date(2026, 4, 1), 13, 3 + 8),  # MLU590 declared; still the January HGX count
        (dt.date(2099, 1, 1), 13, 3 + 40),  # the 2099 declaration replaces the earlier ones
    ],
)
def test_declarations_as_of(fleet: Database, on: dt.date, gansu_chips: int, yrd_chips: int) -> None:
    rows = _rows(fleet, "hub", on)
    assert rows["gansu"]["chips"] == gansu_chips
    assert rows["yangtze-river-delta"]["chips"] == yrd_chips


def test_no_tracked_chips_before_they_were_registered(fleet: Database) -> None:
    assert report(fleet, "hub", dt.date(2025, 12, 31)).rows == []


def test_unknown_grouping(fleet: Database) -> None:
    with pytest.raises(InvalidInput) as caught:
        report(fleet, "colour", ON)
    assert caught.value.field == "by"
