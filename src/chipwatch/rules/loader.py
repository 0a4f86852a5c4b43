"""Load and validate a rulebook directory; errors name the file, the rule and the field.

Layout (see docs/rulebook.md): ``rulebook.yaml`` (name, coverage, jurisdictions),
``classification.yaml`` (3A090 / 4A090 paragraphs by version), ``country_groups.yaml``,
and ``instruments/*.yaml`` — one file per legal instrument, holding its rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from types import MappingProxyType
from typing import Any

from chipwatch.catalog.classify import (
    ClassificationSchedule,
)
from chipwatch.conditions import FactSpec, compile_condition, compile_group
from chipwatch.countries import is_country
from chipwatch.errors import InvalidData
from chipwatch.rules.facts import fact_schema
from chipwatch.rules.groups import load_groups
from chipwatch.rules.model import (
    OUTCOMES,
    Fee,
    Instrument,
    Jurisdiction,
    Period,
    Rule,
    Rulebook,
    Version,
    VolumeCap,
)
from chipwatch.rules.schedule import load_schedule
from chipwatch.rules.validate import (
    check_evidence,
    known_keys,
    mapping,
    need,
    read_bytes,
    read_yaml,
)
from chipwatch.yamlio import as_date

POLICIES = ("presumption_of_denial", "case_by_case", "presumption_of_approval")
RULE_KEYS = frozenset(
    {
        "id",
        "title",
        "text",
        "jurisdiction",
        "effective_from",
        "effective_to",
        "suspensions",
        "citation",
        "evidence",
        "when",
        "outcome",
        "review_policy",
        "conditions",
        "fee",
        "red_flag",
        "overrides",
        "notes",
        "volume_cap",
    }
)
FILE_KEYS = frozenset({"instrument", "rules", "jurisdiction", "effective_from", "effective_to"})
INSTRUMENT_KEYS = frozenset({"id", "title", "citation", "url", "evidence"})
HEAD_KEYS = frozenset(
    {"schema", "name", "title", "covers_from", "reviewed_through", "jurisdictions"}
)
JURISDICTION_KEYS = frozenset({"name", "subject_when", "not_subject_text"})
NOT_LAW_OUTCOMES = ("allowed", "hold")  # all that reported guidance may produce


def load_rulebook(directory: Path) -> Rulebook:
    digest = hashlib.sha256()
    files = [
        directory / "rulebook.yaml",
        directory / "classification.yaml",
        directory / "country_groups.yaml",
        *sorted((directory / "instruments").glob("*.yaml")),
    ]
    for path in files:
        digest.update(path.name.encode() + b"\0" + read_bytes(path))
    head = read_yaml(directory / "rulebook.yaml")
    where = "rulebook.yaml"
    known_keys(head, HEAD_KEYS, "the file", where)
    for code, body in mapping(head, "jurisdictions", where).items():
        if not isinstance(body, dict):
            raise InvalidData("must be a mapping", field=f"jurisdictions.{code}", source=where)
        known_keys(body, JURISDICTION_KEYS, f"jurisdictions.{code}", where)
    groups = load_groups(directory / "country_groups.yaml")
    schedule = load_schedule(read_yaml(directory / "classification.yaml"))
    eccns = {
        "not_controlled",
        *schedule.system_classes.values(),
        *(p.eccn for v in schedule.versions for p in v.paragraphs),
    }
    facts = fact_schema(eccns, groups.names)
    jurisdictions = tuple(
        Jurisdiction(
            code=str(code),
            name=str(need(body, "name", f"jurisdictions.{code}", where)),
            subject_when=compile_condition(
                body.get("subject_when"), facts, where=f"{where}: jurisdictions.{code}.subject_when"
            ),
            not_subject_text=str(body.get("not_subject_text", "not subject to this jurisdiction")),
        )
        for code, body in mapping(head, "jurisdictions", where).items()
    )
    known = {j.code for j in jurisdictions}
    instruments: list[Instrument] = []
    rules: list[Rule] = []
    for path in files[3:]:
        instrument, file_rules = _instrument_file(path, facts, known)
        instruments.append(instrument)
        rules.extend(file_rules)
    _check_references(rules)
    covers_from = as_date(head.get("covers_from"), "covers_from", where)
    name = str(need(head, "name", "name", where))
    reviewed_through = as_date(head.get("reviewed_through"), "reviewed_through", where)
    versions = _versions(
        name,
        covers_from,
        rules,
        schedule,
        groups.changes,
        digest.hexdigest()[:16],
        reviewed_through,
    )
    return Rulebook(
        name=name,
        covers_from=covers_from,
        reviewed_through=reviewed_through,
        digest="sha256:" + digest.hexdigest()[:16],
        jurisdictions=jurisdictions,
        instruments=tuple(instruments),
        rules=tuple(rules),
        versions=versions,
        schedule=schedule,
        groups=groups,
        facts=facts,
        starts=tuple(v.start for v in versions),
    )


def _instrument_file(
    path: Path, facts: dict[str, FactSpec], jurisdictions: set[str]
) -> tuple[Instrument, list[Rule]]:
    where = f"instruments/{path.name}"
    raw = read_yaml(path)
    known_keys(raw, FILE_KEYS, "the file", where)
    head = mapping(raw, "instrument", where)
    known_keys(head, INSTRUMENT_KEYS, "instrument", where)
    evidence = check_evidence(head.get("evidence"), "instrument.evidence", where)
    instrument = Instrument(
        id=str(need(head, "id", "instrument.id", where)),
        title=str(need(head, "title", "instrument.title", where)),
        citation=str(need(head, "citation", "instrument.citation", where)),
        url=head.get("url"),
        evidence=evidence,
        file=where,
    )
    bodies = raw.get("rules")
    if not isinstance(bodies, list) or not bodies:
        raise InvalidData("needs a non-empty 'rules' list", field="rules", source=where)
    rules = [
        _rule(body, instrument, raw, facts, jurisdictions, where, i)
        for i, body in enumerate(bodies)
    ]
    return instrument, rules


def _rule(
    body: Any,
    instrument: Instrument,
    defaults: dict[str, Any],
    facts: dict[str, FactSpec],
    jurisdictions: set[str],
    where: str,
    index: int,
) -> Rule:
    if not isinstance(body, dict) or not body.get("id"):
        raise InvalidData("a rule needs an 'id'", field=f"rules[{index}]", source=where)
    at = f"rule {body['id']}"
    known_keys(body, RULE_KEYS, at, where)
    jurisdiction = str(body.get("jurisdiction", defaults.get("jurisdiction", "")))
    if jurisdiction not in jurisdictions:
        raise InvalidData(
            f"jurisdiction '{jurisdiction}' is not declared in rulebook.yaml "
            f"({', '.join(sorted(jurisdictions))})",
            field=f"{at}.jurisdiction",
            source=where,
        )
    evidence = check_evidence(body.get("evidence", instrument.evidence), f"{at}.evidence", where)
    outcome = body.get("outcome")
    if outcome not in OUTCOMES:
        raise InvalidData(
            f"must be one of {', '.join(OUTCOMES)}, got {outcome!r}",
            field=f"{at}.outcome",
            source=where,
        )
    policy = body.get("review_policy")
    if policy is not None and (outcome != "license_required" or policy not in POLICIES):
        raise InvalidData(
            f"review_policy is one of {', '.join(POLICIES)}, and only with "
            "outcome license_required",
            field=f"{at}.review_policy",
            source=where,
        )
    for key in ("overrides", "conditions"):
        if evidence == "reported_guidance" and body.get(key):
            raise InvalidData(
                "reported guidance is not law: it may not override rules or impose licence "
                "conditions",
                field=f"{at}.{key}",
                source=where,
            )
    for key in ("conditions", "overrides"):
        value = body.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
        ):
            raise InvalidData("must be a list of strings", field=f"{at}.{key}", source=where)
    if not isinstance(body.get("red_flag", False), bool):
        raise InvalidData("must be true or false", field=f"{at}.red_flag", source=where)
    if evidence == "reported_guidance" and outcome not in NOT_LAW_OUTCOMES:
        raise InvalidData(
            f"reported guidance is not law: it may only produce "
            f"{' or '.join(NOT_LAW_OUTCOMES)}, not {outcome}",
            field=f"{at}.outcome",
            source=where,
        )
    start = as_date(
        body.get("effective_from", defaults.get("effective_from")), f"{at}.effective_from", where
    )
    end_raw = body.get("effective_to", defaults.get("effective_to"))
    end = None if end_raw is None else as_date(end_raw, f"{at}.effective_to", where)
    if end is not None and end < start:
        raise InvalidData("ends before it starts", field=f"{at}.effective_to", source=where)
    return Rule(
        id=str(body["id"]),
        instrument=instrument,
        jurisdiction=jurisdiction,
        title=str(need(body, "title", f"{at}.title", where)),
        text=" ".join(str(need(body, "text", f"{at}.text", where)).split()),
        citation=str(body.get("citation") or instrument.citation),
        evidence=evidence,
        in_force=Period(start, end),
        suspensions=tuple(
            _suspension(s, f"{at}.suspensions[{i}]", where)
            for i, s in enumerate(body.get("suspensions") or [])
        ),
        when=compile_condition(body.get("when"), facts, where=f"{where}: {at}.when"),
        outcome=outcome,
        review_policy=policy,
        conditions=tuple(" ".join(str(c).split()) for c in body.get("conditions") or []),
        fee=_fee(body.get("fee"), f"{at}.fee", where),
        red_flag=bool(body.get("red_flag", False)),
        overrides=tuple(str(r) for r in body.get("overrides") or []),
        notes=" ".join(str(body.get("notes", "")).split()),
        volume_cap=_volume_cap(body.get("volume_cap"), f"{at}.volume_cap", where, evidence),
    )


def _check_references(rules: list[Rule]) -> None:
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise InvalidData(
                f"rule id '{rule.id}' is used twice (also in {by_id[rule.id].instrument.file})",
                source=rule.instrument.file,
            )
        by_id[rule.id] = rule
    for rule in rules:
        _no_cycle(rule, by_id, [])
        for target in rule.overrides:
            other = by_id.get(target)
            if other is None or other.jurisdiction != rule.jurisdiction:
                raise InvalidData(
                    f"overrides '{target}', which is not a rule of jurisdiction "
                    f"{rule.jurisdiction}",
                    field=f"rule {rule.id}.overrides",
                    source=rule.instrument.file,
                )


def _no_cycle(rule: Rule, by_id: dict[str, Rule], path: list[str]) -> None:
    """Supersession must be a hierarchy: A overriding B overriding A would hide both."""
    if rule.id in path:
        raise InvalidData(
            f"overrides form a cycle: {' -> '.join([*path, rule.id])}",
            field=f"rule {rule.id}.overrides",
            source=rule.instrument.file,
        )
    for target in rule.overrides:
        other = by_id.get(target)
        if other is not None:
            _no_cycle(other, by_id, [*path, rule.id])


def _versions(
    name: str,
    covers_from: dt.date,
    rules: list[Rule],
    schedule: ClassificationSchedule,
    group_changes: tuple[dt.date, ...],
    digest: str,
    reviewed_through: dt.date,
) -> tuple[Version, ...]:
    """Every date on which a rule or a classification paragraph starts, ends or is
    suspended, or a country group gains or loses a member, opens a version: within one,
    the same rules, classes and groups hold."""
    day = dt.timedelta(days=1)
    bounds = {covers_from, *group_changes}
    for sv in schedule.versions:
        bounds.add(sv.effective_from)
        if sv.effective_to is not None:
            bounds.add(sv.effective_to + day)
    for rule in rules:
        for period in (rule.in_force, *rule.suspensions):
            bounds.add(period.start)
            if period.end is not None:
                bounds.add(period.end + day)
    starts = sorted(b for b in bounds if b >= covers_from)
    versions = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - day if i + 1 < len(starts) else None
        active = tuple(r for r in rules if r.active_on(start))
        grouped = {
            code: tuple(r for r in active if r.jurisdiction == code)
            for code in {r.jurisdiction for r in rules}
        }
        evaluators = {
            code: compile_group([r.when for r in group], group, name=f"{name}@{start} {code}")
            for code, group in grouped.items()
        }
        version_id = f"{name}@{start.isoformat()}"
        summary: dict[str, Any] = {
            "id": version_id,
            "name": name,
            "in_force_from": start,
            "in_force_to": end,
            "rules_in_force": len(active),
            "digest": f"sha256:{digest}",
            "reviewed_through": reviewed_through,
        }
        versions.append(
            Version(version_id, start, end, active, grouped, evaluators, MappingProxyType(summary))
        )
    return tuple(versions)


def _suspension(body: Any, at: str, where: str) -> Period:
    if not isinstance(body, dict):
        raise InvalidData("a suspension needs 'from', 'to' and 'citation'", field=at, source=where)
    known_keys(body, frozenset({"from", "to", "citation"}), at, where)
    start = as_date(body.get("from"), f"{at}.from", where)
    end = None if body.get("to") is None else as_date(body["to"], f"{at}.to", where)
    if end is not None and end < start:
        raise InvalidData("ends before it starts", field=f"{at}.to", source=where)
    return Period(start, end, str(need(body, "citation", f"{at}.citation", where)))


def _fee(body: Any, at: str, where: str) -> Fee | None:
    if body is None:
        return None
    rate = body.get("rate") if isinstance(body, dict) else None
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        raise InvalidData("a fee needs 'rate' between 0 and 1", field=at, source=where)
    return Fee(
        float(rate),
        str(need(body, "label", f"{at}.label", where)),
        str(body.get("basis", "declared value of the line")),
    )


def _volume_cap(raw: Any, at: str, where: str, evidence: str) -> VolumeCap | None:
    if raw is None:
        return None
    if evidence == "reported_guidance":
        raise InvalidData(
            "reported guidance is not law: it may not cap volumes", field=at, source=where
        )
    if not isinstance(raw, dict) or set(raw) != {"share_of_us_shipments", "destinations"}:
        raise InvalidData(
            "must be {share_of_us_shipments: 0-1, destinations: [ISO codes]}",
            field=at,
            source=where,
        )
    share = raw["share_of_us_shipments"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise InvalidData(
            "must be a number in (0, 1]", field=f"{at}.share_of_us_shipments", source=where
        )
    places = raw["destinations"]
    if (
        not isinstance(places, list)
        or not places
        or not all(isinstance(p, str) and is_country(p) for p in places)
    ):
        raise InvalidData(
            "must be a list of ISO country codes", field=f"{at}.destinations", source=where
        )
    return VolumeCap(float(share), tuple(places))
