"""Fee-statement CSV: a cell a spreadsheet would run as a formula is quoted; numbers stay."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from chipwatch.licensing.statements import Statement, StatementLine, safe_cell, statement_csv

CELLS = [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("-23250.00", "-23250.00"),  # a reversal's amount is a number, not a formula
    ("-3", "-3"),
    ("Acme = Co", "Acme = Co"),
    ("", ""),
]


@pytest.mark.parametrize(("cell", "written"), CELLS, ids=[repr(c) for c, _ in CELLS])
def test_a_cell_that_starts_a_formula_is_quoted(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


def test_the_csv_quotes_client_text_in_lines_header_and_totals() -> None:
    evil = "=cmd|'/c calc'!A1"
    line = StatementLine(
        date=dt.date(2026, 2, 10),
        ship_date=dt.date(2026, 2, 10),
        kind="reversal",
        licensee=evil,
        licence="MO-0001",
        shipment=1,
        order="@order",
        item="nvidia-h200-sxm-141gb",
        quantity=-2,
        base_value=Decimal("-62000.00"),
        rate=Decimal("0.25"),
        amount=Decimal("-15500.00"),
        binding=True,
        rule="US-2026-232-DUTY-BAND-1",
        flags=(),
        reference="",
        audit_seq=7,
    )
    statement = Statement("2026-Q1", evil, dt.datetime(2026, 4, 1, tzinfo=dt.UTC), [], [], [line])
    rows = list(csv.reader(io.StringIO(statement_csv(statement))))
    assert ["Licensee", "'" + evil] in rows
    written = next(row for row in rows if row[:1] == ["2026-02-10"])
    assert written[3] == "'" + evil and written[6] == "'@order"
    assert (written[8], written[9], written[11]) == ("-2", "-62000.00", "-15500.00")
