"""The condition language: compile, evaluate (two- and three-valued), explain, validate."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from chipwatch.conditions import (
    ALWAYS,
    Check,
    FactSpec,
    Junction,
    Leaf,
    Negation,
    compile_condition,
)
from chipwatch.errors import InvalidData

SCHEMA: dict[str, FactSpec] = {
    "n": FactSpec("number", "a number"),
    "m": FactSpec("number", "another number"),
    "s": FactSpec("string", "an open string"),
    "color": FactSpec(
        "string", "a string from a closed vocabulary", frozenset({"red", "green", "blue"})
    ),
    "flag": FactSpec("bool", "a boolean"),
    "tags": FactSpec("set", "a set from a closed vocabulary", frozenset({"a", "b", "c"})),
    "labels": FactSpec("set", "an open set"),
    "day": FactSpec("date", "a date"),
}

D1, D2, D3 = dt.date(2022, 10, 7), dt.date(2023, 11, 17), dt.date(2025, 1, 13)
WHERE = "rules.r1.when"


def cond(raw: Any):
    return compile_condition(raw, SCHEMA, where=WHERE)


# --------------------------------------------------------------------------------------
# Every operator, with all facts known
# --------------------------------------------------------------------------------------

OPERATOR_CASES = [
    # numbers
    ({"fact": "n", "eq": 3}, {"n": 3}, True),
    ({"fact": "n", "eq": 3}, {"n": 3.0}, True),
    ({"fact": "n", "eq": 3}, {"n": 4}, False),
    ({"fact": "n", "ne": 3}, {"n": 4}, True),
    ({"fact": "n", "ne": 3}, {"n": 3}, False),
    ({"fact": "n", "lt": 4800}, {"n": 4799.9}, True),
    ({"fact": "n", "lt": 4800}, {"n": 4800}, False),
    ({"fact": "n", "le": 4800}, {"n": 4800}, True),
    ({"fact": "n", "le": 4800}, {"n": 4800.1}, False),
    ({"fact": "n", "gt": 5.92}, {"n": 5.93}, True),
    ({"fact": "n", "gt": 5.92}, {"n": 5.92}, False),
    ({"fact": "n", "ge": 5.92}, {"n": 5.92}, True),
    ({"fact": "n", "ge": 5.92}, {"n": 5.9199}, False),
    ({"fact": "n", "in": [1, 2, 3]}, {"n": 2}, True),
    ({"fact": "n", "in": [1, 2, 3]}, {"n": 4}, False),
    ({"fact": "n", "not_in": [1, 2, 3]}, {"n": 4}, True),
    ({"fact": "n", "not_in": [1, 2, 3]}, {"n": 1}, False),
    # strings, open and closed
    ({"fact": "s", "eq": "x"}, {"s": "x"}, True),
    ({"fact": "s", "eq": "x"}, {"s": "X"}, False),
    ({"fact": "s", "ne": "x"}, {"s": "y"}, True),
    ({"fact": "color", "eq": "red"}, {"color": "red"}, True),
    ({"fact": "color", "ne": "red"}, {"color": "red"}, False),
    ({"fact": "color", "in": ["red", "blue"]}, {"color": "blue"}, True),
    ({"fact": "color", "in": ["red", "blue"]}, {"color": "green"}, False),
    ({"fact": "color", "not_in": ["red", "blue"]}, {"color": "green"}, True),
    ({"fact": "color", "not_in": ["red", "blue"]}, {"color": "red"}, False),
    # booleans
    ({"fact": "flag", "eq": True}, {"flag": True}, True),
    ({"fact": "flag", "eq": True}, {"flag": False}, False),
    ({"fact": "flag", "ne": True}, {"flag": False}, True),
    ({"fact": "flag", "in": [True]}, {"flag": True}, True),
    ({"fact": "flag", "not_in": [True]}, {"flag": True}, False),
    # dates
    ({"fact": "day", "ge": D2}, {"day": D2}, True),
    ({"fact": "day", "ge": D2}, {"day": D1}, False),
    ({"fact": "day", "lt": D2}, {"day": D1}, True),
    ({"fact": "day", "le": D2}, {"day": D3}, False),
    ({"fact": "day", "gt": D1}, {"day": D2}, True),
    ({"fact": "day", "eq": D3}, {"day": D3}, True),
    ({"fact": "day", "ne": D3}, {"day": D3}, False),
    ({"fact": "day", "in": [D1, D3]}, {"day": D3}, True),
    ({"fact": "day", "not_in": [D1, D3]}, {"day": D2}, True),
    # sets
    ({"fact": "tags", "contains": "a"}, {"tags": {"a", "b"}}, True),
    ({"fact": "tags", "contains": "c"}, {"tags": {"a", "b"}}, False),
    ({"fact": "tags", "contains": "a"}, {"tags": frozenset()}, False),
    ({"fact": "tags", "contains_any": ["c", "b"]}, {"tags": {"a", "b"}}, True),
    ({"fact": "tags", "contains_any": ["c"]}, {"tags": {"a", "b"}}, False),
    ({"fact": "tags", "contains_any": ["a"]}, {"tags": set()}, False),
    ({"fact": "labels", "contains": "anything"}, {"labels": frozenset({"anything"})}, True),
    ({"fact": "labels", "contains_any": ["p", "q"]}, {"labels": {"q"}}, True),
    # junctions and negation
    ({"all": [{"fact": "n", "ge": 1}, {"fact": "n", "le": 3}]}, {"n": 2}, True),
    ({"all": [{"fact": "n", "ge": 1}, {"fact": "n", "le": 3}]}, {"n": 4}, False),
    ({"any": [{"fact": "n", "lt": 1}, {"fact": "n", "gt": 3}]}, {"n": 4}, True),
    ({"any": [{"fact": "n", "lt": 1}, {"fact": "n", "gt": 3}]}, {"n": 2}, False),
    ({"not": {"fact": "n", "eq": 2}}, {"n": 2}, False),
    ({"not": {"fact": "n", "eq": 2}}, {"n": 3}, True),
    ({"not": {"not": {"fact": "flag", "eq": True}}}, {"flag": True}, True),
    ({"all": [{"fact": "n", "ge": 1}]}, {"n": 1}, True),
    (
        {
            "all": [
                {"fact": "color", "in": ["red", "green"]},
                {"any": [{"fact": "tags", "contains": "a"}, {"fact": "n", "gt": 10}]},
                {"not": {"fact": "flag", "eq": True}},
            ]
        },
        {"color": "red", "tags": {"b"}, "n": 11, "flag": False},
        True,
    ),
]


def _case_id(case: tuple[Any, Any, Any]) -> str:
    raw, facts, expected = case
    return f"{raw}|{facts}->{expected}"


@pytest.mark.parametrize(
    ("raw", "facts", "expected"), OPERATOR_CASES, ids=[_case_id(c) for c in OPERATOR_CASES]
)
def test_operator_with_known_facts(raw: Any, facts: dict[str, Any], expected: bool) -> None:
    condition = cond(raw)
    assert condition.evaluate(facts) is expected
    # with every fact known, the compiled expression answers alone, and the tree agrees
    assert condition.fast(facts) is expected
    assert condition.tree is not None
    assert condition.tree.evaluate(facts) is expected


# --------------------------------------------------------------------------------------
# Three-valued (Kleene) logic when facts are missing
# --------------------------------------------------------------------------------------

F = {"fact": "n", "eq": 0}  # False for n=1
T = {"fact": "n", "eq": 1}  # True for n=1
U = {"fact": "m", "eq": 1}  # unknown: m is never given below

KLEENE_CASES = [
    ("a lone test on a missing fact is unknown", U, None),
    ("ne on a missing fact is unknown, not True", {"fact": "m", "ne": 5}, None),
    ("not_in on a missing fact is unknown", {"fact": "m", "not_in": [5]}, None),
    ("contains on a missing set fact is unknown", {"fact": "tags", "contains": "a"}, None),
    ("not of unknown is unknown", {"not": U}, None),
    ("all: False part beats missing (False first)", {"all": [F, U]}, False),
    ("all: False part beats missing (missing first)", {"all": [U, F]}, False),
    ("all: True part and missing is unknown", {"all": [T, U]}, None),
    ("all: missing and True part is unknown", {"all": [U, T]}, None),
    ("all: only missing is unknown", {"all": [U, U]}, None),
    ("any: True part beats missing (True first)", {"any": [T, U]}, True),
    ("any: True part beats missing (missing first)", {"any": [U, T]}, True),
    ("any: False part and missing is unknown", {"any": [F, U]}, None),
    ("any: missing and False part is unknown", {"any": [U, F]}, None),
    ("not(all[F, U]) is True", {"not": {"all": [U, F]}}, True),
    ("not(any[U, T]) is False", {"not": {"any": [U, T]}}, False),
    ("not(all[T, U]) is unknown", {"not": {"all": [T, U]}}, None),
    ("all[any[U, T], not[F]] is True", {"all": [{"any": [U, T]}, {"not": F}]}, True),
    ("any[all[T, U], F] is unknown", {"any": [{"all": [T, U]}, F]}, None),
    ("any[all[U, F], not[U], T] is True", {"any": [{"all": [U, F]}, {"not": U}, T]}, True),
    ("all[T, T, not[U]] is unknown", {"all": [T, T, {"not": U}]}, None),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [pytest.param(raw, expected, id=name) for name, raw, expected in KLEENE_CASES],
)
def test_three_valued_logic_when_facts_are_missing(raw: Any, expected: bool | None) -> None:
    facts = {"n": 1}
    condition = cond(raw)
    assert condition.evaluate(facts) is expected
    assert condition.tree is not None
    assert condition.tree.evaluate(facts) is expected


def test_no_facts_at_all_is_unknown_unless_the_condition_is_absent() -> None:
    assert cond({"all": [T, U]}).evaluate({}) is None
    assert compile_condition(None, SCHEMA, where=WHERE) is ALWAYS
    assert ALWAYS.evaluate({}) is True
    assert ALWAYS.checks({"n": 1}) == []
    assert not ALWAYS.facts_used


@pytest.mark.parametrize("op", ["eq", "ne", "ge", "not_in"])
def test_a_fact_given_as_none_is_unknown_like_a_missing_one(op: str) -> None:
    value: Any = [5] if op == "not_in" else 5
    condition = cond({"fact": "n", op: value})
    assert condition.tree is not None
    assert condition.tree.evaluate({"n": None}) is None
    assert condition.evaluate({"n": None}) is None


# --------------------------------------------------------------------------------------
# The compiled fast path and the tree walk agree (property-style, seeded)
# --------------------------------------------------------------------------------------

NUMBERS = [0, 1, 2, 3]
DAYS = [D1, D2, D3]
COLORS = ["red", "green", "blue"]
TAGS = ["a", "b", "c"]
LABELS = ["p", "q"]


def _random_leaf(rng: random.Random) -> dict[str, Any]:
    fact = rng.choice(sorted(SCHEMA))
    kind = SCHEMA[fact].kind
    if kind == "set":
        pool = TAGS if fact == "tags" else LABELS
        if rng.random() < 0.5:
            return {"fact": fact, "contains": rng.choice(pool)}
        return {"fact": fact, "contains_any": rng.sample(pool, rng.randint(1, len(pool)))}
    pool_of: dict[str, list[Any]] = {
        "number": NUMBERS,
        "date": DAYS,
        "bool": [True, False],
        "string": COLORS if fact == "color" else ["x", "y"],
    }
    pool = pool_of[kind]
    ops = ["eq", "ne", "in", "not_in"]
    if kind in ("number", "date"):
        ops += ["lt", "le", "gt", "ge"]
    op = rng.choice(ops)
    if op in ("in", "not_in"):
        return {"fact": fact, op: rng.sample(pool, rng.randint(1, len(pool)))}
    return {"fact": fact, op: rng.choice(pool)}


def _random_condition(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        return _random_leaf(rng)
    if roll < 0.5:
        return {"not": _random_condition(rng, depth + 1)}
    kind = "all" if roll < 0.75 else "any"
    return {kind: [_random_condition(rng, depth + 1) for _ in range(rng.randint(1, 4))]}


def _random_facts(rng: random.Random, present: float) -> dict[str, Any]:
    values: dict[str, Any] = {
        "n": rng.choice(NUMBERS),
        "m": rng.choice([*NUMBERS, 1.5]),
        "s": rng.choice(["x", "y", "z"]),
        "color": rng.choice(COLORS),
        "flag": rng.choice([True, False]),
        "tags": frozenset(rng.sample(TAGS, rng.randint(0, 3))),
        "labels": set(rng.sample(LABELS, rng.randint(0, 2))),
        "day": rng.choice([*DAYS, dt.date(2024, 6, 1)]),
    }
    return {k: v for k, v in values.items() if rng.random() < present}


def _reference(raw: dict[str, Any], facts: dict[str, Any]) -> bool | None:
    """An independent Kleene evaluator over the raw YAML-shaped condition."""
    if "all" in raw or "any" in raw:
        kind = "all" if "all" in raw else "any"
        results = [_reference(part, facts) for part in raw[kind]]
        decisive = kind == "any"
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    if "not" in raw:
        inner = _reference(raw["not"], facts)
        return None if inner is None else not inner
    ((op, value),) = ((k, v) for k, v in raw.items() if k != "fact")
    if raw["fact"] not in facts:
        return None
    actual = facts[raw["fact"]]
    return {
        "eq": lambda: actual == value,
        "ne": lambda: actual != value,
        "lt": lambda: actual < value,
        "le": lambda: actual <= value,
        "gt": lambda: actual > value,
        "ge": lambda: actual >= value,
        "in": lambda: actual in value,
        "not_in": lambda: actual not in value,
        "contains": lambda: value in actual,
        "contains_any": lambda: any(v in actual for v in value),
    }[op]()


def _leaf_facts(raw: dict[str, Any]) -> list[str]:
    if "all" in raw or "any" in raw:
        return [f for part in raw.get("all", raw.get("any")) for f in _leaf_facts(part)]
    if "not" in raw:
        return _leaf_facts(raw["not"])
    return [raw["fact"]]


@pytest.mark.parametrize("seed", range(25))
def test_fast_path_and_tree_walk_agree_on_random_conditions(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        raw = _random_condition(rng)
        condition = cond(raw)
        assert condition.tree is not None
        assert set(condition.facts_used) == set(_leaf_facts(raw))
        assert len(set(condition.facts_used)) == len(condition.facts_used)  # each fact once
        for present in (1.0, 0.7, 0.4, 0.0):
            facts = _random_facts(rng, present)
            expected = _reference(raw, facts)
            tree = condition.tree.evaluate(facts)
            assert tree is expected, (raw, facts)
            assert condition.evaluate(facts) is expected, (raw, facts)
            try:
                fast = condition.fast(facts)
            except KeyError:
                # the compiled expression needed a missing fact; only the walk can tell
                assert not set(condition.facts_used) <= facts.keys(), (raw, facts)
            else:
                # when the fast path answers (even by short-circuit past a missing fact)
                # its answer is the three-valued one
                assert fast is expected, (raw, facts)


def test_fast_path_short_circuits_past_missing_facts() -> None:
    """The compiled path answers alone when a decisive part comes first."""
    assert cond({"all": [F, U]}).fast({"n": 1}) is False
    assert cond({"any": [T, U]}).fast({"n": 1}) is True
    with pytest.raises(KeyError):
        cond({"all": [T, U]}).fast({"n": 1})


# --------------------------------------------------------------------------------------
# checks(): what was asked, what the fact was, and the answer
# --------------------------------------------------------------------------------------


def test_checks_list_every_leaf_in_order_with_actual_values_and_results() -> None:
    condition = cond(
        {
            "all": [
                {"fact": "n", "ge": 3},
                {"fact": "color", "in": ["red", "blue"]},
                {"not": {"fact": "tags", "contains_any": ["b", "a"]}},
                {"any": [{"fact": "day", "lt": D2}, {"fact": "flag", "eq": True}]},
            ]
        }
    )
    facts = {"n": 5, "tags": frozenset({"a"}), "day": D1, "flag": False}
    assert condition.checks(facts) == [
        Check("n", "ge", 3, 5, True),
        Check("color", "in", frozenset({"red", "blue"}), None, None),
        # a negated test reports the test itself, not its negation
        Check("tags", "contains_any", frozenset({"a", "b"}), frozenset({"a"}), True),
        Check("day", "lt", D2, D1, True),
        Check("flag", "eq", True, False, False),
    ]
    assert [c.describe() for c in condition.checks(facts)] == [
        "n = 5; >= 3? yes",
        "color = unknown; in [blue, red]? unknown",
        "tags = [a]; contains any of [a, b]? yes",
        "day = 2022-10-07; < 2023-11-17? yes",
        "flag = False; == True? no",
    ]
    # not(contains_any) is False, so the whole `all` is False despite the unknown color
    assert condition.evaluate(facts) is False


@pytest.mark.parametrize(
    ("raw", "facts", "described"),
    [
        ({"fact": "n", "eq": 1}, {"n": 1}, "n = 1; == 1? yes"),
        ({"fact": "n", "ne": 1}, {"n": 1}, "n = 1; != 1? no"),
        ({"fact": "n", "lt": 1}, {}, "n = unknown; < 1? unknown"),
        ({"fact": "n", "le": 1}, {"n": 2}, "n = 2; <= 1? no"),
        ({"fact": "n", "gt": 1}, {"n": 2}, "n = 2; > 1? yes"),
        ({"fact": "n", "not_in": [3, 1, 2]}, {"n": 4}, "n = 4; not in [1, 2, 3]? yes"),
        ({"fact": "s", "eq": "x"}, {"s": "y"}, "s = y; == x? no"),
        (
            {"fact": "tags", "contains": "c"},
            {"tags": {"c", "a"}},
            "tags = [a, c]; contains c? yes",
        ),
    ],
)
def test_check_describe(raw: Any, facts: dict[str, Any], described: str) -> None:
    (check,) = cond(raw).checks(facts)
    assert check.describe() == described


def test_condition_describe_matches_checks_and_follows_the_facts() -> None:
    """``Condition.describe`` (memoised) gives the same sentences as ``checks``."""
    condition = cond({"all": [{"fact": "n", "ge": 3}, {"fact": "tags", "contains": "a"}]})
    first = {"n": 5, "tags": frozenset({"a"})}
    second = {"n": 2, "tags": frozenset({"b"})}
    for facts in (first, second, first, {}, second):
        assert list(condition.describe(facts)) == [c.describe() for c in condition.checks(facts)]
    assert condition.describe(second) == ("n = 2; >= 3? no", "tags = [b]; contains a? no")
    assert condition.describe({}) == (
        "n = unknown; >= 3? unknown",
        "tags = unknown; contains a? unknown",
    )
    assert list(ALWAYS.describe({"n": 1})) == []


def test_condition_describe_accepts_a_plain_set_fact() -> None:
    condition = cond({"fact": "tags", "contains": "a"})
    assert condition.describe({"tags": {"a"}}) == ("tags = [a]; contains a? yes",)


def test_condition_describe_reads_equal_numbers_alike_whatever_was_memoised() -> None:
    condition = cond({"fact": "n", "ge": 1})
    assert condition.describe({"n": 1}) == ("n = 1; >= 1? yes",)
    assert condition.describe({"n": 1.0}) == ("n = 1; >= 1? yes",)
    assert condition.describe({"n": 1.5}) == ("n = 1.5; >= 1? yes",)


def test_compiled_tree_shape() -> None:
    condition = cond({"any": [{"fact": "n", "in": [1, 2]}, {"not": {"fact": "s", "eq": "x"}}]})
    assert condition.tree == Junction(
        "any", (Leaf("n", "in", frozenset({1, 2})), Negation(Leaf("s", "eq", "x")))
    )
    assert set(condition.facts_used) == {"n", "s"}


# --------------------------------------------------------------------------------------
# Validation: every error is InvalidData naming the field path
# --------------------------------------------------------------------------------------

INVALID_CASES = [
    # (id, raw, field, fragment of the problem)
    ("unknown fact", {"fact": "nope", "eq": 1}, WHERE, "unknown fact 'nope'"),
    (
        "unknown fact deep in the tree",
        {"all": [{"fact": "n", "eq": 1}, {"any": [{"not": {"fact": "nope", "eq": 1}}]}]},
        f"{WHERE}.all[1].any[0].not",
        "unknown fact 'nope'",
    ),
    ("no fact name", {"eq": 1}, WHERE, "fact: NAME"),
    ("fact name not a string", {"fact": 3, "eq": 1}, WHERE, "fact: NAME"),
    ("lt on a string", {"fact": "color", "lt": "red"}, f"{WHERE}.lt", "use eq, ne, in or not_in"),
    ("ge on a bool", {"fact": "flag", "ge": True}, f"{WHERE}.ge", "use eq, ne, in or not_in"),
    ("eq on a set", {"fact": "tags", "eq": "a"}, f"{WHERE}.eq", "use contains or contains_any"),
    ("in on a set", {"fact": "tags", "in": ["a"]}, f"{WHERE}.in", "is a set"),
    ("contains on a number", {"fact": "n", "contains": 1}, f"{WHERE}.contains", "not a set"),
    (
        "contains_any on a string",
        {"fact": "s", "contains_any": ["x"]},
        f"{WHERE}.contains_any",
        "not a set",
    ),
    ("value outside closed vocabulary", {"fact": "color", "eq": "purple"}, f"{WHERE}.eq", "purple"),
    (
        "list item outside closed vocabulary",
        {"fact": "color", "in": ["red", "purple"]},
        f"{WHERE}.in[1]",
        "allowed: blue, green, red",
    ),
    ("set value outside vocabulary", {"fact": "tags", "contains": "z"}, f"{WHERE}.contains", "'z'"),
    (
        "set list item outside vocabulary",
        {"fact": "tags", "contains_any": ["a", "z"]},
        f"{WHERE}.contains_any[1]",
        "'z'",
    ),
    ("string for a number", {"fact": "n", "ge": "5"}, f"{WHERE}.ge", "takes a number value"),
    ("bool for a number", {"fact": "n", "eq": True}, f"{WHERE}.eq", "takes a number value"),
    ("number for a string", {"fact": "s", "eq": 3}, f"{WHERE}.eq", "takes a string value"),
    ("string for a bool", {"fact": "flag", "eq": "yes"}, f"{WHERE}.eq", "takes a bool value"),
    ("number for a bool", {"fact": "flag", "eq": 1}, f"{WHERE}.eq", "takes a bool value"),
    ("string for a date", {"fact": "day", "ge": "2024-01-01"}, f"{WHERE}.ge", "takes a date"),
    ("wrong type in a list", {"fact": "n", "in": [1, "2"]}, f"{WHERE}.in[1]", "number value"),
    ("number for a set member", {"fact": "tags", "contains": 1}, f"{WHERE}.contains", "string"),
    ("scalar where a list is needed", {"fact": "n", "in": 3}, f"{WHERE}.in", "non-empty list"),
    ("contains_any scalar", {"fact": "tags", "contains_any": "a"}, f"{WHERE}.contains_any", "list"),
    ("empty all", {"all": []}, WHERE, "non-empty list"),
    ("empty any", {"any": []}, WHERE, "non-empty list"),
    ("all given a mapping", {"all": {"fact": "n", "eq": 1}}, WHERE, "non-empty list"),
    ("empty in list", {"fact": "n", "in": []}, f"{WHERE}.in", "non-empty list"),
    ("empty not_in list", {"fact": "n", "not_in": []}, f"{WHERE}.not_in", "non-empty list"),
    ("empty contains_any", {"fact": "tags", "contains_any": []}, f"{WHERE}.contains_any", "list"),
    ("two operators in one test", {"fact": "n", "ge": 1, "le": 5}, WHERE, "exactly one operator"),
    ("no operator", {"fact": "n"}, WHERE, "exactly one operator"),
    ("unknown operator", {"fact": "n", "equals": 1}, WHERE, "exactly one operator"),
    ("all beside any", {"all": [T], "any": [T]}, WHERE, "nothing beside it"),
    ("all beside a fact", {"all": [T], "fact": "n"}, WHERE, "nothing beside it"),
    ("not beside a fact", {"not": T, "fact": "n"}, WHERE, "nothing beside it"),
    ("not of a string", {"not": "n > 1"}, f"{WHERE}.not", "must be a mapping"),
    ("a string", "n >= 3", WHERE, "must be a mapping"),
    ("a list", [T], WHERE, "must be a mapping"),
    ("an empty mapping", {}, WHERE, "must be a mapping"),
    ("a bad part of any", {"any": [T, 3]}, f"{WHERE}.any[1]", "must be a mapping"),
]


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [pytest.param(raw, field, frag, id=name) for name, raw, field, frag in INVALID_CASES],
)
def test_invalid_condition_raises_invalid_data_naming_the_field(
    raw: Any, field: str, fragment: str
) -> None:
    with pytest.raises(InvalidData) as caught:
        cond(raw)
    error = caught.value
    assert error.field == field
    assert fragment in error.problem
    assert str(error).startswith(f"{field}: ")
    assert error.errors == [{"field": field, "problem": error.problem}]


def test_a_valid_value_in_a_closed_vocabulary_and_an_open_one_compile() -> None:
    assert cond({"fact": "color", "in": ["red", "green", "blue"]}).evaluate({"color": "red"})
    assert cond({"fact": "s", "eq": "anything at all"}).evaluate({"s": "x"}) is False
    assert cond({"fact": "labels", "contains": "any label"}).evaluate({"labels": set()}) is False


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_rejected(value: float) -> None:
    with pytest.raises(InvalidData, match="takes a number"):
        cond({"fact": "n", "ge": value})


def test_deep_nesting_is_rejected() -> None:
    raw: dict[str, Any] = {"fact": "n", "ge": 1}
    for _ in range(40):
        raw = {"not": raw}
    with pytest.raises(InvalidData, match="nested deeper"):
        cond(raw)
