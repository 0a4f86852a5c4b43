"""``decide(order, facts, rulebook) -> Decision``: a pure function, no I/O and no clock.

For each item and each jurisdiction the item is subject to, every rule of the rulebook
version in force on the order's date is evaluated against the item's facts. A rule that
fires adds a reason (and maybe a fee, licence conditions, a red flag); a rule that fires
and names others in ``overrides`` supersedes them for that item (as the 2026 H200 review
policy replaced the presumption of denial). A restrictive rule that cannot be evaluated
because a fact is unknown becomes a hold, never a silent pass. The most restrictive
outcome wins, per jurisdiction and overall.

Explanations (reasons and their sentences) are immutable and memoised on exactly what
they depend on, so repeated products, parties and destinations cost a lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chipwatch.errors import InvalidInput
from chipwatch.orders import Order
from chipwatch.rules.decision import Decision, FeeLine, JurisdictionResult, Note, Reason
from chipwatch.rules.facts import OrderFacts
from chipwatch.rules.model import (
    OUTCOMES,
    SEVERITY,
    Jurisdiction,
    Rule,
    Rulebook,
    Version,
)

ENGINE = "chipwatch"
_MEMO_LIMIT = 65536


class _Memo(dict[Any, Any]):
    """A bounded memo for immutable explanation objects (cleared, not evicted, when full)."""

    def put(self, key: Any, value: Any) -> Any:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        self[key] = value
        return value


_MEMO = _Memo()


def decide(order: Order, facts: OrderFacts, rulebook: Rulebook) -> Decision:
    version = rulebook.version_on(order.date)
    if version is None:
        raise InvalidInput(
            f"no rulebook in force on {order.date}: '{rulebook.name}' covers orders from "
            f"{rulebook.covers_from}",
            field="date",
        )
    hits: dict[str, dict[tuple[str, str | None], _Hit]] = {}
    subject: dict[str, list[str]] = {}
    fees: list[FeeLine] = []
    conditions: dict[tuple[str, str], Note] = {}
    red_flags: dict[str, Note] = {}
    for item_facts in facts.items:
        model_id = item_facts["item.model"]
        for jurisdiction in rulebook.jurisdictions:
            if jurisdiction.subject_when.evaluate(item_facts) is False:
                continue
            code = jurisdiction.code
            subject.setdefault(code, []).append(model_id)
            found = hits.setdefault(code, {})
            for rule, superseded_by in _fired(version, jurisdiction, item_facts, found):
                hit = found.get((rule.id, superseded_by))
                if hit is None:
                    found[(rule.id, superseded_by)] = _Hit(rule, [model_id], item_facts)
                elif model_id not in hit.items:
                    hit.items.append(model_id)
                if superseded_by is not None:
                    continue
                if rule.fee is not None:
                    fees.append(_fee_line(rule, model_id, item_facts))
                for text in rule.conditions:
                    conditions.setdefault((rule.id, text), _note(rule, text))
                if rule.red_flag:
                    red_flags.setdefault(rule.id, _note(rule, rule.text))
    results = {
        j.code: _result(j, hits.get(j.code, {}), subject.get(j.code, []), order)
        for j in rulebook.jurisdictions
    }
    worst = max(SEVERITY[r.outcome] for r in results.values())
    binding = [f for f in fees if f.binding]
    return Decision(
        order_id=order.id,
        date=order.date,
        outcome=OUTCOMES[worst],
        jurisdictions=results,
        fee_usd=round(sum(f.amount_usd or 0.0 for f in binding), 2),
        fees=tuple(fees),
        reported_fee_usd=round(sum(f.amount_usd or 0.0 for f in fees if not f.binding), 2),
        conditions=tuple(conditions.values()),
        red_flags=tuple(red_flags.values()),
        classification=facts.classifications,
        quantities=tuple([line.quantity for line in order.items]),
        rulebook_version=_version(rulebook, version),
        screening={
            "performed": facts.screening.performed,
            "note": facts.screening.note,
            "list_versions": facts.screening.list_versions,
        },
        notes=tuple(_notes(order, facts, rulebook, fees)),
    )


@dataclass(slots=True)
class _Hit:
    """A rule that fired (or a ready-made reason), and the items it fired for."""

    rule: Rule | Reason
    items: list[str]
    facts: Mapping[str, Any]

    def reason(self, superseded_by: str | None) -> Reason:
        rule = self.rule
        if isinstance(rule, Reason):
            return rule if len(self.items) == 1 else rule._replace(items=tuple(self.items))
        return Reason(
            rule.id,
            rule.jurisdiction,
            rule.effective_outcome,
            rule.title,
            rule.text,
            rule.citation,
            rule.evidence,
            rule.instrument.id,
            tuple(self.items),
            rule.review_policy,
            superseded_by,
            (),
            rule.when,
            self.facts,
        )


def _fired(
    version: Version,
    jurisdiction: Jurisdiction,
    item_facts: Mapping[str, Any],
    found: dict[tuple[str, str | None], _Hit],
) -> list[tuple[Rule, str | None]]:
    rules = version.by_jurisdiction.get(jurisdiction.code, ())
    held, unsure = version.evaluators[jurisdiction.code](item_facts)
    fired = [rules[i] for i in held]
    unknown: list[Rule] = []
    for i in unsure:
        result = rules[i].when.evaluate_slowly(item_facts)
        if result:
            fired.append(rules[i])
        elif result is None and rules[i].outcome != "allowed":
            unknown.append(rules[i])
    if unknown:
        reason = _unknown_reason(jurisdiction, unknown, item_facts)
        hit = found.get((reason.rule_id, None))
        if hit is None:
            found[(reason.rule_id, None)] = _Hit(reason, list(reason.items), item_facts)
        elif reason.items[0] not in hit.items:
            hit.items.append(reason.items[0])
    if not any(rule.overrides for rule in fired):
        return [(rule, None) for rule in fired]
    replaced_by = {target: rule.id for rule in fired for target in rule.overrides}
    return [(rule, replaced_by.get(rule.id)) for rule in fired]


def _unknown_reason(
    jurisdiction: Jurisdiction, rules: list[Rule], item_facts: Mapping[str, Any]
) -> Reason:
    ids = tuple(r.id for r in rules)
    missing = tuple(sorted({n for r in rules for n in r.when.facts_used if n not in item_facts}))
    key = (jurisdiction.code, ids, item_facts["item.model"], missing)
    reason = _MEMO.get(key)
    if reason is None:
        reason = _MEMO.put(
            key,
            Reason(
                rule_id=f"{ENGINE}:facts-unknown",
                jurisdiction=jurisdiction.code,
                outcome="hold",
                title="Cannot evaluate every rule: facts unknown",
                text=(
                    f"Whether {', '.join(ids)} apply cannot be decided because "
                    f"{', '.join(missing)} is unknown. A person must establish the missing "
                    "facts before this order proceeds."
                ),
                citation="chipwatch decision procedure: unknown facts are held, never guessed",
                evidence="primary_text",
                instrument=ENGINE,
                items=(item_facts["item.model"],),
                fixed_checks=tuple(f"{name} = unknown" for name in missing),
            ),
        )
    return reason  # type: ignore[no-any-return]


def _result(
    jurisdiction: Jurisdiction,
    hits: dict[tuple[str, str | None], _Hit],
    subject_items: list[str],
    order: Order,
) -> JurisdictionResult:
    if hits:
        reasons = tuple([hit.reason(key[1]) for key, hit in hits.items()])
    else:
        items = (
            tuple(dict.fromkeys(subject_items))
            if subject_items
            else tuple([line.model for line in order.items])
        )
        key = (jurisdiction.code, bool(subject_items), items)
        reasons = _MEMO.get(key) or _MEMO.put(
            key, _synthetic(jurisdiction, bool(subject_items), items)
        )
    worst = 0
    for reason in reasons:
        if reason.superseded_by is None and SEVERITY[reason.outcome] > worst:
            worst = SEVERITY[reason.outcome]
    return JurisdictionResult(
        jurisdiction.code, jurisdiction.name, OUTCOMES[worst], bool(subject_items), reasons
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
    key = ("note", rule.id, text)
    note = _MEMO.get(key)
    if note is None:
        note = _MEMO.put(key, Note(rule.id, rule.jurisdiction, text, rule.citation, rule.evidence))
    return note  # type: ignore[no-any-return]


def _version(rulebook: Rulebook, version: Version) -> dict[str, Any]:
    key = ("version", rulebook.digest, version.id)
    described = _MEMO.get(key)
    if described is None:
        described = _MEMO.put(
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
    return dict(described)


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
