"""/v1/chips, /v1/sites, /v1/landmarks, /v1/custody/flags: happy paths and problems."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chipwatch.api.app import create_app
from chipwatch.store import Database
from tests.custody.custody_fixture import H200, SITES, inspection, public_key, setup


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    setup(database)
    with TestClient(create_app(database)) as client:
        yield client


def test_a_chip_through_the_api(client: TestClient) -> None:
    added = client.post("/v1/chips", json={"serial": "H200-1", "model": H200, "licence": "T-0002"})
    assert added.status_code == 201, added.text
    assert added.json()["model"] == "nvidia-h200-sxm-141gb"
    assert client.post("/v1/chips", json={"serial": "H200-1", "model": H200}).status_code == 409
    refused = client.post("/v1/chips/H200-1/events", json={"event": "shipped"})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "allowed next events: inspected" in refused.json()["detail"]
    doc = inspection("H200-1").model_dump(mode="json")
    inspected = client.post("/v1/chips/H200-1/inspections", json=doc, params={"actor": "lab"})
    assert inspected.status_code == 201 and inspected.json()["inspection"]["result"] == "pass"
    body = {"event": "shipped", "event_id": "k-1", "evidence": {"awb": "176-1"}}
    assert client.post("/v1/chips/H200-1/events", json=body).status_code == 201
    repeat = client.post("/v1/chips/H200-1/events", json=body)
    assert repeat.status_code == 200 and repeat.json()["repeated"] is True
    received = client.post(
        "/v1/chips/H200-1/events",
        json={"event": "received", "site": "kul-1", "at": "2026-03-01T00:00:00Z"},
    )
    assert received.status_code == 201 and received.json()["chip"]["site"] == "kul-1"
    chip = client.get("/v1/chips/H200-1").json()
    assert [e["event"] for e in chip["timeline"]] == [
        "registered",
        "inspected",
        "shipped",
        "received",
    ]
    assert chip["inspections"][0]["public_key"] == public_key(7)
    page = client.get("/v1/chips", params={"state": "received"}).json()
    assert page["total"] == 1 and page["items"][0]["serial"] == "H200-1"


def test_problems_name_the_field(client: TestClient) -> None:
    assert client.get("/v1/chips/NOPE").status_code == 404
    bad_model = client.post("/v1/chips", json={"serial": "X-1", "model": "Nope 9000"})
    assert bad_model.status_code == 422 and bad_model.json()["field"] == "model"
    naive = client.post("/v1/chips/X-1/events", json={"event": "shipped", "at": "2026-03-01T10:00"})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "at"
    client.post("/v1/chips", json={"serial": "X-1", "model": H200})
    doc = {**inspection("X-1").model_dump(mode="json"), "public_key": "ab"}
    bad_key = client.post("/v1/chips/X-1/inspections", json=doc)
    assert bad_key.status_code == 422 and bad_key.json()["field"] == "public_key"
    bad_site = client.post("/v1/sites", json=[{**SITES[0], "lat": 100}])
    assert bad_site.status_code == 422 and bad_site.json()["field"] == "sites[0]: lat"
    assert client.get("/v1/custody/flags", params={"status": "gone"}).status_code == 422


def test_sites_landmarks_and_flags(client: TestClient) -> None:
    assert client.post("/v1/sites", json=SITES[0]).json() == {"created": [], "replaced": ["kul-1"]}
    assert [s["id"] for s in client.get("/v1/sites").json()] == ["jhb-1", "kul-1", "szx-dc"]
    assert client.get("/v1/sites/kul-1").json()["radius_km"] == 1000
    mark = {
        "id": "sin-1",
        "name": "SG",
        "lat": 1.35,
        "lon": 103.8,
        "country": "SG",
        "public_key": public_key(1),
        "vetting": "vetted",
    }
    assert client.post("/v1/landmarks", json=[mark]).json()["created"] == ["sin-1"]
    assert client.get("/v1/landmarks/sin-1").json()["vetting"] == "vetted"
    assert client.delete("/v1/sites/szx-dc").status_code == 204
    client.post(
        "/v1/chips", json={"serial": "H200-1", "model": H200, "state": "installed", "site": "kul-1"}
    )
    checked = client.post("/v1/custody/check-silent", params={"now": "2030-01-01T00:00:00Z"})
    assert checked.status_code == 200, checked.text
    assert client.delete("/v1/sites/kul-1").status_code == 409
    open_flags = client.get("/v1/custody/flags", params={"status": "open"}).json()
    assert open_flags["total"] == 1 and open_flags["items"][0]["kind"] == "silent"
    flag_id = open_flags["items"][0]["id"]
    cleared = client.post(
        f"/v1/custody/flags/{flag_id}/clear", json={"reason": "power cut", "actor": "officer"}
    )
    assert cleared.status_code == 200 and cleared.json()["status"] == "cleared"
    assert (
        client.get(f"/v1/custody/flags/{flag_id}").json()["dispositions"][0]["actor"] == "officer"
    )
    assert client.get("/v1/chips/H200-1").json()["state"] == "installed"
