"""The HTTP API: the same decisions as the CLI, and problem documents for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from chipwatch.api.app import create_app
from chipwatch.api.routes import EXAMPLE_ORDER


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def test_check_returns_the_decision(client: TestClient) -> None:
    response = client.post("/v1/check", json=EXAMPLE_ORDER)
    assert response.status_code == 200
    data = response.json()
    assert data["jurisdictions"]["US"]["outcome"] == "license_required"
    assert data["fee_usd"] == 7_750_000.0
    assert any(r["rule_id"] == "US-2026-H200-CASE-BY-CASE" for r in data["reasons"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ship_from": "ZZ"}, "ship_from"),
        ({"items": [{"model": "H200", "quantity": 0}]}, "items.0.quantity"),
        ({"items": [{"model": "Unobtainium", "quantity": 1}]}, "items.0.model"),
        ({"date": "2020-01-01"}, "date"),
        ({"end_use": "mischief"}, "end_use"),
    ],
)
def test_bad_order_is_a_422_problem_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/check", json={**EXAMPLE_ORDER, **change})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Invalid input"
    assert field in [e["field"] for e in problem["errors"]]


def test_classify(client: TestClient) -> None:
    data = client.get("/v1/classify", params={"model": "B200", "on": "2026-02-10"}).json()
    assert data["eccn"] == "3A090.a" and data["tpp"] == 36000


def test_classify_unknown_model_is_404(client: TestClient) -> None:
    response = client.get("/v1/classify", params={"model": "Z9000"})
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_catalog_rules_and_versions(client: TestClient) -> None:
    assert len(client.get("/v1/catalog").json()["models"]) >= 25
    rules = client.get("/v1/rules", params={"on": "2026-02-10"}).json()["rules"]
    assert any(r["evidence"] == "reported_guidance" for r in rules)
    versions = client.get("/v1/rulebook/versions").json()["versions"]
    assert versions[0]["from"] == "2022-10-07"


def test_openapi_documents_the_check_endpoint(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/v1/check" in schema["paths"]
    assert client.get("/healthz").json()["status"] == "ok"


def test_timeline(client: TestClient) -> None:
    rows = client.post("/v1/check/timeline", json=EXAMPLE_ORDER).json()["timeline"]
    assert rows[-1]["jurisdictions"]["US"] == "license_required"
    assert rows[0]["jurisdictions"]["US"] == "prohibited"


def test_malformed_json_is_a_problem_about_the_body(client: TestClient) -> None:
    response = client.post(
        "/v1/check", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
