"""How fast a day of check-ins for a 1,000,000-chip fleet is verified (issue 5, point 7).

Synthetic day: one report per chip, 8 measurements each, to the 8 landmarks nearest its site
(landmarks: the real WonderNetwork server list; sites: a few real cities). RTT = 2 × true
distance / fibre speed × inflation (≥ 1, log-normal) + a small fixed delay; a share of the
chips were moved 300–3,000 km away but still claim their site.

1. Geometry: ``verify_batch`` over all reports at once (numpy, report × measurement arrays,
   in chunks), on one core. Target ≥ 20,000 reports/s.
2. Signatures, separately: Ed25519 verification of the chip's and the landmark's signature of
   every measurement (16 per report) on a sample of signed reports, extrapolated to the fleet;
   and the whole single-report path (parse, signatures, geometry, feasible region) for scale.

Run: ``.venv/bin/python bench/attestation_speed.py [--reports N] [--signed N] [--json]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from chipwatch.location.geometry import FIBRE_KM_PER_MS, destination, distance_km
from chipwatch.location.reference import Landmark, Reference, Site
from chipwatch.location.report import parse_report
from chipwatch.location.signatures import (
    chip_message,
    demo_private_key,
    landmark_message,
    sign_hex,
    signature_problem,
)
from chipwatch.location.verdicts import VERDICTS, verify_batch
from chipwatch.location.verify import Policy, verify_report

SERVERS = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "rtt"
    / "wondernetwork_servers_2020-07-19.csv"
)
#: id, lat, lon, policy radius (km)
SITES = (
    ("kul-1", 3.1390, 101.6869, 1000.0),
    ("sin-1", 1.3521, 103.8198, 1000.0),
    ("jhb-1", 1.4927, 103.7414, 1000.0),
    ("dxb-1", 25.2048, 55.2708, 150.0),
    ("ruh-1", 24.7136, 46.6753, 400.0),
    ("fra-1", 50.1109, 8.6821, 500.0),
    ("iad-1", 39.0438, -77.4874, 500.0),
    ("bom-1", 19.0760, 72.8777, 500.0),
)
PER_REPORT = 8
MOVED_SHARE = 0.02


def load_landmarks(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str]]:
    lat, lon, names = [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                lat.append(float(row["latitude"]))
                lon.append(float(row["longitude"]))
            except (TypeError, ValueError):
                continue
            names.append(f"wn-{row['id']}")
    return np.array(lat), np.array(lon), names


def synthetic_day(
    reports: int, lm_lat: NDArray[np.float64], lm_lon: NDArray[np.float64], seed: int
) -> dict[str, Any]:
    """Arrays for ``reports`` check-ins: which landmarks, RTTs, claimed sites, who moved."""
    rng = np.random.default_rng(seed)
    site_lat = np.array([s[1] for s in SITES])
    site_lon = np.array([s[2] for s in SITES])
    near = np.argsort(distance_km(site_lat[:, None], site_lon[:, None], lm_lat, lm_lon), axis=1)
    nearest = near[:, :PER_REPORT]  # each site's 8 nearest landmarks
    site = rng.integers(0, len(SITES), reports)
    moved = rng.random(reports) < MOVED_SHARE
    true_lat, true_lon = destination(
        site_lat[site],
        site_lon[site],
        rng.uniform(0, 360, reports),
        np.where(moved, rng.uniform(300, 3000, reports), rng.uniform(0, 5, reports)),
    )
    which = nearest[site]
    km = distance_km(lm_lat[which], lm_lon[which], true_lat[:, None], true_lon[:, None])
    inflation = 1 + rng.lognormal(-1.0, 0.6, km.shape)
    rtt = 2 * km / FIBRE_KM_PER_MS * inflation + rng.uniform(0.05, 0.5, km.shape)
    return {"site": site, "moved": moved, "which": which, "rtt": rtt}


def geometry_speed(day: dict[str, Any], lm_lat: Any, lm_lon: Any, chunk: int) -> dict[str, Any]:
    site = day["site"]
    radius = np.array([s[3] for s in SITES])
    site_lat = np.array([s[1] for s in SITES])
    site_lon = np.array([s[2] for s in SITES])
    n = len(site)
    codes = np.empty(n, np.int8)
    started = time.perf_counter()
    for start in range(0, n, chunk):
        part = slice(start, start + chunk)
        which = day["which"][part]
        s = site[part]
        codes[part] = verify_batch(
            lm_lat[which], lm_lon[which], day["rtt"][part], site_lat[s], site_lon[s], radius[s]
        ).code
    seconds = time.perf_counter() - started
    moved = day["moved"]
    counts = {name: int((codes == i).sum()) for i, name in enumerate(VERDICTS)}
    return {
        "reports": n,
        "measurements": n * PER_REPORT,
        "seconds": round(seconds, 3),
        "reports_per_s": round(n / seconds),
        "verdicts": counts,
        "moved_chips": int(moved.sum()),
        "moved_detected": round(float((codes[moved] == 1).mean()), 4) if moved.any() else None,
        "honest_inconsistent": int((codes[~moved] == 1).sum()),
    }


def signed_reports(day: dict[str, Any], names: list[str], count: int, at: dt.datetime) -> Any:
    """``count`` reports of the synthetic day, signed (chip keys per serial, landmark keys)."""
    stamp = at.isoformat().replace("+00:00", "Z")
    landmark_keys = {i: demo_private_key(f"landmark:{names[i]}") for i in np.unique(day["which"])}
    reports, chip_keys = [], {}
    for r in range(count):
        serial = f"H200-{r:07d}"
        chip = demo_private_key(f"chip:{serial}")
        chip_keys[serial] = chip.public_key()
        measurements = []
        for k in range(PER_REPORT):
            lm = int(day["which"][r, k])
            nonce = os.urandom(16).hex()
            m: dict[str, Any] = {
                "landmark": names[lm],
                "nonce": nonce,
                "rtt_ms": round(float(day["rtt"][r, k]), 3),
                "measured_at": stamp,
                "chip_signature": sign_hex(chip, chip_message(nonce, serial)),
            }
            parsed = parse_report({"serial": serial, "claimed_site": "x", "measurements": [m]})
            message = landmark_message(serial, parsed.measurements[0])
            m["landmark_signature"] = sign_hex(landmark_keys[lm], message)
            measurements.append(m)
        site = SITES[int(day["site"][r])][0]
        reports.append({"serial": serial, "claimed_site": site, "measurements": measurements})
    return reports, chip_keys, landmark_keys


def signature_speed(
    day: dict[str, Any], lm_lat: Any, lm_lon: Any, names: list[str], count: int, fleet: int
) -> dict[str, Any]:
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    reports, chip_keys, landmark_keys = signed_reports(day, names, count, at)
    parsed = [parse_report(r) for r in reports]
    public = {names[i]: key.public_key() for i, key in landmark_keys.items()}
    started = time.perf_counter()
    failures = 0
    for report in parsed:
        chip = chip_keys[report.serial]
        for m in report.measurements:
            message = chip_message(m.nonce, report.serial)
            failures += signature_problem(chip, m.chip_signature, message) is not None
            message = landmark_message(report.serial, m)
            failures += (
                signature_problem(public[m.landmark], m.landmark_signature, message) is not None
            )
    seconds = time.perf_counter() - started
    signatures = count * PER_REPORT * 2
    reference = Reference(
        {
            names[i]: Landmark(names[i], float(lm_lat[i]), float(lm_lon[i]), key)
            for i, key in public_by_index(landmark_keys).items()
        },
        {s[0]: Site(*s) for s in SITES},
        chip_keys,
    )
    sample = reports[: min(count, 2000)]
    started_full = time.perf_counter()
    verdicts = [verify_report(parse_report(r), reference, Policy(now=at)).verdict for r in sample]
    full_seconds = time.perf_counter() - started_full
    per_s = signatures / seconds
    return {
        "signed_reports": count,
        "signatures_verified": signatures,
        "failures": failures,
        "seconds": round(seconds, 3),
        "signatures_per_s": round(per_s),
        "reports_per_s": round(per_s / (PER_REPORT * 2)),
        "fleet_day_hours_one_core": round(fleet * PER_REPORT * 2 / per_s / 3600, 2),
        "full_path_reports": len(sample),
        "full_path_reports_per_s": round(len(sample) / full_seconds),
        "full_path_invalid": verdicts.count("invalid"),
    }


def public_by_index(keys: dict[Any, Any]) -> dict[int, Any]:
    return {int(i): key.public_key() for i, key in keys.items()}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000, help="chips (one report each)")
    parser.add_argument("--signed", type=int, default=10_000, help="reports to sign and verify")
    parser.add_argument("--chunk", type=int, default=125_000, help="reports per verify_batch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--servers", type=Path, default=SERVERS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.servers.exists():
        print(f"no server list at {args.servers}", file=sys.stderr)
        return 2
    lm_lat, lm_lon, names = load_landmarks(args.servers)
    day = synthetic_day(args.reports, lm_lat, lm_lon, args.seed)
    result = {
        "machine": machine(),
        "landmarks": len(names),
        "sites": [s[0] for s in SITES],
        "geometry": geometry_speed(day, lm_lat, lm_lon, args.chunk),
        "signatures": signature_speed(day, lm_lat, lm_lon, names, args.signed, args.reports),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    m, g, s = result["machine"], result["geometry"], result["signatures"]
    print(f"machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, numpy {m['numpy']}")
    print(
        f"fleet: {g['reports']:,} reports × {PER_REPORT} measurements; "
        f"{result['landmarks']} landmarks; sites {', '.join(result['sites'])}"
    )
    print(
        f"geometry (verify_batch, one core): {g['reports']:,} reports in {g['seconds']} s = "
        f"{g['reports_per_s']:,} reports/s"
    )
    print(
        f"  verdicts: {g['verdicts']}; moved chips {g['moved_chips']:,}, "
        f"detected {g['moved_detected']}; honest chips inconsistent: {g['honest_inconsistent']}"
    )
    print(
        f"signatures (Ed25519 verify, one core): {s['signatures_verified']:,} in "
        f"{s['seconds']} s = {s['signatures_per_s']:,} signatures/s = "
        f"{s['reports_per_s']:,} reports/s ({s['failures']} failures)"
    )
    print(f"  a day of the fleet: {s['fleet_day_hours_one_core']} h of one core for signatures")
    print(
        f"full single-report path (parse, signatures, geometry, region): "
        f"{s['full_path_reports_per_s']:,} reports/s on {s['full_path_reports']:,} reports"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
