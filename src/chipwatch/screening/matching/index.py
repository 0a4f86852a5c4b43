"""The candidate index over one set of list entries, and search with explanations.

Built once per list version: every name and alias is normalised into token variants, and an
inverted index maps each token to the aliases holding it. A query touches only the aliases
sharing a (fuzzily) equal, not-too-common token with it — a few hundred, not the whole list —
and those are scored by :func:`~chipwatch.screening.matching.score.align`.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from chipwatch.screening.entries import ListEntry
from chipwatch.screening.matching.config import MatchConfig, entity_kind, load_match_config
from chipwatch.screening.matching.normalize import NameForm, Normalizer, stem
from chipwatch.screening.matching.score import (
    MIN_FUZZY_LEN,
    Alignment,
    align,
    mapped_similarity,
)

MAX_CANDIDATES = 50
# Vocabulary tokens this similar to a query token count as the same word. Stricter than the
# pairwise cutoff: a looser one finds few more true matches in a large list and costs speed.
VOCABULARY_CUTOFF = 0.86
COUNTRY_WORDS = ("china", "chinese", "prc", "hong kong", "macau", "macao", "taiwan")
_PARENTHESES = re.compile(r"[(（]([^()（）]*)[)）]")
SIMILAR_TOKENS = 12


@dataclass(frozen=True, slots=True)
class _Alias:
    entry: int
    text: str
    kind: str  # "name", "alias" or "weak_alias"
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """One list entry a query may be: its score in [0, 1], whether it matches, and why."""

    entry: ListEntry
    score: float
    match: bool
    explanation: dict[str, Any] = field(compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.entry.name,
            "aliases": list(self.entry.aliases),
            "source": self.entry.source,
            "entry_id": self.entry.entry_id,
            "entity_type": self.entry.entity_type,
            "countries": list(self.entry.countries),
            "programs": list(self.entry.programs),
            "score": self.score,
            "match": self.match,
            "explanation": self.explanation,
        }


class ScreeningIndex:
    def __init__(
        self,
        entries: Iterable[ListEntry],
        *,
        normalizer: Normalizer | None = None,
        config: MatchConfig | None = None,
        version: str = "",
        source_versions: Mapping[str, str] | None = None,
    ) -> None:
        self.entries: tuple[ListEntry, ...] = tuple(entries)
        self.normalizer = normalizer or Normalizer()
        self.config = config or load_match_config()
        self.version = version
        self.source_versions = dict(source_versions or {})
        self.aliases: list[_Alias] = []
        postings: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(self.entries):
            names = [(entry.name, "name")]
            names += [(a, "alias") for a in entry.aliases]
            names += [(a, "weak_alias") for a in entry.weak_aliases]
            for text, kind in _with_parenthetical_parts(names):
                for variant in self.normalizer.form(text).variants:
                    if variant:
                        for token in set(variant):
                            postings[token].append(len(self.aliases))
                        self.aliases.append(_Alias(number, text, kind, variant))
        self.postings = dict(postings)
        count = len(self.aliases) + 1
        self.idf = {t: math.log(count / (len(p) + 1)) + 1.0 for t, p in postings.items()}
        self.max_idf = math.log(count) + 1.0
        buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for token in self.postings:
            if len(token) >= MIN_FUZZY_LEN and token.isalpha():
                buckets[(token[0], len(token))].append(token)
        self._buckets = dict(buckets)
        self.similar = lru_cache(maxsize=100_000)(self._similar)
        glossary = self.normalizer.glossary
        self._places = frozenset(
            stem(token)
            for place in (*glossary.places.values(), *COUNTRY_WORDS)
            for token in place.split()
        )
        self._generic = (
            frozenset(
                stem(token)
                for renderings in glossary.terms.values()
                for rendering in renderings
                for token in rendering.split()
            )
            - self._places
        )
        self._alias_weights = [tuple(map(self.weight, a.tokens)) for a in self.aliases]
        self._alias_totals = [sum(w) for w in self._alias_weights]
        self._weights = {token: self.weight(token) for token in self.postings}
        self._postings_np = {t: np.array(ids, dtype=np.int64) for t, ids in self.postings.items()}
        self._totals_np = np.array(self._alias_totals)
        joined: dict[str, list[int]] = defaultdict(list)
        for alias_id, alias in enumerate(self.aliases):
            for first, second in pairwise(alias.tokens):
                if len(first) <= 4 and len(second) <= 4 and first.isalpha() and second.isalpha():
                    for key in {first + second, stem(first + second)}:
                        joined[key].append(alias_id)
        self._joined_np = {t: np.array(ids, dtype=np.int64) for t, ids in joined.items()}

    @property
    def name_count(self) -> int:
        return len({(a.entry, a.text) for a in self.aliases})

    def weight(self, token: str) -> float:
        """How distinctive a token is: rarer is heavier; place names count for less."""
        weight = float(self.idf.get(token, self.max_idf) ** self.config.weight_power)
        if token in self._places:
            return weight * self.config.place_factor
        return weight * self.config.generic_factor if token in self._generic else weight

    def _similar(self, token: str) -> dict[str, float]:
        """Vocabulary tokens equal or close to ``token`` (same first letter, similar length)."""
        found = {token: 1.0} if token in self.postings else {}
        if len(token) < MIN_FUZZY_LEN or not token.isalpha():
            return found
        for length in range(len(token) - 2, len(token) + 3):
            bucket = self._buckets.get((token[0], length))
            if not bucket:
                continue
            for other, sim, _ in process.extract(
                token,
                bucket,
                scorer=JaroWinkler.normalized_similarity,
                score_cutoff=VOCABULARY_CUTOFF,
                limit=SIMILAR_TOKENS,
            ):
                found.setdefault(other, sim)
        return found

    def search(
        self,
        name: str,
        *,
        country: str | None = None,
        entity_type: str | None = None,
        limit: int = 10,
        min_score: float | None = None,
    ) -> list[Hit]:
        form = self.normalizer.form(name)
        variants = [v for v in form.variants if v]
        if not variants:
            return []
        similar = {t: self.similar(t) for v in variants for t in v}
        candidates = self._candidates(variants, similar)
        scored = self._score_candidates(variants, similar, candidates, limit)
        floor = self.config.report_floor if min_score is None else min_score
        reachable = floor - self.config.country_match
        hits = [
            hit
            for entry_number, (alignment, alias, variant) in scored.items()
            if alignment.score >= reachable
            and (
                hit := self._hit(
                    form, entry_number, alignment, alias, variant, country, entity_type
                )
            )
            and hit.score >= floor
        ]
        hits.sort(key=lambda h: (-h.score, h.entry.source, h.entry.entry_id))
        return hits[:limit]

    def search_many(
        self, queries: Sequence[tuple[str, str | None]], *, limit: int = 1
    ) -> list[list[Hit]]:
        return [self.search(name, country=country, limit=limit) for name, country in queries]

    def _candidates(
        self, variants: list[tuple[str, ...]], similar: dict[str, dict[str, float]]
    ) -> list[tuple[int, float, bool]]:
        """Aliases worth scoring, best first: (alias id, upper bound of its score, joins?).

        Each alias collects the weights of the query's (fuzzily) equal tokens it holds;
        2 · votes / (query weight + alias weight) bounds its Dice score from above.
        """
        votes = np.zeros(len(self.aliases))
        limit = self.config.max_postings
        common: list[str] = []
        touched: list[np.ndarray] = []  # cheaper than scanning every alias for votes > 0
        for token in {t for v in variants for t in v}:
            for other, sim in similar[token].items():
                ids = self._postings_np[other]
                if len(ids) > limit:
                    common.append(other)
                else:
                    votes[ids] += sim * self._weights[other]
                    touched.append(ids)
        joined: list[np.ndarray] = []
        for variant in variants:  # "gazprom bank" written "gazprombank" on the list
            keys = {k for a, b in pairwise(variant) for k in (a + b, stem(a + b))}
            for key in keys & self._postings_np.keys():
                joined.append(self._postings_np[key][:limit])
                votes[joined[-1]] += self._weights[key]
            for token in set(variant) & self._joined_np.keys():  # and "jihua" written "ji hua"
                joined.append(self._joined_np[token][:limit])
                votes[joined[-1]] += self.weight(token)
        touched += joined
        if not touched and common:  # only common words: their rarest postings
            rarest = min(common, key=lambda t: len(self._postings_np[t]))
            touched.append(self._postings_np[rarest][:limit])
            votes[touched[-1]] += 1.0
        nominated = np.unique(np.concatenate(touched)) if touched else np.empty(0, np.int64)
        for other in common:  # common words don't nominate, but count for the nominated
            ids = self._postings_np[other]
            votes[ids[votes[ids] > 0]] += self._weights[other]
        query_total = min(sum(self.weight(t) for t in v) for v in variants)
        approx = 2 * votes[nominated] / (query_total + self._totals_np[nominated])
        cutoff = self.config.report_floor - 0.1  # approx is an upper bound (but for joins)
        keep = np.flatnonzero(approx >= cutoff)
        if len(keep) > MAX_CANDIDATES:
            keep = keep[np.argpartition(-approx[keep], MAX_CANDIDATES)[:MAX_CANDIDATES]]
        keep = keep[np.argsort(-approx[keep], kind="stable")]
        joins = set(np.concatenate(joined).tolist()) if joined else set()
        return [
            (alias_id, min(1.0, float(bound)), alias_id in joins)
            for alias_id, bound in zip(nominated[keep].tolist(), approx[keep], strict=True)
        ]

    def _score_candidates(
        self,
        variants: list[tuple[str, ...]],
        similar: dict[str, dict[str, float]],
        candidates: list[tuple[int, float, bool]],
        limit: int,
    ) -> dict[int, tuple[Alignment, _Alias, tuple[str, ...]]]:
        best: dict[tuple[int, bool], tuple[Alignment, _Alias, tuple[str, ...]]] = {}
        prepared = [
            (v, [self.weight(t) for t in v], mapped_similarity([similar[t] for t in v]))
            for v in variants
        ]
        kth = -1.0  # the limit-th best score so far (-1 until there are ``limit``)
        config = self.config  # features move a score by at most this after the name score
        slack = 0.05 + config.country_match + config.country_mismatch + config.type_mismatch
        for alias_id, bound, joins in candidates:
            if bound + slack < kth:
                break  # no remaining candidate can enter the top ``limit``
            alias = self.aliases[alias_id]
            alias_weights = self._alias_weights[alias_id]
            for variant, weights, similarity_of in prepared:
                result = align(
                    variant,
                    alias.tokens,
                    weights,
                    alias_weights,
                    similarity_of,
                    self._places,
                    self.config.containment,
                    joins,
                )
                key = (alias.entry, alias.kind == "weak_alias")
                current = best.get(key)
                if current is None or result.score > current[0].score:
                    best[key] = (result, alias, variant)
                    if len(best) >= limit:
                        scores = (found[0].score for found in best.values())
                        kth = heapq.nlargest(limit, scores)[-1]
        chosen: dict[int, tuple[Alignment, _Alias, tuple[str, ...]]] = {}
        for (entry, weak), found in best.items():
            other = chosen.get(entry)
            if other is None or _prefer(found, weak, other):
                chosen[entry] = found
        return chosen

    def _hit(
        self,
        form: NameForm,
        entry_number: int,
        alignment: Alignment,
        alias: _Alias,
        variant: tuple[str, ...],
        country: str | None,
        entity_type: str | None,
    ) -> Hit | None:
        entry = self.entries[entry_number]
        config = self.config
        features: dict[str, float] = {"name": round(alignment.score, 4)}
        notes: list[str] = []
        if country and entry.countries:
            agree = country.upper() in entry.countries
            features["country"] = config.country_match if agree else -config.country_mismatch
        kind = entity_kind(entity_type)
        if kind and entry.entity_type in ("entity", "individual") and kind != entry.entity_type:
            features["entity_type"] = -config.type_mismatch
        score = round(max(0.0, min(1.0, sum(features.values()))), 4)
        threshold = config.threshold(entry.source)
        match = score >= threshold
        if match and alias.kind == "weak_alias":
            match = False
            notes.append("only a weak alias matched; weak aliases never make a match alone")
        explanation: dict[str, Any] = {
            "query": form.text,
            "query_tokens": list(variant),
            "matched_alias": alias.text,
            "alias_kind": alias.kind,
            "alias_tokens": list(alias.tokens),
            "token_pairs": [
                {"query": p.query, "alias": p.alias, "similarity": p.similarity}
                for p in alignment.pairs
            ],
            "unmatched_query_tokens": list(alignment.unmatched_query),
            "unmatched_alias_tokens": list(alignment.unmatched_alias),
            "legal_forms_ignored": list(form.legal_forms),
            "features": features,
            "threshold": threshold,
            "list": entry.source,
            "entry_id": entry.entry_id,
            "list_version": self.source_versions.get(entry.source, self.version),
        }
        if notes:
            explanation["notes"] = notes
        return Hit(entry, score, match, explanation)


def _prefer(
    new: tuple[Alignment, _Alias, tuple[str, ...]],
    new_is_weak: bool,
    old: tuple[Alignment, _Alias, tuple[str, ...]],
) -> bool:
    """A strong alias is always shown over a weak one: the match is decided on strong names,
    and a weak alias that scores higher must not hide a strong match."""
    if new_is_weak:
        return False
    return old[1].kind == "weak_alias" or new[0].score > old[0].score


def _with_parenthetical_parts(names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """'National Supercomputing Center Changsha (NSCC-CS)' is also listed as its two parts."""
    out = list(names)
    for text, kind in names:
        inner = _PARENTHESES.findall(text)
        if inner:
            outer = _PARENTHESES.sub(" ", text).strip()
            out += [(part.strip(), kind) for part in (outer, *inner) if len(part.strip()) > 1]
    return out


def build_index(entries: Iterable[ListEntry], *, version: str = "") -> ScreeningIndex:
    return ScreeningIndex(entries, version=version)
