"""``decide(order, facts, rulebook) -> Decision``: a pure function, no I/O and no clock.

For each item and each jurisdiction the item is subject to, every rule of the rulebook
version in force on the order's date is evaluated against the item's facts. A rule that
fires adds a reason (and maybe a fee, licence conditions, a red flag); a live rule that
names others in ``overrides`` supersedes them for that item (as the 2026 H200 review
policy replaced the presumption of denial). A restrictive rule that cannot be evaluated
because a fact is unknown becomes a hold, never a silent pass. The most restrictive
outcome wins, per jurisdiction and overall. Fees of a jurisdiction that prohibits the
order are listed but not owed.

The rules of a jurisdiction are tested by one compiled function per rulebook version
(``conditions.compile_group``); reasons point at their rule and the items' facts, and
render their sentences only when asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chipwatch.orders import Order
from chipwatch.rules.decision import Decision, FeeLine, JurisdictionResult, Reason
from chipwatch.rules.facts import OrderFacts
from chipwatch.rules.model import (
    OUTCOMES,
    SEVERITY,
    Jurisdiction,
    Note,
    Rule,
    Rulebook,
    Version,
    engine_rule,
)

HOLD = SEVERITY["hold"]
PROHIBITED = SEVERITY["prohibited"]
HELD_BACK = "chipwatch:facts-unknown"
_UNKNOWN_RULES: dict[
    tuple[str, tuple[str, ...], tuple[str, ...]], tuple[Rule, tuple[str, ...]]
] = {}

# Per jurisdiction: (rule object id, superseded by) ->
#   [rule, items it fired for, each item's facts, fixed check sentences]
Hits = dict[tuple[int, str | None], list[Any]]


def decide(order: Order, facts: OrderFacts, rulebook: Rulebook) -> Decision:
    version = rulebook.version_for(order.date)
    hits: dict[str, Hits] = {}
    subject: dict[str, list[str]] = {}
    worst: dict[str, int] = {}
    fees: list[FeeLine] = []
    conditions: dict[Note, None] = {}
    red_flags: dict[Note, None] = {}
    notes: list[str] = []
    evaluators, by_jurisdiction = version.evaluators, version.by_jurisdiction
    for item_facts in facts.items:
        model_id = item_facts["item.model"]
        for jurisdiction in rulebook.jurisdictions:
            try:
                if not jurisdiction.subject_when.fast(item_facts):
                    continue
            except KeyError:
                if jurisdiction.subject_when.evaluate_slowly(item_facts) is False:
                    continue
            code = jurisdiction.code
            if code in subject:
                subject[code].append(model_id)
                found = hits[code]
            else:
                subject[code] = [model_id]
                found = hits[code] = {}
            if not by_jurisdiction.get(code):
                continue
            fired, unsure = evaluators[code](item_facts)
            pending = None  # rules that an undecidable rule may supersede
            if unsure:
                settled, held_back, fee_notes = _settled(version, jurisdiction, unsure, item_facts)
                notes.extend(fee_notes)
                fired = fired + settled  # settled is memoised: never extend it in place
                if held_back is not None:
                    _hit(found, held_back[0], None, model_id, None, held_back[1])
                    worst[code] = max(worst.get(code, 0), HOLD)
                    pending = held_back[2]
            replaced_by = _supersession(fired) if version.overriding else None
            if pending:
                replaced_by = {
                    **{r.id: HELD_BACK for r in fired if r.id in pending},
                    **(replaced_by or {}),
                }
            for rule in fired:
                superseded_by = replaced_by.get(rule.id) if replaced_by else None
                hit = found.get((id(rule), superseded_by))  # _hit, inlined on the hot path
                if hit is None:
                    found[(id(rule), superseded_by)] = [rule, [model_id], [item_facts], ()]
                elif model_id not in hit[1]:
                    hit[1].append(model_id)
                    hit[2].append(item_facts)
                if superseded_by is not None:
                    continue
                if rule.severity > worst.get(code, 0):
                    worst[code] = rule.severity
                if rule.fee is not None:
                    fees.append(_fee_line(rule, model_id, item_facts))
                for note in rule.condition_notes:
                    conditions[note] = None
                if rule.flag_note is not None:
                    red_flags[rule.flag_note] = None
    model_ids = tuple([item["item.model"] for item in facts.items])
    results = {
        j.code: _result(j, hits.get(j.code), subject.get(j.code), worst.get(j.code, 0), model_ids)
        for j in rulebook.jurisdictions
    }
    if fees and any(worst.get(f.jurisdiction, 0) >= PROHIBITED for f in fees):
        fees = [
            f if worst.get(f.jurisdiction, 0) < PROHIBITED else f._replace(owed=False) for f in fees
        ]
        notes.append(
            "Fees listed under a jurisdiction that prohibits the order are not owed: "
            "nothing may ship."
        )
    owed = [f for f in fees if f.owed]
    return Decision(
        order.id,
        order.date,
        OUTCOMES[max(worst.values(), default=0)],
        results,
        _total(owed, binding=True) if owed else 0.0,
        tuple(fees),
        _total(owed, binding=False) if owed else 0.0,
        tuple(conditions),
        tuple(red_flags),
        facts.classifications,
        tuple([item["item.quantity"] for item in facts.items]),
        version.summary,
        facts.screening,
        _notes(order, facts, rulebook, fees, notes),
    )


def _hit(
    found: Hits,
    rule: Rule,
    superseded_by: str | None,
    model_id: str,
    item_facts: Mapping[str, Any] | None,
    fixed_checks: tuple[str, ...] = (),
) -> None:
    """Collect one reason per rule (and supersession), with every item it fired for."""
    hit = found.get((id(rule), superseded_by))
    if hit is None:
        found[(id(rule), superseded_by)] = [rule, [model_id], [item_facts], fixed_checks]
    elif model_id not in hit[1]:
        hit[1].append(model_id)
        hit[2].append(item_facts)


Settled = tuple[list[Rule], tuple[Rule, tuple[str, ...], frozenset[str]] | None, list[str]]


def _settled(
    version: Version, jurisdiction: Jurisdiction, rules: list[Rule], item_facts: Mapping[str, Any]
) -> Settled:
    """``_settle``, memoised (on the version, which keeps its rules alive) on exactly what
    it reads: the rules, the values of the facts they test, and the item's model."""
    memo = version.memo
    ids = tuple([id(rule) for rule in rules])
    names = memo.get(ids)
    if names is None:
        names = memo[ids] = tuple(dict.fromkeys(n for r in rules for n in r.when.facts_used))
    key = (ids, item_facts["item.model"], *[item_facts.get(n) for n in names])
    try:
        known = memo.get(key)
    except TypeError:  # an unhashable fact value: settle without the memo
        return _settle(jurisdiction, rules, item_facts)
    if known is None:
        if len(memo) > 16384:
            memo.clear()
        known = memo[key] = _settle(jurisdiction, rules, item_facts)
    return known


def _settle(
    jurisdiction: Jurisdiction, rules: list[Rule], item_facts: Mapping[str, Any]
) -> Settled:
    """Rules whose fast test met an unknown fact, decided in three-valued logic: those that
    hold fire; restrictive ones that stay unknown become one 'facts unknown' hold rule
    (with the rules they would supersede: those cannot stand as decided either); a fee
    that may or may not apply becomes a note."""
    fired: list[Rule] = []
    unknown: list[Rule] = []
    notes: list[str] = []
    for rule in rules:
        result = rule.when.evaluate_slowly(item_facts)
        if result:
            fired.append(rule)
        elif result is None and rule.outcome != "allowed":
            unknown.append(rule)
        elif result is None and rule.fee is not None:
            notes.append(
                f"Whether {rule.id} ({rule.fee.label}, {rule.fee.rate:.0%}) applies to "
                f"{item_facts['item.model']} cannot be decided: "
                f"{', '.join(_missing([rule], item_facts))} unknown."
            )
    if not unknown:
        return fired, None, notes
    ids = tuple(r.id for r in unknown)
    missing = _missing(unknown, item_facts)
    key = (jurisdiction.code, ids, missing)
    known = _UNKNOWN_RULES.get(key)
    if known is None:
        if len(_UNKNOWN_RULES) > 4096:
            _UNKNOWN_RULES.clear()
        rule = engine_rule(
            "facts-unknown",
            jurisdiction.code,
            "hold",
            "Cannot evaluate every rule: facts unknown",
            f"Whether {', '.join(ids)} apply cannot be decided because {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} unknown. A person must establish the "
            "missing facts before this order proceeds.",
            "chipwatch decision procedure: unknown facts are held, never guessed",
        )
        known = _UNKNOWN_RULES[key] = (rule, tuple(f"{name} = unknown" for name in missing))
    return fired, (*known, frozenset(t for r in unknown for t in r.overrides)), notes


def _missing(rules: list[Rule], item_facts: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted({n for r in rules for n in r.when.facts_used if n not in item_facts}))


def _supersession(fired: list[Rule]) -> dict[str, str]:
    """Rule id -> the id of a live fired rule that supersedes it for this item. Only live
    rules supersede: a rule that is itself superseded overrides nothing (the loader rejects
    cycles, so this settles)."""
    by_target: dict[str, list[Rule]] = {}
    for rule in fired:
        for target in rule.overrides:
            by_target.setdefault(target, []).append(rule)
    if not by_target:
        return {}
    memo: dict[str, bool] = {}
    replaced = {}
    for rule in fired:
        for other in by_target.get(rule.id, ()):
            if _live(other, by_target, memo):
                replaced[rule.id] = other.id
                break
    return replaced


def _live(rule: Rule, by_target: dict[str, list[Rule]], memo: dict[str, bool]) -> bool:
    """Live unless some live fired rule overrides it."""
    known = memo.get(rule.id)
    if known is None:
        known = memo[rule.id] = not any(
            _live(other, by_target, memo)
            for other in by_target.get(rule.id, ())
            if other is not rule
        )
    return known


def _result(
    jurisdiction: Jurisdiction,
    hits: Hits | None,
    subject_items: list[str] | None,
    worst: int,
    model_ids: tuple[str, ...],
) -> JurisdictionResult:
    if hits:
        return JurisdictionResult(
            jurisdiction.code, jurisdiction.name, OUTCOMES[worst], True, hits=hits
        )
    # nothing fired: the same immutable answer for every such order
    items = tuple(dict.fromkeys(subject_items)) if subject_items else model_ids
    key = (bool(subject_items), items, worst)
    quiet = jurisdiction.quiet.get(key)
    if quiet is None:
        if len(jurisdiction.quiet) > 4096:
            jurisdiction.quiet.clear()
        rule = jurisdiction.no_restriction if subject_items else jurisdiction.not_subject
        quiet = jurisdiction.quiet[key] = JurisdictionResult(
            jurisdiction.code,
            jurisdiction.name,
            OUTCOMES[worst],
            bool(subject_items),
            (Reason(rule, items),),
        )
    return quiet


def _total(fees: list[FeeLine], *, binding: bool) -> float:
    return round(sum([f.amount_usd or 0.0 for f in fees if f.binding is binding], 0.0), 2)


def _fee_line(rule: Rule, model_id: str, item_facts: Mapping[str, Any]) -> FeeLine:
    assert rule.fee is not None
    value = item_facts.get("item.value_usd")
    return FeeLine(
        rule_id=rule.id,
        jurisdiction=rule.jurisdiction,
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


def _notes(
    order: Order,
    facts: OrderFacts,
    rulebook: Rulebook,
    fees: list[FeeLine],
    found: list[str],
) -> tuple[str, ...]:
    notes = []
    if not facts.screening.performed and facts.screening.note:
        notes.append(facts.screening.note)
    if order.date > rulebook.reviewed_through:
        notes.append(rulebook.review_note)
    for cls in facts.classifications:
        if cls.eccn is None:
            notes.append(f"{cls.model_name} could not be classified: {cls.reason}")
    for line in fees:
        if line.amount_usd is None:
            notes.append(
                f"{line.label} applies to {line.item} but the line has no "
                "unit_price_usd: the fee cannot be computed."
            )
    notes.extend(dict.fromkeys(found))
    return tuple(notes)
