"""Hold reviews: an officer clears a named hold for one order, on the record."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chipwatch.api.app import create_app
from chipwatch.cli import app
from chipwatch.errors import Conflict, InvalidInput
from chipwatch.holds import clear_hold, clearable
from chipwatch.licensing import service
from chipwatch.licensing.documents import parse_licence_document, read_licence_file
from chipwatch.licensing.shipments import ship
from chipwatch.orders import Order, load_order
from chipwatch.store import Database
from chipwatch.store.audit import list_records, verify
from chipwatch.workflow import decide_order

REPO = Path(__file__).resolve().parents[1]
ORDER_FILE = REPO / "examples" / "orders" / "h200-alibaba-2026-02.yaml"
CN_HOLDS = ("CN-2025-12-09-H200-APPROVAL", "CN-2026-01-14-CUSTOMS-H200")


@pytest.fixture
def order() -> Order:
    return load_order(ORDER_FILE)


def _clear(database: Database, order: Order, rule: str, reason: str = "approval seen") -> None:
    decision = decide_order(database, order)
    with database.transaction() as session:
        clear_hold(session, order, decision, rule, reason=reason, actor="officer.li")


def test_china_s_reported_holds_are_clearable_and_then_the_us_licence_decides(
    database: Database, order: Order
) -> None:
    before = decide_order(database, order)
    assert before.outcome == "hold" and set(clearable(before)) == set(CN_HOLDS)
    for rule in CN_HOLDS:
        _clear(database, order, rule)
    after = decide_order(database, order)
    assert after.jurisdictions["CN"].outcome == "allowed"
    assert after.outcome == "license_required"  # the US licence requirement remains
    assert sum("cleared for this order by officer.li" in note for note in after.notes) == 2
    assert {r.rule.id for r in after.reasons} >= set(CN_HOLDS)  # still listed, as reviewed
    with database.session() as session:
        records = list_records(session, action="hold.clear")
        assert len(records) == 2 and verify(session).ok


def test_a_review_is_bound_to_the_order_as_it_was(database: Database, order: Order) -> None:
    for rule in CN_HOLDS:
        _clear(database, order, rule)
    changed = order.model_copy(update={"id": "PO-2026-0043"})
    assert decide_order(database, changed).outcome == "hold"


def test_clearing_twice_returns_the_first_review(database: Database, order: Order) -> None:
    _clear(database, order, CN_HOLDS[0], "first")
    _clear(database, order, CN_HOLDS[0], "second")
    with database.session() as session:
        assert len(list_records(session, action="hold.clear")) == 1


@pytest.mark.parametrize(
    ("rule", "reason", "error", "field"),
    [
        ("US-2026-H200-CASE-BY-CASE", "x", Conflict, "rule"),  # a licence requirement
        ("US-SCREENING-POSSIBLE-MATCH", "x", Conflict, "rule"),  # the case queue's business
        ("NO-SUCH-RULE", "x", Conflict, "rule"),
        (CN_HOLDS[0], "  ", InvalidInput, "reason"),
    ],
)
def test_what_cannot_be_cleared(
    sqlite_database: Database, order: Order, rule: str, reason: str, error: type, field: str
) -> None:
    with pytest.raises(error) as caught:
        _clear(sqlite_database, order, rule, reason)
    assert caught.value.field == field


def test_a_cleared_order_ships_under_its_licence(database: Database, order: Order) -> None:
    _, original = read_licence_file(REPO / "examples" / "licences" / "h200-alibaba.yaml")
    original["conditions"]["third_party_testing"] = False  # no chips in custody in this test
    service.add_licence(database, parse_licence_document(original), "licensing.office")
    from chipwatch.licensing import aggregate

    aggregate.record_us_shipments(
        database,
        licensee="NVIDIA Corporation",
        product="NVIDIA H200",
        period="2026-Q1",
        quantity=10_000,
        actor="nvidia",
        source="test",
    )
    for rule in CN_HOLDS:
        _clear(database, order, rule)
    result = ship(
        database,
        order=order,
        licence_number="D1287654",
        quantity=2,
        serials=["H200-A1", "H200-A2"],
        idempotency_key="k-1",
        actor="shipping",
    )
    assert result.shipment["quantity"] == 2


def test_cli_and_api(
    sqlite_database: Database, order: Order, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIPWATCH_DATABASE_URL", sqlite_database.url)
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "holds",
            "clear",
            str(ORDER_FILE),
            "--rule",
            CN_HOLDS[0],
            "--reason",
            "seen",
            "--actor",
            "officer.li",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cleared for order PO-2026-0042" in result.output
    client = TestClient(create_app(database=sqlite_database))
    body = {"order": order.model_dump(mode="json"), "rule_id": CN_HOLDS[1], "reason": "seen"}
    response = client.post("/v1/holds", json=body, headers={"X-Chipwatch-Actor": "officer.wu"})
    assert response.status_code == 201, response.text
    assert response.json()["decision"]["outcome"] == "license_required"
    listed = client.get("/v1/holds", params={"order_id": "PO-2026-0042"}).json()["items"]
    assert {r["actor"] for r in listed} == {"officer.li", "officer.wu"}
    bad = client.post("/v1/holds", json={**body, "rule_id": "NO-SUCH-RULE"})
    assert bad.status_code == 409
