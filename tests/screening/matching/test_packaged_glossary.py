"""The packaged glossary end to end: Chinese, traditional and pinyin names find list entries."""

from __future__ import annotations

import pytest

from chipwatch.screening.entries import ListEntry
from chipwatch.screening.matching import ScreeningIndex, compare_names

ENTRIES = (
    ListEntry(
        "EL",
        "1",
        "Semiconductor Manufacturing International Corporation",
        "entity",
        aliases=("SMIC",),
        countries=("CN",),
    ),
    ListEntry("EL", "2", "Beihang University", "entity", countries=("CN",)),
    ListEntry(
        "EL", "3", "National Supercomputing Center Changsha (NSCC-CS)", "entity", countries=("CN",)
    ),
    ListEntry("EL", "4", "National Supercomputing Center Shenzhen", "entity", countries=("CN",)),
    ListEntry(
        "EL", "5", "Beijing Zhipu Huazhang Technology Co., Ltd.", "entity", countries=("CN",)
    ),
    ListEntry("SDN", "6", "LAVROV, Sergey Viktorovich", "individual", countries=("RU",)),
)


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex(ENTRIES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("中芯国际", "1"),
        ("北京航空航天大学", "2"),
        ("國家超級計算長沙中心", "3"),
        ("国家超级计算深圳中心", "4"),
        ("北京智谱华章科技有限公司", "5"),
        ("Beijing Zhipu Huazhang Keji Youxian Gongsi", "5"),
        ("Сергей Викторович Лавров", "6"),
    ],
)
def test_cross_script_queries_find_their_entry(
    index: ScreeningIndex, query: str, expected: str
) -> None:
    matched = [h for h in index.search(query) if h.match]
    assert matched and matched[0].entry.entry_id == expected, index.search(query)[:2]


def test_a_different_city_does_not_match(index: ScreeningIndex) -> None:
    hits = index.search("国家超级计算广州中心")  # Guangzhou: not on this list
    assert not [h for h in hits if h.match]


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Siemens Aktiengesellschaft", "Siemens AG", True),
        ("First International Bank", "1st International Bank", True),
        ("Bashar al-Assad", "Bashar el-Assad", True),
        ("AlisherUsmanov", "Alisher Usmanov", True),
        ("Goodwill Company", "Good Will Company", True),
        ("Octavian Scholz", "Olaf Scholz", False),
    ],
)
def test_pairwise(a: str, b: str, similar: bool) -> None:
    assert (compare_names(a, b) >= 0.82) is similar
