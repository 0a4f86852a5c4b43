"""Score two token sequences: a weighted, explainable token alignment.

Each query token pairs with at most one alias token (best similarities first); a token the
other side writes as two words ("gazprombank" / "gazprom bank") pairs with the joined pair.
The name score is a weighted Dice coefficient: Σ sim·(w_q + w_a) / (Σ w_q + Σ w_a), where a
token's weight says how distinctive it is (rare tokens weigh more than "china" or
"technology"). Digits and short tokens must agree exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Indel, JaroWinkler

from chipwatch.screening.matching.normalize import stem

TOKEN_CUTOFF = 0.82  # below this, two tokens are different words
MIN_FUZZY_LEN = 4  # shorter tokens (and any with digits) must be equal
JOIN_CUTOFF = 0.92
NUMBER_MISMATCH_FACTOR = 0.6
PLACE_MISMATCH_FACTOR = 0.75

#: Query token i → its similarity to an alias token: a function, or per-token maps.
SimilarityOf = Callable[[int, str], float] | list[Mapping[str, float]]


@dataclass(frozen=True, slots=True)
class TokenPair:
    query: str
    alias: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Alignment:
    score: float
    pairs: tuple[TokenPair, ...]
    unmatched_query: tuple[str, ...]
    unmatched_alias: tuple[str, ...]


def token_similarity(a: str, b: str) -> float:
    """Similarity of two tokens in [0, 1]; 0 when they are different words."""
    if a == b:
        return 1.0
    if len(a) < MIN_FUZZY_LEN or len(b) < MIN_FUZZY_LEN or not (a.isalpha() and b.isalpha()):
        return 0.0
    sim = JaroWinkler.normalized_similarity(a, b)
    return sim if sim >= TOKEN_CUTOFF else 0.0


def align(
    query: Sequence[str],
    alias: Sequence[str],
    query_weights: Sequence[float],
    alias_weights: Sequence[float],
    similarity_of: SimilarityOf,
    places: frozenset[str] = frozenset(),
    containment: float = 0.0,
    joins: bool = True,
) -> Alignment:
    """Greedy one-to-one alignment, then joined-word rescue; returns the weighted Dice score.

    ``joins=False`` skips looking for words one side writes as two (the index knows which
    candidates can have such a pair)."""
    total = sum(query_weights) + sum(alias_weights)
    if not query or not alias or total <= 0:
        return Alignment(0.0, (), tuple(query), tuple(alias))
    candidates = []
    maps = similarity_of if isinstance(similarity_of, list) else None
    for i in range(len(query)):
        found = maps[i] if maps is not None else None
        for j, token in enumerate(alias):
            sim = found.get(token, 0.0) if found is not None else similarity_of(i, token)  # type: ignore[operator]
            if sim > 0.0:
                # a fuzzy pair weighs as its lighter side: "technology" ~ "tehnolit" must not
                # borrow the rare word's weight
                weight = 2 * min(query_weights[i], alias_weights[j])
                candidates.append((sim, weight, i, j))
    candidates.sort(reverse=True)
    used_q: set[int] = set()
    used_a: set[int] = set()
    pairs: list[TokenPair] = []
    gained = 0.0
    if joins:
        gained += _joined(
            query, alias, query_weights, alias_weights, used_q, used_a, pairs, exact=True
        )
        gained += _joined(
            alias,
            query,
            alias_weights,
            query_weights,
            used_a,
            used_q,
            pairs,
            swapped=True,
            exact=True,
        )
    for sim, weight, i, j in candidates:
        if i in used_q or j in used_a:
            continue
        used_q.add(i)
        used_a.add(j)
        gained += sim * weight
        pairs.append(TokenPair(query[i], alias[j], round(sim, 3)))
    if joins and len(used_q) < len(query) and len(used_a) < len(alias):
        gained += _joined(query, alias, query_weights, alias_weights, used_q, used_a, pairs)
        gained += _joined(
            alias, query, alias_weights, query_weights, used_a, used_q, pairs, swapped=True
        )
    unmatched_query = tuple(t for i, t in enumerate(query) if i not in used_q)
    unmatched_alias = tuple(t for j, t in enumerate(alias) if j not in used_a)
    score = min(1.0, gained / total)
    if containment:  # a name wholly inside the other counts for more than Dice says
        overlap = min(1.0, gained / (2 * min(sum(query_weights), sum(alias_weights))))
        score += containment * (overlap - score)
    if any(t.isdigit() for t in unmatched_query) and any(t.isdigit() for t in unmatched_alias):
        score *= NUMBER_MISMATCH_FACTOR  # "54th institute" is not the 55th
    if places and places.intersection(unmatched_query) and places.intersection(unmatched_alias):
        score *= PLACE_MISMATCH_FACTOR  # the Changsha centre is not the Shenzhen one
    return Alignment(score, tuple(pairs), unmatched_query, unmatched_alias)


def _joined(
    one: Sequence[str],
    other: Sequence[str],
    one_weights: Sequence[float],
    other_weights: Sequence[float],
    used_one: set[int],
    used_other: set[int],
    pairs: list[TokenPair],
    *,
    swapped: bool = False,
    exact: bool = False,
) -> float:
    """Pair a free token of ``one`` with 2-3 adjacent free tokens of ``other`` written as one."""
    gained = 0.0
    if len(other) < 2:
        return gained
    min_len = 4 if exact else 2 * MIN_FUZZY_LEN - 1
    if all(i in used_one or len(t) < min_len for i, t in enumerate(one)):
        return gained
    for i, token in enumerate(one):
        if i in used_one or len(token) < min_len or (exact and token in other):
            continue
        for width in (2, 3):
            for j in range(len(other) - width + 1):
                if other[j][0] != token[0]:
                    continue
                span = range(j, j + width)
                joined = "".join(other[j : j + width])
                if exact:
                    if joined != token and stem(joined) != token:
                        continue
                elif abs(len(joined) - len(token)) > 2:
                    continue
                if any(k in used_other for k in span):
                    continue
                sim = 1.0 if joined == token else Indel.normalized_similarity(joined, token)
                if sim >= JOIN_CUTOFF:
                    used_one.add(i)
                    used_other.update(span)
                    gained += sim * (one_weights[i] + sum(other_weights[k] for k in span))
                    words = " ".join(other[k] for k in span)
                    pair = TokenPair(words, token, sim) if swapped else TokenPair(token, words, sim)
                    pairs.append(pair)
                    break
            if i in used_one:
                break
    return gained


def direct_similarity(query: Sequence[str]) -> SimilarityOf:
    """Similarity lookups computed on the fly (pairwise comparison, no index)."""

    def similarity_of(i: int, token: str) -> float:
        return token_similarity(query[i], token)

    return similarity_of


def mapped_similarity(similar: Sequence[Mapping[str, float]]) -> SimilarityOf:
    """Similarity lookups from precomputed maps (query token i → {vocabulary token: sim})."""
    return list(similar)
