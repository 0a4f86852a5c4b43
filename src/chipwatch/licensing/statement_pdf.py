"""A fee statement as a PDF (reportlab): header, lines, totals, "page N of M" on every page."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from chipwatch.licensing.statements import Statement, StatementLine, Totals

CJK_FONT = "STSong-Light"  # built into reportlab (Adobe CID): Chinese names render
LINE_HEADINGS = (
    "Recorded",
    "Shipped",
    "Kind",
    "Licence",
    "Shipment",
    "Order",
    "Item",
    "Qty",
    "Base value",
    "Rate",
    "Amount",
    "Binding",
    "Rule / reference",
)
WIDTHS = [18, 18, 16, 20, 16, 24, 33, 10, 24, 10, 24, 22, 37]
NUMERIC = frozenset({7, 8, 9, 10})  # right-aligned columns


def statement_pdf(statement: Statement) -> bytes:
    """The statement as PDF bytes (landscape A4)."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=7, leading=8.5)
    out = io.BytesIO()
    title = f"Fee statement {statement.period} — {statement.licensee or 'all licensees'}"
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="chipwatch",
    )
    story: list[Any] = [
        Paragraph(_text(title), styles["Title"]),
        _header_table(statement, cell),
        Spacer(1, 5 * mm),
        _lines_table(statement.lines, cell),
        Spacer(1, 5 * mm),
        Paragraph("Totals (USD)", styles["Heading3"]),
        _totals_table(statement, cell),
        Spacer(1, 3 * mm),
        Paragraph(
            "Accrued: binding fees net of reversals. Reported: fees reported by the press "
            "but not published law, shown and not owed. Outstanding: accrued less remitted.",
            cell,
        ),
    ]
    footer = f"chipwatch fee statement {statement.period}"
    doc.build(story, canvasmaker=_numbered(footer))
    return out.getvalue()


def _text(value: str) -> str:
    """Escaped for a Paragraph, with non-Latin runs in the CJK font."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if all(ord(c) < 0x2000 for c in value):
        return escaped
    return f'<font name="{CJK_FONT}">{escaped}</font>'


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def _header_table(statement: Statement, cell: ParagraphStyle) -> Table:
    rows = [
        [Paragraph(f"<b>{k}</b>", cell), Paragraph(_text(v), cell)] for k, v in statement.header()
    ]
    table = Table(rows, colWidths=[35 * mm, 200 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lines_table(lines: list[StatementLine], cell: ParagraphStyle) -> Table:
    number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", cell) for h in LINE_HEADINGS]]
    for line in lines:
        binding = "yes" if line.binding else "no (reported)"
        if line.flags:
            binding += "; " + ", ".join(line.flags)
        values = (
            line.date.isoformat(),
            "" if line.ship_date is None else line.ship_date.isoformat(),
            line.kind,
            _text(line.licence),
            "" if line.shipment is None else str(line.shipment),
            _text(line.order),
            _text(line.item),
            "" if line.quantity is None else f"{line.quantity:,}",
            _money(line.base_value),
            "" if line.rate is None else f"{line.rate:%}",
            _money(line.amount),
            binding,
            _text(" ".join(p for p in (line.rule, line.reference) if p)),
        )
        rows.append(
            [
                Paragraph(value, number if column in NUMERIC else cell)
                for column, value in enumerate(values)
            ]
        )
    if len(rows) == 1:
        rows.append([Paragraph("no entries in this period", cell)] + [""] * 12)
    table = Table(rows, colWidths=[w * mm for w in WIDTHS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _totals_table(statement: Statement, cell: ParagraphStyle) -> Table:
    headings = ["Licensee", "Accrued", "Reported (not owed)", "Remitted", "Outstanding"]
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", cell) for h in headings]]
    items: list[tuple[str, Totals]] = sorted(statement.totals.items())
    if len(items) > 1:
        items.append(("All licensees", statement.grand_total))
    for who, totals in items:
        amounts = (totals.accrued, totals.reported, totals.remitted, totals.outstanding)
        rows.append([Paragraph(_text(who), cell), *(_money(a) for a in amounts)])
    table = Table(rows, colWidths=[90 * mm, 35 * mm, 35 * mm, 35 * mm, 35 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _numbered(footer: str) -> type[Canvas]:
    """A canvas class that writes "page N of M" once every page is known."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type stubs
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7)
                width = self._pagesize[0]
                self.drawString(12 * mm, 7 * mm, footer)
                self.drawRightString(width - 12 * mm, 7 * mm, f"Page {number} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas
