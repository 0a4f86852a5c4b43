"""Benchmark: concurrent shipments against PostgreSQL beside pgbench's simple-update ceiling.

    python bench/ledger.py [--url URL] [--workers 8 32] [--requests 2000] [--seconds 10]

Creates a fresh schema, a licence with a cap for every request, and the US volumes the
aggregate cap needs; then, once per ``--workers`` count, that many threads call
``licensing.shipments.ship`` directly, one unit per request (own idempotency key and
serial), and it prints shipments/s. Concurrent calls are group-committed, so batches grow
with the number of callers: 8 threads give batches of about 4, 32 of about 16-30. In the
same run it initialises pgbench's tables in a scratch schema and runs
``pgbench -b simple-update -c 8 -T SECONDS`` (one transactional row update per request:
the practical ceiling here), and prints the ratio. Without pgbench on the PATH it says so
and times an equivalent simple-update loop in Python instead (clearly labelled).
Both schemas are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chipwatch.licensing import aggregate, service
from chipwatch.licensing.documents import parse_licence_document
from chipwatch.licensing.shipments import ship
from chipwatch.orders import parse_order
from chipwatch.store import Database
from chipwatch.store.db import normalise_url

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LICENSEE = "Bench Exporter Inc."
CUSTOMER = "Macau Cloud Computing Ltd."


def licence(units: int) -> dict[str, Any]:
    return {
        "number": "BENCH-1",
        "authority": "BIS",
        "licensee": LICENSEE,
        "approved_customers": [{"name": CUSTOMER, "country": "MO"}],
        "items": ["NVIDIA H200"],
        "destinations": ["MO"],
        "quantity": units,
        "value_usd": units * 31000,
        "valid_from": "2026-01-15",
        "valid_to": "2099-12-31",  # expiry is judged on the real today
        "conditions": {"fee_rate": "0.25"},
    }


def order(units: int) -> dict[str, Any]:
    party = {"name": CUSTOMER, "country": "MO", "sector": "cloud_provider"}
    return {
        "id": "PO-BENCH",
        "date": "2026-02-10",
        "ship_from": "US",
        "ship_to": {"country": "MO"},
        "end_use": "commercial_training",
        "items": [{"model": "NVIDIA H200", "quantity": units, "unit_price_usd": 31000}],
        "parties": [{"role": "buyer", **party}, {"role": "end_user", **party}],
    }


def run_shipments(url: str, schema: str, workers: list[int], requests: int) -> list[float]:
    """Shipments per second with each number of threads, ``requests`` requests each run."""
    units = len(workers) * requests + 100
    database = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        database.upgrade()
        document = licence(units)
        service.add_licence(database, parse_licence_document(document), "bench")
        aggregate.record_us_shipments(
            database, licensee=LICENSEE, product="NVIDIA H200", period="2026-Q1",
            quantity=units * 2, actor="bench",
        )  # fmt: skip
        the_order = parse_order(order(units))

        def one(key: str) -> None:
            ship(
                database,
                order=the_order,
                licence_number="BENCH-1",
                quantity=1,
                serials=[f"SN-{key}"],
                idempotency_key=key,
                actor="bench",
            )

        for n in range(20):  # warm up: connections, prepared statements, caches
            one(f"warm-{n}")
        return [_timed(one, threads, requests) for threads in workers]
    finally:
        database.dispose()


def _timed(one: Any, threads: int, requests: int) -> float:
    per_thread = requests // threads
    start = threading.Barrier(threads + 1)

    def worker(w: int) -> None:
        start.wait()
        for n in range(per_thread):
            one(f"t{threads}-w{w}-{n}")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(worker, w) for w in range(threads)]
        start.wait()
        began = time.perf_counter()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - began
    return threads * per_thread / elapsed


def run_pgbench(url: str, schema: str, clients: int, seconds: int) -> tuple[float, str]:
    """pgbench simple-update TPS (or a Python equivalent), and how it was measured."""
    pgbench = shutil.which("pgbench")
    parsed = make_url(url)
    if pgbench is None:
        return python_simple_update(url, schema, clients, seconds), "Python simple-update loop"
    env = {
        **os.environ,
        "PGOPTIONS": f"-csearch_path={schema}",
        "PGHOST": parsed.host or "127.0.0.1",
        "PGPORT": str(parsed.port or 5432),
        "PGUSER": parsed.username or "postgres",
        "PGDATABASE": parsed.database or "postgres",
    }
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    subprocess.run([pgbench, "-i", "-q"], env=env, check=True, capture_output=True)
    command = [pgbench, "-b", "simple-update", "-c", str(clients), "-j", "2", "-T", str(seconds)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    if match is None:
        raise SystemExit(f"could not read pgbench's output:\n{done.stdout}")
    return float(match.group(1)), " ".join(command[1:])


def python_simple_update(url: str, schema: str, clients: int, seconds: int) -> float:
    """pgbench's simple-update script (update, select, insert history) from Python threads."""
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    accounts = 100_000
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE acc (aid int PRIMARY KEY, abalance int)"))
        connection.execute(text("CREATE TABLE hist (aid int, delta int, mtime timestamp)"))
        connection.execute(
            text("INSERT INTO acc SELECT g, 0 FROM generate_series(1, :n) g"), {"n": accounts}
        )
    done = [0] * clients
    deadline = time.perf_counter() + seconds

    def client(c: int) -> None:
        rng = random.Random(c)
        with engine.connect() as connection:
            while time.perf_counter() < deadline:
                aid, delta = rng.randint(1, accounts), rng.randint(-5000, 5000)
                with connection.begin():
                    connection.execute(
                        text("UPDATE acc SET abalance = abalance + :d WHERE aid = :a"),
                        {"d": delta, "a": aid},
                    )
                    connection.execute(text("SELECT abalance FROM acc WHERE aid = :a"), {"a": aid})
                    connection.execute(
                        text("INSERT INTO hist VALUES (:a, :d, now())"), {"a": aid, "d": delta}
                    )
                done[c] += 1

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    engine.dispose()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("CHIPWATCH_TEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[8, 32], help="threads (one run each)"
    )
    parser.add_argument("--requests", type=int, default=2000, help="shipments per run")
    parser.add_argument("--clients", type=int, default=8, help="pgbench clients")
    parser.add_argument("--seconds", type=int, default=10, help="pgbench duration")
    args = parser.parse_args()
    url = normalise_url(args.url)
    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("bench/ledger.py needs a PostgreSQL URL")
    admin = create_engine(url)
    ledger_schema, pgbench_schema = (f"bench_{part}_{secrets.token_hex(4)}" for part in "lp")
    with admin.begin() as connection:
        for schema in (ledger_schema, pgbench_schema):
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        rates = run_shipments(url, ledger_schema, args.workers, args.requests)
        for threads, rate in zip(args.workers, rates, strict=True):
            print(f"ledger:  {args.requests} shipments, {threads} threads: {rate:,.0f} shipments/s")
        ceiling, how = run_pgbench(url, pgbench_schema, args.clients, args.seconds)
        print(f"pgbench: {how}: {ceiling:,.0f} transactions/s")
        for threads, rate in zip(args.workers, rates, strict=True):
            print(f"ratio:   {threads} threads: {rate / ceiling:.1%} of the simple-update ceiling")
    finally:
        with admin.begin() as connection:
            for schema in (ledger_schema, pgbench_schema):
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
