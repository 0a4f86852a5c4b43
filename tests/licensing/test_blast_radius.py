"""Suspending or revoking a licence: what it reaches, and pending shipments blocked at once."""

from __future__ import annotations

import pytest

from chipwatch.errors import Conflict
from chipwatch.licensing import service, shipment_status, shipment_views
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.licensing.shipments import ship
from chipwatch.store import Database
from chipwatch.store.audit import list_records, verify
from tests.licensing.shipment_fixture import add_licence, order, report_us


def _ship(database: Database, key: str) -> int:
    result = ship(
        database,
        order=order(),
        licence_number="MO-0001",
        quantity=2,
        serials=[f"{key}-1", f"{key}-2"],
        idempotency_key=key,
        actor="bob",
    )
    return int(result.shipment["id"])


def test_suspension_lists_what_it_reaches_and_blocks_pending_shipments(
    database: Database,
) -> None:
    add_licence(database)
    report_us(database)
    pending, moving, delivered, cancelled = (_ship(database, k) for k in "abcd")
    shipment_status.dispatch_shipment(database, moving, "dan")
    shipment_status.dispatch_shipment(database, delivered, "dan")
    shipment_status.deliver_shipment(database, delivered, "erin")
    shipment_status.cancel_shipment(database, cancelled, "carol", "withdrawn")

    radius = service.blast_radius(database, "MO-0001").to_dict()
    assert [s["id"] for s in radius["pending_shipments"]] == [pending]
    assert [s["id"] for s in radius["in_transit"]] == [moving]
    assert [(c["serial"], c["shipment_id"]) for c in radius["delivered_chips"]] == [
        ("c-1", delivered),
        ("c-2", delivered),
    ]
    assert radius["delivered_chips"][0]["end_user"] == "Macau Cloud Computing Ltd."

    service.suspend(database, "MO-0001", "carol", "is-informed letter")
    blocked = shipment_views.get_shipment(database, pending)
    assert [e["status"] for e in blocked["events"]] == ["pending", "blocked"]
    assert "is-informed letter" in blocked["events"][-1]["reason"]
    with database.session() as session:
        [record] = list_records(session, action="licence.suspend")
        assert record.payload["blocked_shipments"] == [pending]
        assert blocked["events"][-1]["audit_seq"] == record.seq
    with pytest.raises(ShipmentRefused) as refused:
        _ship(database, "e")
    assert refused.value.codes == ["licence_status"]
    with pytest.raises(Conflict, match="suspended"):
        shipment_status.dispatch_shipment(database, pending, "dan")
    shipment_status.deliver_shipment(database, moving, "erin")  # already left: it arrives

    radius = service.blast_radius(database, "MO-0001").to_dict()
    assert [s["status"] for s in radius["pending_shipments"]] == ["blocked"]
    assert radius["in_transit"] == [] and len(radius["delivered_chips"]) == 4

    service.reinstate(database, "MO-0001", "carol", "letter withdrawn")
    assert shipment_status.dispatch_shipment(database, pending, "dan")["status"] == "shipped"
    with database.session() as session:
        assert verify(session).ok


def test_revocation_blocks_for_good(database: Database) -> None:
    add_licence(database)
    report_us(database)
    pending = _ship(database, "a")
    service.revoke(database, "MO-0001", "carol", "end-use violation")
    assert shipment_views.get_shipment(database, pending)["status"] == "blocked"
    with pytest.raises(Conflict, match="revoked"):
        shipment_status.dispatch_shipment(database, pending, "dan")
    cancelled = shipment_status.cancel_shipment(database, pending, "carol", "licence revoked")
    assert [d["kind"] for d in cancelled["drawdowns"]] == ["draw", "reversal"]
