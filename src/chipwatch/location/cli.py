"""``chipwatch location verify`` (alias ``chipwatch custody verify-location``) and
``chipwatch location demo-report``.

Exit status of ``verify``: 0 for proven or consistent, 3 for inconsistent or invalid (so a
script can alert), 2 for a malformed report or file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from chipwatch.cli_support import JsonFlag, print_json, reports_errors
from chipwatch.errors import InvalidInput
from chipwatch.location.demo import SCENARIOS, Scenario, write_demo_files
from chipwatch.location.explain import LocationVerdict
from chipwatch.location.nonces import MemoryNonceStore
from chipwatch.location.reference import Reference, load_chip_keys, load_landmarks, load_sites
from chipwatch.location.report import AttestationReport, instant_of, load_report, parse_report
from chipwatch.location.verdicts import DEFAULT_TOLERANCE_KM
from chipwatch.location.verify import DEFAULT_MAX_AGE, Policy, verify_report

location_app = typer.Typer(
    help="Check where a chip is from signed round-trip times to landmarks.",
    no_args_is_help=True,
)
ALERT_EXIT = 3


@reports_errors
def verify_location(
    report_file: Annotated[
        Path, typer.Argument(help="Attestation report (JSON); '-' reads stdin.", metavar="REPORT")
    ],
    landmarks: Annotated[
        Path | None, typer.Option(help="CSV id,lat,lon[,public_key,status] (stand-alone mode).")
    ] = None,
    sites: Annotated[
        Path | None, typer.Option(help="CSV id,lat,lon,radius_km (stand-alone mode).")
    ] = None,
    chips: Annotated[
        Path | None, typer.Option(help="CSV serial,public_key: chip keys (stand-alone mode).")
    ] = None,
    skip_signatures: Annotated[
        bool,
        typer.Option(
            "--skip-signatures",
            help="Judge the geometry only (signatures, nonces and freshness checked elsewhere).",
        ),
    ] = False,
    now: Annotated[
        str | None, typer.Option(help="Receipt time, ISO-8601 with offset (default: now).")
    ] = None,
    max_age_minutes: Annotated[
        float, typer.Option(help="Oldest acceptable measured_at, minutes before receipt.")
    ] = DEFAULT_MAX_AGE.total_seconds() / 60,
    tolerance_km: Annotated[
        float, typer.Option(help="Allowance for landmark and site coordinate error, km.")
    ] = DEFAULT_TOLERANCE_KM,
    actor: Annotated[str, typer.Option(help="Who checks (database mode; default: OS user).")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Verdict on a chip's claimed site: proven, consistent, inconsistent or invalid.

    With --landmarks and --sites the check stands alone; without them landmarks, sites and
    chip keys come from the database, and the result is recorded (attestation or flag).
    """
    report = _read_report(report_file)
    try:
        received = instant_of(now) if now else dt.datetime.now(dt.UTC)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="--now") from None
    policy = Policy(
        now=received,
        check_signatures=not skip_signatures,
        max_age=dt.timedelta(minutes=max_age_minutes),
        tolerance_km=tolerance_km,
    )
    if landmarks is None and sites is None:
        from chipwatch.location.custody_link import verify_and_record
        from chipwatch.store.cli import open_configured

        result = verify_and_record(
            open_configured(), report, policy, actor=actor or getpass.getuser()
        )
    elif landmarks is None or sites is None:
        missing = "--sites" if sites is None else "--landmarks"
        raise InvalidInput("stand-alone mode needs both --landmarks and --sites", field=missing)
    else:
        reference = Reference(
            load_landmarks(landmarks),
            load_sites(sites),
            load_chip_keys(chips) if chips else {},
        )
        result = verify_report(report, reference, policy, MemoryNonceStore())
    _show(result, as_json)
    if result.verdict in ("inconsistent", "invalid"):
        raise typer.Exit(ALERT_EXIT)


location_app.command("verify")(verify_location)


@location_app.command("demo-report")
@reports_errors
def demo_report_command(
    out: Annotated[Path, typer.Option(help="Directory for report.json and the CSV files.")],
    scenario: Annotated[str, typer.Option(help=f"One of {', '.join(SCENARIOS)}.")] = "honest",
    at: Annotated[
        str | None, typer.Option(help="When the measurements were taken (default: now).")
    ] = None,
) -> None:
    """Write a signed demo report (chip in KL, or diverted to Shenzhen, or forged) with the
    landmark, site and chip-key files to verify it stand-alone. Demo keys are not secret."""
    if scenario not in SCENARIOS:
        raise InvalidInput(f"unknown scenario {scenario!r}", field="--scenario")
    try:
        when = instant_of(at) if at else dt.datetime.now(dt.UTC).replace(microsecond=0)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="--at") from None
    by_name: dict[str, Scenario] = {name: name for name in SCENARIOS}
    for path in write_demo_files(out, at=when, scenario=by_name[scenario]):
        typer.echo(f"wrote {path}")


def _read_report(report_file: Path) -> AttestationReport:
    if str(report_file) != "-":
        return load_report(report_file)
    try:
        data = json.loads(sys.stdin.read())
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", source="stdin") from None
    return parse_report(data, source="stdin")


def _show(result: LocationVerdict, as_json: bool) -> None:
    if as_json:
        print_json(result.document)
        return
    doc = result.document
    typer.echo(f"{doc['serial']} at {doc['claimed_site']}: {result.verdict.upper()}")
    typer.echo(f"  {result.reason}")
    region = doc["feasible_region_status"]
    if doc["feasible_region_area_km2"] is not None:
        region = f"{region}, {doc['feasible_region_area_km2']:,.0f} km²"
    typer.echo(f"  feasible region: {region}")
    for m in doc["measurements"]:
        numbers = "unknown landmark"
        if m["distance_km"] is not None and m["bound_km"] is not None:
            numbers = f"bound {m['bound_km']:>8,.0f} km  site at {m['distance_km']:>8,.0f} km"
        line = f"  {m['landmark']:<12} {m['rtt_ms']:>9.3f} ms  {numbers}  {m['status']}"
        typer.echo(line + "".join(f"\n    - {p}" for p in m["problems"]))
    for problem in doc["problems"]:
        if not problem.startswith("measurements."):
            typer.echo(f"  problem: {problem}")
