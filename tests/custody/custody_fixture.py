"""Small custody fixtures: licences, sites, test keys, and a chip walked to a given state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.orm import Session

from chipwatch.custody import chips, inspections, places
from chipwatch.custody.documents import InspectionDoc, SiteDoc
from chipwatch.licensing import service
from chipwatch.licensing.documents import parse_licence_document
from chipwatch.store import Database
from tests.licensing.licence_fixture import licence_document

H200 = "NVIDIA H200 SXM 141GB"
TESTED = "T-0001"  # requires third-party testing
UNTESTED = "T-0002"  # does not
SITES: list[dict[str, Any]] = [
    {
        "id": "kul-1",
        "name": "KL-1",
        "lat": 3.139,
        "lon": 101.6869,
        "country": "MY",
        "operator": "Example Cloud",
        "radius_km": 1000,
        "check_in_hours": 24,
        "declared_mw": 0.0021,
    },
    {
        "id": "jhb-1",
        "name": "Johor-1",
        "lat": 1.4927,
        "lon": 103.7414,
        "country": "MY",
        "operator": "Example Cloud",
        "radius_km": 500,
    },
    {
        "id": "szx-dc",
        "name": "Shenzhen DC",
        "lat": 22.5431,
        "lon": 114.0579,
        "country": "CN",
        "operator": "Somebody",
        "radius_km": 100,
    },
]


def public_key(seed: int) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def setup(db: Database) -> None:
    """Two licences (with and without the testing condition) and three sites."""
    for number, testing in ((TESTED, True), (UNTESTED, False)):
        conditions = {"fee_rate": "0.25", "third_party_testing": testing}
        doc = parse_licence_document(licence_document(number=number, conditions=conditions))
        service.add_licence(db, doc, "alice")
    with db.transaction() as session:
        places.put_sites(session, [SiteDoc.model_validate(s) for s in SITES], "alice")


def inspection(serial: str, seed: int = 7, **changes: Any) -> InspectionDoc:
    data: dict[str, Any] = {
        "serial_seen": serial,
        "model_seen": H200,
        "firmware": "96.00.A5",
        "tamper_seal_id": "TS-1",
        "tester": "j.doe",
        "lab": "Lab, San Jose",
        "result": "pass",
        "at": "2026-02-10T14:30:00Z",
        "public_key": public_key(seed),
    }
    data.update(changes)
    return InspectionDoc.model_validate(data)


def event(session: Session, serial: str, name: str, **kw: Any) -> chips.EventResult:
    return chips.apply_event(
        session, chips.EventRequest(serial=serial, event=name, actor="bob", **kw)
    )


PATH = ("inspected", "tested", "shipped", "in_transit", "received", "installed")


def chip_at(db: Database, serial: str, state: str, *, licence: str = TESTED, seed: int = 7) -> None:
    """Register a chip and walk it along the main path up to ``state``."""
    with db.transaction() as session:
        chips.add_chip(session, chips.NewChip(serial, H200, licence=licence), "alice")
        for step in PATH[: PATH.index(state) + 1] if state != "manufactured" else ():
            if step == "inspected":
                inspections.record_inspection(session, serial, inspection(serial, seed), "lab")
            else:
                site = "kul-1" if step == "received" else None
                event(session, serial, step, site=site, at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
