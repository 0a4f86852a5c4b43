"""Shipments draw a licence down: the checks, idempotency, cancellation, statuses, audit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.licensing import remittances, service, shipment_status, shipment_views
from chipwatch.licensing.ledger_model import LicenceDrawdown
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.licensing.shipments import ShipmentResult, ship
from chipwatch.orders import Order
from chipwatch.store import Database
from chipwatch.store.audit import list_records, verify
from tests.licensing.shipment_fixture import (
    CUSTOMER,
    LICENSEE,
    add_licence,
    order,
    report_us,
    serials,
)


def _ship(
    database: Database,
    *,
    key: str = "k-1",
    quantity: int = 2,
    the_order: Order | None = None,
    chips: list[str] | None = None,
    licence: str = "MO-0001",
) -> ShipmentResult:
    return ship(
        database,
        order=the_order or order(),
        licence_number=licence,
        quantity=quantity,
        serials=chips if chips is not None else serials(key, quantity),
        idempotency_key=key,
        actor="bob",
    )


def _actions(database: Database) -> list[str]:
    with database.session() as session:
        assert verify(session).ok
        return [r.action for r in reversed(list_records(session))]


def test_a_shipment_draws_the_licence_down_and_accrues_the_fee(database: Database) -> None:
    add_licence(database)
    report_us(database)
    result = _ship(database, quantity=3)
    shipment = result.shipment
    assert not result.replayed
    assert (shipment["status"], shipment["quantity"], shipment["value_usd"]) == (
        "pending",
        3,
        "93000.00",
    )
    assert shipment["model"] == "nvidia-h200-sxm-141gb" and shipment["period"] == "2026-Q1"
    assert shipment["serials"] == serials("k-1", 3)
    assert [(d["kind"], d["quantity"]) for d in shipment["drawdowns"]] == [("draw", 3)]
    [fee] = shipment["fees"]
    assert (fee["rule_id"], fee["amount_usd"], fee["binding"]) == (
        "US-2026-232-DUTY-BAND-1",
        "23250.00",
        True,
    )
    assert result.remaining == {"quantity": 97, "value_usd": "3007000.00"}
    assert _actions(database)[-2:] == ["decision", "shipment.ship"]
    assert shipment_views.get_shipment(database, shipment["id"]) == shipment


def test_the_same_key_returns_the_first_result_and_draws_nothing(database: Database) -> None:
    add_licence(database)
    report_us(database)
    first = _ship(database)
    again = _ship(database)
    assert again.replayed and again.shipment["id"] == first.shipment["id"]
    assert again.remaining == first.remaining
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(LicenceDrawdown)) == 1
    with pytest.raises(Conflict, match="different request") as caught:
        _ship(database, quantity=1)
    assert caught.value.field == "idempotency_key"


def test_a_refusal_is_recorded_and_replayed(database: Database) -> None:
    add_licence(database)  # no US volumes reported: the aggregate cap refuses
    with pytest.raises(ShipmentRefused) as first:
        _ship(database)
    assert first.value.codes == ["aggregate_cap"] and first.value.status == 409
    report_us(database)
    with pytest.raises(ShipmentRefused) as again:  # the key keeps its first result
        _ship(database)
    assert again.value.to_problem()["errors"] == first.value.to_problem()["errors"]
    assert again.value.audit_seq == first.value.audit_seq
    assert _ship(database, key="k-2").shipment["status"] == "pending"
    assert _actions(database).count("shipment.refuse") == 1


def _suspend(database: Database, number: str) -> None:
    service.suspend(database, number, "carol", "is-informed letter")


def _ship_first(database: Database, number: str) -> None:
    _ship(database, key=f"{number}-first", chips=[f"{number}-SN-1"], quantity=1, licence=number)


ALIBABA = {"role": "end_user", "name": "Alibaba Cloud", "country": "CN", "sector": "cloud_provider"}
B200 = {"model": "NVIDIA B200", "quantity": 10, "unit_price_usd": 40000}

# (licence changes, order changes, setup, expected reason code and its field)
REFUSALS: list[
    tuple[dict[str, Any], dict[str, Any], Callable[[Database, str], None] | None, Any]
] = [
    (
        {
            "destinations": ["CN", "MO"],
            "approved_customers": [CUSTOMER, {"name": "Alibaba Cloud", "country": "CN"}],
        },
        {"ship_to": {"country": "CN"}, "parties": [{**ALIBABA, "role": "buyer"}, ALIBABA]},
        None,
        ("decision_hold", "order"),
    ),
    ({"items": ["3A090"]}, {"items": [B200]}, None, ("decision_prohibited", "order")),
    ({"authority": "MOFCOM"}, {}, None, ("licence_authority", "licence")),
    ({}, {}, _suspend, ("licence_status", "licence.status")),
    ({"valid_from": "2026-02-01"}, {"date": "2026-01-20"}, None, ("licence_window", "order.date")),
    (
        {},
        {"parties": [{"role": "end_user", "name": "Other Cloud Ltd", "country": "MO"}]},
        None,
        ("customer_not_approved", "order.parties.0"),
    ),
    ({"items": ["NVIDIA H20"]}, {}, None, ("item_not_covered", "order.items.0.model")),
    (
        {"destinations": ["CN"]},
        {},
        None,
        ("destination_not_covered", "order.ship_to.country"),
    ),
    ({"quantity": 1}, {}, None, ("quantity_exhausted", "quantity")),
    ({"value_usd": "50000"}, {}, None, ("value_exhausted", "value_usd")),
    ({}, {}, _ship_first, ("serial_already_shipped", "serials.1")),
]


@pytest.fixture(scope="module")
def refusals_database(module_database: Database) -> Database:
    report_us(module_database)
    return module_database


@pytest.mark.parametrize(
    ("licence_changes", "order_changes", "setup", "expected"),
    REFUSALS,
    ids=[case[3][0] for case in REFUSALS],
)
def test_each_failing_check_gives_its_own_reason(
    refusals_database: Database,
    licence_changes: dict[str, Any],
    order_changes: dict[str, Any],
    setup: Callable[[Database, str], None] | None,
    expected: tuple[str, str],
) -> None:
    database, number = refusals_database, f"R-{expected[0]}"
    add_licence(database, number=number, **licence_changes)
    if setup is not None:
        setup(database, number)
    with pytest.raises(ShipmentRefused) as caught:
        _ship(
            database,
            key=number,
            the_order=order(**order_changes),
            chips=[f"{number}-SN-0", f"{number}-SN-1"],
            licence=number,
        )
    refused = caught.value
    assert [(r.code, r.field) for r in refused.reasons] == [expected]
    problem = refused.to_problem()
    assert problem["status"] == 409 and problem["reason"] == expected[0]
    with database.session() as session:
        [record] = list_records(session, action="shipment.refuse", subject=number)
    assert record.payload["reasons"][0]["code"] == expected[0]


def test_the_aggregate_cap_counts_china_and_macau_against_us_volumes(
    database: Database,
) -> None:
    add_licence(database)
    report_us(database, quantity=6)  # 50 %: three units may go to Macau
    _ship(database, key="a", quantity=2)
    with pytest.raises(ShipmentRefused, match="would reach 5 units") as caught:
        _ship(database, key="b", quantity=3)
    assert caught.value.codes == ["aggregate_cap"]
    report_us(database, quantity=10)  # a later report for the quarter supersedes the first
    _ship(database, key="c", quantity=3)


def test_bad_requests_are_422_naming_each_field(database: Database) -> None:
    add_licence(database)
    two_lines = order(items=[{"model": "NVIDIA H200", "quantity": 1, "unit_price_usd": 1}] * 2)
    with pytest.raises(InvalidInput) as caught:
        _ship(database, the_order=two_lines, chips=["A", "A", " "], key="")
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"idempotency_key", "order.items", "serials", "serials.1", "serials.2"}
    no_price = order(items=[{"model": "NVIDIA H200", "quantity": 10}])
    with pytest.raises(InvalidInput, match="unit price"):
        _ship(database, the_order=no_price)
    with pytest.raises(InvalidInput, match="between 1 and"):
        _ship(database, quantity=1001)
    with pytest.raises(NotFound):
        _ship(database, licence="NOPE")


def test_cancelling_reverses_the_draw_and_the_fee_and_frees_the_serials(
    database: Database,
) -> None:
    add_licence(database)
    report_us(database)
    shipment = _ship(database, chips=["SN-1", "SN-2"]).shipment
    cancelled = shipment_status.cancel_shipment(database, shipment["id"], "carol", "withdrawn")
    assert cancelled["status"] == "cancelled"
    assert [(d["kind"], d["quantity"], d["value_usd"]) for d in cancelled["drawdowns"]] == [
        ("draw", 2, "62000.00"),
        ("reversal", -2, "-62000.00"),
    ]
    assert [(f["kind"], f["amount_usd"]) for f in cancelled["fees"]] == [
        ("accrual", "15500.00"),
        ("reversal", "-15500.00"),
    ]
    again = _ship(database, key="k-2", chips=["SN-1", "SN-2"])  # the chips may ship again
    assert again.remaining["quantity"] == 98
    with pytest.raises(Conflict, match="cancelled"):
        shipment_status.cancel_shipment(database, shipment["id"], "carol", "twice")
    with pytest.raises(InvalidInput):
        shipment_status.cancel_shipment(database, again.shipment["id"], "carol", " ")
    assert "shipment.cancel" in _actions(database)


def test_statuses_move_by_appended_events(database: Database) -> None:
    add_licence(database)
    report_us(database)
    shipment_id = _ship(database).shipment["id"]
    with pytest.raises(Conflict, match="pending"):
        shipment_status.deliver_shipment(database, shipment_id, "dan")
    shipment_status.dispatch_shipment(database, shipment_id, "dan")
    delivered = shipment_status.deliver_shipment(database, shipment_id, "erin", "signed for")
    assert [e["status"] for e in delivered["events"]] == ["pending", "shipped", "delivered"]
    with pytest.raises(Conflict, match="delivered"):
        shipment_status.cancel_shipment(database, shipment_id, "carol", "too late")
    page, total = shipment_views.list_shipments(database, status="delivered")
    assert total == 1 and page[0]["id"] == shipment_id
    with pytest.raises(NotFound):
        shipment_status.dispatch_shipment(database, 999, "dan")


def test_ledgers_refuse_updates(database: Database) -> None:
    add_licence(database)
    report_us(database)
    _ship(database)
    for table in ("licence_drawdowns", "fee_ledger", "shipment_events", "us_shipments"):
        with pytest.raises(DBAPIError, match="never updated"), database.transaction() as s:
            s.execute(text(f"UPDATE {table} SET audit_seq = 0"))
    assert _ship(database, key="k-2").remaining["value_usd"] == str(
        Decimal("3100000.00") - 4 * Decimal("31000.00")
    )


def test_every_step_is_an_audit_record_with_inputs_and_versions(database: Database) -> None:
    add_licence(database)
    report_us(database)
    shipment_id = _ship(database).shipment["id"]
    with pytest.raises(ShipmentRefused):
        _ship(database, key="k-2", quantity=200)
    shipment_status.cancel_shipment(database, shipment_id, "carol", "withdrawn")
    remittances.remit(
        database, licensee=LICENSEE, period="2026-Q1", amount="1.00", reference="R", actor="t"
    )
    with database.session() as session:
        records = {r.action: r for r in list_records(session)}
    shipped, refused = records["shipment.ship"], records["shipment.refuse"]
    assert shipped.actor == "bob" and len(shipped.payload["request_sha256"]) == 64
    assert shipped.payload["fees"][0]["amount_usd"] == "15500.00"
    assert refused.payload["reasons"][0]["code"] == "quantity_exhausted"
    for action in ("decision", "shipment.ship", "shipment.refuse"):
        versions = records[action].versions
        assert versions["rulebook"]["digest"].startswith("sha256:")
        assert versions["catalog"].startswith("sha256:") and "lists" in versions
    for action in ("shipment.cancel", "fees.remit", "us_shipments.report"):
        assert records[action].versions["rulebook"]["digest"].startswith("sha256:")
    assert records["shipment.cancel"].payload["reversal"] == {"quantity": -2, "value": "-62000.00"}
