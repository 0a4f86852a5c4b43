"""ListScreener: parties and their owners against a small index, with dispositions remembered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chipwatch.orders import Party
from chipwatch.screening import PartyScreening, PossibleMatch
from chipwatch.screening.entries import ListEntry
from chipwatch.screening.matching import ScreeningIndex
from chipwatch.screening.screener import Disposition, ListScreener

HIT = ListEntry(
    "EL",
    "h1",
    "Harbin Institute of Technology",
    "entity",
    aliases=("HIT", "Harbin Gongye Daxue"),
    countries=("CN",),
)
ENTRIES = (
    HIT,
    ListEntry(
        "EL",
        "h2",
        "Zhejiang Dahua Technology Co., Ltd.",
        "entity",
        aliases=("Dahua Technology",),
        countries=("CN",),
    ),
    ListEntry("MEU", "m1", "Nanjing Red Valley Aero Institute", "entity", countries=("CN",)),
    ListEntry("SDN", "s1", "GAZPROMBANK", "entity", weak_aliases=("GPB",), countries=("RU",)),
    ListEntry("DPL", "d1", "Jinhua Lighthouse Trading Co., Ltd.", countries=("CN",)),
)
VERSIONS = {"EL": "csl-csv#1", "MEU": "csl-csv#1", "SDN": "csl-csv#1", "DPL": "csl-csv#1"}
ON = dt.date(2026, 2, 10)


class Remembered:
    """A disposition lookup holding what officers decided, by (party key, source, entry id)."""

    def __init__(self, decided: dict[tuple[str, str, str], Disposition]) -> None:
        self.decided = decided

    def latest(
        self, party_key: str, source: str, entry_id: str, content_hash: str | None = None
    ) -> Disposition | None:
        return self.decided.get((party_key, source, entry_id))


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex(ENTRIES, version="csl-csv#1", source_versions=VERSIONS)


@pytest.fixture(scope="module")
def screener(index: ScreeningIndex) -> ListScreener:
    return ListScreener(index, list_versions=VERSIONS)


def screen(screener: ListScreener, **party: Any) -> PartyScreening:
    return screener.screen_party(Party.model_validate({"role": "end_user", **party}))


def keys(matches: tuple[PossibleMatch, ...]) -> list[tuple[str, str]]:
    return [(m.source, m.entry_id) for m in matches]


# name, country, confirmed lists, open matches, resolved matches
CASES = [
    ("Harbin Institute of Technology", "CN", {"entity_list"}, [], [("EL", "h1")]),
    ("HARBIN INSTITUTE OF TECHNOLOGY.", "CN", {"entity_list"}, [], [("EL", "h1")]),
    # a translation is never "exact": a case for the officer, not an automatic listing
    ("哈尔滨工业大学", "CN", set(), [("EL", "h1")], []),
    ("Harbin Institute of Technology", "US", set(), [("EL", "h1")], []),  # country disagrees
    ("Harbin Institute of Technology", "HK", set(), [("EL", "h1")], []),
    ("Dahua Technology Limited", "CN", {"entity_list"}, [], [("EL", "h2")]),
    ("Red Valley Aero Institute", "CN", set(), [("MEU", "m1")], []),
    ("Gazprombank", "RU", {"sdn"}, [], [("SDN", "s1")]),
    ("Jinhua Lighthouse Trading Co., Ltd.", "CN", {"dpl"}, [], [("DPL", "d1")]),
    ("GPB", "RU", set(), [], []),  # a weak alias alone
    ("Alibaba Cloud Computing Co., Ltd.", "CN", set(), [], []),
    ("Harbin Medical University", "CN", set(), [], []),
]


@pytest.mark.parametrize(("name", "country", "lists", "open_", "resolved"), CASES)
def test_screen_party(
    screener: ListScreener,
    name: str,
    country: str,
    lists: set[str],
    open_: list[tuple[str, str]],
    resolved: list[tuple[str, str]],
) -> None:
    found = screen(screener, name=name, country=country)
    assert found.lists == lists
    assert keys(found.possible_matches) == open_
    assert keys(found.resolved) == resolved
    assert all(m.status == "open" and m.subject == name for m in found.possible_matches)


def test_a_weak_alias_alone_makes_no_match(index: ScreeningIndex, screener: ListScreener) -> None:
    (hit,) = index.search("GPB", country="RU")
    assert hit.explanation["alias_kind"] == "weak_alias" and not hit.match
    assert screener.screen_name("GPB", "RU", subject="GPB") == (set(), [], [])


def test_an_exact_name_and_country_is_confirmed_with_the_reason(screener: ListScreener) -> None:
    (match,) = screen(screener, name="Harbin Institute of Technology", country="CN").resolved
    assert match.status == "confirmed" and match.list_code == "entity_list"
    assert match.disposition is not None and match.disposition["actor"] == "chipwatch"
    assert "exact name match with the same country" in match.disposition["reason"]
    assert match.content_hash == HIT.content_hash


def test_an_open_match_explains_itself(screener: ListScreener) -> None:
    (match,) = screen(
        screener, name="Harbin Institute of Technology", country="HK"
    ).possible_matches
    assert match.entry_name == "Harbin Institute of Technology" and 0.8 <= match.score < 1
    assert "'Harbin Institute of Technology' (name) of EL entry h1" in match.explanation
    assert match.details["list_version"] == "csl-csv#1"
    assert match.details["matched_alias"] == "Harbin Institute of Technology"
    assert match.content_hash == HIT.content_hash and match.disposition is None


OWNER_CASES = [
    pytest.param(
        [{"name": "Gazprombank", "country": "RU", "share": 50}], {"sdn"}, 50, id="direct-50"
    ),
    pytest.param(
        [
            {"name": "Gazprombank", "country": "RU", "share": 30},
            {"name": "Harbin Institute of Technology", "country": "CN", "share": 25},
        ],
        {"sdn", "entity_list"},
        55,
        id="aggregate-30-25",
    ),
    pytest.param(
        [
            {
                "name": "Northwind Capital Ltd",
                "country": "HK",
                "share": 60,
                "owners": [{"name": "Gazprombank", "country": "RU", "share": 50}],
            }
        ],
        {"sdn"},
        60,
        id="indirect-chain",
    ),
    pytest.param(
        [{"name": "Gazprombank", "country": "RU", "share": 49}], set(), 49, id="49-percent"
    ),
    pytest.param([{"name": "Northwind Capital Ltd", "share": 100}], set(), 0, id="unlisted-owner"),
]


@pytest.mark.parametrize(("owners", "owner_lists", "share"), OWNER_CASES)
def test_owners_and_the_50_percent_rule(
    screener: ListScreener, owners: list[dict[str, Any]], owner_lists: set[str], share: float
) -> None:
    found = screen(screener, name="Lakeside Holdings Ltd", country="CN", owners=owners)
    assert found.lists == set() and found.possible_matches == ()
    assert found.owner_lists == owner_lists
    assert found.ownership is not None
    assert found.ownership["known"] is True and found.ownership["listed_share"] == share
    assert found.ownership["treated_as_listed"] is bool(owner_lists)
    assert all(m.subject.startswith("owner: ") for m in found.resolved)


def test_the_indirect_chain_is_shown(screener: ListScreener) -> None:
    owners = [
        {
            "name": "Northwind Capital Ltd",
            "country": "HK",
            "share": 60,
            "owners": [{"name": "Gazprombank", "country": "RU", "share": 50}],
        }
    ]
    found = screen(screener, name="Lakeside Holdings Ltd", country="CN", owners=owners)
    assert found.ownership is not None
    assert found.ownership["chains"] == ["60 % Northwind Capital Ltd ← 50 % Gazprombank (sdn)"]


def test_unknown_ownership_is_known_false(screener: ListScreener) -> None:
    found = screen(screener, name="Lakeside Holdings Ltd", country="CN")
    assert found.ownership is not None and found.ownership["known"] is False


def test_an_owner_that_only_may_be_listed_is_an_open_match(screener: ListScreener) -> None:
    owners = [{"name": "Harbin Institute of Technology", "country": "HK", "share": 80}]
    found = screen(screener, name="Lakeside Holdings Ltd", country="CN", owners=owners)
    assert found.owner_lists == set()
    (match,) = found.possible_matches
    assert match.subject == "owner: Harbin Institute of Technology"
    assert (match.source, match.entry_id) == ("EL", "h1")


def test_declared_lists_and_ownership_are_still_honoured(screener: ListScreener) -> None:
    found = screen(
        screener,
        name="Acme Trading Ltd",
        country="CN",
        lists=["dpl"],
        owned_50pct_by=["meu"],
    )
    assert found.lists == {"dpl"} and found.owner_lists == {"meu"}
    owners = [{"name": "Acme Holdco", "share": 50, "lists": ["entity_list"]}]
    found = screen(screener, name="Acme Trading Ltd", country="CN", owners=owners)
    assert found.owner_lists == {"entity_list"}


def disposition(status: str, content_hash: str) -> Disposition:
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    return Disposition(status, content_hash, "officer.kim", at, "different university")


@pytest.mark.parametrize(
    ("status", "same_content", "lists", "open_", "resolved_status"),
    [
        ("cleared", True, set(), 0, "cleared"),
        ("confirmed", True, {"entity_list"}, 0, "confirmed"),
        ("cleared", False, set(), 1, None),  # the entry changed since: open again
    ],
)
def test_dispositions_are_remembered_per_party_and_entry_content(
    index: ScreeningIndex,
    status: str,
    same_content: bool,
    lists: set[str],
    open_: int,
    resolved_status: str | None,
) -> None:
    name, country = "Harbin Institute of Technology", "HK"
    plain = ListScreener(index)
    key = plain.party_key(name, country)
    content_hash = HIT.content_hash if same_content else "0" * 64
    remembered = Remembered({(key, "EL", "h1"): disposition(status, content_hash)})
    found = screen(ListScreener(index, remembered), name=name, country=country)
    assert found.lists == lists
    assert len(found.possible_matches) == open_
    if resolved_status is None:
        assert found.resolved == ()
        previous = found.possible_matches[0].details["previous_disposition"]
        assert previous["status"] == "cleared" and previous["actor"] == "officer.kim"
        assert "changed since it was last resolved" in found.possible_matches[0].explanation
    else:
        (match,) = found.resolved
        assert match.status == resolved_status and match.disposition is not None
        assert match.disposition["reason"] == "different university"


def test_a_disposition_covers_only_its_own_party(index: ScreeningIndex) -> None:
    key = ListScreener(index).party_key("Harbin Institute of Technology", "US")
    remembered = Remembered({(key, "EL", "h1"): disposition("cleared", HIT.content_hash)})
    screener = ListScreener(index, remembered)
    assert screen(screener, name="Harbin Institute of Technology", country="US").lists == set()
    assert screen(screener, name="Harbin Institute of Technology", country="US").resolved
    other = screen(screener, name="Harbin Institute of Technology", country="TW")
    assert keys(other.possible_matches) == [("EL", "h1")] and other.resolved == ()


def test_an_officer_can_clear_an_exact_match(index: ScreeningIndex) -> None:
    name, country = "Harbin Institute of Technology", "CN"
    key = ListScreener(index).party_key(name, country)
    remembered = Remembered({(key, "EL", "h1"): disposition("cleared", HIT.content_hash)})
    found = screen(ListScreener(index, remembered), name=name, country=country)
    assert found.lists == set() and found.possible_matches == ()
    assert [m.status for m in found.resolved] == ["cleared"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            ("Harbin Institute of Technology", "CN"),
            ("HARBIN  institute of technology.", "cn"),
            True,
        ),
        (("Harbin Institute of Technology", "CN"), ("Harbin Institute of Technology", "US"), False),
        (("Harbin Institute of Technology", "CN"), ("Harbin Engineering University", "CN"), False),
    ],
)
def test_party_key(
    screener: ListScreener, a: tuple[str, str], b: tuple[str, str], same: bool
) -> None:
    assert (screener.party_key(*a) == screener.party_key(*b)) is same


def test_screen_reports_versions_and_an_empty_index_screens_nothing(
    screener: ListScreener,
) -> None:
    parties = [Party(role="buyer", name="Gazprombank", country="RU")]
    report = screener.screen(parties, ON)
    assert report.performed and report.list_versions == VERSIONS
    assert report.parties[0].lists == {"sdn"}
    empty = ListScreener(ScreeningIndex(())).screen(parties, ON)
    assert not empty.performed and "No restricted-party list is loaded" in empty.note
    assert empty.parties[0].lists == frozenset()


def test_an_owners_disposition_is_remembered_for_the_party_it_owns(index: ScreeningIndex) -> None:
    owners = [{"name": "Harbin Institute of Technology", "country": "HK", "share": 60}]
    plain = ListScreener(index)
    party = plain.party_key("Lakeside Holdings Ltd", "CN")
    # an owner's match is the owned party's case, apart from the party's own match
    key = plain.owner_key(party, "Harbin Institute of Technology", "HK")
    remembered = Remembered(
        {
            (key, "EL", "h1"): disposition("cleared", HIT.content_hash),
            (party, "EL", "h9"): disposition("cleared", HIT.content_hash),  # another entry
        }
    )
    screener = ListScreener(index, remembered)
    found = screen(screener, name="Lakeside Holdings Ltd", country="CN", owners=owners)
    assert found.possible_matches == ()
    assert [(m.subject, m.status) for m in found.resolved] == [
        ("owner: Harbin Institute of Technology", "cleared")
    ]
    other = screen(screener, name="Riverside Holdings Ltd", country="CN", owners=owners)
    assert keys(other.possible_matches) == [("EL", "h1")]


def test_clearing_a_party_s_own_match_leaves_its_owner_s_match_open(index: ScreeningIndex) -> None:
    owners = [{"name": "Harbin Institute of Technology", "country": "HK", "share": 60}]
    party = ListScreener(index).party_key("Harbin Institute of Technology", "HK")
    remembered = Remembered({(party, "EL", "h1"): disposition("cleared", HIT.content_hash)})
    found = screen(
        ListScreener(index, remembered),
        name="Harbin Institute of Technology",
        country="HK",
        owners=owners,
    )
    assert [(m.subject, m.status) for m in found.resolved] == [
        ("Harbin Institute of Technology", "cleared")
    ]
    assert [m.subject for m in found.possible_matches] == ["owner: Harbin Institute of Technology"]
