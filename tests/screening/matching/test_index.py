from __future__ import annotations

import pytest

from chipwatch.screening.matching import ScreeningIndex

# query, country, expected best entry id (None: nothing may match), must match
CASES = [
    ("Harbin Institute of Technology", None, "1", True),
    ("哈尔滨工业大学", "CN", "1", True),
    ("哈爾濱工業大學", "CN", "1", True),
    ("Harbin Gongye Daxue", None, "1", True),
    ("HIT", None, "1", True),
    ("哈尔滨工程大学", "CN", "2", True),
    ("浙江大华技术股份有限公司", "CN", "3", True),
    ("Zhejiang Dahua Jishu Gufen Youxian Gongsi", None, "3", True),
    ("Dahua Technology Limited", None, "3", True),
    ("中国电子科技集团公司第五十四研究所", "CN", "4", True),
    ("国防科技大学", "CN", "5", True),
    ("Gazprom Bank", None, "6", True),
    ("杭州海康威视数字技术股份有限公司", "CN", "7", True),
    ("Olaf Scholze", None, "8", True),
    ("北京大学", "CN", None, False),  # shares only a place name with entry 9
    ("Harbin Medical University", "CN", None, False),
    ("Octavian Scholz", None, None, False),
    ("Acme Co., Ltd.", None, None, False),  # legal forms alone never match
    ("中国电子科技集团公司第五十五研究所", "CN", None, False),  # a different institute number
]


@pytest.mark.parametrize(("query", "country", "expected", "match"), CASES)
def test_search(
    index: ScreeningIndex, query: str, country: str | None, expected: str | None, match: bool
) -> None:
    hits = index.search(query, country=country)
    matched = [h for h in hits if h.match]
    if match:
        assert matched, f"no match for {query}: {[(h.entry.name, h.score) for h in hits]}"
        assert matched[0].entry.entry_id == expected
    else:
        assert not matched, [(h.entry.name, h.score) for h in matched]


def test_weak_alias_alone_never_matches(index: ScreeningIndex) -> None:
    hits = index.search("GPB")
    assert hits and hits[0].entry.entry_id == "6"
    assert hits[0].explanation["alias_kind"] == "weak_alias"
    assert not hits[0].match


def test_explanation_names_alias_tokens_and_features(index: ScreeningIndex) -> None:
    hit = index.search("浙江大华技术股份有限公司", country="CN")[0]
    exp = hit.explanation
    assert exp["matched_alias"] == "Zhejiang Dahua Technology Co., Ltd."
    assert {"query": "dahua", "alias": "dahua", "similarity": 1.0} in exp["token_pairs"]
    assert exp["legal_forms_ignored"] == ["股份有限公司"]
    assert exp["features"]["country"] > 0
    assert exp["list"] == "EL" and exp["entry_id"] == "3" and exp["list_version"] == "test-1"


def test_country_mismatch_lowers_the_score(index: ScreeningIndex) -> None:
    same = index.search("Gazprombank", country="RU")[0].score
    other = index.search("Gazprombank", country="CN")[0].score
    assert other < same


def test_person_query_against_entity_is_penalised(index: ScreeningIndex) -> None:
    as_entity = index.search("Dahua Technology", entity_type="company")[0].score
    as_person = index.search("Dahua Technology", entity_type="person")[0].score
    assert as_person < as_entity


def test_empty_query(index: ScreeningIndex) -> None:
    assert index.search("  ,. ") == []


def test_a_weak_alias_never_hides_a_strong_match() -> None:
    from chipwatch.screening.entries import ListEntry

    entries = [
        ListEntry(
            "SDN",
            "x",
            "Gazprom Neft Trading GmbH",
            "entity",
            weak_aliases=("Gazprom Neft Trading",),
            countries=("RU",),
        ),
    ]
    hit = ScreeningIndex(entries).search("Gazprom Neft Trading", country="RU")[0]
    assert hit.match and hit.explanation["alias_kind"] == "name"


def test_batch_search_with_limit_one_still_finds_the_matching_entry() -> None:
    from chipwatch.screening.entries import ListEntry

    entries = [
        ListEntry("SDN", "by", "Almaz Antey Air Defense Concern", "entity", countries=("BY",)),
        ListEntry(
            "SDN",
            "ru",
            "Almaz Antey Air Defense Concern Moscow Branch Office",
            "entity",
            countries=("RU",),
        ),
    ]
    index = ScreeningIndex(entries)
    query = "Almaz Antey Air Defense Concern Moscow"
    best_of_ten = index.search(query, country="RU", limit=10)[0]
    assert (
        index.search(query, country="RU", limit=1)[0].entry.entry_id == best_of_ten.entry.entry_id
    )
