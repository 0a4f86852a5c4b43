"""/v1/licences: record, read, change status, blast radius; problems for bad requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chipwatch.api.app import create_app
from chipwatch.store import Database
from tests.licensing.licence_fixture import licence_document


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as client:
        yield client


def test_post_is_201_then_200_then_409(client: TestClient) -> None:
    created = client.post("/v1/licences", json=licence_document(), params={"actor": "alice"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["number"] == "T-0001" and body["status"] == "active"
    assert body["value_cap_usd"] == "3100000.00"
    assert body["actions"][0]["actor"] == "alice"
    assert client.post("/v1/licences", json=licence_document()).status_code == 200
    conflict = client.post("/v1/licences", json=licence_document(quantity=7))
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    assert conflict.json()["field"] == "number"


def test_bad_document_is_a_422_naming_each_field(client: TestClient) -> None:
    response = client.post("/v1/licences", json=licence_document(items=["Nope"], quantity=0))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"items.0", "quantity"}


def test_list_get_and_404(client: TestClient) -> None:
    for n in range(1, 4):
        client.post("/v1/licences", json=licence_document(number=f"T-000{n}"))
    page = client.get("/v1/licences", params={"limit": 2, "offset": 1}).json()
    assert [i["number"] for i in page["items"]] == ["T-0002", "T-0003"]
    assert (page["limit"], page["offset"], page["total"]) == (2, 1, 3)
    assert client.get("/v1/licences/T-0002").json()["number"] == "T-0002"
    missing = client.get("/v1/licences/NOPE")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    assert client.get("/v1/licences", params={"status": "lapsed"}).status_code == 422


def test_status_actions_and_blast_radius(client: TestClient) -> None:
    client.post("/v1/licences", json=licence_document())
    change = {"reason": "is-informed letter", "actor": "bob"}
    suspended = client.post("/v1/licences/T-0001/suspend", json=change)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert client.get("/v1/licences", params={"status": "suspended"}).json()["total"] == 1
    radius = client.get("/v1/licences/T-0001/blast-radius").json()
    assert len(radius["customers"]) == 2 and radius["pending_shipments"] == []
    assert client.post("/v1/licences/T-0001/reinstate", json=change).status_code == 200
    assert client.post("/v1/licences/T-0001/revoke", json=change).json()["status"] == "revoked"
    refused = client.post("/v1/licences/T-0001/reinstate", json=change)
    assert refused.status_code == 409 and "final" in refused.json()["detail"]
    assert client.post("/v1/licences/NOPE/suspend", json=change).status_code == 404
    no_reason = client.post("/v1/licences/T-0001/suspend", json={"actor": "bob"})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    audit = client.get("/v1/audit", params={"subject": "T-0001"}).json()
    assert [i["action"] for i in audit["items"]][:2] == ["licence.revoke", "licence.reinstate"]
    assert client.get("/v1/audit/verify").json()["ok"] is True
