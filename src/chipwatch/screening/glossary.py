"""The Chinese↔English glossary that turns Chinese-script party names into list English.

The matcher segments a (simplified) Chinese name by longest match against the glossary
keys and renders each segment with ``Glossary.lookup``; numbered institutes
(第五十四研究所) go through ``chinese_number`` and ``ordinal`` instead of the glossary.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import opencc
import yaml

from chipwatch.errors import InvalidData
from chipwatch.settings import PACKAGE_DATA
from chipwatch.yamlio import YAMLError, load_yaml

DEFAULT_PATH = PACKAGE_DATA / "screening" / "glossary.yaml"

_TOP_KEYS = {"version", "legal_forms", "stopwords_en", "terms", "places", "brands"}
_LEGAL_KEYS = {"zh", "en", "en_phrases"}
_CJK = re.compile(r"^[\u3007\u3400-\u4dbf\u4e00-\u9fff]+$")
_WORD = re.compile(r"^[a-z0-9]+$")
_WORDS = re.compile(r"^[a-z0-9]+( [a-z0-9]+)*$")
_STOPWORD = re.compile(r"^(?:[a-z0-9]+|&)$")


@dataclass(frozen=True)
class Glossary:
    legal_forms_zh: tuple[str, ...]  # longest first, so the longest suffix is stripped
    legal_forms_en: frozenset[str]
    legal_phrases_en: tuple[tuple[str, ...], ...]  # longest first
    stopwords_en: frozenset[str]
    terms: dict[str, tuple[str, ...]]
    places: dict[str, str]
    brands: dict[str, tuple[str, ...]]
    max_key_len: int
    digest: str

    def lookup(self, word: str) -> tuple[str, ...] | None:
        """English renderings of a simplified-Chinese word, most usual first; brand, place, term."""
        if word in self.brands:
            return self.brands[word]
        if word in self.places:
            return (self.places[word],)
        return self.terms.get(word)


def load_glossary(path: Path | None = None) -> Glossary:
    """The glossary at ``path``, or the packaged one (read once and cached)."""
    return _load_default() if path is None else _load(path)


@lru_cache(maxsize=1)
def _load_default() -> Glossary:
    return _load(DEFAULT_PATH)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _load(path: Path) -> Glossary:
    where = str(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise InvalidData(f"cannot read glossary: {exc.strerror}", source=where) from exc
    try:
        raw = load_yaml(text)
        duplicates = _duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader))
    except YAMLError as exc:
        raise InvalidData(f"not valid YAML: {exc}", source=where) from exc
    checker = _Checker()
    for at in duplicates:
        checker.error(at, "key appears twice")
    glossary = checker.glossary(raw, "sha256:" + hashlib.sha256(text).hexdigest()[:16])
    if checker.errors:
        raise _invalid(checker.errors, where)
    assert glossary is not None
    return glossary


def _invalid(errors: list[dict[str, str]], where: str) -> InvalidData:
    if len(errors) == 1:
        return InvalidData(errors[0]["problem"], field=errors[0]["field"], source=where)
    summary = "; ".join(f"{e['field']}: {e['problem']}" for e in errors[:20])
    more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
    return InvalidData(
        f"{len(errors)} problems: {summary}{more}",
        field=errors[0]["field"],
        source=where,
        errors=errors,
    )


def _duplicate_keys(node: yaml.Node | None, at: str = "") -> list[str]:
    """Paths of mapping keys given twice (PyYAML would silently keep the last)."""
    found: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{at}.{key}" if at else key
            if key in seen:
                found.append(path)
            seen.add(key)
            found.extend(_duplicate_keys(value_node, path))
    return found


class _Checker:
    """Builds the glossary from parsed YAML, collecting every problem instead of stopping."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def error(self, field: str, problem: str) -> None:
        self.errors.append({"field": field, "problem": problem})

    def glossary(self, raw: Any, digest: str) -> Glossary | None:
        if not isinstance(raw, dict):
            self.error("(top)", "expected a mapping with " + ", ".join(sorted(_TOP_KEYS)))
            return None
        for key in sorted(set(map(str, raw)) - _TOP_KEYS):
            self.error(key, f"unknown key (expected one of {', '.join(sorted(_TOP_KEYS))})")
        for key in sorted(_TOP_KEYS - set(map(str, raw))):
            self.error(key, "missing")
        if raw.get("version") != 1:
            self.error("version", f"expected 1, got {raw.get('version')!r}")
        legal = self._mapping(raw.get("legal_forms"), "legal_forms")
        for key in sorted(set(map(str, legal)) - _LEGAL_KEYS):
            self.error(f"legal_forms.{key}", "unknown key (expected zh, en, en_phrases)")
        forms_zh = [self._key(k, "legal_forms.zh") for k in self._list(legal, "zh", "legal_forms")]
        forms_en = self._list(legal, "en", "legal_forms", _WORD, "one lower-case word")
        phrases = self._list(legal, "en_phrases", "legal_forms", _WORDS, "lower-case words")
        for phrase in phrases:
            if " " not in phrase:
                self.error(f"legal_forms.en_phrases.{phrase}", "a single word belongs in 'en'")
        stopwords = self._list(raw, "stopwords_en", "", _STOPWORD, "one lower-case word or '&'")
        terms = self._section(raw, "terms", many=True)
        places = self._section(raw, "places", many=False)
        brands = self._section(raw, "brands", many=True)
        self._check_overlaps({"terms": terms, "places": places, "brands": brands})
        keys = [*forms_zh, *terms, *places, *brands]
        return Glossary(
            legal_forms_zh=tuple(sorted(forms_zh, key=len, reverse=True)),
            legal_forms_en=frozenset(forms_en),
            legal_phrases_en=tuple(
                sorted((tuple(p.split()) for p in phrases), key=len, reverse=True)
            ),
            stopwords_en=frozenset(stopwords),
            terms=terms,
            places={k: v[0] for k, v in places.items()},
            brands=brands,
            max_key_len=max(map(len, keys), default=0),
            digest=digest,
        )

    def _mapping(self, value: Any, at: str) -> dict[Any, Any]:
        if isinstance(value, dict):
            return value
        if value is not None:
            self.error(at, f"expected a mapping, got {type(value).__name__}")
        return {}

    def _list(
        self,
        parent: dict[Any, Any],
        key: str,
        at: str,
        pattern: re.Pattern[str] | None = None,
        shape: str = "",
    ) -> list[str]:
        field = f"{at}.{key}" if at else key
        value = parent.get(key)
        if not isinstance(value, list) or not value:
            self.error(field, "expected a non-empty list")
            return []
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                self.error(field, f"{item!r} is not a string")
            elif pattern is not None and not pattern.match(item):
                self.error(f"{field}.{item}", f"expected {shape}, got {item!r}")
            elif item in items:
                self.error(f"{field}.{item}", "listed twice")
            else:
                items.append(item)
        return items

    def _key(self, key: Any, at: str) -> str:
        text = str(key)
        if not _CJK.match(text):
            self.error(f"{at}.{text}", "key must be Chinese characters only")
        elif _t2s().convert(text) != text:
            simplified = _t2s().convert(text)
            self.error(f"{at}.{text}", f"key has traditional characters (simplified: {simplified})")
        return text

    def _section(self, raw: dict[Any, Any], name: str, *, many: bool) -> dict[str, tuple[str, ...]]:
        section = self._mapping(raw.get(name), name)
        out: dict[str, tuple[str, ...]] = {}
        for key, value in section.items():
            word = self._key(key, name)
            field = f"{name}.{word}"
            values = value if many else [value]
            if many and not isinstance(value, list):
                self.error(field, f"expected a list of English renderings, got {value!r}")
                continue
            if not values:
                self.error(field, "empty list")
                continue
            good = True
            for item in values:
                if not isinstance(item, str) or not _WORDS.match(item):
                    problem = "lower-case letters/digits, words separated by single spaces"
                    self.error(field, f"{item!r}: expected {problem}")
                    good = False
            if len(set(values)) != len(values):
                self.error(field, "a rendering is listed twice")
                good = False
            if good:
                out[word] = tuple(values)
        return out

    def _check_overlaps(self, sections: dict[str, dict[str, tuple[str, ...]]]) -> None:
        names = list(sections)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                for key in sections[first].keys() & sections[second].keys():
                    if sections[first][key] != sections[second][key]:
                        self.error(
                            f"{second}.{key}",
                            f"also in {first} with a different rendering "
                            f"({list(sections[first][key])} vs {list(sections[second][key])})",
                        )


_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral (五十四 → 54, 十 → 10, 一百零一 → 101, 一〇一 → 101).

    Digit-by-digit numerals (七〇二) and ASCII digits are read positionally; anything that
    is not a well-formed numeral below 10000 gives None.
    """
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if all(c in _DIGITS for c in text):
        if len(text) > 1 and (text[0] in "〇零" or "两" in text):
            return None
        return int("".join(str(_DIGITS[c]) for c in text))
    total, pending, last_unit, after_zero = 0, None, 10_000, False
    for c in text:
        if c in _DIGITS:
            if pending is not None or (c in "〇零" and (after_zero or total == 0)):
                return None
            if c in "〇零":
                after_zero = True
            else:
                pending = _DIGITS[c]
        elif c in _UNITS:
            unit = _UNITS[c]
            if unit >= last_unit or (pending is None and (total or unit != 10)):
                return None
            total += (1 if pending is None else pending) * unit
            pending, last_unit, after_zero = None, unit, False
        else:
            return None
    if after_zero and pending is None:
        return None
    if pending is not None:
        # 一百零五 = 105, but colloquial 一百五 = 150: a bare last digit is one unit below
        total += pending if (after_zero or last_unit == 10) else pending * last_unit // 10
    return total


def ordinal(n: int) -> str:
    """English ordinal as the lists write it: 1st, 2nd, 3rd, 11th, 54th, 102nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
