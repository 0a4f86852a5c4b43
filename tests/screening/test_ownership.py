"""The 50 % rule: direct, aggregate and indirect ownership by listed persons."""

from __future__ import annotations

from typing import Any

import pytest

from chipwatch.orders import Owner
from chipwatch.screening.ownership import assess

# Who is on which list, as screening would find it.
LISTED = {"Gazprombank": frozenset({"sdn"}), "Harbin Institute of Technology": {"entity_list"}}


def lists_of(owner: Owner) -> frozenset[str]:
    return frozenset(LISTED.get(owner.name, set())) | frozenset(owner.lists)


def owners(*specs: dict[str, Any]) -> list[Owner]:
    return [Owner.model_validate(spec) for spec in specs]


GPB = "Gazprombank"
HIT = "Harbin Institute of Technology"

# owners, listed share, treated as listed, lists, chains
CASES = [
    pytest.param(
        [{"name": GPB, "share": 50}], 50, True, {"sdn"}, ["50 % Gazprombank (sdn)"], id="direct-50"
    ),
    pytest.param(
        [{"name": GPB, "share": 49}], 49, False, set(), ["49 % Gazprombank (sdn)"], id="direct-49"
    ),
    pytest.param(
        [{"name": GPB, "share": 30}, {"name": HIT, "share": 25}, {"name": "Acme", "share": 45}],
        55,
        True,
        {"sdn", "entity_list"},
        ["30 % Gazprombank (sdn)", "25 % Harbin Institute of Technology (entity_list)"],
        id="aggregate-30-25",
    ),
    pytest.param(
        [{"name": "Northwind Capital", "share": 60, "owners": [{"name": GPB, "share": 50}]}],
        60,
        True,
        {"sdn"},
        ["60 % Northwind Capital ← 50 % Gazprombank (sdn)"],
        id="indirect-counts-in-full",
    ),
    pytest.param(
        [{"name": "Northwind Capital", "share": 60, "owners": [{"name": GPB, "share": 40}]}],
        0,
        False,
        set(),
        [],
        id="indirect-below-half",
    ),
    pytest.param(
        [
            {"name": GPB, "share": 20},
            {
                "name": "Northwind Capital",
                "share": 35,
                "owners": [
                    {"name": "Eastgate", "share": 100, "owners": [{"name": HIT, "share": 51}]}
                ],
            },
        ],
        55,
        True,
        {"sdn", "entity_list"},
        [
            "20 % Gazprombank (sdn)",
            "35 % Northwind Capital ← 100 % Eastgate ← 51 % Harbin Institute of Technology "
            "(entity_list)",
        ],
        id="direct-plus-two-level-chain",
    ),
    pytest.param(
        [{"name": "Declared Holdco", "share": 50, "lists": ["meu"]}],
        50,
        True,
        {"meu"},
        ["50 % Declared Holdco (meu)"],
        id="declared-owner-lists",
    ),
    pytest.param([], 0, False, set(), [], id="no-owners-of-note"),
]


@pytest.mark.parametrize(("specs", "share", "listed", "lists", "chains"), CASES)
def test_assess(
    specs: list[dict[str, Any]], share: float, listed: bool, lists: set[str], chains: list[str]
) -> None:
    finding = assess(owners(*specs), lists_of)
    assert finding.known
    assert finding.listed_share == share
    assert finding.treated_as_listed is listed
    assert finding.lists == lists
    assert list(finding.chains) == chains


def test_unknown_ownership_is_not_clear() -> None:
    finding = assess(None, lists_of)
    assert finding.to_dict() == {
        "known": False,
        "listed_share": 0.0,
        "treated_as_listed": False,
        "lists": [],
        "chains": [],
    }


def test_a_listed_owner_is_not_counted_twice_through_its_own_owners() -> None:
    specs = {"name": GPB, "share": 50, "owners": [{"name": HIT, "share": 100}]}
    finding = assess(owners(specs), lists_of)
    assert finding.listed_share == 50 and finding.lists == {"sdn"}


def test_exactly_fifty_percent_in_float_shares_counts() -> None:
    from chipwatch.orders import Owner
    from chipwatch.screening.ownership import assess

    owners = [Owner(name=f"O{i}", share=s) for i, s in enumerate((16.7, 31.4, 1.9))]
    finding = assess(owners, lambda owner: frozenset({"entity_list"}))
    assert finding.treated_as_listed and finding.lists == {"entity_list"}


def test_the_threshold_comes_from_data_with_its_sources() -> None:
    from chipwatch.screening.ownership import SOURCE, threshold
    from chipwatch.yamlio import load_yaml

    data = load_yaml(SOURCE.read_bytes())
    assert threshold() == 50.0 == float(data["threshold_percent"])
    assert data["sources"] and all(s["citation"] for s in data["sources"])
