"""The rulebook as loaded: instruments, rules, jurisdictions, and the versions they form in time."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, NamedTuple

from chipwatch.catalog.classify import ClassificationSchedule
from chipwatch.conditions import ALWAYS, Condition, Facts, FactSpec, GroupResult
from chipwatch.errors import InvalidInput
from chipwatch.rules.groups import CountryGroups

Outcome = Literal["allowed", "license_required", "hold", "prohibited"]
ReviewPolicy = Literal["presumption_of_denial", "case_by_case", "presumption_of_approval"]
Evidence = Literal["primary_text", "secondary_source", "reported_guidance"]

OUTCOMES: tuple[Outcome, ...] = ("allowed", "license_required", "hold", "prohibited")
SEVERITY: dict[str, int] = {name: rank for rank, name in enumerate(OUTCOMES)}
EVIDENCE: tuple[Evidence, ...] = ("primary_text", "secondary_source", "reported_guidance")


@dataclass(frozen=True, slots=True)
class Fee:
    rate: float
    label: str
    basis: str  # what the rate applies to, in words


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date | None  # inclusive; None: open-ended
    citation: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Instrument:
    """A legal instrument (rule, proclamation, letter, statement) that rules come from."""

    id: str
    title: str
    citation: str
    url: str | None
    evidence: Evidence
    file: str


class Note(NamedTuple):
    """A licence condition or a red flag, with the rule it comes from."""

    rule_id: str
    jurisdiction: str
    text: str
    citation: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    instrument: Instrument
    jurisdiction: str
    title: str
    text: str
    citation: str
    evidence: Evidence
    in_force: Period
    suspensions: tuple[Period, ...]
    when: Condition
    outcome: Outcome
    review_policy: ReviewPolicy | None
    conditions: tuple[str, ...]
    fee: Fee | None
    red_flag: bool
    overrides: tuple[str, ...]
    notes: str
    # The most a destination's shipments of a product may reach, as a share of its shipments to
    # US end users (the 2026 H200 rule's 50 % for China and Macau); checked by the ledger.
    volume_cap: VolumeCap | None = None
    # Derived in __post_init__, so that deciding reads them instead of recomputing:
    effective_outcome: Outcome = "allowed"
    severity: int = 0
    condition_notes: tuple[Note, ...] = ()
    flag_note: Note | None = None

    def __post_init__(self) -> None:
        # A licence requirement with a policy of denial is, in practice, a prohibition.
        denied = self.outcome == "license_required" and (
            self.review_policy == "presumption_of_denial"
        )
        effective: Outcome = "prohibited" if denied else self.outcome
        note = partial(
            Note, self.id, self.jurisdiction, citation=self.citation, evidence=self.evidence
        )
        object.__setattr__(self, "effective_outcome", effective)
        object.__setattr__(self, "severity", SEVERITY[effective])
        object.__setattr__(self, "condition_notes", tuple(note(c) for c in self.conditions))
        object.__setattr__(self, "flag_note", note(self.text) if self.red_flag else None)

    def to_dict(self) -> dict[str, Any]:
        """The rule as the CLI (`rules --json`) and the API (`/v1/rules`) list it."""
        return {
            "id": self.id,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "text": self.text,
            "outcome": self.effective_outcome,
            "review_policy": self.review_policy,
            "volume_cap": self.volume_cap.to_dict() if self.volume_cap else None,
            "effective_from": self.in_force.start.isoformat(),
            "effective_to": self.in_force.end.isoformat() if self.in_force.end else None,
            "suspensions": [
                {
                    "from": s.start.isoformat(),
                    "to": s.end.isoformat() if s.end else None,
                    "citation": s.citation,
                }
                for s in self.suspensions
            ],
            "citation": self.citation,
            "evidence": self.evidence,
            "instrument": self.instrument.id,
            "conditions": list(self.conditions),
            "red_flag": self.red_flag,
            "overrides": list(self.overrides),
            "notes": self.notes,
            "fee": None
            if self.fee is None
            else {"rate": self.fee.rate, "label": self.fee.label, "basis": self.fee.basis},
        }

    def active_on(self, day: dt.date) -> bool:
        return self.in_force.covers(day) and not any(s.covers(day) for s in self.suspensions)


ENGINE = Instrument(
    id="chipwatch",
    title="chipwatch decision procedure",
    citation="chipwatch decision procedure (docs/rulebook.md)",
    url=None,
    evidence="primary_text",
    file="(engine)",
)


def engine_rule(
    rule_id: str, jurisdiction: str, outcome: Outcome, title: str, text: str, citation: str
) -> Rule:
    """A rule of the decision procedure itself (not subject, no restriction, facts unknown)."""
    return Rule(
        id=f"chipwatch:{rule_id}",
        instrument=ENGINE,
        jurisdiction=jurisdiction,
        title=title,
        text=text,
        citation=citation,
        evidence="primary_text",
        in_force=Period(dt.date.min, None),
        suspensions=(),
        when=ALWAYS,
        outcome=outcome,
        review_policy=None,
        conditions=(),
        fee=None,
        red_flag=False,
        overrides=(),
        notes="",
    )


@dataclass(frozen=True, slots=True)
class VolumeCap:
    share_of_us_shipments: float  # 0 < share <= 1
    destinations: tuple[str, ...]  # ISO codes the cap counts and applies to

    def to_dict(self) -> dict[str, Any]:
        return {
            "share_of_us_shipments": self.share_of_us_shipments,
            "destinations": list(self.destinations),
        }


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    code: str
    name: str
    subject_when: Condition
    not_subject_text: str
    not_subject: Rule = field(init=False)
    no_restriction: Rule = field(init=False)
    # decide's memo of the (immutable) result when no rule fires, per items and outcome
    quiet: dict[tuple[bool, tuple[str, ...], int], Any] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "not_subject",
            engine_rule(
                "not-subject",
                self.code,
                "allowed",
                "Not subject to this jurisdiction",
                self.not_subject_text,
                self.name,
            ),
        )
        object.__setattr__(
            self,
            "no_restriction",
            engine_rule(
                "no-restriction",
                self.code,
                "allowed",
                "No restriction found",
                f"No rule of {self.name} in force on the order's date restricts this order as "
                "stated.",
                self.name,
            ),
        )


@dataclass(frozen=True, slots=True)
class Version:
    """A stretch of time over which the same rules are in force."""

    id: str
    start: dt.date
    end: dt.date | None
    rules: tuple[Rule, ...]
    by_jurisdiction: dict[str, tuple[Rule, ...]]
    evaluators: dict[str, Callable[[Facts], GroupResult]]  # per jurisdiction, compiled
    summary: Mapping[str, Any]  # what a decision records about the version it used (read-only)
    overriding: bool = field(init=False)  # some rule in force supersedes others
    memo: dict[Any, Any] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overriding", any(rule.overrides for rule in self.rules))


@dataclass(frozen=True, slots=True)
class Rulebook:
    name: str
    covers_from: dt.date
    reviewed_through: dt.date
    digest: str
    jurisdictions: tuple[Jurisdiction, ...]
    instruments: tuple[Instrument, ...]
    rules: tuple[Rule, ...]
    versions: tuple[Version, ...]
    schedule: ClassificationSchedule
    groups: CountryGroups
    facts: dict[str, FactSpec]
    starts: tuple[dt.date, ...]  # versions' start dates, for bisection

    review_note: str = field(init=False)

    def __post_init__(self) -> None:
        note = (
            f"The rulebook was last reviewed through {self.reviewed_through}: measures "
            "taken after that date are not in it."
        )
        object.__setattr__(self, "review_note", note)

    def version_for(self, day: dt.date) -> Version:
        """The version in force on ``day``, or an input error naming the order's date."""
        version = self.version_on(day)
        if version is None:
            raise InvalidInput(
                f"no rulebook in force on {day}: '{self.name}' covers orders from "
                f"{self.covers_from}",
                field="date",
            )
        return version

    def version_on(self, day: dt.date) -> Version | None:
        """The rulebook version in force on ``day`` (None before the rulebook's coverage)."""
        if day < self.covers_from:
            return None
        return self.versions[bisect.bisect_right(self.starts, day) - 1]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
