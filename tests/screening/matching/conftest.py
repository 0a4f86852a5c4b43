from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.screening.entries import ListEntry
from chipwatch.screening.glossary import load_glossary
from chipwatch.screening.matching import Normalizer, ScreeningIndex

FIXTURES = Path(__file__).parent / "fixtures"

ENTRIES = (
    ListEntry(
        "EL", "1", "Harbin Institute of Technology", "entity", aliases=("HIT",), countries=("CN",)
    ),
    ListEntry("EL", "2", "Harbin Engineering University", "entity", countries=("CN",)),
    ListEntry(
        "EL",
        "3",
        "Zhejiang Dahua Technology Co., Ltd.",
        "entity",
        aliases=("Dahua Technology",),
        countries=("CN",),
    ),
    ListEntry(
        "EL",
        "4",
        "China Electronics Technology Group Corporation 54th Research Institute",
        "entity",
        aliases=("CETC 54",),
        countries=("CN",),
    ),
    ListEntry(
        "EL",
        "5",
        "National University of Defense Technology",
        "entity",
        aliases=("NUDT",),
        countries=("CN",),
    ),
    ListEntry("SDN", "6", "GAZPROMBANK", "entity", weak_aliases=("GPB",), countries=("RU",)),
    ListEntry(
        "EL", "7", "Hangzhou Hikvision Digital Technology Co., Ltd.", "entity", countries=("CN",)
    ),
    ListEntry("SDN", "8", "SCHOLZ, Olaf", "individual", countries=("DE",)),
    ListEntry("EL", "9", "Beijing Technology Co., Ltd.", "entity", countries=("CN",)),
)


@pytest.fixture(scope="session")
def normalizer() -> Normalizer:
    return Normalizer(load_glossary(FIXTURES / "glossary.yaml"))


@pytest.fixture(scope="session")
def index(normalizer: Normalizer) -> ScreeningIndex:
    return ScreeningIndex(ENTRIES, normalizer=normalizer, version="test-1")
