"""The verdict document: the verdict, the landmark and numbers that decide it, the feasible
region, and every measurement with its own numbers and problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chipwatch.location.geometry import LIKELY_KM_PER_RTT_MS, FloatArray, as_float
from chipwatch.location.reference import Site
from chipwatch.location.region import feasible_region
from chipwatch.location.report import AttestationReport
from chipwatch.location.verdicts import INCONSISTENT, INVALID, PROVEN, VERDICTS, BatchVerdicts

if TYPE_CHECKING:
    from chipwatch.location.verify import Policy


@dataclass(frozen=True)
class LocationVerdict:
    """``verdict`` is one of VERDICTS; ``document`` is what the CLI and API print."""

    verdict: str
    reason: str
    document: dict[str, Any]


def explain(
    report: AttestationReport,
    site: Site | None,
    batch: BatchVerdicts,
    landmark_lat: FloatArray,
    landmark_lon: FloatArray,
    problems: list[list[str]],
    notes: list[str | None],
    report_problems: list[str],
    policy: Policy,
) -> LocationVerdict:
    """``landmark_lat``/``landmark_lon`` (length m; NaN for unknown landmarks) feed the region."""
    code = int(batch.code[0])
    verdict = VERDICTS[code]
    index = int(batch.deciding[0])
    distance, bound = batch.distance_km[0], batch.bound_km[0]
    usable = np.array([not p and not n for p, n in zip(problems, notes, strict=True)])
    usable &= bound > 0
    deciding: dict[str, Any] = {"deciding_landmark": None, "rtt_ms": None, "bound_km": None}
    deciding |= {"distance_km": None, "margin_km": None}
    if index >= 0:
        deciding = {
            "deciding_landmark": report.measurements[index].landmark,
            "rtt_ms": report.measurements[index].rtt_ms,
            "bound_km": as_float(bound[index]),
            "distance_km": as_float(distance[index]),
            "margin_km": as_float(_margin(code, distance[index], bound[index], site, policy)),
        }
    reason = _reason(code, report, site, deciding, problems, report_problems, policy)
    lat, lon = landmark_lat[usable], landmark_lon[usable]
    region = feasible_region(lat, lon, bound[usable]) if usable.any() else None
    likely = feasible_region(lat, lon, bound[usable] / 1.5) if usable.any() else None
    proven_radius = float(batch.proven_radius_km[0])
    document: dict[str, Any] = {
        "serial": report.serial,
        "claimed_site": report.claimed_site,
        "verdict": verdict,
        "reason": reason,
        **deciding,
        "proven_radius_km": as_float(proven_radius) if np.isfinite(proven_radius) else None,
        "site_radius_km": site.radius_km if site else None,
        "tolerance_km": policy.tolerance_km,
        "feasible_region": region.geojson() if region else None,
        "feasible_region_status": region.status if region else "no_usable_measurement",
        "feasible_region_area_km2": region.area_km2 if region else None,
        "likely_region_status": likely.status if likely else "no_usable_measurement",
        "likely_region_area_km2": likely.area_km2 if likely else None,
        "signatures_checked": policy.check_signatures,
        "checked_at": policy.now.isoformat().replace("+00:00", "Z"),
        "report_sha256": report.sha256(),
        "problems": report_problems
        + [f"measurements.{i}: {p}" for i, found in enumerate(problems) for p in found],
        "measurements": [
            _measurement(m.landmark, m.rtt_ms, distance[i], bound[i], problems[i], notes[i])
            for i, m in enumerate(report.measurements)
        ],
    }
    return LocationVerdict(verdict, reason, document)


def _margin(code: int, distance: float, bound: float, site: Site | None, policy: Policy) -> float:
    """proven: radius − (d + b) ≥ 0; inconsistent: (d − b) − tolerance > 0; consistent:
    radius − (d + b) < 0 (how far the best proof falls short)."""
    if code == INCONSISTENT:
        return distance - bound - policy.tolerance_km
    return (site.radius_km if site else 0.0) - (distance + bound)


def _reason(
    code: int,
    report: AttestationReport,
    site: Site | None,
    deciding: dict[str, Any],
    problems: list[list[str]],
    report_problems: list[str],
    policy: Policy,
) -> str:
    if code == INVALID:
        listed = report_problems + [
            f"measurement {i} ({report.measurements[i].landmark}): {p}"
            for i, found in enumerate(problems)
            for p in found
        ]
        return "invalid: " + ("; ".join(listed) or "no usable measurement")
    assert site is not None
    name, rtt = deciding["deciding_landmark"], deciding["rtt_ms"]
    d, b = deciding["distance_km"], deciding["bound_km"]
    timed = f"{name} timed {rtt:g} ms, so the chip is within {b:,.0f} km of {name}"
    if code == INCONSISTENT:
        return (
            f"{timed}, but {site.id} is {d:,.0f} km from {name}: {d - b:,.0f} km outside that "
            f"disk (tolerance {policy.tolerance_km:g} km), so the chip cannot be at {site.id}"
        )
    within = f"{timed}, which is {d:,.0f} km from {site.id}: the chip is within {d + b:,.0f} km"
    if code == PROVEN:
        return f"{within} of {site.id}, inside its {site.radius_km:,.0f} km radius"
    return (
        f"no landmark's disk excludes {site.id}, but the best proof ({within}) falls "
        f"{d + b - site.radius_km:,.0f} km short of its {site.radius_km:,.0f} km radius"
    )


def _measurement(
    landmark: str,
    rtt_ms: float,
    distance: float,
    bound: float,
    problems: list[str],
    note: str | None,
) -> dict[str, Any]:
    known = bool(np.isfinite(distance))
    return {
        "landmark": landmark,
        "rtt_ms": rtt_ms,
        "bound_km": as_float(bound) if rtt_ms > 0 else None,
        "likely_bound_km": as_float(rtt_ms * LIKELY_KM_PER_RTT_MS) if rtt_ms > 0 else None,
        "distance_km": as_float(distance) if known else None,
        "site_inside_disk": bool(distance <= bound) if known else None,
        "proof_radius_km": as_float(distance + bound) if known and rtt_ms > 0 else None,
        "status": "invalid" if problems or not rtt_ms > 0 else ("ignored" if note else "ok"),
        "problems": problems,
        "note": note,
    }
