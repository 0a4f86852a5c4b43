"""``decide(order, facts, rulebook) -> Decision``: a pure function, no I/O and no clock.

For each item and each jurisdiction the item is subject to, every rule of the rulebook
version in force on the order's date is evaluated against the item's facts. A rule that
fires adds a reason (and maybe a fee, licence conditions, a red flag); a rule that fires
and names others in ``overrides`` supersedes them for that item (as the 2026 H200 review
policy replaced the presumption of denial). A restrictive rule that cannot be evaluated
because a fact is unknown becomes a hold, never a silent pass. The most restrictive
outcome wins, per jurisdiction and overall.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chipwatch.errors import InvalidInput
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision, FeeLine, JurisdictionResult, Note, Reason
from chipwatch.rules.facts import OrderFacts
from chipwatch.rules.model import SEVERITY, Jurisdiction, Outcome, Rule, Rulebook, Version

ENGINE = "chipwatch"
_MEMO_LIMIT = 65536


class _Memo(dict[Any, Any]):
    """A bounded memo for immutable explanation objects (cleared, not evicted, when full)."""

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        self[key] = value
        return value


_REASONS = _Memo()
_VERSIONS = _Memo()


@dataclass(slots=True)
class _Tally:
    """Reasons of one jurisdiction being collected across items."""

    reasons: dict[tuple[str, str | None], Reason] = field(default_factory=dict)
    subject_items: list[str] = field(default_factory=list)

    def add(self, reason: Reason) -> None:
        key = (reason.rule_id, reason.superseded_by)
        known = self.reasons.get(key)
        if known is None:
            self.reasons[key] = reason
        elif reason.items[0] not in known.items:
            self.reasons[key] = _with_items(known, known.items + reason.items)


def decide(order: Order, facts: OrderFacts, rulebook: Rulebook) -> Decision:
    version = rulebook.version_on(order.date)
    if version is None:
        raise InvalidInput(
            f"no rulebook in force on {order.date}: '{rulebook.name}' covers orders from "
            f"{rulebook.covers_from}",
            field="date",
        )
    tallies = {j.code: _Tally() for j in rulebook.jurisdictions}
    fees: list[FeeLine] = []
    conditions: dict[tuple[str, str], Note] = {}
    red_flags: dict[str, Note] = {}
    for item_facts in facts.items:
        model_id = item_facts["item.model"]
        for jurisdiction in rulebook.jurisdictions:
            if jurisdiction.subject_when.evaluate(item_facts) is False:
                continue
            tally = tallies[jurisdiction.code]
            tally.subject_items.append(model_id)
            for rule, superseded_by in _fired(version, jurisdiction, item_facts, tally):
                tally.add(_reason(rule, model_id, item_facts, superseded_by))
                if superseded_by is not None:
                    continue
                if rule.fee is not None:
                    fees.append(_fee_line(rule, model_id, item_facts))
                for text in rule.conditions:
                    conditions.setdefault((rule.id, text), _note(rule, text))
                if rule.red_flag:
                    red_flags.setdefault(rule.id, _note(rule, rule.text))
    results = {j.code: _result(j, tallies[j.code], order) for j in rulebook.jurisdictions}
    outcome: Outcome = max(
        (r.outcome for r in results.values()), key=SEVERITY.__getitem__, default="allowed"
    )
    binding = [f for f in fees if f.binding]
    return Decision(
        order_id=order.id,
        date=order.date,
        outcome=outcome,
        jurisdictions=results,
        fee_usd=round(sum(f.amount_usd or 0.0 for f in binding), 2),
        fees=tuple(fees),
        reported_fee_usd=round(sum(f.amount_usd or 0.0 for f in fees if not f.binding), 2),
        conditions=tuple(conditions.values()),
        red_flags=tuple(red_flags.values()),
        classification=facts.classifications,
        quantities=tuple(line.quantity for line in order.items),
        rulebook_version=_version(rulebook, version),
        screening={
            "performed": facts.screening.performed,
            "note": facts.screening.note,
            "list_versions": facts.screening.list_versions,
        },
        notes=tuple(_notes(order, facts, rulebook, fees)),
    )


def _fired(
    version: Version, jurisdiction: Jurisdiction, item_facts: Mapping[str, Any], tally: _Tally
) -> list[tuple[Rule, str | None]]:
    fired: list[Rule] = []
    unknown: list[Rule] = []
    for rule in version.by_jurisdiction.get(jurisdiction.code, ()):
        try:
            result: bool | None = rule.when.fast(item_facts)
        except KeyError:
            result = rule.when.evaluate_slowly(item_facts)
        if result:
            fired.append(rule)
        elif result is None and rule.outcome != "allowed":
            unknown.append(rule)
    if unknown:
        tally.add(_unknown_reason(jurisdiction, unknown, item_facts))
    replaced_by = {target: rule.id for rule in fired for target in rule.overrides}
    return [(rule, replaced_by.get(rule.id)) for rule in fired]


def _reason(
    rule: Rule, model_id: str, item_facts: Mapping[str, Any], superseded_by: str | None
) -> Reason:
    key = (rule.id, model_id, superseded_by, rule.when.describe(item_facts))
    return _REASONS.get(key) or _REASONS.put(
        key,
        Reason(
            rule_id=rule.id,
            jurisdiction=rule.jurisdiction,
            outcome=rule.effective_outcome,
            title=rule.title,
            text=rule.text,
            citation=rule.citation,
            evidence=rule.evidence,
            instrument=rule.instrument.id,
            items=(model_id,),
            review_policy=rule.review_policy,
            checks=key[3],
            superseded_by=superseded_by,
        ),
    )


def _unknown_reason(
    jurisdiction: Jurisdiction, rules: list[Rule], item_facts: Mapping[str, Any]
) -> Reason:
    missing = sorted({c.fact for r in rules for c in r.when.checks(item_facts) if c.result is None})
    ids = ", ".join(r.id for r in rules)
    return Reason(
        rule_id=f"{ENGINE}:facts-unknown",
        jurisdiction=jurisdiction.code,
        outcome="hold",
        title="Cannot evaluate every rule: facts unknown",
        text=(
            f"Whether {ids} apply cannot be decided because {', '.join(missing)} "
            "is unknown. A person must establish the missing facts before this order proceeds."
        ),
        citation="chipwatch decision procedure: unknown facts are held, never guessed",
        evidence="primary_text",
        instrument=ENGINE,
        items=(item_facts["item.model"],),
        checks=tuple(f"{name} = unknown" for name in missing),
    )


def _result(jurisdiction: Jurisdiction, tally: _Tally, order: Order) -> JurisdictionResult:
    reasons = tuple(tally.reasons.values())
    if not reasons:
        subject = bool(tally.subject_items)
        items = (
            tuple(dict.fromkeys(tally.subject_items))
            if subject
            else tuple(line.model for line in order.items)
        )
        key = (jurisdiction.code, subject, items)
        reasons = _REASONS.get(key) or _REASONS.put(key, _synthetic(jurisdiction, subject, items))
    live = [r.outcome for r in reasons if r.superseded_by is None]
    outcome: Outcome = max(live, key=SEVERITY.__getitem__, default="allowed")
    return JurisdictionResult(
        jurisdiction.code, jurisdiction.name, outcome, bool(tally.subject_items), reasons
    )


def _synthetic(
    jurisdiction: Jurisdiction, subject: bool, items: tuple[str, ...]
) -> tuple[Reason, ...]:
    """The reason given when no rule fired: not subject at all, or no restriction found."""
    if not subject:
        return (
            Reason(
                rule_id=f"{ENGINE}:not-subject",
                jurisdiction=jurisdiction.code,
                outcome="allowed",
                title="Not subject to this jurisdiction",
                text=jurisdiction.not_subject_text,
                citation=jurisdiction.name,
                evidence="primary_text",
                instrument=ENGINE,
                items=items,
            ),
        )
    return (
        Reason(
            rule_id=f"{ENGINE}:no-restriction",
            jurisdiction=jurisdiction.code,
            outcome="allowed",
            title="No restriction found",
            text=(
                f"No rule of {jurisdiction.name} in force on the order's date restricts "
                "this order as stated."
            ),
            citation=jurisdiction.name,
            evidence="primary_text",
            instrument=ENGINE,
            items=items,
        ),
    )


def _fee_line(rule: Rule, model_id: str, item_facts: Mapping[str, Any]) -> FeeLine:
    assert rule.fee is not None
    value = item_facts.get("item.value_usd")
    return FeeLine(
        rule_id=rule.id,
        label=rule.fee.label,
        item=model_id,
        rate=rule.fee.rate,
        value_usd=value,
        amount_usd=None if value is None else round(value * rule.fee.rate, 2),
        basis=rule.fee.basis,
        citation=rule.citation,
        evidence=rule.evidence,
        binding=rule.evidence != "reported_guidance",
    )


def _note(rule: Rule, text: str) -> Note:
    return Note(rule.id, rule.jurisdiction, text, rule.citation, rule.evidence)


def _with_items(reason: Reason, items: tuple[str, ...]) -> Reason:
    return Reason(
        reason.rule_id,
        reason.jurisdiction,
        reason.outcome,
        reason.title,
        reason.text,
        reason.citation,
        reason.evidence,
        reason.instrument,
        items,
        reason.review_policy,
        reason.checks,
        reason.superseded_by,
    )


def _version(rulebook: Rulebook, version: Version) -> dict[str, Any]:
    key = (rulebook.digest, version.id)
    return _VERSIONS.get(key) or _VERSIONS.put(
        key,
        {
            "id": version.id,
            "name": rulebook.name,
            "in_force_from": version.start,
            "in_force_to": version.end,
            "rules_in_force": len(version.rules),
            "digest": rulebook.digest,
            "reviewed_through": rulebook.reviewed_through,
        },
    )


def _notes(order: Order, facts: OrderFacts, rulebook: Rulebook, fees: list[FeeLine]) -> list[str]:
    notes = []
    if not facts.screening.performed and facts.screening.note:
        notes.append(facts.screening.note)
    if order.date > rulebook.reviewed_through:
        notes.append(
            f"The rulebook was last reviewed through {rulebook.reviewed_through}; measures "
            f"taken between then and {order.date} are not in it."
        )
    for cls in facts.classifications:
        if cls.eccn is None:
            notes.append(f"{cls.model_name} could not be classified: {cls.reason}")
    for line in fees:
        if line.amount_usd is None:
            notes.append(
                f"{line.label} applies to {line.item} but the line has no "
                "unit_price_usd: the fee cannot be computed."
            )
    return notes
