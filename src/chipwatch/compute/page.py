"""``/compute`` web pages: the report and the scenarios as server-rendered HTML with their
charts inline. Plain HTML built with ``html.escape``: no template engine, no JS, no
external assets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from html import escape
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from chipwatch.api.deps import DatabaseDep
from chipwatch.compute import charts, scenario
from chipwatch.compute.report import BY, report
from chipwatch.compute.routes import scenario_and_before

router = APIRouter(tags=["compute"])
STYLE = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:72rem}
table{border-collapse:collapse;margin:1rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:bold}
nav a{margin-right:.6rem}a[aria-current]{font-weight:bold;text-decoration:none}
.empty{padding:1rem;background:#fff6e0;border:1px solid #e0c070}svg{max-width:100%;height:auto}"""
RIGHT = ' class="n"'
NUMBER = re.compile(r"^[-+]?[\d,]+(\.\d+)?%?$")
REPORT_COLUMNS = (
    ("chips", "chips", "{:,}"),
    ("FP16 PFLOP/s", "fp16_flops", "pflops"),
    ("FP8 PFLOP/s", "fp8_flops", "pflops"),
    ("H100-eq", "h100_eq", "{:,.0f}"),
    ("share", "share", "pct"),
    ("autonomy", "autonomy_ratio", "pct"),
    ("IT MW", "it_power_mw", "{:,.1f}"),
    ("energy $/yr", "energy_cost_usd_per_year", "{:,.0f}"),
    ("subsidy $/yr", "subsidy_usd_per_year", "{:,.0f}"),
    ("sites over power", "sites_over_declared_power", "{:,}"),
)


@router.get("/compute", response_class=HTMLResponse, include_in_schema=False)
def compute_page(
    database: DatabaseDep,
    by: Annotated[str, Query()] = "hub",
    on: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    result = report(database, by, on)
    dated = {"on": on.isoformat()} if on else {}
    nav = " ".join(
        _link(f"/compute?{urlencode({'by': key, **dated})}", key, current=key == by) for key in BY
    )
    parts = [
        f"<h1>Installed compute by {_e(by)}, {result.on.isoformat()}</h1>",
        f"<nav>Group by: {nav}</nav>",
    ]
    if not result.rows:
        parts.append(_empty())
    else:
        query = urlencode({"by": by, **dated})
        parts += [
            f"<figure>{charts.report_svg(result)}</figure>",
            _table(
                [by, *(c[0] for c in REPORT_COLUMNS)],
                [_report_cells(row) for row in result.rows],
                [_report_cells(result.total)],
            ),
            "<p>Dense figures; autonomy = domestic-design share of H100-eq. Data: "
            f"{_link(f'/v1/compute/report?{query}', 'JSON')}, "
            f"{_link(f'/v1/compute/report.svg?{query}', 'SVG')}.</p>",
        ]
    suffix = f"?{urlencode(dated)}" if dated else ""
    items = "".join(
        f"<li>{_link(f'/compute/scenarios/{quote(s.id)}{suffix}', s.title)} ({_e(s.evidence)})</li>"
        for s in scenario.list_scenarios()
    )
    parts.append(f"<h2>Scenarios</h2><ul>{items}</ul>")
    return HTMLResponse(_document(f"Installed compute by {by}", parts))


@router.get("/compute/scenarios/{name}", response_class=HTMLResponse, include_in_schema=False)
def scenario_page(
    database: DatabaseDep,
    name: str,
    on: Annotated[dt.date | None, Query()] = None,
) -> HTMLResponse:
    result, before = scenario_and_before(database, name, on)
    meta = result["scenario"]
    sources = "; ".join(
        _link(s["url"], s["title"]) if s["url"] else _e(s["title"]) for s in meta["sources"]
    )
    parts = [
        f"<h1>{_e(meta['title'])}</h1>",
        f"<nav>{_link('/compute', 'Installed compute')}</nav>",
        f"<p>{_e(meta['description'])}</p>",
        f"<p>Evidence: {_e(meta['evidence'])}. Sources: {sources}. As of {_e(result['on'])}; "
        f"chips matched: {result['matched_chips']:,}.</p>",
    ]
    if not before.rows:
        parts.append(_empty())
    parts.append(f"<figure>{charts.scenario_svg(before, result)}</figure>")
    rows = [_scenario_cells(row) for row in result["rows"]]
    totals = [
        [
            change,
            "total",
            "",
            f"{t['chips']:,}",
            f"{t['h100_eq']:,.0f}",
            _pflops(t["fp16_flops"]),
            "",
        ]
        for change, t in result["total"].items()
    ]
    header = ["change", "hub", "sector", "chips", "H100-eq", "FP16 PFLOP/s", "licences (chips)"]
    parts.append(_table(header, rows, totals))
    svg = f"/v1/compute/scenarios/{quote(name)}.svg"
    parts.append(
        f"<p>Data: {_link(f'/v1/compute/scenarios/{quote(name)}', 'JSON')}, "
        f"{_link(svg, 'SVG')}.</p>"
    )
    return HTMLResponse(_document(meta["title"], parts))


def _report_cells(row: dict[str, Any]) -> list[str]:
    cells = [str(row["key"])]
    for _, field, fmt in REPORT_COLUMNS:
        value = row.get(field)
        if value is None:
            cells.append("")
        elif fmt == "pct":
            cells.append(f"{value:.1%}")
        elif fmt == "pflops":
            cells.append(_pflops(value))
        else:
            cells.append(fmt.format(value))
    return cells


def _scenario_cells(row: dict[str, Any]) -> list[str]:
    licences = ", ".join(f"{x['licence']} ({x['chips']:,})" for x in row["licences"][:5])
    if len(row["licences"]) > 5:
        licences += f", … {len(row['licences']) - 5} more"
    return [
        row["change"],
        row["hub"],
        row["sector"],
        f"{row['chips']:,}",
        f"{row['h100_eq']:,.0f}",
        _pflops(row["fp16_flops"]),
        licences,
    ]


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], totals: Sequence[Sequence[str]]
) -> str:
    """A table; numeric cells (and the headers above them) align right."""
    sample = [*rows, *totals][0]
    numeric = [bool(NUMBER.match(c)) for c in sample]

    def line(cells: Sequence[str], tag: str, right: Sequence[bool]) -> str:
        return "".join(
            f"<{tag}{RIGHT if r else ''}>{_e(c)}</{tag}>" for c, r in zip(cells, right, strict=True)
        )

    head = line(header, "th", numeric)
    body = "".join(f"<tr>{line(r, 'td', [bool(NUMBER.match(c)) for c in r])}</tr>" for r in rows)
    foot = "".join(
        f'<tr class="total">{line(t, "td", [bool(NUMBER.match(c)) for c in t])}</tr>'
        for t in totals
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}{foot}</tbody></table>"


def _empty() -> str:
    return (
        '<p class="empty">No compute registered yet: run '
        "<code>chipwatch compute demo-fleet --chips 100000</code> or import an inventory.</p>"
    )


def _document(title: str, parts: list[str]) -> str:
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)} · chipwatch</title><style>{STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def _link(href: str, text: str, current: bool = False) -> str:
    mark = ' aria-current="page"' if current else ""
    return f'<a href="{_e(href)}"{mark}>{_e(text)}</a>'


def _pflops(value: float) -> str:
    return f"{value / 1e15:,.1f}"


def _e(text: str) -> str:
    return escape(text, quote=True)
