"""The rulebook as loaded: instruments, rules, jurisdictions, and the versions they form in time."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from chipwatch.catalog.classify import ClassificationSchedule
from chipwatch.conditions import Condition, Facts, FactSpec, GroupResult
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

    @property
    def effective_outcome(self) -> Outcome:
        """A licence requirement with a policy of denial is, in practice, a prohibition."""
        if self.outcome == "license_required" and self.review_policy == "presumption_of_denial":
            return "prohibited"
        return self.outcome

    def active_on(self, day: dt.date) -> bool:
        return self.in_force.covers(day) and not any(s.covers(day) for s in self.suspensions)


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    code: str
    name: str
    subject_when: Condition
    not_subject_text: str


@dataclass(frozen=True, slots=True)
class Version:
    """A stretch of time over which the same rules are in force."""

    id: str
    start: dt.date
    end: dt.date | None
    rules: tuple[Rule, ...]
    by_jurisdiction: dict[str, tuple[Rule, ...]]
    evaluators: dict[str, Callable[[Facts], GroupResult]]  # per jurisdiction, compiled


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

    def version_on(self, day: dt.date) -> Version | None:
        """The rulebook version in force on ``day`` (None before the rulebook's coverage)."""
        if day < self.covers_from:
            return None
        return self.versions[bisect.bisect_right(self.starts, day) - 1]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
