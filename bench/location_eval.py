"""How well RTT-based location verification works on real ping data (issue 5, point 6).

WonderNetwork all-pairs pings (2020-07-19, ../shared/data/rtt/): the landmark RTT of a pair is
the smaller of the two directions' ``min`` columns. Servers whose coordinates contradict the
speed of light in fibre are dropped first, worst offender at a time. Then every clean server
in turn plays a chip and the others are its landmarks:

* honest claim (its own location) → false-alarm rate (verdict ``inconsistent``);
* claims moved 500 / 1,000 / 2,000 km on 8 bearings → detection rate (``inconsistent``);
* proven radius around the true site (best landmark's distance + bound), and how often a
  claim is ``proven`` under a 1,000 km policy radius;
* the same with random landmark subsets (100 / 50 / 25 / 10 %, seeded) and with no landmark
  within 500 km of the chip.

Every verdict comes from ``chipwatch.location.verdicts.verify_batch``, the product's code.
Run: ``.venv/bin/python bench/location_eval.py [--json] [--data DIR] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from chipwatch.location.geometry import bound_km, destination, distance_km
from chipwatch.location.verdicts import DEFAULT_TOLERANCE_KM, INCONSISTENT, PROVEN, verify_batch

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "rtt"
PINGS = "wondernetwork_pings_2020-07-19.csv"
SERVERS = "wondernetwork_servers_2020-07-19.csv"
MOVES_KM = (500.0, 1000.0, 2000.0)
BEARINGS = np.arange(0.0, 360.0, 45.0)
POLICY_RADIUS_KM = 1000.0
FRACTIONS = (1.0, 0.5, 0.25, 0.1)


@dataclass
class Network:
    ids: list[str]
    names: list[str]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    rtt: NDArray[np.float64]  # n × n min RTT (ms), NaN where never measured
    distance: NDArray[np.float64]  # n × n km

    def subset(self, keep: NDArray[np.bool_]) -> Network:
        index = np.flatnonzero(keep)
        return Network(
            [self.ids[i] for i in index],
            [self.names[i] for i in index],
            self.lat[index],
            self.lon[index],
            self.rtt[np.ix_(index, index)],
            self.distance[np.ix_(index, index)],
        )


def load(data: Path) -> tuple[Network, list[str]]:
    """The servers with coordinates and their RTT matrix; the ping ids without a server row."""
    servers: dict[str, tuple[str, float, float]] = {}
    with (data / SERVERS).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                servers[row["id"]] = (row["title"], float(row["latitude"]), float(row["longitude"]))
            except (TypeError, ValueError):
                continue
    pairs: dict[tuple[str, str], float] = {}
    unknown: set[str] = set()
    with (data / PINGS).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = row["source"], row["destination"]
            unknown |= {x for x in (a, b) if x not in servers}
            if a == b or a not in servers or b not in servers:
                continue
            key = (a, b) if a < b else (b, a)
            value = float(row["min"])
            pairs[key] = min(value, pairs.get(key, np.inf))
    ids = sorted(servers, key=int)
    where = {ident: i for i, ident in enumerate(ids)}
    rtt = np.full((len(ids), len(ids)), np.nan)
    for (a, b), value in pairs.items():
        rtt[where[a], where[b]] = rtt[where[b], where[a]] = value
    lat = np.array([servers[i][1] for i in ids])
    lon = np.array([servers[i][2] for i in ids])
    distance = distance_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    names = [servers[i][0] for i in ids]
    return Network(ids, names, lat, lon, rtt, distance), sorted(unknown, key=int)


def clean(net: Network) -> tuple[Network, list[dict[str, Any]]]:
    """Drop the worst speed-of-light offender until no pair is faster than light in fibre."""
    keep = np.ones(len(net.ids), bool)
    excess = net.distance - bound_km(net.rtt)  # > 0: the pair is faster than fibre allows
    violates = np.nan_to_num(excess, nan=-1.0) > 0
    dropped = []
    while True:
        active = violates & keep[:, None] & keep[None, :]
        counts = active.sum(axis=1)
        if counts.max() == 0:
            return net.subset(keep), dropped
        total = np.where(active, excess, 0.0).sum(axis=1)
        worst = int(np.lexsort((total, counts))[-1])
        partner = int(np.argmax(np.where(active[worst], excess[worst], -np.inf)))
        dropped.append(
            {
                "id": net.ids[worst],
                "name": net.names[worst],
                "violations": int(counts[worst]),
                "worst_pair": net.names[partner],
                "worst_distance_km": round(float(net.distance[worst, partner]), 1),
                "worst_rtt_ms": round(float(net.rtt[worst, partner]), 3),
                "worst_bound_km": round(float(bound_km(net.rtt[worst, partner])), 1),
            }
        )
        keep[worst] = False


def evaluate(net: Network, landmarks: NDArray[np.bool_], *, min_km: float = 0.0) -> dict[str, Any]:
    """Every server as a chip (honest and moved claims) against the ``landmarks`` mask."""
    n = len(net.ids)
    chips = np.arange(n)
    usable = landmarks[None, :] & ~np.eye(n, dtype=bool) & ~np.isnan(net.rtt)
    usable &= net.distance >= min_km
    rtt = np.where(usable, net.rtt, 1.0)
    honest = verify_batch(
        np.broadcast_to(net.lat, (n, n)),
        np.broadcast_to(net.lon, (n, n)),
        rtt,
        net.lat,
        net.lon,
        np.full(n, POLICY_RADIUS_KM),
        present=usable,
    )
    has_landmark = usable.any(axis=1)
    out: dict[str, Any] = {
        "chips": int(has_landmark.sum()),
        "false_alarm_rate": _rate(honest.code[has_landmark] == INCONSISTENT),
        "honest_proven_at_1000km": _rate(honest.code[has_landmark] == PROVEN),
        "proven_radius_km": _quantiles(honest.proven_radius_km[has_landmark]),
        "certified_within_km": {
            str(r): _rate(honest.proven_radius_km[has_landmark] <= r) for r in (300, 500, 1000)
        },
    }
    for km in MOVES_KM:
        c, b = np.meshgrid(chips[has_landmark], BEARINGS, indexing="ij")
        c, b = c.ravel(), b.ravel()
        claim_lat, claim_lon = destination(net.lat[c], net.lon[c], b, km)
        moved = verify_batch(
            np.broadcast_to(net.lat, (len(c), n)),
            np.broadcast_to(net.lon, (len(c), n)),
            rtt[c],
            claim_lat,
            claim_lon,
            np.full(len(c), POLICY_RADIUS_KM),
            present=usable[c],
        )
        out[f"moved_{km:.0f}km"] = {
            "claims": len(c),
            "detection_rate": _rate(moved.code == INCONSISTENT),
            "proven_at_1000km": _rate(moved.code == PROVEN),
        }
    return out


def _rate(flags: NDArray[np.bool_]) -> float:
    return round(float(flags.mean()), 4) if flags.size else float("nan")


def _quantiles(values: NDArray[np.float64]) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    marks = {"p10": 10, "p25": 25, "median": 50, "p75": 75, "p90": 90}
    return {k: round(float(np.percentile(finite, q)), 1) for k, q in marks.items()}


def subsets(net: Network, repeats: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for fraction in FRACTIONS:
        runs = []
        for _ in range(1 if fraction == 1.0 else repeats):
            mask = np.zeros(len(net.ids), bool)
            mask[
                rng.choice(len(net.ids), max(1, round(fraction * len(net.ids))), replace=False)
            ] = 1
            runs.append(evaluate(net, mask))
        rows.append({"landmarks": f"{fraction:.0%}", "runs": len(runs), **_mean(runs)})
    return rows


def _mean(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The mean of every number across runs (nested dicts alike)."""
    first = runs[0]
    out: dict[str, Any] = {}
    for key, value in first.items():
        if isinstance(value, dict):
            out[key] = _mean([run[key] for run in runs])
        else:
            out[key] = round(float(np.mean([run[key] for run in runs])), 4)
    return out


def kl_example(raw: Network) -> dict[str, Any]:
    """The research note's case: a Shenzhen chip claiming Kuala Lumpur, and an honest KL chip
    (on the network given: the clean one when it still has these servers)."""
    where = {name: i for i, name in enumerate(raw.names)}
    needed = ("Malaysia", "Singapore", "Shenzhen", "Hong Kong")
    if any(name not in where for name in needed):
        return {"skipped": f"needs servers {', '.join(needed)}"}
    kl, sg, sz = where["Malaysia"], where["Singapore"], where["Shenzhen"]
    n = len(raw.ids)
    present = ~np.isnan(raw.rtt[sz]) & (np.arange(n) != sz)
    diverted = verify_batch(
        raw.lat[None, :],
        raw.lon[None, :],
        np.where(present, raw.rtt[sz], 1.0)[None, :],
        [raw.lat[kl]],
        [raw.lon[kl]],
        [POLICY_RADIUS_KM],
        present=present[None, :],
    )
    d = int(diverted.deciding[0])
    only_sg = verify_batch(
        [[raw.lat[sg]]], [[raw.lon[sg]]], [[raw.rtt[kl, sg]]], [raw.lat[kl]], [raw.lon[kl]], [1000]
    )
    return {
        "shenzhen_chip_claims_kl": {
            "verdict": diverted.names()[0],
            "deciding_landmark": raw.names[d],
            "rtt_ms": round(float(raw.rtt[sz, d]), 3),
            "bound_km": round(float(diverted.bound_km[0, d]), 1),
            "distance_km": round(float(diverted.distance_km[0, d]), 1),
            "proven_radius_around_kl_km": round(float(diverted.proven_radius_km[0]), 1),
        },
        "kl_chip_with_singapore_only": {
            "verdict": only_sg.names()[0],
            "rtt_ms": round(float(raw.rtt[kl, sg]), 3),
            "distance_km": round(float(only_sg.distance_km[0, 0]), 1),
            "proven_radius_km": round(float(only_sg.proven_radius_km[0]), 1),
        },
        "shenzhen_hong_kong": {
            "distance_km": round(float(raw.distance[sz, where["Hong Kong"]]), 1),
            "rtt_ms": round(float(raw.rtt[sz, where["Hong Kong"]]), 3),
        },
    }


def run(data: Path, repeats: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    raw, unknown = load(data)
    clean_net, dropped = clean(raw)
    everyone = np.ones(len(clean_net.ids), bool)
    return {
        "servers_with_coordinates": len(raw.ids),
        "ping_ids_without_server_row": unknown,
        "dropped": dropped,
        "clean_servers": len(clean_net.ids),
        "tolerance_km": DEFAULT_TOLERANCE_KM,
        "policy_radius_km": POLICY_RADIUS_KM,
        "raw_all_landmarks": evaluate(raw, np.ones(len(raw.ids), bool)),
        "clean_no_landmark_within_500km": evaluate(clean_net, everyone, min_km=500.0),
        "clean_subsets": subsets(clean_net, repeats, seed),
        "kl_example": kl_example(clean_net if "Shenzhen" in clean_net.names else raw),
        "seconds": round(time.perf_counter() - started, 2),
    }


def print_table(result: dict[str, Any]) -> None:
    print(
        f"servers with coordinates: {result['servers_with_coordinates']}; ping ids without a "
        f"server row: {', '.join(result['ping_ids_without_server_row'])}"
    )
    print(f"dropped {len(result['dropped'])} server(s) faster than light in fibre (2/3 c):")
    for d in result["dropped"]:
        print(
            f"  {d['name']:<16} {d['violations']:>3} pair(s); worst vs {d['worst_pair']}: "
            f"{d['worst_distance_km']:,.0f} km apart at {d['worst_rtt_ms']} ms "
            f"(bound {d['worst_bound_km']:,.0f} km)"
        )
    print(
        f"clean servers: {result['clean_servers']}; tolerance {result['tolerance_km']:g} km; "
        f"policy radius {result['policy_radius_km']:,.0f} km\n"
    )
    head = (
        f"{'setting':<28}{'chips':>6}{'false al.':>10}{'det 500':>9}{'det 1000':>9}"
        f"{'det 2000':>9}{'R med km':>10}{'R p90 km':>10}{'cert≤500':>9}"
        f"{'1000km lie proven':>19}"
    )
    print(head)
    rows = [("raw labels, all", result["raw_all_landmarks"])]
    rows += [(f"clean, {r['landmarks']} ({r['runs']} run)", r) for r in result["clean_subsets"]]
    rows.append(("clean, none within 500 km", result["clean_no_landmark_within_500km"]))
    for name, r in rows:
        print(
            f"{name:<28}{r['chips']:>6.0f}{r['false_alarm_rate']:>10.3f}"
            f"{r['moved_500km']['detection_rate']:>9.3f}{r['moved_1000km']['detection_rate']:>9.3f}"
            f"{r['moved_2000km']['detection_rate']:>9.3f}{r['proven_radius_km']['median']:>10,.0f}"
            f"{r['proven_radius_km']['p90']:>10,.0f}{r['certified_within_km']['500']:>9.3f}"
            f"{r['moved_1000km']['proven_at_1000km']:>19.3f}"
        )
    print("\nKL example:")
    print(json.dumps(result["kl_example"], indent=2))
    print(f"\n{result['seconds']} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA, help="folder with the rtt CSV files")
    parser.add_argument("--repeats", type=int, default=10, help="random subsets per fraction")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if not (args.data / PINGS).exists():
        print(f"no ping data at {args.data}", file=sys.stderr)
        return 2
    result = run(args.data, args.repeats, args.seed)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
