"""Remittances to the fee ledger, and balances per licensee and quarter: accrued (binding,
net of reversals), reported (not owed), remitted and outstanding."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chipwatch.errors import Conflict, InvalidInput
from chipwatch.licensing.ledger_model import FeeEntry
from chipwatch.licensing.periods import parse_period
from chipwatch.licensing.versions import reference_versions
from chipwatch.store import Database, audit
from chipwatch.store.types import to_money


def remit(
    db: Database,
    *,
    licensee: str,
    period: str,
    amount: Decimal | str,
    reference: str,
    actor: str,
) -> tuple[FeeEntry, bool]:
    """Record a remittance; ``(entry, created)``. The same reference again with the same
    amount and period returns the recorded one; with another, it is a ``Conflict``."""
    period = parse_period(period)
    value = _positive_money(amount)
    if not reference.strip():
        raise InvalidInput("give the payment's reference", field="reference")
    if not licensee.strip():
        raise InvalidInput("name the licensee who paid", field="licensee")
    try:
        with db.transaction() as session:
            known = _remittance(session, licensee, reference)
            if known is not None:
                return _same_remittance(known, period, value), False
            record = audit.append(
                session,
                actor=actor,
                action="fees.remit",
                subject=licensee,
                payload={
                    "licensee": licensee,
                    "period": period,
                    "amount": value,
                    "reference": reference,
                },
                versions=reference_versions(),
            )
            entry = FeeEntry(
                kind="remittance",
                licensee=licensee,
                period=period,
                label="Remittance",
                basis="payment to the US government",
                citation="",
                amount=value,
                binding=True,
                flags=[],
                reference=reference,
                at=record.at,
                actor=actor,
                audit_seq=record.seq,
            )
            session.add(entry)
            session.flush()
            return entry, True
    except IntegrityError:  # the same reference recorded concurrently
        with db.session() as session:
            known = _remittance(session, licensee, reference)
            if known is None:
                raise
            return _same_remittance(known, period, value), False


def _positive_money(amount: Decimal | str) -> Decimal:
    try:
        value = to_money(amount)
    except (ValueError, ArithmeticError, TypeError):
        raise InvalidInput(
            f"'{amount}' is not an amount in dollars and cents", field="amount"
        ) from None
    if value <= 0:
        raise InvalidInput("a remittance is a positive amount", field="amount")
    return value


def _remittance(session: Session, licensee: str, reference: str) -> FeeEntry | None:
    query = select(FeeEntry).where(FeeEntry.licensee == licensee, FeeEntry.reference == reference)
    return session.scalars(query).one_or_none()


def _same_remittance(known: FeeEntry, period: str, amount: Decimal) -> FeeEntry:
    if (known.period, known.amount) != (period, amount):
        raise Conflict(
            f"reference '{known.reference}' is already recorded for {known.licensee}: USD "
            f"{known.amount} for {known.period}",
            field="reference",
        )
    return known


def balances(
    db: Database, *, period: str | None = None, licensee: str | None = None
) -> list[dict[str, Any]]:
    """Per licensee and period: accrued (binding, net of reversals), reported (not owed),
    remitted and outstanding (accrued − remitted), as decimal strings."""
    query = select(
        FeeEntry.licensee,
        FeeEntry.period,
        FeeEntry.kind,
        FeeEntry.binding,
        func.sum(FeeEntry.amount),
    ).group_by(FeeEntry.licensee, FeeEntry.period, FeeEntry.kind, FeeEntry.binding)
    if period is not None:
        query = query.where(FeeEntry.period == parse_period(period))
    if licensee is not None:
        query = query.where(FeeEntry.licensee == licensee)
    totals: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: {
            "accrued": Decimal("0.00"),
            "reported": Decimal("0.00"),
            "remitted": Decimal("0.00"),
        }
    )
    with db.session() as session:
        for who, when, kind, binding, amount in session.execute(query):
            column = "remitted" if kind == "remittance" else "accrued" if binding else "reported"
            totals[(who, when)][column] += amount or Decimal("0.00")
    return [
        {
            "licensee": who,
            "period": when,
            **{k: str(v) for k, v in sums.items()},
            "outstanding": str(sums["accrued"] - sums["remitted"]),
        }
        for (who, when), sums in sorted(totals.items())
    ]
