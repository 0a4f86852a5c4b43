"""Benchmark: ``decide`` over generated orders, on one core. Prints orders/s.

    python bench/bench_decide.py [--orders 100000] [--seed 7]

Orders are generated (seeded) across the catalog, 2022-10-07..2026-11-29, a dozen
destinations, routes, end uses, sectors and list memberships, then parsed and their facts
built once; the timed loop is ``decide(order, facts, rulebook)`` alone, as the target says
(the prepared input is frozen out of the garbage collector's sight first).
The full ``Chipwatch.check`` path (classify + facts + decide) is timed too, for reference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import time
from typing import Any

from chipwatch import service
from chipwatch.orders import Order, parse_order
from chipwatch.rules.decide import decide
from chipwatch.rules.facts import OrderFacts, build_facts
from chipwatch.vocabulary import END_USES as ALL_END_USES

DESTINATIONS = ["CN", "CN", "CN", "HK", "MO", "MY", "SG", "AE", "SA", "IN", "JP", "DE", "US", "VN"]
SOURCES = ["US", "US", "US", "TW", "MY", "CN", "SG"]
END_USES = sorted(ALL_END_USES - {"advanced_ic_production"})
SECTORS = [
    "private",
    "private",
    "cloud_provider",
    "state_owned",
    "public",
    "university",
    "military",
]
LISTS = [[], [], [], [], [], [], [], ["entity_list"], ["meu"], ["uvl"]]


def generate(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    models = list(service.default().catalog.models)
    start, days = dt.date(2022, 10, 7), (dt.date(2026, 11, 29) - dt.date(2022, 10, 7)).days
    orders = []
    for i in range(count):
        ship_to = rng.choice(DESTINATIONS)
        end_user_country = ship_to if rng.random() < 0.85 else "CN"
        hq = end_user_country if rng.random() < 0.8 else "CN"
        items = [
            {
                "model": rng.choice(models),
                "quantity": rng.randint(1, 2000),
                "unit_price_usd": rng.choice([None, 12000, 25000, 31000, 40000]),
            }
            for _ in range(rng.choice([1, 1, 1, 2, 3]))
        ]
        parties = [
            {
                "role": "end_user",
                "name": f"end user {i}",
                "country": end_user_country,
                "headquarters": hq,
                "sector": rng.choice(SECTORS),
                "lists": rng.choice(LISTS),
            }
        ]
        if rng.random() < 0.5:
            parties.append(
                {
                    "role": "buyer",
                    "name": f"buyer {i}",
                    "country": ship_to,
                    "headquarters": rng.choice([ship_to, "CN"]),
                    "sector": rng.choice(SECTORS),
                }
            )
        orders.append(
            {
                "id": f"BENCH-{i}",
                "date": start + dt.timedelta(days=rng.randrange(days)),
                "ship_from": rng.choice(SOURCES),
                "ship_to": {"country": ship_to},
                "end_use": rng.choice(END_USES),
                "items": items,
                "parties": parties,
            }
        )
    return orders


def prepare(raw: list[dict[str, Any]]) -> list[tuple[Order, OrderFacts]]:
    cw = service.default()
    prepared = []
    for data in raw:
        order = parse_order(data)
        models = [cw.catalog.resolve(line.model) for line in order.items]
        classifications = [cw.classify(model, order.date) for model in models]
        screening = cw.screener.screen(order.parties, order.date)
        facts = build_facts(order, models, classifications, screening, cw.rulebook.groups)
        prepared.append((order, facts))
    return prepared


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; best and median")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    cw = service.default()
    raw = generate(args.orders, args.seed)
    prepared = prepare(raw)
    items = sum(len(order.items) for order, _ in prepared)
    # The 100,000 prepared orders are long-lived input, not garbage: keep the collector from
    # re-scanning them on every full collection during the timed loops (as a server would
    # for its loaded reference data).
    gc.collect()
    gc.freeze()

    for order, facts in prepared[:1000]:  # warm up
        decide(order, facts, cw.rulebook)
    outcomes: dict[str, int] = {}
    for order, facts in prepared:
        outcome = decide(order, facts, cw.rulebook).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for order, facts in prepared:
            decide(order, facts, cw.rulebook)
        runs.append(time.perf_counter() - started)
    runs.sort()
    decide_s, median_s = runs[0], runs[len(runs) // 2]

    started = time.perf_counter()
    for order, facts in prepared:
        decide(order, facts, cw.rulebook).to_dict()
    explained_s = time.perf_counter() - started

    orders = [order for order, _ in prepared]
    started = time.perf_counter()
    for order in orders:
        cw.check(order)
    check_s = time.perf_counter() - started

    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pinned to one core"
    )
    print(
        f"orders: {len(prepared):,} ({items:,} items), rulebook {cw.rulebook.name} "
        f"{cw.rulebook.digest}, {len(cw.rulebook.rules)} rules"
    )
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    n = len(prepared)
    print(
        f"decide: {n / decide_s:,.0f} orders/s best of {args.repeat} "
        f"({decide_s / n * 1e6:.1f} us/order), median {n / median_s:,.0f} orders/s  "
        "target >= 20,000"
    )
    print(
        "decide + every reason rendered as JSON-ready data (to_dict): "
        f"{n / explained_s:,.0f} orders/s"
    )
    print(
        f"check (classify + facts + decide): {len(prepared) / check_s:,.0f} orders/s "
        f"({check_s:.2f} s)"
    )


if __name__ == "__main__":
    main()
