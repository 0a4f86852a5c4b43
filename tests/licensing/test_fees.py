"""The fee ledger: accruals reconciled with the licence's fee rate, remittances, balances,
statements as CSV and PDF."""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import io
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest

from chipwatch import service
from chipwatch.errors import Conflict, InvalidInput
from chipwatch.licensing import fees, remittances, shipment_status
from chipwatch.licensing.model import Licence
from chipwatch.licensing.shipments import ship
from chipwatch.licensing.statement_pdf import statement_pdf
from chipwatch.licensing.statements import build_statement, statement_csv
from chipwatch.store import Database
from tests.licensing.shipment_fixture import LICENSEE, add_licence, order, report_us, serials

H200 = {}
H20_2025 = {
    "date": "2025-08-20",
    "items": [{"model": "H20", "quantity": 10, "unit_price_usd": 12000}],
}
H100 = {"items": [{"model": "NVIDIA H100", "quantity": 10, "unit_price_usd": 25000}]}

# (order, licence fee_rate, expected: rule, applied rate, amount on USD 100,000, binding, flags)
ACCRUALS: list[tuple[dict[str, Any], str | None, Any]] = [
    (H200, "0.25", ("US-2026-232-DUTY-BAND-1", "0.25", "25000.00", True, ())),
    (H200, None, ("US-2026-232-DUTY-BAND-1", "0.25", "25000.00", True, ())),
    (H200, "0.20", ("US-2026-232-DUTY-BAND-1", "0.25", "25000.00", True, ("rate_mismatch",))),
    (H20_2025, None, ("US-2025-FEE-15-H20", "0.15", "15000.00", False, ("reported",))),
    (
        H20_2025,
        "0.15",
        ("US-2025-FEE-15-H20", "0.15", "15000.00", True, ("reported", "licence_condition")),
    ),
    (
        H20_2025,
        "0.10",
        (
            "US-2025-FEE-15-H20",
            "0.10",
            "10000.00",
            True,
            ("reported", "rate_mismatch", "licence_condition", "licence_rate_applied"),
        ),
    ),
    (H100, "0.25", (None, "0.25", "25000.00", True, ("licence_condition",))),
    (H100, None, None),
]


@pytest.mark.parametrize(("order_changes", "licence_rate", "expected"), ACCRUALS)
def test_accruals_reconcile_the_rule_with_the_licence_rate(
    order_changes: dict[str, Any], licence_rate: str | None, expected: Any
) -> None:
    decision = service.default().check(order(**order_changes))
    conditions = {} if licence_rate is None else {"fee_rate": licence_rate}
    licence = Licence(number="L-1", conditions=conditions)
    model_id = decision.classification[0].model_id
    accruals = fees.accruals_for(decision, licence, model_id=model_id, value=Decimal("100000.00"))
    if expected is None:
        assert accruals == []
        return
    [accrual] = accruals
    rule, applied, amount, binding, flags = expected
    assert (accrual.rule_id, str(accrual.applied_rate), str(accrual.amount)) == (
        rule,
        applied,
        amount,
    )
    assert (accrual.binding, accrual.flags) == (binding, flags)


@pytest.mark.parametrize(
    ("value", "rate", "amount"),
    [("31000.00", "0.25", "7750.00"), ("0.05", "0.15", "0.01"), ("0.03", "0.15", "0.00")],
)
def test_amounts_are_exact_to_the_cent(value: str, rate: str, amount: str) -> None:
    assert fees.fee_amount(Decimal(value), Decimal(rate)) == Decimal(amount)


def pdf_text(pdf: bytes) -> str:
    """The page streams of a reportlab PDF (ASCII85 + Flate), decoded."""
    streams = re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL)
    texts = []
    for raw in streams:
        with contextlib.suppress(ValueError, zlib.error):
            texts.append(zlib.decompress(base64.a85decode(raw.strip().removesuffix(b"~>"))))
    return b"\n".join(texts).decode("latin-1")


def _ledger(database: Database) -> None:
    add_licence(database)
    report_us(database)
    for n in range(3):
        ship(
            database,
            order=order(),
            licence_number="MO-0001",
            quantity=2,
            serials=serials(f"s{n}", 2),
            idempotency_key=f"k{n}",
            actor="bob",
        )
    shipment_status.cancel_shipment(database, 3, "carol", "withdrawn")


def test_remittances_balances_and_statements(database: Database) -> None:
    _ledger(database)  # two shipments of USD 62,000 stand, one cancelled
    entry, created = remittances.remit(
        database,
        licensee=LICENSEE,
        period="2026-q1",
        amount="20000.00",
        reference="FEDWIRE-1",
        actor="treasury",
    )
    assert created and entry.period == "2026-Q1"
    again, created = remittances.remit(
        database,
        licensee=LICENSEE,
        period="2026-Q1",
        amount=Decimal("20000"),
        reference="FEDWIRE-1",
        actor="treasury",
    )
    assert not created and again.id == entry.id
    with pytest.raises(Conflict, match="FEDWIRE-1"):
        remittances.remit(
            database,
            licensee=LICENSEE,
            period="2026-Q1",
            amount="1.00",
            reference="FEDWIRE-1",
            actor="x",
        )
    [row] = remittances.balances(database, period="2026-Q1", licensee=LICENSEE)
    assert row == {
        "licensee": LICENSEE,
        "period": "2026-Q1",
        "accrued": "31000.00",
        "reported": "0.00",
        "remitted": "20000.00",
        "outstanding": "11000.00",
    }
    assert remittances.balances(database, period="2026-Q2") == []

    statement = build_statement(database, period="2026-Q1", licensee=LICENSEE)
    assert [line.kind for line in statement.lines] == [
        "accrual",
        "accrual",
        "accrual",
        "reversal",
        "remittance",
    ]
    text = statement_csv(statement)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Fee statement"]
    assert rows[1][:2] == ["Period", "2026-Q1 (2026-01-01 to 2026-03-31)"]
    assert rows[2] == ["Licensee", LICENSEE]
    assert rows[5][0] == "Rulebook" and "chipwatch-us-cn@" in rows[5][1]
    assert ["total", LICENSEE, "31000.00", "0.00", "20000.00", "11000.00"] in rows
    pdf = statement_pdf(statement)
    assert pdf.startswith(b"%PDF")
    assert "Page 1 of 1" in pdf_text(pdf) and "FEDWIRE-1" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"period": "2026-Q5"}, "period"),
        ({"reference": " "}, "reference"),
    ],
)
def test_bad_remittances_name_their_field(
    sqlite_database: Database, changes: dict[str, str], field: str
) -> None:
    arguments = {"licensee": LICENSEE, "period": "2026-Q1", "amount": "1.00", "reference": "R"}
    with pytest.raises(InvalidInput) as caught:
        remittances.remit(sqlite_database, **{**arguments, **changes}, actor="x")
    assert caught.value.field == field


def test_a_statement_of_an_empty_period_still_has_its_header(sqlite_database: Database) -> None:
    statement = build_statement(sqlite_database, period="2030-Q4", licensee="Nobody")
    assert statement.lines == [] and statement.totals["Nobody"].outstanding == 0
    assert b"%PDF" in statement_pdf(statement)[:8]


def test_a_cancellation_in_a_later_quarter_adjusts_that_quarter_not_the_issued_one(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chipwatch import clock

    add_licence(database)
    report_us(database)
    ship(
        database,
        order=order(),
        licence_number="MO-0001",
        quantity=2,
        serials=serials("q", 2),
        idempotency_key="kq",
        actor="bob",
    )
    q1_before = statement_csv(build_statement(database, period="2026-Q1", licensee=LICENSEE))
    monkeypatch.setattr(clock, "utc_today", lambda: dt.date(2026, 8, 3))
    shipment_status.cancel_shipment(database, 1, "carol", "withdrawn")
    q1_after = statement_csv(build_statement(database, period="2026-Q1", licensee=LICENSEE))
    q3 = build_statement(database, period="2026-Q3", licensee=LICENSEE)
    assert q1_after.split("\n")[6:] == q1_before.split("\n")[6:]  # same lines and totals
    assert [line.kind for line in q3.lines] == ["reversal"]
    assert "adjusts 2026-Q1" in statement_csv(q3)
