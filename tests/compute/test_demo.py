"""The demo fleet: seeded, the shares it claims, the domestic-only rule, on both databases."""

from __future__ import annotations

import pytest

from chipwatch.compute import demo
from chipwatch.compute.capacity import default_capacities
from chipwatch.compute.report import report
from chipwatch.errors import Conflict
from chipwatch.store import Database


def test_model_counts_follow_the_spec() -> None:
    counts = demo.model_counts(10_000)
    assert sum(counts.values()) == 10_000
    # NVIDIA 55 %: 5,500 cards; H20 is 1,489,899 of 2,199,447 (Epoch stock + 400k H200)
    assert counts["nvidia-h20"] == pytest.approx(5500 * 1489899 / 2199447, abs=1)
    assert counts["amd-mi308x"] == 400  # AMD 4 %
    domestic = sum(n for m, n in counts.items() if default_capacities()[m].domestic)
    assert domestic == 4100  # 41 %


def test_plan_is_seeded_and_keeps_imports_out_of_domestic_only_sites() -> None:
    first = demo.plan_fleet(5_000, 30, seed=7)
    again = demo.plan_fleet(5_000, 30, seed=7)
    assert [(s.id, s.hub, dict(s.chips)) for s in first] == [
        (s.id, s.hub, dict(s.chips)) for s in again
    ]
    caps = default_capacities()
    for site in first:
        if site.domestic_only:
            assert all(caps[m].domestic for m in site.chips)
    assert sum(sum(s.chips.values()) for s in first) == 5_000


def test_written_fleet_reports(database: Database) -> None:
    plan = demo.plan_fleet(2_000, 12, seed=3)
    result = demo.write_fleet(database, plan, 3, "tester")
    assert result.chips == 2_000
    rows = report(database, "origin").rows
    assert sum(r["chips"] for r in rows) == 2_000
    domestic = {r["key"]: r["chips"] for r in rows}["domestic_design_domestic_fab"]
    assert domestic == sum(
        n for m, n in result.by_model.items() if m.startswith(("huawei", "camb"))
    )
    with pytest.raises(Conflict):
        demo.write_fleet(database, plan, 3, "tester")
