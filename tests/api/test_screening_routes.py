"""/v1/screen, /v1/lists and the /v1/screening review queue, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chipwatch.screening.records import ScreenedParty
from chipwatch.store import Database
from tests.api.screening_fixture import V1, V2, load, open_cases, screening_client

CSV = {"content-type": "text/csv"}


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    yield from screening_client(database)


@pytest.fixture
def sqlite_client(sqlite_database: Database) -> Iterator[TestClient]:
    """For tables of request checks that never reach the database."""
    yield from screening_client(sqlite_database)


def fields(response: Any) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"] for e in response.json()["errors"]}


# screen -----------------------------------------------------------------------------------


def test_screen_without_a_list_is_a_409(client: TestClient) -> None:
    for body in ({"name": "Harbin Institute of Technology"}, {"queries": [{"name": "HIT"}]}):
        response = client.post("/v1/screen", json=body)
        assert response.status_code == 409
        assert response.json()["detail"].startswith("lists: no restricted-party list is loaded")


def test_screen_one_name_in_chinese(client: TestClient, database: Database) -> None:
    load(database)
    body = {"name": "浙江大华技术股份有限公司", "country": "cn"}
    response = client.post("/v1/screen", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["query"], data["country"]) == ("浙江大华技术股份有限公司", "CN")
    assert data["list_versions"] == dict.fromkeys(("DPL", "EL", "MEU", "SDN"), "csl-csv#1")
    best = data["matches"][0]
    assert best["name"] == "Zhejiang Dahua Technology Co., Ltd." and best["source"] == "EL"
    assert best["match"] is True and best["score"] >= best["explanation"]["threshold"]
    assert best["explanation"]["legal_forms_ignored"] == ["股份有限公司"]
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_screen_a_batch(client: TestClient, database: Database) -> None:
    load(database)
    queries = [
        {"id": "p1", "name": "Harbin Institute of Technology", "country": "CN"},
        {"name": "Qwertyuiop Zxcvbnm"},
        {"id": 7, "name": "Ivan TESTOV", "entity_type": "person"},
    ]
    response = client.post("/v1/screen", json={"queries": queries})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["id"] for r in results] == ["p1", 1, 7]
    assert results[0]["best"]["name"] == "Harbin Institute of Technology"
    assert results[1]["best"] is None
    assert results[2]["best"]["source"] == "SDN" and results[2]["best"]["match"] is True


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 501}, {"name"}),
        ({"name": "Dahua", "country": "China"}, {"country"}),
        ({"name": "Dahua", "entity_type": "boat"}, {"entity_type"}),
        ({"name": "Dahua", "limit": 0}, {"limit"}),
        ({"nmae": "Dahua"}, {"nmae"}),
        ({"name": "Dahua", "queries": [{"name": "HIT"}]}, {"queries"}),
        ({"queries": []}, {"queries"}),
        ({"queries": [{"name": "HIT"}] * 1001}, {"queries"}),
        ({"queries": [{"id": "a", "name": ""}, {"name": "ok", "country": "ZZ"}]},
         {"queries.0.name", "queries.1.country"}),
    ],
)  # fmt: skip
def test_screen_rejects_bad_requests_naming_the_field(
    sqlite_client: TestClient, body: dict[str, Any], expected: set[str]
) -> None:
    assert fields(sqlite_client.post("/v1/screen", json=body)) == expected


# lists ------------------------------------------------------------------------------------


def test_import_versions_and_diff(client: TestClient) -> None:
    headers = {**CSV, "X-Chipwatch-Actor": "alice"}
    first = client.post("/v1/lists/import", content=V1.read_bytes(), headers=headers)
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert (v1["id"], v1["created"], v1["current"], v1["actor"]) == (1, True, True, "alice")
    assert (v1["entry_count"], v1["added"], v1["sources"]) == (6, 6, ["DPL", "EL", "MEU", "SDN"])
    retry = client.post("/v1/lists/import", content=V1.read_bytes(), headers=CSV)
    assert retry.status_code == 200 and retry.json()["created"] is False
    assert retry.json()["id"] == 1

    second = client.post(
        "/v1/lists/import",
        content=V2.read_bytes(),
        params={"format": "csl-csv", "filename": "consolidated.csv", "actor": "bob"},
        headers={"content-type": "application/octet-stream"},
    )
    assert second.status_code == 201, second.text
    v2 = second.json()
    assert (v2["previous_id"], v2["added"], v2["changed"], v2["removed"]) == (1, 1, 1, 1)
    assert (v2["origin"], v2["actor"]) == ("api:consolidated.csv", "bob")

    page = client.get("/v1/lists/versions", params={"limit": 1, "offset": 1}).json()
    assert (page["limit"], page["offset"], page["total"]) == (1, 1, 2)
    assert [(v["id"], v["current"]) for v in page["items"]] == [(1, False)]
    assert client.get("/v1/lists/versions/2").json()["current"] is True
    diff = client.get("/v1/lists/versions/2/diff").json()
    assert diff["counts"] == {"added": 1, "changed": 1, "removed": 1}
    assert [r["name"] for r in diff["added"]] == ["Nimbus Photonics Co., Ltd."]
    assert [r["name"] for r in diff["changed"]] == ["Zhejiang Dahua Technology Co., Ltd."]
    assert [r["name"] for r in diff["removed"]] == ["Sample Components Trading"]
    backwards = client.get("/v1/lists/versions/1/diff", params={"against": 2}).json()
    assert backwards["counts"] == {"added": 1, "changed": 1, "removed": 1}
    assert client.get("/v1/lists/versions/9").status_code == 404
    assert client.get("/v1/lists/versions/2/diff", params={"against": 9}).status_code == 404


def test_a_new_version_rescreens_stored_parties(client: TestClient, database: Database) -> None:
    load(database)
    assert open_cases(database, ("Nimbus Photonics Co., Ltd.", "HK")) == []
    response = client.post("/v1/lists/import", content=V2.read_bytes(), headers=CSV)
    assert response.status_code == 201, response.text
    opened = response.json()["cases_opened"]
    assert len(opened) == 1
    case = client.get(f"/v1/screening/cases/{opened[0]}").json()
    assert case["list_entry"]["name"] == "Nimbus Photonics Co., Ltd."


def test_a_malformed_file_is_rejected_whole(client: TestClient) -> None:
    lines = V1.read_text().splitlines()
    broken = "\n".join([*lines[:3], '"x1","Entity List (EL) - Bureau of Industry and Security"'])
    response = client.post("/v1/lists/import", content=broken.encode(), headers=CSV)
    problems = response.json()["errors"]
    assert response.status_code == 422 and any("line 4" in p["field"] for p in problems)
    assert client.get("/v1/lists/versions").json()["total"] == 0


@pytest.mark.parametrize(
    ("content", "params", "headers", "field"),
    [
        (b"", {}, CSV, "body"),
        (b"just some words\n", {}, CSV, "format"),
        (b"x", {"format": "xml"}, CSV, "format"),
        (b"--b\r\n", {}, {"content-type": "multipart/form-data; boundary=b"}, "body"),
    ],
)
def test_import_rejects_bad_uploads(
    sqlite_client: TestClient,
    content: bytes,
    params: dict[str, str],
    headers: dict[str, str],
    field: str,
) -> None:
    response = sqlite_client.post(
        "/v1/lists/import", content=content, params=params, headers=headers
    )
    assert fields(response) == {field}


def test_formats(sqlite_client: TestClient) -> None:
    formats = {f["name"]: f for f in sqlite_client.get("/v1/lists/formats").json()["formats"]}
    assert formats["csl-csv"]["extra_files"] == []
    assert formats["ofac-sdn"]["extra_files"] == ["alt", "add"]


# review queue -----------------------------------------------------------------------------


def test_clear_and_confirm_change_the_status(client: TestClient, database: Database) -> None:
    load(database)
    hit, dahua = open_cases(
        database, ("Harbin Institute of Technology", "HK"), ("Zhejiang Dahua Technology", "HK")
    )
    page = client.get("/v1/screening/cases", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [c["id"] for c in page["items"]]) == (2, [hit])
    case = client.get(f"/v1/screening/cases/{hit}").json()
    assert (case["status"], case["party"]["country"]) == ("open", "HK")
    assert case["list_entry"]["source"] == "EL" and case["order_id"] == "PO-T-1"

    cleared = client.post(
        f"/v1/screening/cases/{hit}/clear",
        json={"reason": "a Hong Kong trading firm, not the university", "actor": "carol"},
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["status"] == "cleared"
    assert cleared.json()["dispositions"][-1]["actor"] == "carol"
    again = client.post(f"/v1/screening/cases/{hit}/clear", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["field"] == "status"
    confirmed = client.post(
        f"/v1/screening/cases/{dahua}/confirm",
        json={"reason": "same company, HK branch"},
        headers={"X-Chipwatch-Actor": "dave"},
    )
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["dispositions"][-1]["actor"] == "dave"

    def total(status: str) -> int:
        return int(client.get("/v1/screening/cases", params={"status": status}).json()["total"])

    assert [total(s) for s in ("open", "cleared", "confirmed", "all")] == [0, 1, 1, 2]
    audit = client.get("/v1/audit", params={"action": "screening.disposition"}).json()
    assert [r["actor"] for r in audit["items"]] == ["dave", "carol"]


def test_review_queue_errors(client: TestClient, database: Database) -> None:
    load(database)
    (case,) = open_cases(database, ("Harbin Institute of Technology", "HK"))
    assert fields(client.post(f"/v1/screening/cases/{case}/clear", json={})) == {"reason"}
    blank = {"reason": "  ", "actor": ""}
    assert fields(client.post(f"/v1/screening/cases/{case}/confirm", json=blank)) == {
        "reason",
        "actor",
    }
    missing = client.post("/v1/screening/cases/999/clear", json={"reason": "r"})
    assert missing.status_code == 404 and missing.json()["field"] == "case"
    assert client.get("/v1/screening/cases/999").status_code == 404
    assert fields(client.get("/v1/screening/cases", params={"status": "closed"})) == {"status"}
    body = client.post(f"/v1/screening/cases/{case}/clear", json={"reason": "r"}).json()
    assert body["dispositions"][-1]["actor"] == "api"


def test_unscreened_parties(client: TestClient, database: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    with database.transaction() as session:
        for name in ("Beta Trading", "Alpha Trading"):
            key = f"HK|{name.lower()}"
            session.add(
                ScreenedParty(
                    party_key=key, name=name, country="HK", first_seen_at=now, list_versions={}
                )
            )
    page = client.get("/v1/screening/parties/unscreened", params={"limit": 1}).json()
    assert (page["total"], page["limit"]) == (2, 1)
    assert page["items"][0]["name"] == "Alpha Trading"
    assert page["items"][0]["status"] == "not screened"
