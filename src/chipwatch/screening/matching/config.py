"""Matching configuration: thresholds per list and feature weights, with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 0.80

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
    generic_factor: float = 0.5  # organisational words the glossary renders: "university"
    place_factor: float = 0.5  # "Zhejiang" in "Zhejiang Dahua Technology" is not what identifies it

    def threshold(self, source: str) -> float:
        return self.thresholds.get(source, self.default_threshold)
