"""TPP, performance density and the export control class of a model, with the arithmetic.

The thresholds are not here: they are paragraphs of a ``ClassificationSchedule`` loaded
from the rulebook (``classification.yaml``), each version effective-dated and cited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chipwatch.catalog.model import ChipModel
from chipwatch.conditions import Check, Condition, FactSpec

CHIP_FACTS: dict[str, FactSpec] = {
    "chip.tpp": FactSpec(
        "number", "Total Processing Performance: max over formats of dense rate x bits"
    ),
    "chip.pd": FactSpec("number", "Performance density: TPP / applicable die area (mm2)"),
    "chip.interconnect_gbs": FactSpec("number", "aggregate bidirectional chip-to-chip I/O, GB/s"),
    "chip.memory_bandwidth_gbs": FactSpec("number", "total DRAM bandwidth, GB/s"),
    "chip.market": FactSpec(
        "string", "designed or marketed for", frozenset({"datacenter", "consumer"})
    ),
}


@dataclass(frozen=True, slots=True)
class Paragraph:
    eccn: str
    paragraph: str
    text: str
    when: Condition


@dataclass(frozen=True, slots=True)
class ScheduleVersion:
    id: str
    effective_from: dt.date
    effective_to: dt.date | None
    citation: str
    evidence: str
    paragraphs: tuple[Paragraph, ...]
    otherwise: str

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class ClassificationSchedule:
    bit_lengths: dict[str, int]
    system_classes: dict[str, str]
    versions: tuple[ScheduleVersion, ...]

    def version_on(self, on: dt.date) -> ScheduleVersion | None:
        return next((v for v in self.versions if v.in_force(on)), None)


@dataclass(frozen=True, slots=True)
class Metrics:
    tpp: float | None
    tpp_format: str | None
    pd: float | None
    terms: tuple[tuple[str, float, int, float], ...]  # (format, dense rate, bits, rate x bits)
    arithmetic: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Classification:
    """The control class of one model on one date, and why."""

    model_id: str
    model_name: str
    on: dt.date
    eccn: str | None  # None: cannot be decided from what is known
    paragraph: str | None
    schedule_version: str | None
    citation: str | None
    evidence: str | None
    metrics: Metrics
    reason: str
    checks: tuple[Check, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    via: str | None = None  # for a system: the chip that makes it controlled

    @property
    def controlled(self) -> bool | None:
        return None if self.eccn is None else self.eccn != "not_controlled"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the shape of ``chipwatch classify --json`` and ``GET /v1/classify``."""
        return {
            "model": self.model_id,
            "name": self.model_name,
            "on": self.on.isoformat(),
            "eccn": self.eccn,
            "paragraph": self.paragraph,
            "controlled": self.controlled,
            "tpp": self.metrics.tpp,
            "tpp_format": self.metrics.tpp_format,
            "pd": self.metrics.pd,
            "terms": [
                {"format": f, "dense_tops": r, "bits": b, "product": p}
                for f, r, b, p in self.metrics.terms
            ],
            "arithmetic": list(self.metrics.arithmetic),
            "reason": self.reason,
            "tests": [check.describe() for check in self.checks],
            "schedule_version": self.schedule_version,
            "citation": self.citation,
            "evidence": self.evidence,
            "via": self.via,
        }


def metrics_of(chip: ChipModel, bit_lengths: dict[str, int]) -> Metrics:
    terms = tuple(
        (fmt, rate, bit_lengths[fmt], round(rate * bit_lengths[fmt], 4))
        for fmt, rate in sorted(chip.dense_tops.items())
        if fmt in bit_lengths
    )
    if not terms:
        why = chip.unknown.get("dense_tops", "no dense rate in the catalog")
        return Metrics(None, None, None, (), (f"TPP unknown: {why}",))
    fmt, _rate, _bits, tpp = max(terms, key=lambda term: (term[3], -term[2]))
    lines = [f"{f}: {r:g} dense TOPS x {b} bits = {p:,.1f}" for f, r, b, p in terms]
    lines.append(f"TPP = max over formats = {tpp:,.1f} ({fmt})")
    pd: float | None = None
    if chip.die_area_mm2:
        pd = tpp / chip.die_area_mm2
        lines.append(f"PD = TPP / die area = {tpp:,.1f} / {chip.die_area_mm2:g} mm2 = {pd:.2f}")
    else:
        lines.append(
            f"PD unknown: {chip.unknown.get('die_area_mm2', 'die area not in the catalog')}"
        )
    return Metrics(tpp, fmt, pd, terms, tuple(lines))


def chip_facts(chip: ChipModel, metrics: Metrics) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "chip.tpp": metrics.tpp,
        "chip.pd": metrics.pd,
        "chip.interconnect_gbs": chip.interconnect_gbs,
        "chip.memory_bandwidth_gbs": chip.memory_bandwidth_gbs,
        "chip.market": chip.market,
    }
    return {key: value for key, value in facts.items() if value is not None}


def classify_chip(chip: ChipModel, on: dt.date, schedule: ClassificationSchedule) -> Classification:
    """Classify a single chip under the schedule version in force ``on``."""
    metrics = metrics_of(chip, schedule.bit_lengths)
    facts = chip_facts(chip, metrics)
    version = schedule.version_on(on)
    if version is None:
        return Classification(
            chip.id,
            chip.name,
            on,
            None,
            None,
            None,
            None,
            None,
            metrics,
            f"no classification rule in force on {on}",
            facts=facts,
        )
    checks: list[Check] = []
    undecided: list[str] = []
    for para in version.paragraphs:
        result = para.when.evaluate(facts)
        checks.extend(para.when.checks(facts))
        if result is None:
            undecided.append(para.paragraph)
        elif result and not undecided:
            return Classification(
                chip.id,
                chip.name,
                on,
                para.eccn,
                para.paragraph,
                version.id,
                version.citation,
                version.evidence,
                metrics,
                para.text,
                tuple(checks),
                facts,
            )
    if undecided:
        missing = sorted({c.fact for c in checks if c.result is None})
        reason = (
            f"cannot decide {', '.join(undecided)}: unknown {', '.join(missing)}; "
            "a person must classify this model from its datasheet"
        )
        return Classification(
            chip.id,
            chip.name,
            on,
            None,
            None,
            version.id,
            version.citation,
            version.evidence,
            metrics,
            reason,
            tuple(checks),
            facts,
        )
    return Classification(
        chip.id,
        chip.name,
        on,
        "not_controlled",
        None,
        version.id,
        version.citation,
        version.evidence,
        metrics,
        version.otherwise,
        tuple(checks),
        facts,
    )


def classify_system(
    system: ChipModel, chips: list[ChipModel], on: dt.date, schedule: ClassificationSchedule
) -> Classification:
    """A system takes the class of the most controlled chip it holds (3A090.a -> 4A090.a)."""
    inner = [classify_chip(chip, on, schedule) for chip in chips]
    rank = {None: 1, "not_controlled": 0}
    worst = max(inner, key=lambda c: rank.get(c.eccn, 2))
    eccn = worst.eccn
    if eccn is not None and eccn != "not_controlled":
        eccn = schedule.system_classes.get(eccn, eccn)
    counts = ", ".join(f"{c.count} x {c.model}" for c in system.contains)
    reason = f"holds {counts}; {worst.model_name} is {worst.eccn or 'unclassified'}: {worst.reason}"
    return Classification(
        system.id,
        system.name,
        on,
        eccn,
        worst.paragraph,
        worst.schedule_version,
        worst.citation,
        worst.evidence,
        worst.metrics,
        reason,
        worst.checks,
        worst.facts,
        via=worst.model_id,
    )
