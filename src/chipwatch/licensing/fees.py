"""Fee accruals: what each shipment accrues (and its reversal) in the fee ledger.

A shipment accrues every fee the decision charges on its item (the Section 232 duty on
H200-class chips, the reported 15 % on H20 / MI308), at the rate the rule states, on the
shipment's value. The licence's ``conditions.fee_rate`` is reconciled with it:

- equal rates: one accrual, binding;
- a binding rule (published law) with a different licence rate: the rule's rate applies,
  both rates are recorded and the entry is flagged ``rate_mismatch``;
- a reported (non-binding) rule: a licence that states a fee rate makes it a licence
  condition, so it is binding at the licence's rate (``licence_condition``, plus
  ``rate_mismatch`` and ``licence_rate_applied`` when the rates differ);
- no rule charges a fee but the licence states one: it accrues at the licence's rate.

Reported fees that no licence condition binds are kept, flagged ``reported``, and not owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chipwatch import clock
from chipwatch.licensing.ledger_model import FeeEntry, Shipment
from chipwatch.licensing.model import Licence
from chipwatch.licensing.periods import period_of
from chipwatch.rules.decision import Decision
from chipwatch.store.types import CENT


@dataclass(frozen=True, slots=True)
class FeeAccrual:
    """A fee one shipment owes (or, if not binding, is reported to owe)."""

    rule_id: str | None
    label: str
    basis: str
    citation: str
    rate: Decimal | None  # the rule's
    licence_rate: Decimal | None
    applied_rate: Decimal
    base_value: Decimal
    amount: Decimal
    binding: bool
    flags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "label": self.label,
            "rate": None if self.rate is None else str(self.rate),
            "licence_rate": None if self.licence_rate is None else str(self.licence_rate),
            "applied_rate": str(self.applied_rate),
            "base_value_usd": str(self.base_value),
            "amount_usd": str(self.amount),
            "binding": self.binding,
            "flags": list(self.flags),
        }


def licence_fee_rate(licence: Licence) -> Decimal | None:
    stated = licence.conditions.get("fee_rate")
    if stated is None:
        return None
    try:
        return Decimal(str(stated))
    except InvalidOperation:
        return None


def accruals_for(
    decision: Decision, licence: Licence, *, model_id: str, value: Decimal
) -> list[FeeAccrual]:
    """The fees a shipment of ``value`` of ``model_id`` accrues (see the module docstring)."""
    licence_rate = licence_fee_rate(licence)
    accruals = []
    for line in decision.fees:
        if not line.owed or line.item != model_id:
            continue
        rate = Decimal(str(line.rate))
        applied, binding, flags = _reconcile(rate, line.binding, licence_rate)
        accruals.append(
            FeeAccrual(
                line.rule_id,
                line.label,
                line.basis,
                line.citation,
                rate,
                licence_rate,
                applied,
                value,
                fee_amount(value, applied),
                binding,
                flags,
            )
        )
    if not accruals and licence_rate:
        accruals.append(
            FeeAccrual(
                None,
                "Licence fee condition",
                "declared value of the shipment",
                f"licence {licence.number}, conditions.fee_rate",
                None,
                licence_rate,
                licence_rate,
                value,
                fee_amount(value, licence_rate),
                True,
                ("licence_condition",),
            )
        )
    return accruals


def _reconcile(
    rate: Decimal, binding: bool, licence_rate: Decimal | None
) -> tuple[Decimal, bool, tuple[str, ...]]:
    flags = [] if binding else ["reported"]
    if licence_rate is None:
        return rate, binding, tuple(flags)
    if licence_rate != rate:
        flags.append("rate_mismatch")
    if binding:
        return rate, True, tuple(flags)
    flags.append("licence_condition")
    if licence_rate != rate:
        flags.append("licence_rate_applied")
    return licence_rate, True, tuple(flags)


def fee_amount(value: Decimal, rate: Decimal) -> Decimal:
    """``value × rate`` to the cent (half up)."""
    return (value * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def accrual_entries(
    shipment: Shipment, accruals: list[FeeAccrual], *, at: dt.datetime, audit_seq: int
) -> list[FeeEntry]:
    """The ledger entries of a shipment's accruals (for the caller to insert)."""
    return [
        FeeEntry(
            kind="accrual",
            licensee=shipment.licensee,
            period=shipment.period,
            licence_id=shipment.licence_id,
            shipment_id=shipment.id,
            rule_id=a.rule_id,
            label=a.label,
            basis=a.basis,
            citation=a.citation,
            rate=None if a.rate is None else str(a.rate),
            licence_rate=None if a.licence_rate is None else str(a.licence_rate),
            base_value=a.base_value,
            amount=a.amount,
            binding=a.binding,
            flags=list(a.flags),
            reference=None,
            at=at,
            actor=shipment.actor,
            audit_seq=audit_seq,
        )
        for a in accruals
    ]


def reverse(
    session: Session, shipment: Shipment, *, actor: str, at: dt.datetime, audit_seq: int
) -> list[FeeEntry]:
    """Append a reversal of each of the shipment's accruals (negative amount), booked in the
    period of the cancellation: a statement already issued for the accrual's period stays as
    it was, and the reversal says which period it adjusts."""
    period = period_of(clock.utc_today())
    accrued = session.scalars(
        select(FeeEntry)
        .where(FeeEntry.shipment_id == shipment.id, FeeEntry.kind == "accrual")
        .order_by(FeeEntry.id)
    ).all()
    reversals = [
        FeeEntry(
            kind="reversal",
            licensee=e.licensee,
            period=period,
            licence_id=e.licence_id,
            shipment_id=e.shipment_id,
            rule_id=e.rule_id,
            label=e.label,
            basis=e.basis,
            citation=e.citation,
            rate=e.rate,
            licence_rate=e.licence_rate,
            base_value=-e.base_value if e.base_value is not None else None,
            amount=-e.amount,
            binding=e.binding,
            flags=[*e.flags, *([f"adjusts {e.period}"] if e.period != period else [])],
            at=at,
            actor=actor,
            audit_seq=audit_seq,
        )
        for e in accrued
    ]
    session.add_all(reversals)
    return reversals
