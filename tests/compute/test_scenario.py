"""Scenarios on the hand-made fleet plus a few H200 (fleet.py), reconciled by hand.

Added for these tests:
  s-shanghai (yangtze-river-delta, private):  2 x H200 tracked, licence D100, registered 2026-03-01
  s-gansu (gansu, state_owned):               1 x H200 tracked, licence D200, registered 2026-01-10
                                              1 x HGX H200 8-GPU declared on 2026-05-01 (8 chips)
H200 H100-eq per chip = 989.5 / 989.4.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from chipwatch.compute.imports import import_inventory
from chipwatch.compute.scenario import (
    evaluate,
    find_scenario,
    list_scenarios,
    load_scenario,
    scenarios_dir,
)
from chipwatch.custody.model import Chip
from chipwatch.errors import InvalidData, NotFound
from chipwatch.store import Database
from tests.compute.fleet import build_fleet

ON = dt.date(2026, 11, 29)
H200 = 989.5 / 989.4


@pytest.fixture
def fleet(database: Database, tmp_path: Path) -> Database:
    build_fleet(database, tmp_path)
    with database.transaction() as session:
        for serial, site, licence, day in (
            ("H1", "s-shanghai", "D100", dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
            ("H2", "s-shanghai", "D100", dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
            ("H3", "s-gansu", "D200", dt.datetime(2026, 1, 10, tzinfo=dt.UTC)),
        ):
            session.add(
                Chip(
                    serial=serial,
                    model="nvidia-h200-sxm-141gb",
                    licence_number=licence,
                    state="installed",
                    site_id=site,
                    events=1,
                    created_at=day,
                )
            )
    path = tmp_path / "h200.csv"
    path.write_text("site,model,count,as_of\ns-gansu,nvidia-hgx-h200-8gpu,1,2026-05-01\n", "utf-8")
    import_inventory(database, path, "tester")
    return database


def _rows(result: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(r["change"], r["hub"], r["sector"]): r for r in result["rows"]}


def test_no_new_h200(fleet: Database) -> None:
    result = evaluate(fleet, find_scenario("no-new-h200"), ON)
    rows = _rows(result)
    assert set(rows) == {
        ("removed", "yangtze-river-delta", "private"),
        ("removed", "gansu", "state_owned"),
    }
    yrd = rows["removed", "yangtze-river-delta", "private"]
    assert yrd["chips"] == 2  # H1, H2 (registered after 2026-02-01)
    assert yrd["licences"] == [{"licence": "D100", "chips": 2}]
    gansu = rows["removed", "gansu", "state_owned"]
    assert gansu["chips"] == 8  # the HGX declared on 2026-05-01; H3 came before the date
    assert gansu["licences"] == [{"licence": "(no licence recorded)", "chips": 8}]
    assert result["total"]["removed"]["h100_eq"] == pytest.approx(10 * H200)
    assert result["total"]["removed"]["tpp"] == pytest.approx(10 * 15832)


def test_public_and_state_owned_without_imports(fleet: Database) -> None:
    result = evaluate(fleet, find_scenario("public-no-imports"), ON)
    rows = _rows(result)
    # only s-gansu is public/state-owned; its imported chips: H3 and the HGX (1 + 8)
    assert list(rows) == [("removed", "gansu", "state_owned")]
    row = rows["removed", "gansu", "state_owned"]
    assert row["chips"] == 9
    assert row["licences"] == [
        {"licence": "(no licence recorded)", "chips": 8},
        {"licence": "D200", "chips": 1},
    ]


def test_cap_with_headroom(fleet: Database) -> None:
    result = evaluate(fleet, find_scenario("h200-half-of-us"), ON)
    # 11 H200 chips (2 + 1 + 8) under a cap of 0.5 x 600,000 = 300,000: 299,989 could be added
    assert result["matched_chips"] == 11
    assert result["total"]["removed"]["chips"] == 0
    assert result["total"]["added"]["chips"] == 299_989
    assert result["total"]["added"]["h100_eq"] == pytest.approx(299_989 * H200)


def test_cap_removes_pro_rata(fleet: Database, tmp_path: Path) -> None:
    text = find_scenario("h200-half-of-us").model_dump_json()  # a copy with a tight cap
    path = tmp_path / "tight.yaml"
    path.write_text(text.replace('"h200-half-of-us"', '"tight"').replace("600000", "11"), "utf-8")
    result = evaluate(fleet, load_scenario(path), ON)
    # allowed int(0.5 x 11) = 5 chips; 11 - 5 = 6 removed, factor 6/11 in every group
    removed = result["total"]["removed"]
    assert removed["h100_eq"] == pytest.approx(6 * H200)
    rows = _rows(result)
    assert rows["removed", "gansu", "state_owned"]["h100_eq"] == pytest.approx(9 * 6 / 11 * H200)


def test_scenarios_shipped_load() -> None:
    assert {s.id for s in list_scenarios()} >= {"public-no-imports", "no-new-h200"}
    with pytest.raises(NotFound):
        find_scenario("no-such-scenario")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("kind: remove", "kind: remove\ncolour: red"),  # unknown key
        ("  sectors: [public, state_owned]", "  sectors: [charity]"),
        ("  origins: [imported]", "  origins: [martian]"),
        ("  origins: [imported]", "  models: [no-such-chip]"),
        ("kind: remove", "kind: cap"),  # a cap without cap:
        ("evidence: reported", "evidence: rumour"),
        ("id: public-no-imports", "id: other-name"),
    ],
)
def test_bad_scenario_refused(tmp_path: Path, old: str, new: str) -> None:
    text = (scenarios_dir() / "public-no-imports.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "public-no-imports.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InvalidData):
        load_scenario(path)
