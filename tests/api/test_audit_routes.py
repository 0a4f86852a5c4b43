"""/v1/audit: paginated records and chain verification."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from chipwatch.api.app import create_app
from chipwatch.store import Database
from chipwatch.store.audit import append


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    for i in range(5):
        with database.transaction() as session:
            actor = "alice" if i < 3 else "bob"
            append(session, actor=actor, action="decision", subject=f"PO-{i}", payload={"i": i})
    with TestClient(create_app(database)) as client:
        yield client


def test_records_are_paginated_newest_first(client: TestClient) -> None:
    page = client.get("/v1/audit", params={"limit": 2, "offset": 1}).json()
    assert [item["seq"] for item in page["items"]] == [4, 3]
    assert (page["limit"], page["offset"], page["total"]) == (2, 1, 5)
    assert {
        "seq",
        "at",
        "actor",
        "action",
        "subject",
        "payload",
        "versions",
        "prev_hash",
        "hash",
    } <= set(page["items"][0])


def test_records_filter(client: TestClient) -> None:
    page = client.get("/v1/audit", params={"actor": "bob"}).json()
    assert page["total"] == 2 and [i["subject"] for i in page["items"]] == ["PO-4", "PO-3"]
    first_at = client.get("/v1/audit", params={"subject": "PO-3"}).json()["items"][0]["at"]
    since = client.get("/v1/audit", params={"since": first_at}).json()
    assert [i["seq"] for i in since["items"]] == [5, 4]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"offset": -1}, "offset"), ({"since": "x"}, "since")],
)
def test_bad_query_is_a_422_problem(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    response = client.get("/v1/audit", params=params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_verify(client: TestClient, database: Database) -> None:
    assert client.get("/v1/audit/verify").json()["ok"] is True
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    result = client.get("/v1/audit/verify").json()
    assert result["ok"] is False and result["first_bad_seq"] == 2
