"""The Chinese↔English screening glossary: the packaged file, its validation, numerals."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from chipwatch.errors import InvalidData
from chipwatch.screening.glossary import chinese_number, load_glossary, ordinal

LISTS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "lists"
CSL_FILE = LISTS_DIR / "csl_consolidated_2026-07-31.csv"

PROVINCE_LEVEL = {
    "北京": "beijing", "天津": "tianjin", "上海": "shanghai", "重庆": "chongqing",
    "河北": "hebei", "山西": "shanxi", "辽宁": "liaoning", "吉林": "jilin",
    "黑龙江": "heilongjiang", "江苏": "jiangsu", "浙江": "zhejiang", "安徽": "anhui",
    "福建": "fujian", "江西": "jiangxi", "山东": "shandong", "河南": "henan", "湖北": "hubei",
    "湖南": "hunan", "广东": "guangdong", "海南": "hainan", "四川": "sichuan",
    "贵州": "guizhou", "云南": "yunnan", "陕西": "shaanxi", "甘肃": "gansu", "青海": "qinghai",
    "台湾": "taiwan", "内蒙古": "inner mongolia", "广西": "guangxi", "西藏": "tibet",
    "宁夏": "ningxia", "新疆": "xinjiang", "香港": "hong kong", "澳门": "macau",
}  # fmt: skip


def test_packaged_glossary_loads_and_is_cached() -> None:
    glossary = load_glossary()
    assert glossary is load_glossary()
    assert len(glossary.terms) >= 400
    assert len(glossary.places) >= 400
    assert len(glossary.brands) >= 100
    assert glossary.digest.startswith("sha256:")
    keys = [*glossary.terms, *glossary.places, *glossary.brands, *glossary.legal_forms_zh]
    assert glossary.max_key_len == max(map(len, keys))
    lengths = [len(form) for form in glossary.legal_forms_zh]
    assert lengths == sorted(lengths, reverse=True)
    assert "co" in glossary.legal_forms_en and "of" in glossary.stopwords_en
    assert ("co", "ltd") in glossary.legal_phrases_en


def test_every_province_level_division_in_list_spelling() -> None:
    places = load_glossary().places
    assert {key: places.get(key) for key in PROVINCE_LEVEL} == PROVINCE_LEVEL
    assert list(places)[: len(PROVINCE_LEVEL)] == list(PROVINCE_LEVEL)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("哈尔滨", "harbin"),
        ("工业大学", "institute of technology"),
        ("研究所", "research institute"),
        ("西安", "xian"),
        ("乌鲁木齐", "urumqi"),
        ("呼和浩特", "hohhot"),
        ("海康威视", "hikvision"),
        ("中芯国际", "smic"),
        ("寒武纪", "cambricon"),
        ("中国人民解放军", "peoples liberation army"),
        ("浦东", "pudong"),
    ],
)
def test_lookup_gives_the_usual_rendering_first(word: str, expected: str) -> None:
    renderings = load_glossary().lookup(word)
    assert renderings is not None and renderings[0] == expected


def test_lookup_of_unknown_word_is_none() -> None:
    assert load_glossary().lookup("不存在的词") is None


VALID = """\
version: 1
legal_forms:
  zh: [有限公司, 公司]
  en: [co, ltd]
  en_phrases: ["co ltd"]
stopwords_en: [of, "on", "&"]
terms:
  大学: [university]
places:
  哈尔滨: harbin
brands:
  海康威视: [hikvision]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_glossary_loads(tmp_path: Path) -> None:
    glossary = load_glossary(write(tmp_path, VALID))
    assert glossary.lookup("大学") == ("university",)
    assert glossary.lookup("哈尔滨") == ("harbin",)
    assert glossary.lookup("海康威视") == ("hikvision",)
    assert glossary.legal_forms_zh == ("有限公司", "公司")
    assert glossary.stopwords_en == frozenset({"of", "on", "&"})
    assert glossary.max_key_len == 4


def test_brand_wins_over_place_and_term(tmp_path: Path) -> None:
    text = VALID.replace("大学: [university]", "大学: [university]\n  长城: [great wall]")
    text += "  长城: [great wall]\n"
    assert load_glossary(write(tmp_path, text)).lookup("长城") == ("great wall",)


BAD = [
    ("unknown top-level key", VALID + "numbers: {}\n", "numbers"),
    ("missing section", VALID.replace("brands:\n  海康威视: [hikvision]\n", ""), "brands"),
    ("wrong version", VALID.replace("version: 1", "version: 2"), "version"),
    ("key not CJK", VALID.replace("大学: [university]", "大学a: [university]"), "terms.大学a"),
    ("key in pinyin", VALID.replace("哈尔滨: harbin", "harbin: harbin"), "places.harbin"),
    ("upper case value", VALID.replace("[university]", "[University]"), "terms.大学"),
    ("punctuation in value", VALID.replace("harbin", "xi'an"), "places.哈尔滨"),
    ("double space", VALID.replace("[hikvision]", "[hik  vision]"), "brands.海康威视"),
    ("empty list", VALID.replace("[university]", "[]"), "terms.大学"),
    ("not a list", VALID.replace("[hikvision]", "hikvision"), "brands.海康威视"),
    ("traditional key", VALID.replace("大学: [university]", "大學: [university]"), "terms.大學"),
    ("traditional legal form", VALID.replace("[有限公司, 公司]", "[有限公司, 公司, 集團]"),
     "legal_forms.zh.集團"),
    ("two sections disagree", VALID + "  哈尔滨: [haerbin]\n", "brands.哈尔滨"),
    ("key twice", VALID.replace("大学: [university]", "大学: [university]\n  大学: [college]"),
     "terms.大学"),
    ("rendering twice", VALID.replace("[university]", "[university, university]"), "terms.大学"),
    ("legal form with two words", VALID.replace("en: [co, ltd]", "en: [co, co ltd]"),
     "legal_forms.en.co ltd"),
    ("legal phrase of one word", VALID.replace('["co ltd"]', '["co ltd", "gmbh"]'),
     "legal_forms.en_phrases.gmbh"),
    ("unknown legal_forms key", VALID.replace("  en_phrases:", "  de: [gmbh]\n  en_phrases:"),
     "legal_forms.de"),
    ("stopwords empty", VALID.replace('[of, "on", "&"]', "[]"), "stopwords_en"),
    ("section not a mapping", VALID.replace("  大学: [university]\n", "").replace(
        "terms:\n", "terms: [university]\n"), "terms"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "field"), BAD, ids=[case for case, _, _ in BAD])
def test_invalid_glossary_is_rejected_naming_the_key(
    tmp_path: Path, case: str, text: str, field: str
) -> None:
    with pytest.raises(InvalidData) as raised:
        load_glossary(write(tmp_path, text))
    assert field in [error["field"] for error in raised.value.errors], str(raised.value)
    assert "glossary.yaml" in str(raised.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("[university]", "[University]").replace("harbin", "Harbin")
    with pytest.raises(InvalidData) as raised:
        load_glossary(write(tmp_path, text))
    assert {e["field"] for e in raised.value.errors} == {"terms.大学", "places.哈尔滨"}


def test_not_yaml_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="not valid YAML"):
        load_glossary(write(tmp_path, "terms: [unclosed\n"))


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="cannot read"):
        load_glossary(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("一十", 10),
        ("二十", 20),
        ("二十三", 23),
        ("五十四", 54),
        ("九十九", 99),
        ("一百", 100),
        ("一百零一", 101),
        ("一百一十", 110),
        ("一百一十二", 112),
        ("一百五", 150),
        ("两百", 200),
        ("七百零二", 702),
        ("七百一十三", 713),
        ("一千零一", 1001),
        ("一〇一", 101),
        ("七〇二", 702),
        ("五四", 54),
        ("零", 0),
        ("54", 54),
        ("", None),
        ("五十四所", None),
        ("十十", None),
        ("百", None),
        ("一百零", None),
        ("五五十", None),
        ("十百", None),
        ("〇一", None),
        ("零零", None),
    ],
)
def test_chinese_number(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (54, "54th"),
        (101, "101st"),
        (111, "111th"),
        (702, "702nd"),
        (713, "713th"),
    ],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


def _normalised(text: str) -> str:
    text = re.sub(r"[^\w\s]|_", " ", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(text.split())


def test_every_brand_rendering_occurs_in_the_consolidated_screening_list() -> None:
    if not LISTS_DIR.is_dir():
        pytest.skip("shared list data (../shared/data/lists) is not available")
    csv.field_size_limit(1 << 30)
    names: list[str] = []
    with CSL_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names.append(_normalised(row["name"]))
            names.extend(_normalised(alias) for alias in row["alt_names"].split(";"))
    text = " " + " | ".join(names) + " "  # " | " keeps a rendering within one name
    missing = [
        f"{key}: {rendering}"
        for key, renderings in load_glossary().brands.items()
        for rendering in renderings
        if f" {rendering} " not in text
    ]
    assert missing == []
