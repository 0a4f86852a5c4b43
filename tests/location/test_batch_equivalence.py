"""The single-report path and ``verify_batch`` give the same verdicts (random cases)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from chipwatch.location.geometry import BOUND_KM_PER_RTT_MS, distance_km
from chipwatch.location.reference import Landmark, Reference, Site
from chipwatch.location.report import parse_report
from chipwatch.location.verdicts import verify_batch
from chipwatch.location.verify import Policy, verify_report


def test_single_and_batch_agree_on_random_reports() -> None:
    rng = np.random.default_rng(7)
    n, m, count = 200, 6, 30
    lat, lon = rng.uniform(-60, 60, count), rng.uniform(-180, 180, count)
    landmarks = {f"l{i}": Landmark(f"l{i}", lat[i], lon[i]) for i in range(count)}
    sites = {f"s{i}": Site(f"s{i}", lat[i], lon[i], rng.uniform(100, 3000)) for i in range(count)}
    reference = Reference(landmarks, sites)
    which = rng.integers(0, count, (n, m))
    site = rng.integers(0, count, n)
    honest_km = distance_km(lat[which], lon[which], lat[site][:, None], lon[site][:, None])
    rtt = honest_km / BOUND_KM_PER_RTT_MS * rng.uniform(0.7, 2.5, (n, m)) + rng.uniform(
        0, 2, (n, m)
    )
    rtt[rng.random((n, m)) < 0.01] = -1.0
    batch = verify_batch(
        lat[which],
        lon[which],
        rtt,
        lat[site],
        lon[site],
        [sites[f"s{s}"].radius_km for s in site],
    )
    policy = Policy(check_signatures=False)
    stamp = dt.datetime.now(dt.UTC).isoformat()
    for row in range(n):
        report = parse_report(
            {
                "serial": "C",
                "claimed_site": f"s{site[row]}",
                "measurements": [
                    {
                        "landmark": f"l{which[row, k]}",
                        "nonce": "00" * 16,
                        "rtt_ms": rtt[row, k],
                        "measured_at": stamp,
                    }
                    for k in range(m)
                ],
            }
        )
        single = verify_report(report, reference, policy)
        assert single.verdict == batch.names()[row]
        index = int(batch.deciding[row])
        expected = None if index < 0 else f"l{which[row, index]}"
        assert single.document["deciding_landmark"] == expected
    assert set(batch.names()) == {"invalid", "inconsistent", "consistent", "proven"}
