"""Signed demo reports around Kuala Lumpur, for tests, docs and ``chipwatch location demo-report``.

The keys are derived from public names (``signatures.demo_private_key``): anyone can forge
these reports, which is the point of a demo and never acceptable for real enrolment.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from chipwatch.location.geometry import FIBRE_KM_PER_MS, distance_km
from chipwatch.location.reference import Landmark, Reference, Site
from chipwatch.location.report import Measurement
from chipwatch.location.signatures import (
    chip_message,
    demo_private_key,
    landmark_message,
    public_key_hex,
    sign_hex,
)

Scenario = Literal["honest", "diverted", "forged"]
SCENARIOS: tuple[Scenario, ...] = ("honest", "diverted", "forged")
DEMO_SERIAL = "H200-0001234"
#: id, lat, lon, radius_km (KL: China is at least 1,880 km away).
DEMO_SITES = (("kul-1", 3.1390, 101.6869, 1000.0), ("sin-dc-1", 1.3521, 103.8198, 1000.0))
DEMO_LANDMARKS = (
    ("kul-lm-1", 3.1478, 101.6953),
    ("sin-1", 1.2897, 103.8501),
    ("bkk-1", 13.7563, 100.5018),
    ("cgk-1", -6.2088, 106.8456),
    ("hkg-1", 22.3193, 114.1694),
)
SHENZHEN = (22.5431, 114.0579)
INFLATION = {"kul-lm-1": 1.9, "sin-1": 1.6, "bkk-1": 1.5, "cgk-1": 1.7, "hkg-1": 1.4}
FIXED_DELAY_MS = 0.35  # switching and signing time: real round trips are never below it


def demo_reference() -> Reference:
    landmarks = {
        ident: Landmark(ident, lat, lon, demo_private_key(f"landmark:{ident}").public_key())
        for ident, lat, lon in DEMO_LANDMARKS
    }
    sites = {ident: Site(ident, lat, lon, radius) for ident, lat, lon, radius in DEMO_SITES}
    chip = demo_private_key(f"chip:{DEMO_SERIAL}").public_key()
    return Reference(landmarks, sites, {DEMO_SERIAL: chip})


def demo_report(scenario: Scenario = "honest", *, at: dt.datetime) -> dict[str, Any]:
    """A report for kul-1 timed at ``at``: ``honest`` (the chip is in KL), ``diverted`` (it is
    in Shenzhen), ``forged`` (honest RTTs, but the sin-1 RTT was edited after signing)."""
    true_lat, true_lon = SHENZHEN if scenario == "diverted" else DEMO_SITES[0][1:3]
    measurements = []
    for offset, (ident, lat, lon) in enumerate(DEMO_LANDMARKS):
        km = float(distance_km(true_lat, true_lon, lat, lon))
        rtt = round(2 * km / FIBRE_KM_PER_MS * INFLATION[ident] + FIXED_DELAY_MS, 3)
        when = at - dt.timedelta(seconds=10 * (len(DEMO_LANDMARKS) - offset))
        measurements.append(signed_measurement(DEMO_SERIAL, ident, rtt, when, scenario))
    if scenario == "forged":
        measurements[1]["rtt_ms"] = 1.1  # looks closer to Singapore than it was
    return {"serial": DEMO_SERIAL, "claimed_site": "kul-1", "measurements": measurements}


def signed_measurement(
    serial: str, landmark: str, rtt_ms: float, when: dt.datetime, salt: str = ""
) -> dict[str, Any]:
    """One measurement signed with the demo keys of ``serial`` and ``landmark``."""
    stamp = when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    nonce = hashlib.sha256(f"{salt}:{serial}:{landmark}:{stamp}".encode()).hexdigest()[:32]
    chip_signature = sign_hex(demo_private_key(f"chip:{serial}"), chip_message(nonce, serial))
    fields: dict[str, Any] = {
        "landmark": landmark,
        "nonce": nonce,
        "rtt_ms": rtt_ms,
        "measured_at": stamp,
        "chip_signature": chip_signature,
    }
    message = landmark_message(serial, Measurement.model_validate(fields))
    fields["landmark_signature"] = sign_hex(demo_private_key(f"landmark:{landmark}"), message)
    return fields


def write_demo_files(directory: Path, *, at: dt.datetime, scenario: Scenario) -> list[Path]:
    """report.json, landmarks.csv, sites.csv and chips.csv for ``chipwatch location verify``."""
    directory.mkdir(parents=True, exist_ok=True)
    reference = demo_reference()
    report = directory / "report.json"
    report.write_text(json.dumps(demo_report(scenario, at=at), indent=2) + "\n", encoding="utf-8")
    rows: dict[str, Sequence[Sequence[object]]] = {
        "landmarks.csv": [["id", "lat", "lon", "public_key", "status"]]
        + [
            [lm.id, lm.lat, lm.lon, public_key_hex(lm.public_key), lm.status]
            for lm in reference.landmarks.values()
            if lm.public_key is not None
        ],
        "sites.csv": [["id", "lat", "lon", "radius_km"]] + [list(site) for site in DEMO_SITES],
        "chips.csv": [["serial", "public_key"]]
        + [[serial, public_key_hex(key)] for serial, key in reference.chip_keys.items()],
    }
    written = [report]
    for name, table in rows.items():
        path = directory / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
        written.append(path)
    return written
