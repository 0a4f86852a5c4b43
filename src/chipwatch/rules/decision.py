"""What ``decide`` returns: an outcome per jurisdiction and overall, with every reason.

The parts are immutable named tuples: cheap to build on the hot path of ``decide``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from chipwatch.catalog.classify import Classification
from chipwatch.conditions import Condition
from chipwatch.rules.model import Outcome


class Reason(NamedTuple):
    """Why a jurisdiction reached its outcome: one rule, the items it fired for, and the
    comparisons behind it (rendered on demand from the condition and the item's facts)."""

    rule_id: str
    jurisdiction: str
    outcome: Outcome
    title: str
    text: str
    citation: str
    evidence: str
    instrument: str
    items: tuple[str, ...]  # model ids the rule fired for
    review_policy: str | None = None
    superseded_by: str | None = None  # fired, but replaced by a later rule for these items
    fixed_checks: tuple[str, ...] = ()
    condition: Condition | None = None
    facts: Mapping[str, Any] | None = None

    @property
    def checks(self) -> tuple[str, ...]:
        """The comparisons that made the rule fire, as sentences."""
        if self.condition is None or self.facts is None:
            return self.fixed_checks
        return self.condition.describe(self.facts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "jurisdiction": self.jurisdiction,
            "outcome": self.outcome,
            "title": self.title,
            "text": self.text,
            "citation": self.citation,
            "evidence": self.evidence,
            "instrument": self.instrument,
            "items": list(self.items),
            "review_policy": self.review_policy,
            "checks": list(self.checks),
            "superseded_by": self.superseded_by,
        }


class JurisdictionResult(NamedTuple):
    code: str
    name: str
    outcome: Outcome
    subject: bool
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "outcome": self.outcome,
            "subject": self.subject,
            "reasons": [r.to_dict() for r in self.reasons],
        }


class FeeLine(NamedTuple):
    rule_id: str
    label: str
    item: str
    rate: float
    value_usd: float | None
    amount_usd: float | None  # None: the line has no declared value
    basis: str
    citation: str
    evidence: str
    binding: bool  # False for reported arrangements that are not published law


class Note(NamedTuple):
    rule_id: str
    jurisdiction: str
    text: str
    citation: str
    evidence: str


class Decision(NamedTuple):
    order_id: str
    date: dt.date
    outcome: Outcome
    jurisdictions: dict[str, JurisdictionResult]
    fee_usd: float
    fees: tuple[FeeLine, ...]
    reported_fee_usd: float
    conditions: tuple[Note, ...]
    red_flags: tuple[Note, ...]
    classification: tuple[Classification, ...]  # one per order item
    quantities: tuple[int, ...]
    rulebook_version: dict[str, Any]
    screening: dict[str, Any]
    notes: tuple[str, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(r for j in self.jurisdictions.values() for r in j.reasons)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the shape of ``chipwatch check --json`` and ``POST /v1/check``."""
        data = self._asdict()
        data["jurisdictions"] = {code: j.to_dict() for code, j in self.jurisdictions.items()}
        for key in ("fees", "conditions", "red_flags"):
            data[key] = [each._asdict() for each in data[key]]
        data["classification"] = [
            {**c.to_dict(), "quantity": q}
            for c, q in zip(self.classification, self.quantities, strict=True)
        ]
        data.pop("quantities")
        data["reasons"] = [r.to_dict() for r in self.reasons]
        data["fee_basis"] = [
            f"{f.label}: {f.rate:.0%} of {f.basis} ({f.item})" for f in self.fees if f.binding
        ]
        result: dict[str, Any] = _jsonable(data)
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
