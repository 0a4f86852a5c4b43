"""Why a shipment may not draw on a licence: the decision, then each licence check.

Every check that fails gives its own reason (a code, the field it is about, a sentence);
all of them are reported at once in the 409 problem document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from chipwatch.catalog.loader import name_key
from chipwatch.errors import Conflict
from chipwatch.licensing.model import Licence
from chipwatch.orders import Order, Party
from chipwatch.rules.decision import Decision

# The jurisdiction whose licences an authority issues (a licence covers only its own).
AUTHORITY_JURISDICTION = {"BIS": "US", "DOC": "US", "MOFCOM": "CN", "MITI": "MY"}


class RefusalReason(NamedTuple):
    code: str  # decision_hold, licence_status, quantity_exhausted, …
    field: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "problem": self.problem}


class ShipmentRefused(Conflict):
    """A shipment the decision or the licence does not allow (409), with every reason."""

    title = "Shipment refused"

    def __init__(self, reasons: list[RefusalReason], *, audit_seq: int | None = None):
        self.reasons = reasons
        self.audit_seq = audit_seq
        problem = "; ".join(r.problem for r in reasons)
        super().__init__(
            f"shipment refused: {problem}",
            field=reasons[0].field,
            errors=[r.to_dict() for r in reasons],
        )

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def to_problem(self) -> dict[str, object]:
        body = super().to_problem()
        body["reason"] = self.reasons[0].code
        if self.audit_seq is not None:
            body["audit_seq"] = self.audit_seq
        return body

    def to_record(self) -> dict[str, Any]:
        """What ``shipment_requests.refusal`` keeps, to refuse a retry identically."""
        return {"reasons": [r.to_dict() for r in self.reasons], "audit_seq": self.audit_seq}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> ShipmentRefused:
        reasons = [RefusalReason(r["code"], r["field"], r["problem"]) for r in record["reasons"]]
        return cls(reasons, audit_seq=record.get("audit_seq"))


@dataclass(frozen=True, slots=True)
class Drawn:
    """What the licence's ledger says was drawn (net of reversals)."""

    quantity: int
    value: Decimal


def decision_reasons(decision: Decision, licence: Licence) -> list[RefusalReason]:
    """The decision must allow the order, or require a licence that this one is."""
    if decision.outcome in ("hold", "prohibited"):
        blocking = [
            f"{r.jurisdiction} {r.rule_id} ({r.title})"
            for r in decision.reasons
            if r.superseded_by is None and r.outcome == decision.outcome
        ]
        version = decision.rulebook_version.get("id", "the rulebook")
        return [
            RefusalReason(
                f"decision_{decision.outcome}",
                "order",
                f"the order is decided '{decision.outcome}' under {version}: "
                + "; ".join(blocking or ["see `chipwatch check`"]),
            )
        ]
    covered = AUTHORITY_JURISDICTION.get(licence.authority.upper())
    return [
        RefusalReason(
            "licence_authority",
            "licence",
            f"the order needs a licence under {code} law, which a {licence.authority} "
            f"licence ({licence.number}) does not give",
        )
        for code, result in decision.jurisdictions.items()
        if result.outcome == "license_required" and code != covered
    ]


def licence_reasons(
    licence: Licence,
    order: Order,
    decision: Decision,
    *,
    quantity: int,
    value: Decimal,
    drawn: Drawn,
    today: dt.date,
) -> list[RefusalReason]:
    """Status (recorded, and effective ``today``: the order's date is the client's word),
    window, customer, item, destination, quantity and value left."""
    reasons: list[RefusalReason] = []
    number = licence.number
    if licence.status != "active":
        reasons.append(
            RefusalReason(
                "licence_status", "licence.status", f"licence {number} is {licence.status}"
            )
        )
    expired = expired_reason(licence, today)
    if expired is not None:
        reasons.append(expired)
    if not licence.in_window(order.date):
        reasons.append(
            RefusalReason(
                "licence_window",
                "order.date",
                f"the order's date {order.date} is outside licence {number}'s window "
                f"{licence.valid_from} – {licence.valid_to}",
            )
        )
    reasons.extend(_customer_reasons(licence, order))
    eccn = decision.classification[0].eccn if decision.classification else None
    model_id = decision.classification[0].model_id if decision.classification else ""
    if not covers_item(licence.items, model_id, eccn):
        reasons.append(
            RefusalReason(
                "item_not_covered",
                "order.items.0.model",
                f"licence {number} covers {', '.join(licence.items)}, not {model_id} "
                f"({eccn or 'class unknown'})",
            )
        )
    if order.ship_to.country not in licence.destinations:
        reasons.append(
            RefusalReason(
                "destination_not_covered",
                "order.ship_to.country",
                f"licence {number} covers destinations {', '.join(licence.destinations)}, "
                f"not {order.ship_to.country}",
            )
        )
    reasons.extend(_balance_reasons(licence, quantity, value, drawn))
    return reasons


def expired_reason(licence: Licence, today: dt.date) -> RefusalReason | None:
    """``licence_expired`` when ``today`` is past ``valid_to`` (and no expiry was recorded:
    ``licence_status`` already says so); ``licence_not_yet_valid`` before ``valid_from``."""
    if today < licence.valid_from:
        return RefusalReason(
            "licence_not_yet_valid",
            "licence.valid_from",
            f"licence {licence.number} is valid from {licence.valid_from}; today is {today}",
        )
    if licence.status == "expired" or licence.effective_status(today) != "expired":
        return None
    return RefusalReason(
        "licence_expired",
        "licence.valid_to",
        f"licence {licence.number} expired: it was valid to {licence.valid_to}, today is {today}",
    )


def _customer_reasons(licence: Licence, order: Order) -> list[RefusalReason]:
    index, party = receiving_party(order)
    key = name_key(party.name)
    for customer in licence.customers:
        if customer.name_key == key and customer.country in (None, party.country):
            return []
    return [
        RefusalReason(
            "customer_not_approved",
            f"order.parties.{index}",
            f"the {party.role.replace('_', ' ')} '{party.name}' ({party.country}) is not an "
            f"approved customer of licence {licence.number}",
        )
    ]


def receiving_party(order: Order) -> tuple[int, Party]:
    """The end user (or, when the order names none, the buyer, else the first party)."""
    for role in ("end_user", "buyer"):
        for index, party in enumerate(order.parties):
            if party.role == role:
                return index, party
    return 0, order.parties[0]


def covers_item(items: Iterable[str], model_id: str, eccn: str | None) -> bool:
    """A licence item is a catalog model id or a control class (``3A090`` covers ``3A090.a``)."""
    for item in items:
        if item == model_id:
            return True
        if eccn and (eccn == item or eccn.startswith(item + ".")):
            return True
    return False


def _balance_reasons(
    licence: Licence, quantity: int, value: Decimal, drawn: Drawn
) -> list[RefusalReason]:
    reasons = []
    units_left = licence.quantity_cap - drawn.quantity
    if quantity > units_left:
        state = "exhausted" if units_left <= 0 else "short"
        reasons.append(
            RefusalReason(
                "quantity_exhausted",
                "quantity",
                f"licence {licence.number} {state}: {max(units_left, 0)} of "
                f"{licence.quantity_cap} units left, {quantity} requested",
            )
        )
    value_left = licence.value_cap - drawn.value
    if value > value_left:
        reasons.append(
            RefusalReason(
                "value_exhausted",
                "value_usd",
                f"licence {licence.number} has USD {max(value_left, Decimal(0))} of "
                f"{licence.value_cap} left, the shipment is worth USD {value}",
            )
        )
    return reasons
