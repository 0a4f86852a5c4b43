"""A chip sent back to the exporter may ship again (its serial leaves the old shipment)."""

from __future__ import annotations

import pytest

from chipwatch.custody.chips import EventRequest, NewChip, add_chip, apply_event
from chipwatch.licensing import shipment_status
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.licensing.shipments import ship
from chipwatch.store import Database
from tests.licensing.shipment_fixture import add_licence, order, report_us


def _ship(database: Database, key: str) -> int:
    result = ship(
        database,
        order=order(),
        licence_number="MO-0001",
        quantity=1,
        serials=["H200-R1"],
        idempotency_key=key,
        actor="bob",
    )
    return int(result.shipment["id"])


def test_a_returned_chip_ships_again(database: Database) -> None:
    add_licence(database)
    report_us(database)
    first = _ship(database, "k1")
    shipment_status.dispatch_shipment(database, first, "bob")
    shipment_status.deliver_shipment(database, first, "bob")
    with pytest.raises(ShipmentRefused) as refused:
        _ship(database, "k2")
    assert "serial_already_shipped" in refused.value.codes
    with database.transaction() as session:
        add_chip(session, NewChip(serial="H200-R1", model="NVIDIA H200", state="received"), "x")
        apply_event(session, EventRequest(serial="H200-R1", event="returned", actor="rma"))
    assert _ship(database, "k3") != first
