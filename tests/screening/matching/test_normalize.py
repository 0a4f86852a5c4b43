from __future__ import annotations

import pytest

from chipwatch.screening.matching import Normalizer, fold
from chipwatch.screening.matching.normalize import stem


def stemmed(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokens)


@pytest.mark.parametrize(
    ("name", "first_variant", "legal_forms", "script"),
    [
        (
            "Zhejiang Dahua Technology Co., Ltd.",
            ("zhejiang", "dahua", "technology"),
            ("co", "ltd"),
            "latin",
        ),
        ("浙江大华技术股份有限公司", ("zhejiang", "dahua", "technology"), ("股份有限公司",), "han"),
        ("浙江大華技術股份有限公司", ("zhejiang", "dahua", "technology"), ("股份有限公司",), "han"),
        ("哈尔滨工业大学", ("harbin", "institute", "technology"), (), "han"),
        (
            "中国电子科技集团公司第五十四研究所",
            ("china", "electronics", "technology", "54", "research", "institute"),
            ("集团公司",),
            "han",
        ),
        ("Xi'an No. 54 Research Institute", ("xian", "54", "research", "institute"), (), "latin"),
        ("54th Research Institute", ("54", "research", "institute"), (), "latin"),
        ("P.J.S.C. Gazprom Bank", ("gazprom", "bank"), ("pjsc",), "latin"),
        ("Société Générale", ("societe", "generale"), (), "latin"),
        ("ＨＵＡＷＥＩ", ("huawei",), (), "latin"),
        ("Limited", ("limited",), (), "latin"),  # a lone legal form is the name itself
        ("Dahua 大华", ("dahua",), (), "mixed"),  # a repeated word counts once
    ],
)
def test_first_variant(
    normalizer: Normalizer,
    name: str,
    first_variant: tuple[str, ...],
    legal_forms: tuple[str, ...],
    script: str,
) -> None:
    form = normalizer.form(name)
    assert form.tokens == stemmed(first_variant)
    assert form.legal_forms == legal_forms
    assert form.script == script


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("哈尔滨工业大学", ("harbin", "polytechnical", "university")),
        ("哈尔滨工业大学", ("haerbin", "gongyedaxue")),  # the all-pinyin rendering is a variant
        ("Harbin Gongye Daxue", ("harbin", "institute", "technology")),  # pinyin translated
        ("Zhejiang Dahua Jishu Gufen Youxian Gongsi", ("zhejiang", "dahua", "technology")),
    ],
)
def test_other_variants(normalizer: Normalizer, name: str, variant: tuple[str, ...]) -> None:
    assert stemmed(variant) in normalizer.form(name).variants


def test_fold() -> None:
    assert fold("Ｓｏｃｉété 大華") == "societe 大华"
