"""What ``decide`` returns: an outcome per jurisdiction and overall, with every reason.

The parts are immutable named tuples: cheap to build on the hot path of ``decide``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, NamedTuple

from chipwatch.catalog.classify import Classification
from chipwatch.rules.model import Note, Outcome, Rule
from chipwatch.screening import ScreeningReport


class Reason(NamedTuple):
    """Why a jurisdiction reached its outcome: a rule that fired, the items it fired for, and
    the comparisons behind it (rendered on demand from the rule's condition and the facts)."""

    rule: Rule
    items: tuple[str, ...]  # model ids the rule fired for
    superseded_by: str | None = None  # fired, but replaced by another rule for these items
    facts: tuple[Mapping[str, Any] | None, ...] = ()  # each item's facts, in items' order
    fixed_checks: tuple[str, ...] = ()

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def jurisdiction(self) -> str:
        return self.rule.jurisdiction

    @property
    def outcome(self) -> Outcome:
        return self.rule.effective_outcome

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def text(self) -> str:
        return self.rule.text

    @property
    def citation(self) -> str:
        return self.rule.citation

    @property
    def evidence(self) -> str:
        return self.rule.evidence

    @property
    def checks(self) -> tuple[str, ...]:
        """The comparisons that made the rule fire, as sentences; prefixed with the item
        when the items it fired for were tested on different values."""
        described = [self.rule.when.describe(f) for f in self.facts if f is not None]
        if not described:
            return self.fixed_checks
        if all(d == described[0] for d in described):
            return described[0]
        return tuple(
            f"{item}: {line}"
            for item, lines in zip(self.items, described, strict=False)
            for line in lines
        )

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "rule_id": rule.id,
            "jurisdiction": rule.jurisdiction,
            "outcome": rule.effective_outcome,
            "title": rule.title,
            "text": rule.text,
            "citation": rule.citation,
            "evidence": rule.evidence,
            "instrument": rule.instrument.id,
            "items": list(self.items),
            "review_policy": rule.review_policy,
            "checks": list(self.checks),
            "superseded_by": self.superseded_by,
        }


class JurisdictionResult:
    """One jurisdiction's outcome and its reasons. The outcome is decided eagerly; the
    reason objects are built from the rules that fired the first time they are read."""

    __slots__ = ("_hits", "_reasons", "code", "name", "outcome", "subject")

    def __init__(
        self,
        code: str,
        name: str,
        outcome: Outcome,
        subject: bool,
        reasons: tuple[Reason, ...] | None = None,
        hits: Mapping[Any, list[Any]] | None = None,
    ):
        self.code, self.name, self.outcome, self.subject = code, name, outcome, subject
        self._reasons = reasons
        self._hits = hits  # (rule key, superseded by) -> [rule, items, facts, fixed checks]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        if self._reasons is None:
            self._reasons = tuple(
                Reason(rule, tuple(items), superseded_by, tuple(facts), fixed)
                for (_, superseded_by), (rule, items, facts, fixed) in (self._hits or {}).items()
            )
            self._hits = None
        return self._reasons

    def __repr__(self) -> str:
        return f"JurisdictionResult({self.code!r}, {self.outcome!r}, {len(self.reasons)} reasons)"

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
    jurisdiction: str
    label: str
    item: str
    rate: float
    value_usd: float | None
    amount_usd: float | None  # None: the line has no declared value
    basis: str
    citation: str
    evidence: str
    binding: bool  # False for reported arrangements that are not published law
    owed: bool = True  # False under a jurisdiction that prohibits the order


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
    rulebook_version: Mapping[str, Any]
    screening: ScreeningReport
    notes: tuple[str, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(r for j in self.jurisdictions.values() for r in j.reasons)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the shape of ``chipwatch check --json`` and ``POST /v1/check``."""
        data = self._asdict()
        data["screening"] = {
            "performed": self.screening.performed,
            "note": self.screening.note,
            "list_versions": self.screening.list_versions,
            "parties": [
                {
                    "party": p.party,
                    "role": p.role,
                    "lists": sorted(p.lists),
                    "owner_lists": sorted(p.owner_lists),
                    "possible_matches": [asdict(m) for m in p.possible_matches],
                    "resolved_matches": [asdict(m) for m in p.resolved],
                    "ownership": p.ownership,
                }
                for p in self.screening.parties
            ],
        }
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
            f"{f.label}: {f.rate:.0%} of {f.basis} ({f.item})"
            for f in self.fees
            if f.binding and f.owed
        ]
        result: dict[str, Any] = _jsonable(data)
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
