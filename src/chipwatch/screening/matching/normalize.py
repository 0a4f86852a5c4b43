"""Names → comparable token sequences, across scripts.

A name becomes one or more *variants* (token tuples): Latin text is folded (NFKC, case,
accents, punctuation), legal forms are set aside in both languages, and Chinese text is
converted to simplified characters, segmented against the glossary and rendered in the
English the lists use (大学 → university, 哈尔滨 → harbin, 第五十四研究所 → 54 research
institute); characters the glossary does not know become pinyin. A Latin name written in
pinyin ("Harbin Gongye Daxue") also gets a translated variant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
import snowballstemmer
from anyascii import anyascii
from pypinyin import lazy_pinyin

from chipwatch.screening.glossary import Glossary, chinese_number, load_glossary

MAX_VARIANTS = 6
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ORDINAL_ZH = re.compile(r"第([零〇一二三四五六七八九十百两]+)")
_ORDINAL_EN = re.compile(r"^(\d+)(st|nd|rd|th)$")
_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_APOSTROPHES = re.compile(r"['’`ʼ]")
_T2S = opencc.OpenCC("t2s")
_CAMEL = re.compile(r"([a-z]{2})([A-Z][a-z]{2})")  # AlisherUsmanov, not GmbH or McDonald
_NON_HAN = re.compile(r"[^\x00-\x7f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff（）]+")
#: Number words → digits, so "First International Bank" is "1st International Bank".
NUMBER_WORDS = {
    w: str(i)
    for i, ws in enumerate(
        [
            (),
            ("one", "first"),
            ("two", "second"),
            ("three", "third"),
            ("four", "fourth"),
            ("five", "fifth"),
            ("six", "sixth"),
            ("seven", "seventh"),
            ("eight", "eighth"),
            ("nine", "ninth"),
            ("ten", "tenth"),
        ]
    )
    for w in ws
}
#: Abbreviations company names use ("Dahua Tech", "CNOOC Energy Tech & Srvces").
ABBREVIATIONS = {
    "tech": "technology",
    "techn": "technology",
    "technol": "technology",
    "intl": "international",
    "natl": "national",
    "univ": "university",
    "inst": "institute",
    "elec": "electronics",
    "electr": "electronics",
    "engg": "engineering",
    "mfg": "manufacturing",
    "sci": "science",
    "grp": "group",
    "hldgs": "holdings",
    "hldg": "holding",
    "svcs": "services",
    "srvces": "services",
    "equip": "equipment",
    "indus": "industrial",
    "acad": "academy",
    "mgmt": "management",
}
#: Name particles spelled several ways ("el-Assad" / "al-Assad").
PARTICLES = {"el": "al", "ul": "al", "ibn": "bin", "ben": "bin", "bint": "bin"}


@dataclass(frozen=True, slots=True)
class NameForm:
    """A normalised name: its variants (best first), the legal forms set aside, its script."""

    text: str
    variants: tuple[tuple[str, ...], ...]
    legal_forms: tuple[str, ...]
    script: str  # "latin", "han" or "mixed"

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.variants[0] if self.variants else ()


def fold(text: str) -> str:
    """NFKC, case-folded, accents removed, traditional → simplified; other scripts (Cyrillic,
    Greek, Arabic ...) transliterated to Latin. CamelCase words are split."""
    text = _CAMEL.sub(r"\1 \2", unicodedata.normalize("NFKC", text)).casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    if _HAN.search(text):
        text = _T2S.convert(text)
        return _NON_HAN.sub(lambda m: anyascii(m.group()).casefold(), text)
    return anyascii(text).casefold()


class Normalizer:
    """Turns names into NameForms with one glossary; memoised per name."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary or load_glossary()
        self._pinyin_terms = _pinyin_terms(self.glossary)
        self._pinyin_legal = frozenset(_pinyin(k) for k in self.glossary.legal_forms_zh)
        self._pinyin_prefixes = frozenset(
            word[:n]
            for word in (*self._pinyin_terms, *self._pinyin_legal)
            for n in range(1, len(word) + 1)
        )
        self._phrases_by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self.glossary.legal_phrases_en:  # longest first, kept in that order
            self._phrases_by_first.setdefault(phrase[0], []).append(phrase)
        self.form = lru_cache(maxsize=200_000)(self._form)

    def _form(self, text: str) -> NameForm:
        folded = fold(text)
        legal: list[str] = []
        for form in self.glossary.legal_forms_zh:  # also "合盛硅业（鄯善）有限公司"
            if form in folded and folded.replace(form, "").strip(" （）()"):
                legal.extend([form] * folded.count(form))
                folded = folded.replace(form, " ")
        segments: list[tuple[tuple[str, ...], ...]] = []  # per segment: its alternatives
        has_han = has_latin = False
        position = 0
        for match in _HAN.finditer(folded):
            if match.start() > position:
                has_latin |= self._latin(folded[position : match.start()], segments, legal)
            has_han = True
            self._han(match.group(), segments, legal)
            position = match.end()
        if position < len(folded):
            has_latin |= self._latin(folded[position:], segments, legal)
        script = "mixed" if has_han and has_latin else "han" if has_han else "latin"
        return NameForm(text, _expand(segments), tuple(legal), script)

    # Latin --------------------------------------------------------------------------------

    def _latin(
        self, text: str, segments: list[tuple[tuple[str, ...], ...]], legal: list[str]
    ) -> bool:
        words = _merge_initials(_NON_WORD.sub(" ", _APOSTROPHES.sub("", text)).split())
        words = [
            PARTICLES.get(w)
            or NUMBER_WORDS.get(w)
            or ABBREVIATIONS.get(w)
            or _ORDINAL_EN.sub(r"\1", w)
            for w in words
        ]
        words = _drop_number_marker(words)
        words = self._strip_legal_en(words, legal)
        stopwords = self.glossary.stopwords_en
        i = 0
        while i < len(words):
            j, kind = self._pinyin_word(words, i)
            if kind == "legal":
                legal.append(" ".join(words[i:j]))
            elif kind == "term":
                keep = tuple(w for w in words[i:j] if w not in stopwords)
                segments.append((*self._pinyin_terms["".join(words[i:j])], keep))
            elif words[i] not in stopwords:
                segments.append(((words[i],),))
            i = j
        return bool(words)

    def _pinyin_word(self, words: list[str], i: int) -> tuple[int, str]:
        """The longest run of words from ``i`` that spells a known pinyin word, and its kind."""
        best, kind = i + 1, ""
        joined = ""
        for j in range(i, min(len(words), i + 4)):
            joined += words[j]
            if joined not in self._pinyin_prefixes:
                break
            if joined in self._pinyin_legal:
                best, kind = j + 1, "legal"
            elif joined in self._pinyin_terms and (j > i or len(joined) >= 4):
                best, kind = j + 1, "term"
        return best, kind

    def _strip_legal_en(self, words: list[str], legal: list[str]) -> list[str]:
        glossary = self.glossary
        out: list[str] = []
        i = 0
        while i < len(words):
            for phrase in self._phrases_by_first.get(words[i], ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    legal.append(" ".join(phrase))
                    i += len(phrase)
                    break
            else:
                if words[i] in glossary.legal_forms_en and len(words) > 1:
                    legal.append(words[i])
                else:
                    out.append(words[i])
                i += 1
        return out

    # Chinese ------------------------------------------------------------------------------

    def _han(
        self, text: str, segments: list[tuple[tuple[str, ...], ...]], legal: list[str]
    ) -> None:
        for form in self.glossary.legal_forms_zh:
            if form in text and form != text:
                legal.extend([form] * text.count(form))
                text = text.replace(form, " ")
        text = _ORDINAL_ZH.sub(lambda m: f" {chinese_number(m.group(1)) or m.group(1)} ", text)
        for chunk in text.split():
            if chunk.isdigit():
                segments.append(((chunk,),))
            else:
                self._segment(chunk, segments)

    def _segment(self, text: str, segments: list[tuple[tuple[str, ...], ...]]) -> None:
        """Forward maximum matching against the glossary; unknown runs become pinyin."""
        glossary = self.glossary
        unknown = ""
        i = 0
        while i < len(text):
            for j in range(min(len(text), i + glossary.max_key_len), i, -1):
                english = glossary.lookup(text[i:j])
                if english is not None:
                    if unknown:
                        segments.append(_unknown_run(unknown))
                        unknown = ""
                    pinyin = (_pinyin(text[i:j]),)
                    stop = glossary.stopwords_en
                    alternatives = tuple(
                        tuple(w for w in e.split() if w not in stop) for e in english
                    )
                    segments.append(tuple(dict.fromkeys((*alternatives, pinyin))))
                    i = j
                    break
            else:
                unknown += text[i]
                i += 1
        if unknown:
            segments.append(_unknown_run(unknown))


def _unknown_run(text: str) -> tuple[tuple[str, ...], ...]:
    """Characters the glossary doesn't know, in pinyin: as two-syllable words, the way the
    lists write names (智谱华章 → "zhipu huazhang"), and joined ("zhipuhuazhang")."""
    joined = (_pinyin(text),)
    if len(text) < 4:
        return (joined,)
    cut = [text[i : i + 2] for i in range(0, len(text) - len(text) % 2, 2)]
    if len(text) % 2:
        cut[-1] += text[-1]
    return (tuple(_pinyin(part) for part in cut), joined)


@lru_cache(maxsize=100_000)
def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).replace("ü", "v")


def _pinyin_terms(glossary: Glossary) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Pinyin spellings of multi-character glossary words → their English renderings."""
    table: dict[str, tuple[tuple[str, ...], ...]] = {}
    for key, english in (*glossary.terms.items(), *glossary.brands.items()):
        if len(key) >= 2:
            table.setdefault(
                _pinyin(key),
                tuple(
                    tuple(w for w in e.split() if w not in glossary.stopwords_en) for e in english
                ),
            )
    return table


def _merge_initials(words: list[str]) -> list[str]:
    """'s a' (from 'S.A.') → 'sa'; 'j s c' → 'jsc'. Lone initials stay."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if word:
            out.append(word)
    return out


def _drop_number_marker(words: list[str]) -> list[str]:
    """'no 54' → '54' (lists write 'No. 54 Research Institute' and '54th Research Institute')."""
    return [
        w
        for i, w in enumerate(words)
        if not (w in ("no", "nr") and i + 1 < len(words) and words[i + 1].isdigit())
    ]


def _expand(segments: list[tuple[tuple[str, ...], ...]]) -> tuple[tuple[str, ...], ...]:
    """Variants, capped: every segment's first rendering; the same with each segment's other
    renderings swapped in one at a time; every segment's last rendering (the pinyin)."""
    first = [alternatives[0] for alternatives in segments]
    candidates = [first, [alternatives[-1] for alternatives in segments]]
    for i, alternatives in enumerate(segments):
        for other in alternatives[1:-1]:
            candidates.append([*first[:i], other, *first[i + 1 :]])
    variants: dict[tuple[str, ...], None] = {}
    for combination in candidates:
        tokens = (stem(token) for part in combination for token in part)
        variants[tuple(dict.fromkeys(tokens))] = None  # a repeated word adds nothing
        if len(variants) >= MAX_VARIANTS:
            break
    return tuple(v for v in variants if v) or ((),)


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """English stem of a Latin word ('technologies' → 'technolog'); other tokens unchanged."""
    if len(token) < 4 or not token.isascii() or not token.isalpha():
        return token
    return str(_STEMMER.stemWord(token))
