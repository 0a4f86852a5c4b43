"""The screening bench scripts' core functions work (tiny slices; speed is not asserted here)."""

from __future__ import annotations

import importlib
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

from chipwatch.screening.entries import ListEntry

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data"
CATEGORIES = {
    "chinese",
    "traditional",
    "pinyin",
    "abbreviation",
    "latin_variant",
    "legal_form_only",
}


def bench_module(name: str) -> ModuleType:
    """The bench scripts import each other as top-level modules, as when run from bench/."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    return bench_module("screening_eval")


@pytest.fixture(scope="module")
def speed() -> ModuleType:
    return bench_module("screening_speed")


@pytest.fixture(scope="module")
def csl(ev: ModuleType) -> tuple[ListEntry, ...]:
    if not DATA.is_dir():
        pytest.skip("the shared reference data (../shared/data) is absent")
    entries: tuple[ListEntry, ...] = ev.load_csl(DATA)
    return entries


# (hits best first as (score, own match flag, right entry), label) -> (tp, fp, fn, wrong)
COUNT_CASES = [
    (((0.95, True, True),), True, None, (1, 0, 0, 0)),
    (((0.95, True, False), (0.9, True, True)), True, None, (0, 1, 1, 1)),
    (((0.7, False, True),), True, None, (0, 0, 1, 0)),
    (((0.9, False, False), (0.85, True, True)), True, None, (1, 0, 0, 0)),
    (((0.9, False, False), (0.85, True, True)), True, 0.8, (0, 1, 1, 1)),
    (((0.7, False, True),), True, 0.65, (1, 0, 0, 0)),
    (((0.85, True, False),), False, None, (0, 1, 0, 0)),
    (((0.85, True, False),), False, 0.9, (0, 0, 0, 0)),
    ((), False, None, (0, 0, 0, 0)),
]


@pytest.mark.parametrize(("hits", "label", "threshold", "expected"), COUNT_CASES)
def test_counts_follow_the_first_matching_hit(
    ev: ModuleType,
    hits: tuple[tuple[float, bool, bool], ...],
    label: bool,
    threshold: float | None,
    expected: tuple[int, int, int, int],
) -> None:
    assert ev.counts([ev.Case(("all",), label, hits)], threshold) == expected


def test_summarise_finds_the_best_threshold(ev: ModuleType) -> None:
    cases = [ev.pair_case(("all",), True, s) for s in (0.95, 0.72, 0.70)]
    cases += [ev.pair_case(("all",), False, s) for s in (0.69, 0.55)]
    row = ev.summarise("toy", "engine", "all", cases)
    assert (row.positives, row.negatives, row.tp, row.fn, row.fp) == (3, 2, 1, 2, 0)
    assert (row.best_f1, row.best_threshold) == (1.0, 0.7)


@pytest.mark.integration
def test_labelled_set_is_well_formed_and_names_exist_in_the_csl(
    ev: ModuleType, csl: tuple[ListEntry, ...]
) -> None:
    rows = ev.read_csv(ev.PAIRS)
    assert {r["category"] for r in rows} == CATEGORIES
    for row in rows:
        assert (row["is_match"] == "true") == bool(row["expected_name"]), row["query"]
    assert ev.unknown_expected(rows, csl) == []


@pytest.mark.integration
def test_eval_core_on_a_slice(ev: ModuleType, csl: tuple[ListEntry, ...]) -> None:
    rows = ev.read_csv(ev.PAIRS)
    sample = [r for r in rows if r["is_match"] == "true"][:10]
    sample += [r for r in rows if r["is_match"] == "false"][:10]
    wanted = set().union(*(ev.expected_entries(r) for r in sample))
    chosen = [e for e in csl if (e.source, e.name) in wanted]
    index = ev.build_index(chosen + [e for e in csl if e not in chosen][: 200 - len(chosen)])
    table = ev.rows_by_group("zh_en_pairs", "chipwatch", ev.zh_en_cases(index, sample, None))
    overall = next(r for r in table if r.group == "all")
    assert (overall.positives, overall.negatives) == (10, 10)
    assert overall.tp + overall.fn == 10
    pairs = ev.name_bench_pairs(DATA)[:20]
    bench = ev.rows_by_group("name_bench", "chipwatch", ev.pair_cases(pairs, ev.chipwatch_pair))
    assert next(r for r in bench if r.group == "all").positives == sum(p.label for p in pairs)


@pytest.mark.integration
def test_speed_core_on_a_slice(
    ev: ModuleType, speed: ModuleType, csl: tuple[ListEntry, ...]
) -> None:
    rng = random.Random(3)
    entries = list(csl[:200])
    index, times = speed.build_times(entries, 1)
    assert len(times) == 1
    bench_names = [p.name1 for p in ev.name_bench_pairs(DATA)[:50]]
    zh_names = [r["query"] for r in ev.read_csv(ev.PAIRS)[:20]]
    queries = speed.query_mix(entries, bench_names, zh_names, 40, rng)
    assert len(queries) == 40
    assert set(speed.latency(index, queries, warmup=5)) == {"p50_ms", "p99_ms", "max_ms", "mean_ms"}
    batch = speed.distinct_names(entries, bench_names, zh_names, 60, rng)
    assert len(set(batch)) == 60
    assert speed.batch_throughput(index, batch) > 0
    pairs = speed.candidate_pairs(index, [e.name for e in entries[:5]])
    assert pairs
    assert speed.pair_throughput(ev.chipwatch_pair, pairs, warmup=1) >= 0
    assert speed.machine()["cores"]


@pytest.mark.integration
def test_all_lists_load_for_the_speed_index(speed: ModuleType) -> None:
    if not DATA.is_dir():
        pytest.skip("the shared reference data (../shared/data) is absent")
    entries = speed.load_all_lists(DATA)
    assert speed.name_count(entries) >= 30_000
