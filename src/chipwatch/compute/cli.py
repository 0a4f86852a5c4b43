"""``chipwatch compute``: the compute report, site profiles, declared inventories, demo fleet."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from chipwatch import render
from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.compute import charts, demo, imports, scenario
from chipwatch.compute.hubs import default_hubs
from chipwatch.compute.report import BY, Report, report
from chipwatch.store.cli import open_configured

compute_app = typer.Typer(
    help="Compute registry: capacity by hub, origin, vendor …; profiles; inventories.",
    no_args_is_help=True,
)
sites_app = typer.Typer(help="Site profiles (hub, operator, power).", no_args_is_help=True)
inventory_app = typer.Typer(help="Declared inventories (site, model, count).", no_args_is_help=True)
compute_app.add_typer(sites_app, name="sites")
compute_app.add_typer(inventory_app, name="inventory")

SvgOption = Annotated[
    Path | None, typer.Option("--svg", help="Also write the chart as SVG to this file.")
]
ActorOption = Annotated[
    str | None, typer.Option(help="Who acts, for the audit log (default: your OS user).")
]
CSV_COLUMNS = (
    "key",
    "chips",
    "fp16_flops",
    "fp8_flops",
    "tpp",
    "h100_eq",
    "share",
    "autonomy_ratio",
    "domestic_fab_ratio",
    "it_power_mw",
    "facility_power_mw",
    "energy_cost_usd_per_year",
    "subsidy_usd_per_year",
    "sites",
    "sites_over_declared_power",
    "chips_unknown_fp16",
)


@compute_app.command("report")
@reports_errors
def report_command(
    by: Annotated[str, typer.Option(help=f"Group by: {', '.join(BY)}.")] = "hub",
    on: Annotated[
        str | None, typer.Option(help="Declared inventories as of (YYYY-MM-DD); default today.")
    ] = None,
    as_json: JsonFlag = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    svg: SvgOption = None,
) -> None:
    """Installed capacity (FP16/FP8 FLOP/s, TPP, H100-eq), autonomy ratio and power."""
    day = _date(on)
    result = report(open_configured(), by, day)
    if svg is not None:
        _write_svg(svg, charts.report_svg(result))
    if as_json:
        print_json(result.to_dict())
    elif as_csv:
        _csv(result)
    else:
        render.console().print(_table(result))


@compute_app.command("hubs")
@reports_errors
def hubs_command(as_json: JsonFlag = False) -> None:
    """The East-Data-West-Computing hubs and their clusters."""
    registry = default_hubs()
    if as_json:
        print_json(registry.to_dict())
        return
    table = Table("hub", "name", "region", "clusters", "provinces")
    for hub in registry.hubs:
        clusters = ", ".join(c.id for c in hub.clusters)
        table.add_row(
            hub.id, f"{hub.name} {hub.name_zh}", hub.region, clusters, ", ".join(hub.provinces)
        )
    render.console().print(table)


@sites_app.command("import")
@reports_errors
def sites_import(file: Path, actor: ActorOption = None) -> None:
    """Create or replace site profiles from CSV (a bad file is rejected whole)."""
    count = imports.import_profiles(open_configured(), file, actor or getpass.getuser())
    typer.echo(f"{count} site profiles imported")


@inventory_app.command("import")
@reports_errors
def inventory_import(file: Path, actor: ActorOption = None) -> None:
    """Record declared inventories from CSV ``site,model,count[,as_of]``."""
    count = imports.import_inventory(open_configured(), file, actor or getpass.getuser())
    typer.echo(f"{count} inventory rows imported")


@compute_app.command("demo-fleet")
@reports_errors
def demo_fleet(
    chips: Annotated[int, typer.Option(min=1, help="How many chips.")] = 1_000_000,
    sites: Annotated[int, typer.Option(min=1, help="How many sites.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same fleet).")] = 1,
    actor: ActorOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Generate a seeded demo fleet across the hubs into the configured database."""
    plan = demo.plan_fleet(chips, sites, seed)
    result = demo.write_fleet(open_configured(), plan, seed, actor or getpass.getuser())
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(f"{result.chips:,} chips at {result.sites} demo sites (seed {seed})")
    for model, count in result.by_model.items():
        typer.echo(f"  {model}: {count:,}")


@compute_app.command("scenario")
@reports_errors
def scenario_command(
    name: Annotated[str, typer.Argument(help="A scenario id (see `compute scenarios`).")],
    on: Annotated[str | None, typer.Option(help="As of (YYYY-MM-DD); default today.")] = None,
    as_json: JsonFlag = False,
    svg: SvgOption = None,
) -> None:
    """Capacity a policy scenario removes (or could add), by hub and sector, with licences."""
    db = open_configured()
    result = scenario.evaluate(db, scenario.find_scenario(name), _date(on))
    if svg is not None:
        before = report(db, "hub", dt.date.fromisoformat(result["on"]))
        _write_svg(svg, charts.scenario_svg(before, result))
    if as_json:
        print_json(result)
        return
    table = Table(
        "change",
        "hub",
        "sector",
        "chips",
        "H100-eq",
        "FP16 PFLOP/s",
        "licences (chips)",
        title=f"{result['scenario']['title']} ({result['scenario']['evidence']}), {result['on']}",
    )
    for row in result["rows"]:
        licences = ", ".join(f"{x['licence']} ({x['chips']:,})" for x in row["licences"][:3])
        if len(row["licences"]) > 3:
            licences += f", … {len(row['licences']) - 3} more"
        table.add_row(
            row["change"],
            row["hub"],
            row["sector"],
            f"{row['chips']:,}",
            f"{row['h100_eq']:,.0f}",
            f"{row['fp16_flops'] / 1e15:,.1f}",
            licences,
        )
    for change, total in result["total"].items():
        table.add_row(
            change,
            "total",
            "",
            f"{total['chips']:,}",
            f"{total['h100_eq']:,.0f}",
            f"{total['fp16_flops'] / 1e15:,.1f}",
            "",
        )
    render.console().print(table)


@compute_app.command("scenarios")
@reports_errors
def scenarios_command(as_json: JsonFlag = False) -> None:
    """The policy scenarios shipped as data."""
    found = scenario.list_scenarios()
    if as_json:
        print_json([s.model_dump(mode="json") for s in found])
        return
    for each in found:
        typer.echo(f"{each.id}: {each.title} [{each.kind}, {each.evidence}]")


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"a date YYYY-MM-DD, got {text!r}", param_hint="--on") from None


def _write_svg(path: Path, svg: str) -> None:
    try:
        path.write_text(svg, encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {path}: {exc.strerror}", param_hint="--svg"
        ) from None
    typer.echo(f"chart written to {path}", err=True)


def _csv(result: Report) -> None:
    writer = csv.DictWriter(sys.stdout, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in [*result.rows, result.total]:
        writer.writerow(row)


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.1%}"


def _table(result: Report) -> Table:
    table = Table(
        result.by,
        "chips",
        "FP16 PFLOP/s",
        "FP8 PFLOP/s",
        "H100-eq",
        "share",
        "autonomy",
        "IT MW",
        "energy $/yr",
        "subsidy $/yr",
        "over power",
        title=f"Installed compute on {result.on} (dense; autonomy = domestic-design share)",
    )
    for row in [*result.rows, result.total]:
        table.add_row(
            str(row["key"]),
            f"{row['chips']:,}",
            f"{row['fp16_flops'] / 1e15:,.1f}",
            f"{row['fp8_flops'] / 1e15:,.1f}",
            f"{row['h100_eq']:,.0f}",
            _pct(row["share"]),
            _pct(row["autonomy_ratio"]),
            f"{row['it_power_mw']:,.1f}",
            f"{row['energy_cost_usd_per_year']:,.0f}",
            f"{row['subsidy_usd_per_year']:,.0f}",
            str(row.get("sites_over_declared_power", "")),
        )
    return table
