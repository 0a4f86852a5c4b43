"""Matching configuration: thresholds per list and feature weights, with documented defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from chipwatch.errors import InvalidData
from chipwatch.settings import PACKAGE_DATA
from chipwatch.yamlio import YAMLError, load_yaml

DEFAULT_PATH = PACKAGE_DATA / "screening" / "matching.yaml"

DEFAULT_THRESHOLD = 0.82

_KINDS = {
    "individual": "individual",
    "person": "individual",
    "entity": "entity",
    "company": "entity",
    "organization": "entity",
    "organisation": "entity",
    "legalentity": "entity",
}


def entity_kind(entity_type: str | None) -> str | None:
    """'person' / 'Person' / 'individual' → 'individual'; company-like → 'entity'; else None."""
    return _KINDS.get(entity_type.casefold().replace(" ", "")) if entity_type else None


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """How names are scored and when a score is a match.

    ``thresholds`` overrides ``default_threshold`` per list code (e.g. {"EL": 0.78}). Hits below
    ``report_floor`` are not returned at all.
    """

    default_threshold: float = DEFAULT_THRESHOLD
    thresholds: dict[str, float] = field(default_factory=dict)
    report_floor: float = 0.5
    weight_power: float = 1.0
    country_match: float = 0.03
    country_mismatch: float = 0.15
    type_mismatch: float = 0.15
    max_postings: int = 500  # tokens on more aliases than this don't nominate candidates
    generic_factor: float = 1.0  # organisational words the glossary renders: "university"
    containment: float = 0.0  # 0: Dice; 1: overlap (a name wholly inside the other is a match)
    place_factor: float = 0.5  # "Zhejiang" in "Zhejiang Dahua Technology" is not what identifies it

    def threshold(self, source: str) -> float:
        return self.thresholds.get(source, self.default_threshold)


def load_match_config(path: Path | None = None) -> MatchConfig:
    """The matching configuration: ``path``, ``CHIPWATCH_SCREENING_CONFIG``, or the packaged one."""
    path = path or Path(os.environ.get("CHIPWATCH_SCREENING_CONFIG", DEFAULT_PATH))
    where = str(path)
    try:
        raw = load_yaml(path.read_bytes())
    except (OSError, YAMLError) as exc:
        raise InvalidData(f"cannot read the matching configuration: {exc}", source=where) from exc
    if not isinstance(raw, dict):
        raise InvalidData("must be a mapping of settings", source=where)
    known = {f.name: f for f in fields(MatchConfig)}
    problems = [
        {"field": str(key), "problem": "unknown setting"} for key in raw if key not in known
    ]
    thresholds = raw.get("thresholds") or {}
    if not isinstance(thresholds, dict) or not all(
        isinstance(v, int | float) and 0 < v <= 1 for v in thresholds.values()
    ):
        problems.append({"field": "thresholds", "problem": "a mapping of list code to (0, 1]"})
    for key, value in raw.items():
        if key in known and key != "thresholds" and not isinstance(value, int | float):
            problems.append({"field": str(key), "problem": "must be a number"})
    if problems:
        raise InvalidData(
            "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
            source=where,
            errors=problems,
        )
    config = MatchConfig(thresholds={str(k): float(v) for k, v in thresholds.items()})
    for key, value in raw.items():
        if key != "thresholds":
            object.__setattr__(config, key, int(value) if key == "max_postings" else float(value))
    return config
