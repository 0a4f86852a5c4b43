"""Screening quality: precision, recall and F1 per labelled set, category and engine.

    python bench/screening_eval.py [--json] [--country CN] [--sets abcd] [--show-misses 20]

(a) nomenklatura name_bench (826 labelled name pairs, MIT) scored with ``compare_names``;
(b) bench/data/zh_en_pairs.csv (built from the lists, see bench/data/README.md) searched with
    ``index.search`` over the whole CSL of 2026-07-31: a positive is found when the first hit
    that matches is its expected entry (a wrong entry counts as a false positive too); a negative
    is a false positive when any hit matches;
(c) the independent set: 60 real Entity List EN↔ZH university pairs (AGPL, evaluation only),
    searched like (b) and scored pairwise against shuffled negatives;
(d) OpenSanctions pairs sample, names only (best score over the two entities' names).
nomenklatura ``logic-v2`` runs side by side on (a) and (c) when it is installed (the ``bench``
extra). Each row gives P/R/F1 at DEFAULT_THRESHOLD and the best F1 over thresholds 0.50–0.95.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chipwatch.screening.entries import ListEntry
from chipwatch.screening.lists import parse_list
from chipwatch.screening.matching import DEFAULT_THRESHOLD, ScreeningIndex, build_index
from chipwatch.screening.matching import compare_names as chipwatch_compare

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data"
PAIRS = REPO / "bench" / "data" / "zh_en_pairs.csv"
CSL_FILE = "lists/csl_consolidated_2026-07-31.csv"
THRESHOLDS = tuple(round(0.50 + 0.01 * step, 2) for step in range(46))
MATCHABLE = {"Person", "Company", "Organization", "LegalEntity", "Vessel", "Airplane"}
SHUFFLE_OFFSETS = (7, 19, 31)  # independent-set negatives: zh_i against name_{i+k}
OS_NAMES_PER_SIDE = 3
SYNTHETIC = "LLM-proposed deviation"  # name_bench's category for its 503 generated rows

Hit3 = tuple[float, bool, bool]  # (score, matches at the engine's own threshold, right entry)
PairScorer = Callable[[str, str, str], float]  # (name1, name2, FtM schema) -> score


@dataclass(frozen=True, slots=True)
class LabelledPair:
    groups: tuple[str, ...]
    name1: str
    name2: str
    schema: str  # FollowTheMoney schema: Person, Company, Organization, ...
    label: bool


@dataclass(frozen=True, slots=True)
class EntityPair:
    """Two entities by their names (OpenSanctions pairs)."""

    groups: tuple[str, ...]
    names1: tuple[str, ...]
    names2: tuple[str, ...]
    schema: str
    label: bool


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled query and the engine's answer, best hit first."""

    groups: tuple[str, ...]
    label: bool
    hits: tuple[Hit3, ...]
    query: str = ""
    top: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    set: str
    engine: str
    group: str
    positives: int
    negatives: int
    tp: int
    fp: int
    fn: int
    wrong_entry: int
    precision: float | None
    recall: float | None
    f1: float | None
    best_f1: float | None
    best_threshold: float | None


def counts(
    cases: Iterable[Case], threshold: float | None, any_rank: bool = False
) -> tuple[int, int, int, int]:
    """(tp, fp, fn, wrong entry); ``threshold`` None means each hit's own match flag.

    Strict (default): a positive counts only if the *first* matching hit is its entry, and
    a different entry there is also a false positive. ``any_rank``: a positive counts if its
    entry is among the matching hits (the officer sees them all); a match on another listed
    entry is then neither a false positive nor a find.
    """
    tp = fp = fn = wrong = 0
    for case in cases:
        matching = [h for h in case.hits if (h[1] if threshold is None else h[0] >= threshold)]
        if any_rank and case.label:
            found = any(h[2] for h in matching)
            tp, fn = tp + found, fn + (not found)
            continue
        chosen = matching[0] if matching else None
        if not case.label:
            fp += chosen is not None
        elif chosen is not None and chosen[2]:
            tp += 1
        else:
            fn += 1
            if chosen is not None:
                fp, wrong = fp + 1, wrong + 1
    return tp, fp, fn, wrong


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def f1_of(tp: int, fp: int, fn: int) -> float | None:
    return ratio(2 * tp, 2 * tp + fp + fn)


def summarise(
    set_name: str, engine: str, group: str, cases: Sequence[Case], any_rank: bool = False
) -> Row:
    """Counts at each engine's own threshold, and the best F1 over THRESHOLDS."""
    tp, fp, fn, wrong = counts(cases, None, any_rank)
    positives = sum(c.label for c in cases)
    sweep = [(f1_of(*counts(cases, t, any_rank)[:3]), t) for t in THRESHOLDS] if positives else []
    best_f1, best_t = max(
        ((f, t) for f, t in sweep if f is not None), key=lambda p: p[0], default=(None, None)
    )
    return Row(
        set=set_name,
        engine=engine,
        group=group,
        positives=positives,
        negatives=len(cases) - positives,
        tp=tp,
        fp=fp,
        fn=fn,
        wrong_entry=wrong,
        precision=ratio(tp, tp + fp),
        recall=ratio(tp, positives),
        f1=f1_of(tp, fp, fn),
        best_f1=best_f1,
        best_threshold=best_t,
    )


def rows_by_group(
    set_name: str, engine: str, cases: Sequence[Case], any_rank: bool = False
) -> list[Row]:
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        for group in case.groups:
            groups[group].append(case)
    suffix = " (any rank)" if any_rank else ""
    return [summarise(set_name, engine, g + suffix, groups[g], any_rank) for g in groups]


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


# ---- engines -------------------------------------------------------------------------------


def chipwatch_pair(name1: str, name2: str, schema: str) -> float:
    kind = {"Person": "individual", "Vessel": "vessel"}.get(schema, "entity")
    return chipwatch_compare(name1, name2, entity_type=kind)


def logic_v2_scorer() -> PairScorer | None:
    """nomenklatura logic-v2 on two bare names, or None when nomenklatura is not installed."""
    try:
        from followthemoney import ValueEntity, model
        from nomenklatura.matching import get_algorithm
    except ImportError:
        return None
    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = algorithm.default_config()
    ids = itertools.count()  # nomenklatura caches per entity id: every entity needs its own

    def entity(schema: str, name: str, key: str) -> Any:
        ftm_schema = model.get(schema)
        assert ftm_schema is not None, schema
        proxy = ValueEntity(ftm_schema, {"id": key})
        proxy.add("name", name)
        return proxy

    def score(name1: str, name2: str, schema: str) -> float:
        left, right = entity(schema, name1, f"q{next(ids)}"), entity(schema, name2, f"c{next(ids)}")
        return float(algorithm.compare(left, right, config).score)

    return score


def pair_case(groups: tuple[str, ...], label: bool, score: float, query: str = "") -> Case:
    return Case(groups, label, ((score, score >= DEFAULT_THRESHOLD, label),), query)


def pair_cases(pairs: Iterable[LabelledPair], scorer: PairScorer) -> list[Case]:
    return [
        pair_case(p.groups, p.label, scorer(p.name1, p.name2, p.schema), p.name1) for p in pairs
    ]


def search_case(
    index: ScreeningIndex,
    query: str,
    expected: set[tuple[str, str]],
    groups: tuple[str, ...],
    country: str | None,
) -> Case:
    hits = index.search(query, country=country, limit=5)
    answer = tuple((h.score, h.match, (h.entry.source, h.entry.name) in expected) for h in hits)
    top = f"{hits[0].entry.source}:{hits[0].entry.name} {hits[0].score:.3f}" if hits else ""
    return Case(groups, bool(expected), answer, query, top)


# ---- data ----------------------------------------------------------------------------------


def load_csl(data: Path) -> tuple[ListEntry, ...]:
    path = data / CSL_FILE
    return parse_list(path.read_bytes(), "csl-csv", name=path.name).entries


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def name_bench_pairs(data: Path) -> list[LabelledPair]:
    pairs = []
    for row in read_csv(data / "names" / "nomenklatura_name_bench_cases.csv"):
        groups: tuple[str, ...] = ("all", f"schema={row['schema']}")
        if row["category"] != SYNTHETIC:
            groups += ("non-synthetic",)  # comparable with the published 0.895 of logic-v2
        if not row["category"]:
            groups += ("category empty",)
        label = row["is_match"].strip().lower() == "true"
        pairs.append(LabelledPair(groups, row["name1"], row["name2"], row["schema"], label))
    return pairs


def expected_entries(row: dict[str, str]) -> set[tuple[str, str]]:
    """The acceptable (source, name) pairs of a zh_en_pairs row (``|`` separates several)."""
    if not row["expected_name"]:
        return set()
    sources, names = row["expected_source"].split("|"), row["expected_name"].split("|")
    return set(zip(sources, names, strict=True))


def unknown_expected(rows: Iterable[dict[str, str]], entries: Iterable[ListEntry]) -> list[str]:
    """Expected (source, name) pairs of the labelled set that no list entry carries."""
    known = {(e.source, e.name) for e in entries}
    return sorted({f"{s}|{n}" for r in rows for s, n in expected_entries(r) if (s, n) not in known})


def zh_en_cases(
    index: ScreeningIndex, rows: Sequence[dict[str, str]], country: str | None
) -> list[Case]:
    cases = []
    for row in rows:
        groups: tuple[str, ...] = ("all", row["category"])
        if row["category"] in ("chinese", "traditional"):
            groups += ("chinese-script",)
        cases.append(search_case(index, row["query"], expected_entries(row), groups, country))
    return cases


def resolve_names(
    names: Iterable[str], entries: Iterable[ListEntry]
) -> dict[str, set[tuple[str, str]]]:
    """Each name -> the list entries whose name or alias equals it once normalised."""
    by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for entry in entries:
        for text in (entry.name, *entry.aliases):
            by_name[normalise(text)].add((entry.source, entry.name))
    return {name: by_name.get(normalise(name), set()) for name in names}


def independent_pairs(data: Path) -> list[dict[str, str]]:
    path = data / "names" / "entity_list_china_universities_en_zh.json"
    items: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return items


def shuffled_pairs(items: Sequence[dict[str, str]]) -> list[LabelledPair]:
    """Every zh name with its own English name, and with three others as negatives."""
    group = ("pairwise+shuffled",)
    pairs = [LabelledPair(group, i["zh"], i["name"], "Organization", True) for i in items]
    for offset in SHUFFLE_OFFSETS:
        for number, item in enumerate(items):
            other = items[(number + offset) % len(items)]["name"]
            pairs.append(LabelledPair(group, item["zh"], other, "Organization", False))
    return pairs


def opensanctions_pairs(data: Path) -> list[EntityPair]:
    pairs = []
    path = data / "names" / "opensanctions_pairs_sample1000.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        left, right = record["left"], record["right"]
        if left["schema"] not in MATCHABLE or right["schema"] not in MATCHABLE:
            continue
        names = [side["properties"].get("name", [])[:OS_NAMES_PER_SIDE] for side in (left, right)]
        if all(names):
            groups = ("matchable", f"schema={left['schema']}")
            label = record["judgement"] == "positive"
            first, second = tuple(names[0]), tuple(names[1])
            pairs.append(EntityPair(groups, first, second, left["schema"], label))
    return pairs


# ---- the four sets -------------------------------------------------------------------------


def evaluate_name_bench(data: Path, engines: dict[str, PairScorer]) -> list[Row]:
    pairs = name_bench_pairs(data)
    return [
        r for e, s in engines.items() for r in rows_by_group("name_bench", e, pair_cases(pairs, s))
    ]


def evaluate_independent(
    data: Path,
    index: ScreeningIndex,
    engines: dict[str, PairScorer],
    country: str | None,
) -> tuple[list[Row], dict[str, Any]]:
    items = independent_pairs(data)
    resolved = resolve_names((i["name"] for i in items), index.entries)
    searched = [
        search_case(index, i["zh"], resolved[i["name"]], ("search",), country)
        for i in items
        if resolved[i["name"]]
    ]
    rows = rows_by_group("independent", "chipwatch", searched)
    pairs = shuffled_pairs(items)
    for engine, scorer in engines.items():
        rows += rows_by_group("independent", engine, pair_cases(pairs, scorer))
    unresolved = [i["name"] for i in items if not resolved[i["name"]]]
    resolution = {"pairs": len(items), "resolved_to_csl_entry": len(searched)}
    return rows, resolution | {"unresolved": unresolved}


def evaluate_opensanctions(data: Path) -> list[Row]:
    cases = [
        pair_case(
            p.groups,
            p.label,
            max(chipwatch_pair(a, b, p.schema) for a in p.names1 for b in p.names2),
        )
        for p in opensanctions_pairs(data)
    ]
    return rows_by_group("opensanctions", "chipwatch", cases)


# ---- output --------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def print_table(rows: Sequence[Row]) -> None:
    header = f"{'set':<14}{'engine':<10}{'group':<22}{'pos':>5}{'neg':>5}{'TP':>5}{'FP':>5}"
    print(header + f"{'FN':>5}{'wrong':>6}   P      R      F1    best F1 @ t")
    for r in rows:
        best = f"{fmt(r.best_f1)} @ {r.best_threshold:.2f}" if r.best_threshold else "    -"
        print(
            f"{r.set:<14}{r.engine:<10}{r.group:<22}{r.positives:>5}{r.negatives:>5}{r.tp:>5}"
            f"{r.fp:>5}{r.fn:>5}{r.wrong_entry:>6}  {fmt(r.precision)}  {fmt(r.recall)}  "
            f"{fmt(r.f1)}  {best}"
        )


def print_misses(cases: Sequence[Case], limit: int) -> None:
    misses = [c for c in cases if counts([c], None) not in ((1, 0, 0, 0), (0, 0, 0, 0))]
    print(f"\n{len(misses)} zh_en_pairs errors (first {limit}): query -> top hit")
    for case in misses[:limit]:
        kind = "missed" if case.label else "false+"
        print(f"  {kind:<7}{case.groups[1]:<15}{case.query} -> {case.top or '(no hit)'}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="machine-readable results")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--country", default=None, help="country passed with searches (b, c)")
    parser.add_argument("--sets", default="abcd", help="which sets to run (letters a-d)")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    engines: dict[str, PairScorer] = {"chipwatch": chipwatch_pair}
    if (logic_v2 := logic_v2_scorer()) is not None:
        engines["logic-v2"] = logic_v2
    entries = load_csl(args.data)
    built = time.perf_counter()
    index = build_index(entries)
    timings = {"index_build_s": round(time.perf_counter() - built, 2)}
    rows: list[Row] = []
    extra: dict[str, Any] = {"threshold": DEFAULT_THRESHOLD, "country": args.country}
    if "a" in args.sets:
        rows += evaluate_name_bench(args.data, engines)
    if "b" in args.sets:
        pair_rows = read_csv(PAIRS)
        extra["zh_en_unknown_expected"] = unknown_expected(pair_rows, entries)
        zh_cases = zh_en_cases(index, pair_rows, args.country)
        rows += rows_by_group("zh_en_pairs", "chipwatch", zh_cases)
        rows += rows_by_group("zh_en_pairs", "chipwatch", zh_cases, any_rank=True)
    if "c" in args.sets:
        independent_rows, extra["independent"] = evaluate_independent(
            args.data, index, engines, args.country
        )
        rows += independent_rows
    if "d" in args.sets:
        rows += evaluate_opensanctions(args.data)
    timings["total_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps({**extra, "timings": timings, "rows": [asdict(r) for r in rows]}))
        return
    print(f"threshold {DEFAULT_THRESHOLD}, country {args.country}, engines {', '.join(engines)}")
    print_table(rows)
    print(f"\n{json.dumps(extra, ensure_ascii=False)}\ntimings {timings}")
    if "b" in args.sets and args.show_misses:
        print_misses(zh_cases, args.show_misses)


if __name__ == "__main__":
    main()
