"""Human-readable rendering (Rich) of classifications and decisions for the CLI."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chipwatch.catalog.classify import Classification
from chipwatch.rules.decision import Decision

STYLE = {
    "allowed": "bold green",
    "license_required": "bold yellow",
    "hold": "bold magenta",
    "prohibited": "bold red",
}
EVIDENCE = {
    "primary_text": "primary text",
    "secondary_source": "secondary source",
    "reported_guidance": "REPORTED GUIDANCE (not law)",
}


def outcome(text: str) -> Text:
    return Text(text.replace("_", " ").upper(), style=STYLE.get(text, "bold"))


def classification_view(cls: Classification) -> Panel:
    lines = [
        Text.assemble("Model: ", (cls.model_name, "bold"), f"  ({cls.model_id})"),
        Text.assemble(
            "Class on ",
            str(cls.on),
            ": ",
            (cls.eccn or "UNKNOWN", "bold cyan"),
            f"  {cls.paragraph or ''}",
        ),
        Text(cls.reason),
    ]
    if cls.via:
        lines.append(Text(f"System: classified through the chip it holds ({cls.via})."))
    lines.append(Text("Arithmetic:", style="bold"))
    lines.extend(Text(f"  {line}") for line in cls.metrics.arithmetic)
    if cls.checks:
        lines.append(Text("Threshold tests:", style="bold"))
        lines.extend(Text(f"  {check.describe()}") for check in cls.checks)
    if cls.citation:
        lines.append(
            Text(
                f"Rule: {cls.schedule_version}, {cls.citation} "
                f"[{EVIDENCE.get(cls.evidence or '', cls.evidence)}]",
                style="dim",
            )
        )
    return Panel(Group(*lines), title="chipwatch classify", expand=False)


def screening_view(decision: Decision) -> Group:
    """Each party's list memberships, open and resolved matches, and ownership chains."""
    report = decision.screening
    lines: list[Text] = [Text("\nScreening", style="bold")]
    if not report.performed:
        lines.append(Text(f"  NOT SCREENED  {report.note}", style="yellow"))
    elif report.list_versions:
        versions = ", ".join(sorted(set(report.list_versions.values())))
        lines.append(Text(f"  against {versions}", style="dim"))
    for party in report.parties:
        listed = ", ".join(sorted(party.lists | party.owner_lists)) or "no listing found"
        lines.append(Text.assemble("  ", (f"{party.role}: {party.party}", "bold"), f"  {listed}"))
        for match in party.possible_matches:
            lines.append(Text(f"    POSSIBLE MATCH  {match.explanation}", style="yellow"))
        for match in party.resolved:
            by = (match.disposition or {}).get("reason") or (match.disposition or {}).get("actor")
            lines.append(
                Text(f"    {match.status.upper()}  {match.explanation}; {by}", style="dim")
            )
        ownership = party.ownership or {}
        for chain in ownership.get("chains", []):
            lines.append(Text(f"    owned: {chain}", style="dim"))
        if report.performed and ownership and not ownership.get("known"):
            lines.append(Text("    ownership not declared", style="dim"))
    return Group(*lines)


def decision_view(decision: Decision) -> Group:
    version = decision.rulebook_version
    head = Table.grid(padding=(0, 2))
    head.add_row("Order", Text(decision.order_id, style="bold"))
    head.add_row("Date", str(decision.date))
    head.add_row("Outcome", outcome(decision.outcome))
    head.add_row(
        "Rulebook",
        f"{version['id']} (in force {version['in_force_from']} to "
        f"{version['in_force_to'] or 'now'}; {version['digest']})",
    )
    head.add_row(
        "Fee on shipment",
        f"USD {decision.fee_usd:,.2f}"
        + (
            f"  (+ USD {decision.reported_fee_usd:,.2f} reported, not law)"
            if decision.reported_fee_usd
            else ""
        ),
    )
    parts: list[object] = [Panel(head, title="chipwatch check", expand=False)]

    items = Table(title="Items", show_lines=False)
    for column in ("model", "qty", "class", "TPP", "PD", "why"):
        items.add_column(column, overflow="fold")
    for c, quantity in zip(decision.classification, decision.quantities, strict=True):
        tpp, pd = c.metrics.tpp, c.metrics.pd
        items.add_row(
            c.model_name,
            str(quantity),
            c.eccn or "UNKNOWN",
            "?" if tpp is None else f"{tpp:,.0f}",
            "?" if pd is None else f"{pd:.2f}",
            c.reason,
        )
    parts.append(items)

    for code, result in decision.jurisdictions.items():
        parts.append(
            Text.assemble(
                "\n", (f"{code} ", "bold"), outcome(result.outcome), (f"   {result.name}", "dim")
            )
        )
        for r in result.reasons:
            if r.superseded_by:
                parts.append(
                    Text(f"  superseded  {r.rule_id} (replaced by {r.superseded_by})", style="dim")
                )
                continue
            parts.append(
                Text.assemble(
                    "  ", outcome(r.outcome), "  ", (r.rule_id, "bold"), f"  [{', '.join(r.items)}]"
                )
            )
            parts.append(Padding(Text(r.text), (0, 0, 0, 6)))
            parts.append(
                Padding(
                    Text(f"{r.citation} [{EVIDENCE.get(r.evidence, r.evidence)}]", style="cyan"),
                    (0, 0, 0, 6),
                )
            )
    parts.append(screening_view(decision))
    if decision.fees:
        fees = Table(title="Fees", title_justify="left")
        for column in ("fee", "item", "rate", "value USD", "amount USD", "basis / rule"):
            fees.add_column(column, overflow="fold")
        for f in decision.fees:
            fees.add_row(
                f.label
                + ("" if f.binding else " (reported, not law)")
                + ("" if f.owed else " (not owed: prohibited)")
                + ("" if f.owed else " (not owed: prohibited)"),
                f.item,
                f"{f.rate:.0%}",
                "?" if f.value_usd is None else f"{f.value_usd:,.2f}",
                "?" if f.amount_usd is None else f"{f.amount_usd:,.2f}",
                f"{f.basis}; {f.rule_id}",
            )
        parts.append(fees)
    for title, notes in (
        ("Licence conditions", decision.conditions),
        ("Red flags", decision.red_flags),
    ):
        if notes:
            parts.append(Text(title, style="bold underline"))
            parts.extend(Text(f"• {n.text}  ({n.rule_id})") for n in notes)
    if decision.notes:
        parts.append(Text("Notes", style="bold underline"))
        parts.extend(Text(f"• {note}", style="italic") for note in decision.notes)
    return Group(*parts)  # type: ignore[arg-type]


def timeline_view(order_id: str, rows: list[dict[str, Any]]) -> Group:
    """One block per stretch of time: outcomes on one line, the rules behind them below."""
    parts: list[Any] = [Text(f"{order_id} under every rulebook version", style="bold")]
    for row in rows:
        head = Text.assemble(
            (f"{row['from']} → {row['to'] or 'now'}", "bold"),
            "  ",
            outcome(row["outcome"]),
        )
        for code, result in row["jurisdictions"].items():
            head.append_text(Text.assemble(f"  {code} ", outcome(result)))
        if row["fee_usd"]:
            head.append(f"  fee USD {row['fee_usd']:,.2f}")
        if row["includes_order_date"]:
            head.append("  ◀ the order's date", style="bold cyan")
        parts.append(head)
        rules = [r for r in row["rules"] if not r.startswith("chipwatch:")]
        parts.append(Padding(Text(", ".join(rules) or "no rule fired", style="dim"), (0, 0, 0, 4)))
    return Group(*parts)


def catalog_view(listing: dict[str, Any]) -> Table:
    table = Table(
        title=f"Catalog {listing['version']} ({len(listing['models'])} models), "
        f"classified on {listing['classified_on']}"
    )
    for column in ("id", "name", "vendor", "family", "TPP", "PD", "DRAM GB/s", "class", "conf."):
        table.add_column(column, overflow="fold")
    for m in listing["models"]:
        table.add_row(
            m["id"],
            m["name"],
            m["vendor"],
            m["family"],
            _number(m["tpp"], ",.0f"),
            _number(m["pd"], ".2f"),
            _number(m["memory_bandwidth_gbs"], ",.0f"),
            m["eccn"] or "UNKNOWN",
            m["confidence"],
        )
    return table


def rules_view(listing: dict[str, Any]) -> Table:
    table = Table(
        title=f"Rulebook {listing['rulebook']}: {len(listing['rules'])} rules", show_lines=True
    )
    for column in ("rule", "juris.", "in force", "outcome", "title", "citation / evidence"):
        table.add_column(column, overflow="fold")
    for r in listing["rules"]:
        table.add_row(
            r["id"],
            r["jurisdiction"],
            f"{r['effective_from']} → {r['effective_to'] or 'open'}",
            outcome(r["outcome"]),
            r["title"],
            f"{r['citation']} [{EVIDENCE[r['evidence']]}]",
        )
    return table


def versions_view(listing: dict[str, Any]) -> Table:
    table = Table(title=f"Rulebook {listing['rulebook']} {listing['digest']}: versions")
    for column in ("version", "from", "to", "rules in force"):
        table.add_column(column)
    for v in listing["versions"]:
        table.add_row(v["id"], v["from"], v["to"] or "open", str(len(v["rules"])))
    return table


def _number(value: float | None, spec: str) -> str:
    return "?" if value is None else format(value, spec)


def console() -> Console:
    return Console(soft_wrap=False)
