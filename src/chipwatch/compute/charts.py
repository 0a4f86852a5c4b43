"""SVG charts of the compute report and of scenarios: hand-written SVG strings, no dependency.

Horizontal stacked bars, one per group. Same data, same bytes: coordinates are rounded to
one decimal and numbers formatted with fixed patterns. Every text is escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any, Final

from chipwatch.compute.report import Report

EMPTY: Final = (
    "No compute registered yet: run `chipwatch compute demo-fleet --chips 100000` "
    "or import an inventory"
)
H100_UNIT: Final = "H100-equivalents (dense BF16)"
DOMESTIC, IMPORTED = "#2f7d4f", "#c8743a"
KEPT, REMOVED, ADDED = "#4c78a8", "#d62728", "#54a24b"
WIDTH: Final = 880
LABEL_W: Final = 200
PLOT_X: Final = LABEL_W + 40
PLOT_W: Final = 360
BAR_H: Final = 22
GAP: Final = 10
TOP: Final = 72
BOTTOM: Final = 56
LABEL_CHARS: Final = 30
FONT: Final = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    values: tuple[float, ...]  # one per series, stacked left to right
    note: str  # printed right of the bar


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    desc: str
    category: str  # y-axis label
    unit: str  # x-axis label
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]


def report_svg(result: Report) -> str:
    """H100-eq by group, each bar split into domestic-design and imported."""
    bars = tuple(
        Bar(
            str(row["key"]),
            (row["domestic_h100_eq"], max(0.0, row["h100_eq"] - row["domestic_h100_eq"])),
            f"{_n(row['h100_eq'])} ({_pct(row['autonomy_ratio'])} domestic)",
        )
        for row in result.rows
    )
    total = result.total
    summary = "; ".join(f"{b.label}: {b.note}" for b in bars)
    desc = (
        f"Installed compute by {result.by} on {result.on.isoformat()}, in {H100_UNIT}, "
        f"split into domestic-design and imported chips. {summary}. Total: "
        f"{_n(total['h100_eq'])} H100-eq, {_pct(total['autonomy_ratio'])} domestic."
    )
    return render(
        Chart(
            title=f"Installed compute by {result.by}, {result.on.isoformat()} (H100-eq)",
            desc=desc,
            category=result.by,
            unit=H100_UNIT,
            series=(Series("domestic design", DOMESTIC), Series("imported", IMPORTED)),
            bars=bars,
        )
    )


def scenario_svg(before: Report, result: dict[str, Any]) -> str:
    """H100-eq per hub before and after the scenario; the removed (or addable) part apart."""
    removed: dict[str, float] = {}
    added: dict[str, float] = {}
    for row in result["rows"]:
        into = removed if row["change"] == "removed" else added
        into[row["hub"]] = into.get(row["hub"], 0.0) + row["h100_eq"]
    hubs = [str(r["key"]) for r in before.rows]
    hubs += sorted((set(removed) | set(added)) - set(hubs))
    held = {str(r["key"]): float(r["h100_eq"]) for r in before.rows}
    bars = tuple(
        _scenario_bar(hub, held.get(hub, 0.0), removed.get(hub, 0.0), added.get(hub, 0.0))
        for hub in hubs
    )
    meta = result["scenario"]
    totals = result["total"]
    summary = "; ".join(f"{b.label}: {b.note}" for b in bars)
    desc = (
        f"{meta['title']} ({meta['evidence']}), as of {result['on']}: capacity per hub in "
        f"{H100_UNIT} before and after. {summary}. Total removed "
        f"{_n(totals['removed']['h100_eq'])} H100-eq, could be added "
        f"{_n(totals['added']['h100_eq'])} H100-eq."
    )
    return render(
        Chart(
            title=f"{meta['title']}: H100-eq per hub, {result['on']}",
            desc=desc,
            category="hub",
            unit=H100_UNIT,
            series=(
                Series("after (kept)", KEPT),
                Series("removed", REMOVED),
                Series("could be added", ADDED),
            ),
            bars=bars,
        )
    )


def _scenario_bar(hub: str, before: float, removed: float, added: float) -> Bar:
    after = max(0.0, before - removed)
    parts = [f"{_n(before)} → {_n(after)}" if removed else f"{_n(before)} (unchanged)"]
    if removed:
        parts.append(f"(−{_n(removed)})")
    if added:
        parts = [f"+{_n(added)} could be added"] if not before else [*parts, f"+{_n(added)}"]
    return Bar(hub, (after, removed, added), " ".join(parts))


def render(chart: Chart) -> str:
    """The chart as a standalone SVG document (no XML declaration: it also inlines in HTML)."""
    shown = [b for b in chart.bars if sum(b.values) > 0]
    rows = max(1, len(shown))
    axis_y = TOP + rows * (BAR_H + GAP)
    height = axis_y + BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" font-family="{_e(FONT)}" font-size="12">',
        f'<title id="chart-title">{_e(chart.title)}</title>',
        f'<desc id="chart-desc">{_e(chart.desc)}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="12" y="24" font-size="16" font-weight="bold">{_e(chart.title)}</text>',
    ]
    used = [s for k, s in enumerate(chart.series) if any(b.values[k] > 0 for b in shown)]
    out += _legend(tuple(used) if used else chart.series)
    if not shown:
        out.append(f'<text x="{PLOT_X}" y="{TOP + 15}" fill="#555555">{_e(EMPTY)}</text>')
        out.append("</svg>")
        return "\n".join(out) + "\n"
    top = max(sum(b.values) for b in shown)
    step = _step(top)
    scale_max = math.ceil(top / step) * step
    out += _axis(axis_y, step, scale_max, chart)
    for i, bar in enumerate(shown):
        out += _bar(bar, chart.series, TOP + i * (BAR_H + GAP), scale_max)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(series: tuple[Series, ...]) -> list[str]:
    out, x = [], 12.0
    for s in series:
        out.append(f'<rect x="{_f(x)}" y="38" width="12" height="12" fill="{s.colour}"/>')
        out.append(f'<text x="{_f(x + 16)}" y="48">{_e(s.name)}</text>')
        x += 16 + 7 * len(s.name) + 20
    return out


def _axis(axis_y: int, step: float, scale_max: float, chart: Chart) -> list[str]:
    out = []
    ticks = round(scale_max / step)
    for k in range(ticks + 1):
        x = PLOT_X + PLOT_W * k / ticks
        out.append(
            f'<line x1="{_f(x)}" y1="{TOP - 6}" x2="{_f(x)}" y2="{axis_y}" stroke="#e0e0e0"/>'
        )
        out.append(
            f'<text x="{_f(x)}" y="{axis_y + 16}" text-anchor="middle" fill="#333333">'
            f"{_e(f'{step * k:,.10g}')}</text>"
        )
    out.append(
        f'<line x1="{PLOT_X}" y1="{axis_y}" x2="{PLOT_X + PLOT_W}" y2="{axis_y}" stroke="#333333"/>'
    )
    out.append(f'<line x1="{PLOT_X}" y1="{TOP - 6}" x2="{PLOT_X}" y2="{axis_y}" stroke="#333333"/>')
    out.append(
        f'<text x="{_f(PLOT_X + PLOT_W / 2)}" y="{axis_y + 40}" text-anchor="middle">'
        f"{_e(chart.unit)}</text>"
    )
    mid = (TOP + axis_y) / 2
    out.append(
        f'<text x="16" y="{_f(mid)}" text-anchor="middle" '
        f'transform="rotate(-90 16 {_f(mid)})">{_e(chart.category)}</text>'
    )
    return out


def _bar(bar: Bar, series: tuple[Series, ...], y: int, scale_max: float) -> list[str]:
    label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
    out = [
        f'<text x="{PLOT_X - 8}" y="{y + 15}" text-anchor="end">'
        f"<title>{_e(bar.label)}</title>{_e(label)}</text>"
    ]
    x = float(PLOT_X)
    for value, s in zip(bar.values, series, strict=True):
        if value <= 0:
            continue
        width = PLOT_W * value / scale_max
        out.append(
            f'<rect x="{_f(x)}" y="{y}" width="{_f(width)}" height="{BAR_H}" fill="{s.colour}">'
            f"<title>{_e(f'{bar.label}, {s.name}: {_n(value)}')}</title></rect>"
        )
        x += width
    out.append(f'<text x="{_f(x + 6)}" y="{y + 15}">{_e(bar.note)}</text>')
    return out


def _step(top: float) -> float:
    """A round tick step giving at most five intervals up to ``top``."""
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * magnitude >= raw:
            return float(m * magnitude)
    return float(10 * magnitude)


def _e(text: str) -> str:
    return escape(text, quote=True)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _n(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == 0 else f"{value:,.2f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
