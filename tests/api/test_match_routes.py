"""The yente-compatible /match/{dataset}, /algorithms and /catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chipwatch.store import Database
from tests.api.screening_fixture import load, screening_client

RESULT_KEYS = {
    "id",
    "caption",
    "schema",
    "properties",
    "datasets",
    "referents",
    "target",
    "first_seen",
    "last_seen",
    "last_change",
    "score",
    "match",
    "features",
    "explanations",
}


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    yield from screening_client(database)


@pytest.fixture
def loaded(client: TestClient, database: Database) -> TestClient:
    load(database)
    return client


@pytest.fixture
def sqlite_loaded(sqlite_database: Database) -> Iterator[TestClient]:
    """For tables of cases whose logic does not depend on the database."""
    load(sqlite_database)
    yield from screening_client(sqlite_database)


def query(schema: str = "Company", **properties: Any) -> dict[str, Any]:
    return {"schema": schema, "properties": properties}


def match(client: TestClient, dataset: str = "default", **queries: Any) -> Any:
    return client.post(f"/match/{dataset}", json={"queries": queries, "weights": {}, "config": {}})


def test_without_a_list_is_a_409(client: TestClient) -> None:
    assert match(client, q1=query(name=["Dahua"])).status_code == 409


def test_response_has_yentes_shape(loaded: TestClient) -> None:
    response = match(loaded, q1=query(name=["浙江大华技术股份有限公司"], country=["cn"]))
    assert response.status_code == 200, response.text
    assert response.headers["x-batch-size"] == "1"
    data = response.json()
    assert set(data) == {"responses", "matcher", "limit", "algorithm"}
    assert data["limit"] == 5 and set(data["matcher"]) == {"name", "country", "entity_type"}
    answer = data["responses"]["q1"]
    assert answer["status"] == 200 and answer["total"] == {"value": 1, "relation": "eq"}
    assert answer["query"] == {
        "id": None,
        "schema": "Company",
        "properties": {"name": ["浙江大华技术股份有限公司"], "country": ["cn"]},
    }
    (result,) = answer["results"]
    assert set(result) == RESULT_KEYS
    assert result["id"].startswith("EL:") and result["datasets"] == ["EL"]
    assert (result["caption"], result["schema"]) == (
        "Zhejiang Dahua Technology Co., Ltd.",
        "Company",
    )
    assert result["properties"]["country"] == ["cn"]
    assert result["properties"]["alias"] == ["Dahua Technology", "Zhejiang Dahua"]
    assert (result["score"], result["match"], result["target"]) == (1.0, True, True)
    assert result["features"] == {"name": 1.0, "country": 0.03}
    name = result["explanations"]["name"]
    assert name["candidate"] == "Zhejiang Dahua Technology Co., Ltd."
    assert "dahua≈dahua" in name["detail"]
    assert result["explanations"]["country"]["query"] == "CN"


@pytest.mark.parametrize(
    ("threshold", "expected"), [(None, True), (0.85, True), (0.9, False), (0.5, True)]
)
def test_match_follows_the_threshold(
    sqlite_loaded: TestClient, threshold: float | None, expected: bool
) -> None:
    params = {} if threshold is None else {"threshold": threshold}
    body = {"queries": {"q": query(name=["Harbin Institute of Technology"], country=["HK"])}}
    response = sqlite_loaded.post("/match/default", json=body, params=params)
    (result,) = response.json()["responses"]["q"]["results"]
    assert result["score"] == pytest.approx(0.85)
    assert result["match"] is expected
    assert (
        result["features"]["country"] < 0
        and "is not among" in (result["explanations"]["country"]["detail"])
    )


def test_several_names_keep_the_best_score_per_entry(loaded: TestClient) -> None:
    names = ["Dahua Tech", "浙江大华技术股份有限公司"]
    answer = match(loaded, q1=query(name=names, alias=["Zhejiang Dahua"])).json()
    results = answer["responses"]["q1"]["results"]
    assert [r["caption"] for r in results] == ["Zhejiang Dahua Technology Co., Ltd."]
    assert results[0]["score"] == 1.0


def test_person_schema_and_several_queries(loaded: TestClient) -> None:
    answer = match(
        loaded,
        person=query("Person", name="Ivan Testov", nationality=["ru"]),
        company=query("Company", name=["Ivan Testov"]),
    ).json()["responses"]
    person = answer["person"]["results"][0]
    assert (person["schema"], person["match"], person["properties"]["program"]) == (
        "Person",
        True,
        ["RUSSIA-EO14024"],
    )
    assert answer["person"]["query"]["properties"]["name"] == ["Ivan Testov"]
    company = answer["company"]["results"][0]
    assert company["features"]["entity_type"] < 0 and company["score"] < person["score"]
    assert "entity_type" in company["explanations"]


@pytest.mark.parametrize(
    ("dataset", "sources"),
    [
        ("default", {"EL", "MEU"}),
        ("all", {"EL", "MEU"}),
        ("EL", {"EL"}),
        ("el", {"EL"}),
        ("us_bis_entity_list", {"EL"}),
        ("us_bis_meu", {"MEU"}),
        ("us_trade_csl", {"EL", "MEU"}),
        ("SDN", set()),
    ],
)
def test_datasets_filter_the_lists(
    sqlite_loaded: TestClient, dataset: str, sources: set[str]
) -> None:
    names = ["Harbin Institute of Technology", "Red Valley Aero Institute"]
    response = match(sqlite_loaded, dataset, q=query(name=names))
    assert response.status_code == 200, response.text
    results = response.json()["responses"]["q"]["results"]
    assert {r["datasets"][0] for r in results} == sources


@pytest.mark.parametrize("dataset", ["nope", "us_ofac_cons", "UVL"])
def test_unknown_or_unloaded_dataset_is_a_404(sqlite_loaded: TestClient, dataset: str) -> None:
    response = match(sqlite_loaded, dataset, q=query(name=["Dahua"]))
    assert response.status_code == 404 and response.json()["field"] == "dataset"


def test_limit_cutoff_and_exclusions(loaded: TestClient) -> None:
    body = {"queries": {"q": query(name=["Harbin Institute of Technology", "Red Valley Aero"])}}
    both = loaded.post("/match/default", json=body).json()["responses"]["q"]
    assert both["total"]["value"] == 2
    one = loaded.post("/match/default", json=body, params={"limit": 1, "algorithm": "logic-v2"})
    assert len(one.json()["responses"]["q"]["results"]) == 1
    assert one.json()["responses"]["q"]["total"]["value"] == 2
    assert one.json()["algorithm"] == {"requested": "logic-v2", "used": "chipwatch-v1"}
    hit_id = both["results"][0]["id"]
    params: dict[str, Any] = {"exclude_entity_ids": [hit_id], "cutoff": 0.99}
    rest = loaded.post("/match/default", json=body, params=params).json()["responses"]["q"]
    assert hit_id not in {r["id"] for r in rest["results"]}
    assert all(r["score"] >= 0.99 for r in rest["results"])


@pytest.mark.parametrize(
    ("queries", "params", "expected"),
    [
        ({}, {}, {"queries"}),
        ({"q": {"schema": "Thing", "properties": {"name": ["x"]}}}, {}, {"queries.q.schema"}),
        ({"q": {"schema": "Person"}}, {}, {"queries.q.properties"}),
        ({"q": query(alias=["x"])}, {}, {"queries.q.properties.name"}),
        ({"q": query(name=["x" * 501])}, {}, {"queries.q.properties.name"}),
        ({"q": query(name=["x"], country=["Narnia"])}, {}, {"queries.q.properties.country"}),
        ({"q": query(name=["x"])}, {"limit": 501}, {"limit"}),
        ({"q": query(name=["x"])}, {"threshold": 2}, {"threshold"}),
    ],
)
def test_bad_requests_are_422_naming_the_field(
    sqlite_loaded: TestClient, queries: dict[str, Any], params: dict[str, Any], expected: set[str]
) -> None:
    response = sqlite_loaded.post("/match/default", json={"queries": queries}, params=params)
    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} == expected


def test_algorithms_and_catalog(loaded: TestClient) -> None:
    algorithms = loaded.get("/algorithms").json()
    assert [a["name"] for a in algorithms["algorithms"]] == ["chipwatch-v1"]
    assert algorithms["default"] == algorithms["best"] == "chipwatch-v1"
    catalog = loaded.get("/catalog").json()
    names = {d["name"]: d for d in catalog["datasets"]}
    assert {"EL", "SDN", "default", "us_trade_csl"} <= set(names)
    assert names["default"]["children"] == ["DPL", "EL", "MEU", "SDN"]
    assert names["EL"]["version"] == "csl-csv#1"
