"""A licence and orders that the rulebook decides ``license_required`` for a licensed customer.

H200s to mainland China are held by China's reported import measures (every H200 order to CN
is ``hold``), so the shipment tests ship to a Macau cloud: the US requires a licence
(case-by-case, the aggregate cap applies) and the 25 % Section 232 duty accrues.
"""

from __future__ import annotations

import copy
from typing import Any

from chipwatch.licensing import aggregate, service
from chipwatch.licensing.documents import parse_licence_document
from chipwatch.orders import Order, parse_order
from chipwatch.store import Database

LICENSEE = "Example Exporter Inc."
CUSTOMER = "Macau Cloud Computing Ltd."

LICENCE: dict[str, Any] = {
    "number": "MO-0001",
    "authority": "BIS",
    "licensee": LICENSEE,
    "approved_customers": [{"name": CUSTOMER, "country": "MO"}],
    "items": ["NVIDIA H200"],
    "destinations": ["MO"],
    "quantity": 100,
    "value_usd": "3100000.00",
    "valid_from": "2026-01-15",
    "valid_to": "2027-01-31",
    "review_basis": "case by case",
    # no third-party testing here: test_shipment_inspection.py covers chips that must be tested
    "conditions": {"fee_rate": "0.25"},
}

ORDER: dict[str, Any] = {
    "id": "PO-MO-1",
    "date": "2026-02-10",
    "ship_from": "US",
    "ship_to": {"country": "MO", "city": "Macau"},
    "end_use": "commercial_training",
    "items": [{"model": "NVIDIA H200", "quantity": 1000, "unit_price_usd": 31000}],
    "parties": [
        {"role": "buyer", "name": CUSTOMER, "country": "MO", "sector": "cloud_provider"},
        {"role": "end_user", "name": CUSTOMER, "country": "MO", "sector": "cloud_provider"},
    ],
}


def licence_doc(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(LICENCE)
    document.update(changes)
    return document


def order_doc(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(ORDER)
    document.update(changes)
    return document


def order(**changes: Any) -> Order:
    return parse_order(order_doc(**changes))


def add_licence(database: Database, **changes: Any) -> None:
    document = licence_doc(**changes)
    service.add_licence(database, parse_licence_document(document), "alice", original=document)


def report_us(database: Database, quantity: int = 100_000, period: str = "2026-Q1") -> None:
    aggregate.record_us_shipments(
        database,
        licensee=LICENSEE,
        product="NVIDIA H200",
        period=period,
        quantity=quantity,
        actor="alice",
        source="test",
    )


def serials(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{n:05d}" for n in range(count)]
