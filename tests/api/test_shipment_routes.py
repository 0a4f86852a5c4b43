"""/v1/shipments, /v1/us-shipments and /v1/fees: 201, replay, 409 problems, statements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chipwatch.api.app import create_app
from chipwatch.store import Database
from tests.licensing.shipment_fixture import LICENSEE, licence_doc, order_doc


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as client:
        assert client.post("/v1/licences", json=licence_doc(quantity=3)).status_code == 201
        report = {"licensee": LICENSEE, "product": "NVIDIA H200", "period": "2026-Q1"}
        assert client.post("/v1/us-shipments", json={**report, "quantity": 100}).status_code == 201
        yield client


def _body(key: str, serials: list[str], **changes: Any) -> dict[str, Any]:
    body = {
        "order": order_doc(),
        "licence": "MO-0001",
        "quantity": len(serials),
        "serials": serials,
        "idempotency_key": key,
    }
    return {**body, **changes}


def test_ship_replay_refuse_cancel(client: TestClient) -> None:
    created = client.post("/v1/shipments", json=_body("k1", ["A", "B"]), params={"actor": "bob"})
    assert created.status_code == 201, created.text
    shipment = created.json()
    assert (shipment["status"], shipment["actor"], shipment["remaining"]["quantity"]) == (
        "pending",
        "bob",
        1,
    )
    replay = client.post("/v1/shipments", json=_body("k1", ["B", "A"]))
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == shipment["id"]
    reused = client.post("/v1/shipments", json=_body("k1", ["C"]))
    assert reused.status_code == 409 and reused.json()["field"] == "idempotency_key"

    exhausted = client.post("/v1/shipments", json=_body("k2", ["C", "D"]))
    assert exhausted.status_code == 409
    assert exhausted.headers["content-type"] == "application/problem+json"
    problem = exhausted.json()
    assert (problem["reason"], problem["field"]) == ("quantity_exhausted", "quantity")
    assert "1 of 3 units left, 2 requested" in problem["detail"]
    assert problem["errors"][0]["code"] == "quantity_exhausted"

    cancelled = client.post(
        f"/v1/shipments/{shipment['id']}/cancel", json={"reason": "withdrawn", "actor": "carol"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    no_reason = client.post(f"/v1/shipments/{shipment['id']}/cancel", json={"actor": "carol"})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    again = client.post(
        f"/v1/shipments/{shipment['id']}/cancel", json={"reason": "twice", "actor": "carol"}
    )
    assert again.status_code == 409
    assert client.post("/v1/shipments", json=_body("k3", ["A", "B", "C"])).status_code == 201
    page = client.get("/v1/shipments", params={"licence": "MO-0001", "limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert client.get(f"/v1/shipments/{shipment['id']}").json()["serials"] == ["A", "B"]
    assert client.get("/v1/shipments/999").status_code == 404


def test_bad_requests_are_422(client: TestClient) -> None:
    missing = client.post("/v1/shipments", json={"licence": "MO-0001"})
    assert missing.status_code == 422
    assert {"order", "quantity", "serials", "idempotency_key"} <= {
        e["field"] for e in missing.json()["errors"]
    }
    bad_order = client.post("/v1/shipments", json=_body("k", ["A"], order={"id": "x"}))
    assert bad_order.status_code == 422 and bad_order.json()["source"] == "order"
    wrong_count = client.post("/v1/shipments", json=_body("k", ["A"], quantity=2))
    assert wrong_count.status_code == 422 and wrong_count.json()["field"] == "serials"
    no_licence = client.post("/v1/shipments", json=_body("k", ["A"], licence="NOPE"))
    assert no_licence.status_code == 404


def test_fees_statement_and_blast_radius(client: TestClient) -> None:
    shipment = client.post("/v1/shipments", json=_body("k1", ["A", "B"])).json()
    remittance = {
        "licensee": LICENSEE,
        "period": "2026-Q1",
        "amount": "500.00",
        "reference": "FEDWIRE-1",
    }
    assert client.post("/v1/fees/remittances", json=remittance).status_code == 201
    assert client.post("/v1/fees/remittances", json=remittance).status_code == 200
    balances = client.get("/v1/fees", params={"period": "2026-Q1"}).json()["items"]
    assert balances == [
        {
            "licensee": LICENSEE,
            "period": "2026-Q1",
            "accrued": "15500.00",
            "reported": "0.00",
            "remitted": "500.00",
            "outstanding": "15000.00",
        }
    ]
    csv_file = client.get("/v1/fees/statement", params={"period": "2026-Q1"})
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert "fee-statement-2026-Q1.csv" in csv_file.headers["content-disposition"]
    assert f"total,{LICENSEE},15500.00,0.00,500.00,15000.00" in csv_file.text
    pdf = client.get("/v1/fees/statement", params={"period": "2026-Q1", "format": "pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/v1/fees/statement", params={"period": "Q1"}).status_code == 422

    change = {"reason": "is-informed letter", "actor": "carol"}
    assert client.post("/v1/licences/MO-0001/suspend", json=change).status_code == 200
    radius = client.get("/v1/licences/MO-0001/blast-radius").json()
    assert [(s["id"], s["status"]) for s in radius["pending_shipments"]] == [
        (shipment["id"], "blocked")
    ]
    refused = client.post("/v1/shipments", json=_body("k2", ["C"]))
    assert refused.status_code == 409 and refused.json()["reason"] == "licence_status"


@pytest.mark.parametrize("price", [1e26, 1e300])
def test_a_price_past_the_bound_is_a_422_naming_it(client: TestClient, price: float) -> None:
    order = order_doc(items=[{"model": "NVIDIA H200", "quantity": 10, "unit_price_usd": price}])
    response = client.post("/v1/shipments", json={**_body("big", ["B-1"]), "order": order})
    assert response.status_code == 422, response.text
    assert any("unit_price_usd" in e["field"] for e in response.json()["errors"])


def test_a_licence_share_that_is_not_a_number_is_a_422(client: TestClient) -> None:
    conditions = {"max_share_of_us_shipments": "NaN"}
    response = client.post("/v1/licences", json=licence_doc(number="NAN-1", conditions=conditions))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "conditions.max_share_of_us_shipments"
