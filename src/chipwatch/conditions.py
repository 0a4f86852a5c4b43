"""The condition language that rules and classification paragraphs are written in.

A condition is YAML data, checked against a schema of typed facts and compiled once:

    {all: [c, ...]}   {any: [c, ...]}   {not: c}
    {fact: NAME, OP: VALUE}    OP in eq ne in not_in lt le gt ge contains contains_any

``contains`` / ``contains_any`` test a set-valued fact. Facts may be unknown: absent from
the mapping (the fact builders drop unknown values; ``evaluate`` also treats ``None`` as
unknown, the compiled hot path used by ``decide`` relies on absence). Evaluation then
follows three-valued (Kleene) logic and returns ``None`` for "cannot tell", which callers
turn into a hold rather than a guess.

Compilation generates one Python expression per condition (from validated names and
constants only), so evaluating a rule is a single function call on the hot path; the slow
three-valued walk runs only when a fact the expression needs is unknown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from chipwatch.errors import InvalidData

FactKind = Literal["number", "string", "bool", "set", "date"]
Facts = Mapping[str, Any]

COMPARISONS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
MEMBERSHIP = {"in", "not_in"}
SET_OPS = {"contains", "contains_any"}
OPERATORS = set(COMPARISONS) | MEMBERSHIP | SET_OPS
SYMBOLS = {
    **COMPARISONS,
    "in": "in",
    "not_in": "not in",
    "contains": "contains",
    "contains_any": "contains any of",
}


@dataclass(frozen=True, slots=True)
class FactSpec:
    kind: FactKind
    description: str
    values: frozenset[str] | None = None  # allowed values of a string or set fact, when closed


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison as evaluated: what was asked, what the fact was, and the answer."""

    fact: str
    op: str
    expected: Any
    actual: Any
    result: bool | None

    def describe(self) -> str:
        verdict = {True: "yes", False: "no", None: "unknown"}[self.result]
        actual = "unknown" if self.actual is None else _show(self.actual)
        return f"{self.fact} = {actual}; {SYMBOLS[self.op]} {_show(self.expected)}? {verdict}"


def _show(value: Any) -> str:
    """Values as people read them; equal numbers (1 and 1.0) read the same."""
    if isinstance(value, (set, frozenset)):
        return "[" + ", ".join(_show(v) for v in sorted(value, key=str)) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Leaf:
    fact: str
    op: str
    value: Any

    def evaluate(self, facts: Facts) -> bool | None:
        actual = facts.get(self.fact)
        if actual is None:
            return None
        return _apply(self.op, actual, self.value)

    def checks(self, facts: Facts) -> list[Check]:
        actual = facts.get(self.fact)
        return [Check(self.fact, self.op, self.value, actual, self.evaluate(facts))]


@dataclass(frozen=True, slots=True)
class Junction:
    kind: Literal["all", "any"]
    parts: tuple[Node, ...]

    def evaluate(self, facts: Facts) -> bool | None:
        unknown = False
        decisive = self.kind == "any"  # the value that settles the junction
        for part in self.parts:
            result = part.evaluate(facts)
            if result is None:
                unknown = True
            elif result is decisive:
                return decisive
        return None if unknown else not decisive

    def checks(self, facts: Facts) -> list[Check]:
        return [check for part in self.parts for check in part.checks(facts)]


@dataclass(frozen=True, slots=True)
class Negation:
    part: Node

    def evaluate(self, facts: Facts) -> bool | None:
        result = self.part.evaluate(facts)
        return None if result is None else not result

    def checks(self, facts: Facts) -> list[Check]:
        return self.part.checks(facts)


Node = Leaf | Junction | Negation


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled condition: ``evaluate`` answers True / False / None (unknown)."""

    tree: Node | None
    fast: Callable[[Facts], bool] = field(repr=False)
    facts_used: tuple[str, ...] = ()
    kleene: Callable[[Facts], bool | None] | None = field(default=None, repr=False)
    _described: dict[tuple[Any, ...], tuple[str, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def evaluate(self, facts: Facts) -> bool | None:
        if None in [facts.get(name, False) for name in self.facts_used]:
            return self.evaluate_slowly(facts)  # a fact given as None is unknown, like absent
        try:
            return self.fast(facts)
        except KeyError:
            return self.evaluate_slowly(facts)

    def evaluate_slowly(self, facts: Facts) -> bool | None:
        """Three-valued evaluation, for when a fact the fast path needs is unknown."""
        if self.kleene is not None:
            return self.kleene(facts)
        return None if self.tree is None else self.tree.evaluate(facts)

    def checks(self, facts: Facts) -> list[Check]:
        """The comparisons behind the answer, for explanations."""
        return [] if self.tree is None else self.tree.checks(facts)

    def describe(self, facts: Facts) -> tuple[str, ...]:
        """``checks`` as sentences; memoised on the values of the facts the condition reads."""
        key = tuple([facts.get(name) for name in self.facts_used])
        try:
            described = self._described.get(key)
        except TypeError:  # an unhashable value (a plain set): describe without the memo
            return tuple(check.describe() for check in self.checks(facts))
        if described is None:
            if len(self._described) > 4096:
                self._described.clear()
            described = tuple(check.describe() for check in self.checks(facts))
            self._described[key] = described
        return described


ALWAYS = Condition(tree=None, fast=lambda facts: True)

GroupResult = tuple[list[Any], list[Any]]


def compile_group(
    conditions: Sequence[Condition], payloads: Sequence[Any], *, name: str
) -> Callable[[Facts], GroupResult]:
    """One function testing many conditions. It returns the payloads (say, the rules) of
    the conditions that hold, and of those that met an unknown fact, to be settled in
    three-valued logic (which may still say False or True). Saves a call per condition
    on the hot path of ``decide``."""
    constants: list[Any] = [tuple(payloads)]
    lines = ["def group(f, _c=_c):", "    held = []", "    unsure = []", "    _p = _c[0]"]
    for index, condition in enumerate(conditions):
        source = "True" if condition.tree is None else _emit(condition.tree, constants)
        lines += [
            "    try:",
            f"        if {source}:",
            f"            held.append(_p[{index}])",
            "    except KeyError:",
            f"        unsure.append(_p[{index}])",
        ]
    lines.append("    return held, unsure")
    namespace: dict[str, Any] = {"_c": tuple(constants), "__builtins__": {"KeyError": KeyError}}
    exec(compile("\n".join(lines), f"<condition group {name}>", "exec"), namespace)
    group: Callable[[Facts], GroupResult] = namespace["group"]
    return group


def _apply(op: str, actual: Any, expected: Any) -> bool:
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "lt":
        return bool(actual < expected)
    if op == "le":
        return bool(actual <= expected)
    if op == "gt":
        return bool(actual > expected)
    if op == "ge":
        return bool(actual >= expected)
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "contains":
        return expected in actual
    return not expected.isdisjoint(actual)  # contains_any


def compile_condition(raw: Any, schema: Mapping[str, FactSpec], *, where: str) -> Condition:
    """Validate ``raw`` against the fact ``schema`` and compile it; ``where`` names it in errors."""
    if raw is None:
        return ALWAYS
    tree = _parse(raw, schema, where)
    constants: list[Any] = []
    source = _emit(tree, constants)
    code = compile(f"lambda f, _c=_c: {source}", f"<condition {where}>", "eval")
    fast = eval(code, {"_c": tuple(constants), "__builtins__": {}})
    kleene_constants: list[Any] = []
    kleene_source = _emit_kleene(tree, kleene_constants)
    code = compile(f"lambda f, _c=_c: {kleene_source}", f"<condition {where} 3v>", "eval")
    kleene = eval(
        code, {"_c": tuple(kleene_constants), "__builtins__": {}, "_all": _all, "_any": _any}
    )
    return Condition(
        tree=tree, fast=fast, facts_used=tuple(dict.fromkeys(_facts(tree))), kleene=kleene
    )


def _all(values: tuple[bool | None, ...]) -> bool | None:
    return False if False in values else None if None in values else True


def _any(values: tuple[bool | None, ...]) -> bool | None:
    return True if True in values else None if None in values else False


def _emit_kleene(node: Node, constants: list[Any]) -> str:
    """Like ``_emit``, in three-valued logic: an absent or None fact makes its test None."""
    if isinstance(node, Junction):
        parts = ", ".join(_emit_kleene(part, constants) for part in node.parts)
        return f"_{node.kind}(({parts},))"
    if isinstance(node, Negation):
        inner = _emit_kleene(node.part, constants)
        return f"(None if (_n := {inner}) is None else not _n)"
    test = _emit(node, constants).replace(f"f[{node.fact!r}]", "_v", 1)
    return f"(None if (_v := f.get({node.fact!r})) is None else {test})"


MAX_DEPTH = 16


def _parse(raw: Any, schema: Mapping[str, FactSpec], where: str, depth: int = 0) -> Node:
    if depth > MAX_DEPTH:
        raise InvalidData(f"nested deeper than {MAX_DEPTH} levels", field=where)
    if not isinstance(raw, dict) or not raw:
        raise InvalidData(f"a condition must be a mapping, got {raw!r}", field=where)
    if "all" in raw or "any" in raw:
        kind: Literal["all", "any"] = "all" if "all" in raw else "any"
        parts = raw[kind]
        if len(raw) != 1 or not isinstance(parts, list) or not parts:
            raise InvalidData(f"'{kind}' takes a non-empty list and nothing beside it", field=where)
        return Junction(
            kind,
            tuple(
                _parse(part, schema, f"{where}.{kind}[{i}]", depth + 1)
                for i, part in enumerate(parts)
            ),
        )
    if "not" in raw:
        if len(raw) != 1:
            raise InvalidData("'not' takes one condition and nothing beside it", field=where)
        return Negation(_parse(raw["not"], schema, f"{where}.not", depth + 1))
    return _parse_leaf(raw, schema, where)


def _parse_leaf(raw: dict[str, Any], schema: Mapping[str, FactSpec], where: str) -> Leaf:
    name = raw.get("fact")
    ops = [key for key in raw if key != "fact"]
    if not isinstance(name, str):
        raise InvalidData("a test needs 'fact: NAME' (or all/any/not)", field=where)
    spec = schema.get(name)
    if spec is None:
        raise InvalidData(f"unknown fact '{name}'; known: {', '.join(sorted(schema))}", field=where)
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise InvalidData(
            f"a test on '{name}' needs exactly one operator of {sorted(OPERATORS)}, got {ops}",
            field=where,
        )
    op = ops[0]
    return Leaf(name, op, _check_value(name, spec, op, raw[op], f"{where}.{op}"))


def _check_value(name: str, spec: FactSpec, op: str, value: Any, where: str) -> Any:
    if spec.kind == "set":
        if op == "contains":
            return _scalar(name, spec, "string", value, where)
        if op == "contains_any":
            return frozenset(_list(name, spec, "string", value, where))
        raise InvalidData(f"'{name}' is a set: use contains or contains_any", field=where)
    if op in SET_OPS:
        raise InvalidData(
            f"'{name}' is a {spec.kind}, not a set: '{op}' does not apply", field=where
        )
    if op in MEMBERSHIP:
        return frozenset(_list(name, spec, spec.kind, value, where))
    if spec.kind in ("string", "bool") and op not in ("eq", "ne"):
        raise InvalidData(f"'{name}' is a {spec.kind}: use eq, ne, in or not_in", field=where)
    return _scalar(name, spec, spec.kind, value, where)


def _list(name: str, spec: FactSpec, kind: str, value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise InvalidData(f"expected a non-empty list of values for '{name}'", field=where)
    return [_scalar(name, spec, kind, item, f"{where}[{i}]") for i, item in enumerate(value)]


def _scalar(name: str, spec: FactSpec, kind: str, value: Any, where: str) -> Any:
    ok = {
        "number": isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value),
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
        "date": isinstance(value, dt.date) and not isinstance(value, dt.datetime),
    }[kind]
    if not ok:
        raise InvalidData(f"'{name}' takes a {kind} value, got {value!r}", field=where)
    if kind == "string" and spec.values is not None and value not in spec.values:
        raise InvalidData(
            f"'{value}' is not a value of '{name}'; allowed: {', '.join(sorted(spec.values))}",
            field=where,
        )
    return value


def _emit(node: Node, constants: list[Any]) -> str:
    if isinstance(node, Junction):
        joiner = " and " if node.kind == "all" else " or "
        return "(" + joiner.join(_emit(part, constants) for part in node.parts) + ")"
    if isinstance(node, Negation):
        return f"(not {_emit(node.part, constants)})"
    constants.append(node.value)
    ref, fact = f"_c[{len(constants) - 1}]", f"f[{node.fact!r}]"
    if node.op in COMPARISONS:
        return f"({fact} {COMPARISONS[node.op]} {ref})"
    if node.op == "in":
        return f"({fact} in {ref})"
    if node.op == "not_in":
        return f"({fact} not in {ref})"
    if node.op == "contains":
        return f"({ref} in {fact})"
    return f"(not {ref}.isdisjoint({fact}))"


def _facts(node: Node) -> list[str]:
    if isinstance(node, Leaf):
        return [node.fact]
    if isinstance(node, Negation):
        return _facts(node.part)
    return [name for part in node.parts for name in _facts(part)]
