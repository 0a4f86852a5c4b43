"""Never over-drawn: concurrent one-unit shipments against the units left on a licence."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from chipwatch.licensing.ledger_model import LicenceDrawdown, Shipment
from chipwatch.licensing.shipment_checks import ShipmentRefused
from chipwatch.licensing.shipments import ship
from chipwatch.store import Database
from chipwatch.store.audit import verify
from tests.licensing.shipment_fixture import add_licence, order, report_us


def _clone(database: Database) -> Database:
    """Another Database on the same data, as another server process would have: its own
    connections and its own group commit, so its transactions contend for the row locks."""
    if database.dialect == "sqlite":
        return Database(database.url)
    with database.engine.connect() as connection:
        schema = connection.execute(text("SHOW search_path")).scalar_one()
    return Database(database.url, connect_args={"options": f"-csearch_path={schema}"})


def _race(database: Database, requests: int, left: int) -> tuple[int, list[ShipmentRefused]]:
    """``requests`` threads each ship one unit (own key, own serial) at once, through four
    Database objects (four "processes")."""
    clones = [_clone(database) for _ in range(3)]
    try:
        return _race_on([database, *clones], requests, left)
    finally:
        for clone in clones:
            clone.dispose()


def _race_on(
    databases: list[Database], requests: int, left: int
) -> tuple[int, list[ShipmentRefused]]:
    database = databases[0]
    add_licence(database, quantity=left + 20, value_usd=10**9)
    report_us(database)
    the_order = order()
    ship(
        database,
        order=the_order,
        licence_number="MO-0001",
        quantity=20,
        serials=[f"PRE-{n}" for n in range(20)],
        idempotency_key="pre",
        actor="bob",
    )
    start = threading.Barrier(min(requests, 32))
    refusals: list[ShipmentRefused] = []

    def one(n: int) -> bool:
        if n < 32:
            start.wait()
        try:
            ship(
                databases[n % len(databases)],
                order=the_order,
                licence_number="MO-0001",
                quantity=1,
                serials=[f"SN-{n}"],
                idempotency_key=f"key-{n}",
                actor=f"worker-{n}",
            )
        except ShipmentRefused as exc:
            refusals.append(exc)
            return False
        return True

    with ThreadPoolExecutor(max_workers=requests) as pool:
        successes = sum(pool.map(one, range(requests)))
    return successes, refusals


def _check_ledger(database: Database, drawn: int) -> None:
    with database.session() as session:
        assert session.scalar(select(func.sum(LicenceDrawdown.quantity))) == drawn
        assert session.scalar(select(func.count()).select_from(Shipment)) == session.scalar(
            select(func.count()).select_from(LicenceDrawdown)
        )
        assert verify(session).ok


@pytest.mark.postgresql
def test_200_concurrent_requests_for_100_units_left_on_postgresql(
    postgresql_database: Database,
) -> None:
    successes, refusals = _race(postgresql_database, requests=200, left=100)
    assert successes == 100 and len(refusals) == 100
    for refused in refusals:
        assert refused.codes == ["quantity_exhausted"] and refused.field == "quantity"
        assert "exhausted: 0 of 120 units left" in refused.problem
    _check_ledger(postgresql_database, drawn=120)


def test_concurrent_requests_on_sqlite(sqlite_database: Database) -> None:
    successes, refusals = _race(sqlite_database, requests=24, left=12)
    assert successes == 12 and len(refusals) == 12
    assert {tuple(r.codes) for r in refusals} == {("quantity_exhausted",)}
    _check_ledger(sqlite_database, drawn=32)
