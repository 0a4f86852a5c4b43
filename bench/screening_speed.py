"""Screening speed on one core: index build, single-query latency, batch throughput, logic-v2.

    python bench/screening_speed.py [--queries 2000] [--batch 10000] [--seed 7] [--json]

The index holds every loaded list: CSL 2026-07-31 + OFAC SDN 2024 (with the 2026 alt/add
files) + OFAC non-SDN consolidated + BIS Denied Persons. Queries mix real list names, the same
names perturbed (typos, reordered words), name_bench names, Chinese names from
bench/data/zh_en_pairs.csv and random names that match nothing. Latency is timed per query
after a warm-up; batch throughput runs ``search_many`` over distinct names. nomenklatura's
logic-v2 (if installed) scores the same query × candidate pairs our index scored.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import string
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chipwatch.screening.entries import ListEntry
from chipwatch.screening.lists import parse_list
from chipwatch.screening.matching import ScreeningIndex, build_index
from screening_eval import DATA, PAIRS, PairScorer, chipwatch_pair, logic_v2_scorer, read_csv

LISTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("csl_consolidated_2026-07-31.csv", "csl-csv", {}),
    (
        "ofac_sdn_2024-05-03.csv",
        "ofac-sdn",
        {"alt": "ofac_alt_2026.csv", "add": "ofac_add_2026.csv"},
    ),
    ("ofac_cons_prim_2025-12.csv", "ofac-cons", {"alt": "ofac_cons_alt_2025-12.csv"}),
    ("bis_dpl_2022-09.txt", "bis-dpl", {}),
)
CANDIDATES_PER_QUERY = 10  # hits kept per query when building logic-v2's pairs
WARMUP_PAIRS = 200
SCORED_CANDIDATES = 50  # the index scores at most this many aliases per query (MAX_CANDIDATES)


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version()}


def pin_one_core() -> bool:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        return True
    return False


def load_all_lists(data: Path) -> list[ListEntry]:
    entries: list[ListEntry] = []
    for file, fmt, extras in LISTS:
        path = data / "lists" / file
        extra = {key: (data / "lists" / name).read_bytes() for key, name in extras.items()}
        entries += parse_list(path.read_bytes(), fmt, name=file, extra=extra).entries
    return entries


def name_count(entries: Sequence[ListEntry]) -> int:
    return sum(1 + len(entry.aliases) for entry in entries)


def perturb(name: str, rng: random.Random) -> str:
    """A typo (drop, swap, replace a letter) or reordered words."""
    words = name.split()
    if len(words) > 1 and rng.random() < 0.35:
        rng.shuffle(words)
        return " ".join(words)
    if len(name) < 4:
        return name + rng.choice(string.ascii_lowercase)
    at = rng.randrange(1, len(name) - 1)
    edit = rng.choice(("drop", "swap", "replace"))
    if edit == "drop":
        return name[:at] + name[at + 1 :]
    if edit == "swap":
        return name[: at - 1] + name[at] + name[at - 1] + name[at + 1 :]
    return name[:at] + rng.choice(string.ascii_lowercase) + name[at + 1 :]


def random_name(rng: random.Random) -> str:
    syllables = [
        "qor",
        "van",
        "tel",
        "bim",
        "strad",
        "lux",
        "ora",
        "pel",
        "dri",
        "kon",
        "ves",
        "ul",
    ]
    words = ["".join(rng.choices(syllables, k=rng.randint(2, 3))).title() for _ in range(2)]
    suffix = rng.choice(["Holdings", "Trading LLC", "GmbH", "Ltd", "S.A.", ""])
    return " ".join([*words, suffix]).strip()


def query_mix(
    entries: Sequence[ListEntry],
    bench_names: Sequence[str],
    zh_names: Sequence[str],
    count: int,
    rng: random.Random,
) -> list[str]:
    """``count`` queries: 25% list names, 25% perturbed, 20% name_bench, 15% Chinese, 15% random."""
    list_names = [e.name for e in rng.sample(list(entries), min(len(entries), count))]
    parts = [
        rng.sample(list_names, count // 4),
        [perturb(n, rng) for n in rng.sample(list_names, count // 4)],
        rng.choices(bench_names, k=count // 5),
        rng.choices(zh_names, k=count * 3 // 20),
    ]
    queries = [q for part in parts for q in part]
    queries += [random_name(rng) for _ in range(count - len(queries))]
    rng.shuffle(queries)
    return queries


def distinct_names(
    entries: Sequence[ListEntry],
    bench_names: Sequence[str],
    zh_names: Sequence[str],
    count: int,
    rng: random.Random,
) -> list[str]:
    """``count`` different names in the query mix's proportions (topped up with random names)."""
    names = list(dict.fromkeys(query_mix(entries, bench_names, zh_names, count, rng)))
    seen = set(names)
    while len(names) < count:
        name = random_name(rng) if rng.random() < 0.5 else perturb(rng.choice(entries).name, rng)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def build_times(entries: Sequence[ListEntry], repeat: int) -> tuple[ScreeningIndex, list[float]]:
    """The last index built and every build's time in seconds (the first one runs cold)."""
    times, index = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        index = build_index(entries)
        times.append(round(time.perf_counter() - started, 3))
    assert index is not None
    return index, times


def latency(index: ScreeningIndex, queries: Sequence[str], warmup: int = 200) -> dict[str, float]:
    """Per-query search time in ms: p50, p99, max, mean."""
    for query in queries[:warmup]:
        index.search(query)
    gc.collect()
    times = []
    for query in queries:
        started = time.perf_counter_ns()
        index.search(query)
        times.append((time.perf_counter_ns() - started) / 1e6)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 3),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
        "max_ms": round(times[-1], 3),
        "mean_ms": round(statistics.fmean(times), 3),
    }


def batch_throughput(index: ScreeningIndex, names: Sequence[str]) -> float:
    """Names per second through ``search_many``."""
    gc.collect()
    started = time.perf_counter()
    index.search_many([(name, None) for name in names])
    return len(names) / (time.perf_counter() - started)


def candidate_pairs(index: ScreeningIndex, queries: Sequence[str]) -> list[tuple[str, str, str]]:
    """(query, candidate name, FtM schema) for the candidates our index returned."""
    schema = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
    pairs = []
    for query in queries:
        for hit in index.search(query, limit=CANDIDATES_PER_QUERY):
            pairs.append((query, hit.entry.name, schema.get(hit.entry.entity_type, "LegalEntity")))
    return pairs


def pair_throughput(
    scorer: PairScorer, pairs: Sequence[tuple[str, str, str]], warmup: int = WARMUP_PAIRS
) -> float:
    """Pairs per second over the pairs after the first ``warmup`` (those warm caches up)."""
    warmup = min(warmup, len(pairs) // 4)
    for pair in pairs[:warmup]:
        scorer(*pair)
    timed = pairs[warmup:]
    started = time.perf_counter()
    for pair in timed:
        scorer(*pair)
    return len(timed) / (time.perf_counter() - started)


def compare_engines(
    index: ScreeningIndex, queries: Sequence[str], total_names: int
) -> dict[str, Any]:
    """logic-v2 vs chipwatch pairwise on the same pairs, and what that means per query."""
    pairs = candidate_pairs(index, queries)
    result: dict[str, Any] = {"pairs": len(pairs), "queries": len(queries)}
    scorers: dict[str, PairScorer] = {"chipwatch compare_names": chipwatch_pair}
    if (logic_v2 := logic_v2_scorer()) is not None:
        started = time.perf_counter()
        logic_v2(*pairs[0])
        result["logic_v2_first_call_s"] = round(time.perf_counter() - started, 2)
        scorers["nomenklatura logic-v2"] = logic_v2
    for engine, scorer in scorers.items():
        rate = pair_throughput(scorer, pairs)
        result[engine] = {
            "pairs_per_s": round(rate),
            f"ms_per_query_N={SCORED_CANDIDATES}": round(1000 * SCORED_CANDIDATES / rate, 2),
            f"ms_per_query_N={total_names}": round(1000 * total_names / rate, 1),
        }
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--queries", type=int, default=2000, help="single-query latency sample")
    parser.add_argument("--batch", type=int, default=10000, help="names for search_many")
    parser.add_argument("--pairs-queries", type=int, default=300, help="queries for logic-v2")
    parser.add_argument("--repeat", type=int, default=3, help="index builds (best is kept)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="machine-readable results")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    result: dict[str, Any] = {"machine": machine(), "pinned_to_one_core": pin_one_core()}
    entries = load_all_lists(args.data)
    names = name_count(entries)
    result["index"] = {"entries": len(entries), "names": names}
    index, times = build_times(entries, args.repeat)
    result["index"] |= {"build_s": min(times), "build_runs_s": times}
    bench_rows = read_csv(args.data / "names" / "nomenklatura_name_bench_cases.csv")
    bench_names = [row["name1"] for row in bench_rows]
    zh_names = [r["query"] for r in read_csv(PAIRS) if r["category"] in ("chinese", "pinyin")]
    queries = query_mix(entries, bench_names, zh_names, args.queries, rng)
    result["single_query"] = latency(index, queries) | {"queries": len(queries)}
    batch = distinct_names(entries, bench_names, zh_names, args.batch, rng)
    result["batch"] = {"names": len(batch), "names_per_s": round(batch_throughput(index, batch))}
    fresh = query_mix(entries, bench_names, zh_names, args.pairs_queries, rng)
    result["pairwise"] = compare_engines(index, fresh, names)
    if args.json:
        print(json.dumps(result))
        return
    print_report(result)


def print_report(result: dict[str, Any]) -> None:
    m, ix, sq, batch = result["machine"], result["index"], result["single_query"], result["batch"]
    pinned = result["pinned_to_one_core"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; one core: {pinned}")
    print(f"index: {ix['entries']:,} entries, {ix['names']:,} names (name + aliases)")
    runs = ", ".join(f"{t:.2f}" for t in ix["build_runs_s"])
    print(f"index build: {ix['build_s']:.2f} s (best of {len(ix['build_runs_s'])}: {runs} s)")
    print(
        f"single query ({sq['queries']:,} queries): p50 {sq['p50_ms']} ms, "
        f"p99 {sq['p99_ms']} ms, max {sq['max_ms']} ms, mean {sq['mean_ms']} ms"
    )
    print(f"batch search_many: {batch['names']:,} names, {batch['names_per_s']:,} names/s")
    pw = result["pairwise"]
    print(f"pairwise on the index's candidates ({pw['pairs']} pairs, {pw['queries']} queries):")
    if "logic_v2_first_call_s" in pw:
        print(f"  logic-v2 first call (cold start): {pw['logic_v2_first_call_s']} s")
    for engine in ("chipwatch compare_names", "nomenklatura logic-v2"):
        if engine in pw:
            rate, few, every = pw[engine].values()
            print(
                f"  {engine}: {rate:,} pairs/s; per query {few:,} ms at "
                f"N={SCORED_CANDIDATES} candidates (the index's cap), {every:,} ms at "
                f"N={ix['names']:,} (every name, no candidate generation)"
            )
    if "nomenklatura logic-v2" not in pw:
        print("  nomenklatura logic-v2: not installed (pip install -e '.[bench]')")


if __name__ == "__main__":
    main()
