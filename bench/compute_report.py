"""Benchmark: the compute report over a demo fleet of a million tracked chips.

    python bench/compute_report.py [--chips 1000000] [--sites 400] [--seed 1] [--url URL]
                                   [--no-postgres]

Builds the fleet (``compute.demo``) in a fresh SQLite file and in a fresh PostgreSQL
schema (dropped at the end), then times ``report(db, by)`` for hub and origin: the first
call and the best of three. Target: under 2 s each. Prints the machine and the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from chipwatch.compute import demo
from chipwatch.compute.capacity import default_capacities
from chipwatch.compute.report import report
from chipwatch.store import Database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_S = 2.0


def machine() -> str:
    return (
        f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def run(label: str, db: Database, plan: list[demo.DemoSite], seed: int) -> None:
    start = time.perf_counter()
    result = demo.write_fleet(db, plan, seed, "bench")
    built = time.perf_counter() - start
    print(f"{label}: demo fleet {result.chips:,} chips at {result.sites} sites in {built:.1f} s")
    for by in ("hub", "origin"):
        times = []
        for _ in range(4):
            start = time.perf_counter()
            rows = report(db, by)
            times.append(time.perf_counter() - start)
        verdict = "ok" if max(times) < TARGET_S else "SLOWER THAN TARGET"
        print(
            f"{label}: report by {by}: first {times[0]:.3f} s, best {min(times[1:]):.3f} s "
            f"({len(rows.rows)} rows, {rows.total['chips']:,} chips, "
            f"{rows.total['h100_eq']:,.0f} H100-eq, autonomy {rows.total['autonomy_ratio']:.1%}) "
            f"[{verdict}, target < {TARGET_S:g} s]"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", default=os.environ.get("CHIPWATCH_TEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    default_capacities()  # the catalog and rulebook load once, outside the timings
    plan = demo.plan_fleet(args.chips, args.sites, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        run("sqlite", db, plan, args.seed)
        db.dispose()
    if not args.no_postgres:
        postgres(args.url, plan, args.seed)


def postgres(url: str, plan: list[demo.DemoSite], seed: int) -> None:
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # no server: say so, the SQLite figures stand
        print(f"postgresql: not reachable at {url}: {type(exc).__name__}")
        return
    print(f"postgresql: server {version}")
    db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        db.upgrade()
        run("postgresql", db, plan, seed)
    finally:
        db.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
