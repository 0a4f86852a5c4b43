"""SVG charts: valid XML, accessible, the numbers printed, the same bytes for the same data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from chipwatch.compute.charts import EMPTY, REMOVED, report_svg, scenario_svg
from chipwatch.compute.report import Report

NS = "{http://www.w3.org/2000/svg}"
ON = dt.date(2026, 11, 29)


def _row(key: str, h100: float, domestic: float) -> dict[str, Any]:
    return {
        "key": key,
        "h100_eq": h100,
        "domestic_h100_eq": domestic,
        "autonomy_ratio": domestic / h100 if h100 else None,
    }


def _report(rows: list[dict[str, Any]]) -> Report:
    h100 = sum(r["h100_eq"] for r in rows)
    domestic = sum(r["domestic_h100_eq"] for r in rows)
    return Report("hub", ON, rows, _row("total", h100, domestic))


HUBS = _report([_row("gansu", 30_000.0, 24_000.0), _row("a <b> & 'c'", 10_000.0, 2_500.0)])


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}desc") is not None
    return root


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def _scenario(rows: list[dict[str, Any]]) -> dict[str, Any]:
    removed = sum(r["h100_eq"] for r in rows if r["change"] == "removed")
    added = sum(r["h100_eq"] for r in rows if r["change"] == "added")
    return {
        "scenario": {"title": "No imports", "evidence": "reported"},
        "on": ON.isoformat(),
        "rows": rows,
        "total": {"removed": {"h100_eq": removed}, "added": {"h100_eq": added}},
    }


def test_report_chart_prints_the_numbers_and_escapes_labels() -> None:
    svg = report_svg(HUBS)
    root = _parse(svg)
    texts = _texts(root)
    assert "30,000 (80% domestic)" in texts
    assert "10,000 (25% domestic)" in texts
    assert "a <b> & 'c'" in "".join(texts)  # parsed back from its escaped form
    assert "<b>" not in svg
    assert {"domestic design", "imported", "hub", "H100-equivalents (dense BF16)"} <= set(texts)
    desc = root.findtext(f"{NS}desc") or ""
    assert "Total: 40,000 H100-eq, 66% domestic" in desc


def test_report_chart_bars_are_proportional() -> None:
    root = _parse(report_svg(HUBS))
    widths = {
        (r.findtext(f"{NS}title") or "").split(":")[0]: float(r.attrib["width"])
        for r in root.iter(f"{NS}rect")
        if r.find(f"{NS}title") is not None
    }
    assert widths["gansu, domestic design"] == pytest.approx(4 * widths["gansu, imported"])
    assert widths["gansu, imported"] == pytest.approx(widths["a <b> & 'c', imported"] * 6 / 7.5)


def test_same_data_same_bytes() -> None:
    assert report_svg(HUBS) == report_svg(_report(list(HUBS.rows)))
    result = _scenario([{"change": "removed", "hub": "gansu", "h100_eq": 6_000.0}])
    assert scenario_svg(HUBS, result) == scenario_svg(HUBS, result)


def test_empty_report_says_so() -> None:
    root = _parse(report_svg(_report([])))
    assert EMPTY in _texts(root)


def test_scenario_chart_highlights_the_removed_part() -> None:
    result = _scenario(
        [
            {"change": "removed", "hub": "gansu", "h100_eq": 4_000.0},
            {"change": "removed", "hub": "gansu", "h100_eq": 2_000.0},
            {"change": "added", "hub": "(unallocated)", "h100_eq": 500.0},
        ]
    )
    root = _parse(scenario_svg(HUBS, result))
    texts = _texts(root)
    assert "30,000 → 24,000 (−6,000)" in texts
    assert "10,000 (unchanged)" in texts
    assert "+500 could be added" in texts
    removed = [r for r in root.iter(f"{NS}rect") if r.attrib.get("fill") == REMOVED]
    assert len(removed) == 2  # the legend and gansu's bar
    assert removed[1].findtext(f"{NS}title") == "gansu, removed: 6,000"
    assert "Total removed 6,000 H100-eq" in (root.findtext(f"{NS}desc") or "")
