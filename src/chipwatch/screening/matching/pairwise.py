"""Compare two names directly, without an index (evaluation, review screens)."""

from __future__ import annotations

from functools import lru_cache

from chipwatch.screening.matching.normalize import Normalizer, stem
from chipwatch.screening.matching.score import Alignment, align, direct_similarity

GENERIC_WEIGHT = 0.4  # organisational words the glossary knows ("university", "technology")
WEAK_WEIGHT = 0.3  # initials and name particles
WEAK_TOKENS = frozenset(
    {"al", "bin", "abu", "abd", "de", "da", "van", "von", "der", "la", "le", "di"}
)
CONTAINMENT = 0.6


@lru_cache(maxsize=1)
def _normalizer() -> Normalizer:
    return Normalizer()


@lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    glossary = _normalizer().glossary
    return frozenset(
        stem(word)
        for renderings in glossary.terms.values()
        for rendering in renderings
        for word in rendering.split()
    )


def _weight(token: str) -> float:
    if len(token) == 1 or token in WEAK_TOKENS:
        return WEAK_WEIGHT
    return GENERIC_WEIGHT if token in _generic_words() else 1.0


def explain_pair(a: str, b: str) -> Alignment:
    """The best alignment over both names' variants."""
    normalizer = _normalizer()
    best: Alignment | None = None
    for query in normalizer.form(a).variants:
        for other in normalizer.form(b).variants:
            result = align(
                query,
                other,
                [_weight(t) for t in query],
                [_weight(t) for t in other],
                direct_similarity(query),
                containment=CONTAINMENT,
            )
            if best is None or result.score > best.score:
                best = result
    assert best is not None
    return best


def compare_names(a: str, b: str, *, entity_type: str | None = None) -> float:
    """Name similarity in [0, 1] (entity_type is accepted for interface symmetry)."""
    del entity_type
    return round(explain_pair(a, b).score, 4)
