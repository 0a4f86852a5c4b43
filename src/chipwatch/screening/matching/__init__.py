"""Name matching across scripts: normalise, index, score, explain."""

from __future__ import annotations

from chipwatch.screening.matching.config import (
    DEFAULT_THRESHOLD,
    MatchConfig,
    entity_kind,
    load_match_config,
)
from chipwatch.screening.matching.index import Hit, ScreeningIndex, build_index
from chipwatch.screening.matching.normalize import NameForm, Normalizer, fold
from chipwatch.screening.matching.pairwise import compare_names, explain_pair

__all__ = [
    "DEFAULT_THRESHOLD",
    "Hit",
    "MatchConfig",
    "NameForm",
    "Normalizer",
    "ScreeningIndex",
    "build_index",
    "compare_names",
    "entity_kind",
    "explain_pair",
    "fold",
    "load_match_config",
]
