"""What ``decide`` returns: an outcome per jurisdiction and overall, with every reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from chipwatch.catalog.classify import Classification
from chipwatch.rules.model import Outcome


@dataclass(frozen=True, slots=True)
class Reason:
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
    checks: tuple[str, ...] = ()  # the comparisons that made it fire
    superseded_by: str | None = None  # fired, but replaced by a later rule for these items


@dataclass(frozen=True, slots=True)
class JurisdictionResult:
    code: str
    name: str
    outcome: Outcome
    subject: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class FeeLine:
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


@dataclass(frozen=True, slots=True)
class Note:
    rule_id: str
    jurisdiction: str
    text: str
    citation: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Decision:
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
        data = {key: getattr(self, key) for key in self.__dataclass_fields__}
        data["jurisdictions"] = {code: asdict(j) for code, j in self.jurisdictions.items()}
        for key in ("fees", "conditions", "red_flags"):
            data[key] = [asdict(each) for each in data[key]]
        data["classification"] = [
            {**c.to_dict(), "quantity": q}
            for c, q in zip(self.classification, self.quantities, strict=True)
        ]
        data.pop("quantities")
        data["reasons"] = [asdict(r) for r in self.reasons]
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
