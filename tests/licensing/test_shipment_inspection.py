"""A licence that requires third-party testing ships no chip without its inspection and test."""

from __future__ import annotations

import pytest

from chipwatch.custody.chips import EventRequest, NewChip, add_chip, apply_event
from chipwatch.custody.documents import InspectionDoc
from chipwatch.custody.inspections import record_inspection
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.licensing.shipments import ship
from chipwatch.store import Database
from tests.licensing.shipment_fixture import add_licence, order, report_us

PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"


def _chip(database: Database, serial: str, *, inspect: bool, test: bool) -> None:
    with database.transaction() as session:
        add_chip(session, NewChip(serial=serial, model="NVIDIA H200"), "lab")
        if inspect:
            doc = InspectionDoc(
                serial_seen=serial,
                model_seen="NVIDIA H200",
                firmware="96.00.5E.00.01",
                tamper_seal_id=f"SEAL-{serial}",
                tester="Ada",
                lab="US Test Lab",
                result="pass",
                public_key=PUBLIC_KEY if serial.endswith("1") else None,
            )
            record_inspection(session, serial, doc, "lab")
        if test:
            apply_event(session, EventRequest(serial=serial, event="tested", actor="lab"))


@pytest.fixture
def testing_licence(database: Database) -> Database:
    add_licence(database, conditions={"fee_rate": "0.25", "third_party_testing": True})
    report_us(database)
    return database


def _ship(database: Database, serial: str, key: str) -> None:
    ship(
        database,
        order=order(),
        licence_number="MO-0001",
        quantity=1,
        serials=[serial],
        idempotency_key=key,
        actor="alice",
    )


def test_an_unregistered_chip_is_refused(testing_licence: Database) -> None:
    with pytest.raises(ShipmentRefused) as refused:
        _ship(testing_licence, "H200-X", "k1")
    assert "chip_unknown" in refused.value.codes


def test_an_inspected_but_untested_chip_is_refused(testing_licence: Database) -> None:
    _chip(testing_licence, "H200-0001", inspect=True, test=False)
    with pytest.raises(ShipmentRefused) as refused:
        _ship(testing_licence, "H200-0001", "k2")
    assert "testing_missing" in refused.value.codes


def test_a_tested_chip_ships(testing_licence: Database) -> None:
    _chip(testing_licence, "H200-0001", inspect=True, test=True)
    _ship(testing_licence, "H200-0001", "k3")


def _registered(
    database: Database, serial: str, *, model: str = "NVIDIA H200", licence: str | None = None
) -> None:
    """An inspected and tested chip of ``model``, registered under ``licence``."""
    with database.transaction() as session:
        add_chip(session, NewChip(serial=serial, model=model, licence=licence), "lab")
        doc = InspectionDoc(
            serial_seen=serial,
            model_seen=model,
            firmware="96.00.5E.00.01",
            tamper_seal_id=f"SEAL-{serial}",
            tester="Ada",
            lab="US Test Lab",
            result="pass",
            public_key=PUBLIC_KEY,
        )
        record_inspection(session, serial, doc, "lab")
        apply_event(session, EventRequest(serial=serial, event="tested", actor="lab"))


# (the chip's model, the licence it is registered under, the refusal codes)
CHIP_MATCHES: list[tuple[str, str | None, list[str]]] = [
    ("NVIDIA H200", "MO-0001", []),
    ("NVIDIA H200", None, []),
    ("NVIDIA H20", "MO-0001", ["chip_model"]),
    ("NVIDIA H200", "OTHER-1", ["chip_licence"]),
]


@pytest.mark.parametrize(("model", "licence", "codes"), CHIP_MATCHES)
def test_a_chip_must_be_the_order_lines_model_under_this_licence(
    testing_licence: Database, model: str, licence: str | None, codes: list[str]
) -> None:
    add_licence(testing_licence, number="OTHER-1")
    _registered(testing_licence, "H200-0001", model=model, licence=licence)
    if not codes:
        _ship(testing_licence, "H200-0001", "k1")
        return
    with pytest.raises(ShipmentRefused) as refused:
        _ship(testing_licence, "H200-0001", "k1")
    assert refused.value.codes == codes
